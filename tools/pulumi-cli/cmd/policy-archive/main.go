// Command policy-archive writes the .tgz that `pulumi policy publish` would upload for a
// Python policy pack directory, without a Pulumi Cloud login:
//
//	policy-archive -o pack.tgz <policy pack dir>
//
// `pulumi policy publish` needs the Pulumi Cloud backend (the file backend answers "DIY
// backend does not support resource policy") and, for every runtime except nodejs, builds its
// upload with `archive.TGZ(<pack dir>, "package", true)` from the sdk/v3 module
// (pkg/backend/httpstate/policypack.go, cloudPolicyPack.Publish). This command calls that same
// function at the pinned version, so the archive it writes is byte-for-byte the one publish
// would build from the same directory. What that function honours, at v3.259.0:
//
//   - `.gitignore` files in the pack directory, in each subdirectory it descends into, and in
//     every ancestor directory of the pack up to the filesystem root;
//   - `.git` in any directory (always excluded);
//   - nothing else: `.pulumiignore` is not read, and directories (including symlinked ones,
//     which it follows) are always walked, with only their files matched against the rules.
//
// The pack directory is the one holding PulumiPolicy.yaml (publish resolves it the same way,
// as an absolute path).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/archive"
)

func main() {
	out := flag.String("o", "", "where to write the .tgz (required)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: policy-archive -o <file.tgz> <policy pack dir>")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	dir, err := filepath.Abs(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "PulumiPolicy.yaml")); err != nil {
		fail(fmt.Errorf("%s is not a policy pack directory: %w", dir, err))
	}
	data, err := archive.TGZ(dir, "package", true /*useDefaultExcludes*/)
	if err != nil {
		fail(fmt.Errorf("could not create the .tgz: %w", err))
	}
	if err := os.WriteFile(*out, data, 0o600); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "policy-archive: %v\n", err)
	os.Exit(1)
}
