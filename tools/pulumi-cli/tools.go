//go:build tools

// Package tools pins the Pulumi CLI entry point so that `go build` of
// github.com/pulumi/pulumi/pkg/v3/cmd/pulumi resolves through this module's
// go.mod (see build.sh).
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
