// Command pulumi-language-python is a small Python language host for the Pulumi
// CLI built by tools/pulumi-cli/build.sh.
//
// Why it exists: the upstream language host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) that is
// only published as commit pseudo-versions, and the Go module proxy reachable
// from this project's machines does not serve any of them. The CLI itself
// (github.com/pulumi/pulumi/pkg/v3) and the SDK module are served, so the CLI is
// built from them and this host stands in for the upstream one.
//
// What it does, following the documented LanguageRuntime gRPC contract
// (pulumi/language.proto in the sdk/v3 module):
//
//   - Run: starts `python pulumi-language-python-exec --monitor ... PROGRAM`
//     with PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS in the environment. The
//     exec script is the one shipped in the sdk/v3 module (copied next to this
//     binary by build.sh), so the program runs through the real Python SDK.
//   - RunPlugin: starts `python <plugin dir> <args...>` (the directory's
//     __main__.py), which is how the CLI launches a Python policy pack (args =
//     the engine address), streaming stdout/stderr back to the engine. With the
//     pip toolchain and no `virtualenv` option the plugin's `venv` is used.
//   - GetRequiredPackages / GetRequiredPlugins: reports resource plugins from
//     the `pulumi-plugin.json` files of installed Python distributions.
//   - GetPluginInfo, About, GetProgramDependencies, InstallDependencies,
//     Handshake: minimal implementations.
//
// Python interpreter and virtualenv selection use the sdk/v3 module's
// python/toolchain package (the same code the upstream host uses), driven by the
// `runtime.options` (virtualenv, toolchain) from Pulumi.yaml / PulumiPolicy.yaml.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	pbempty "google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

const (
	execScriptName = "pulumi-language-python-exec"
	// Exit code used by the exec script after it has already reported a
	// user-actionable error through the engine.
	exitAfterUserActionableMessage = 32
)

func main() {
	var tracing, root, virtualenv, toolchainName, typechecker string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint (ignored)")
	flag.StringVar(&root, "root", "", "Project root path (legacy flag)")
	flag.StringVar(&virtualenv, "virtualenv", "", "Virtual environment path (legacy flag)")
	flag.StringVar(&toolchainName, "toolchain", "", "Python toolchain (legacy flag)")
	flag.StringVar(&typechecker, "typechecker", "", "Type checker (ignored)")
	flag.Parse()
	logging.InitLogging(false, 0, false)

	self, err := os.Executable()
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not determine current executable: %w", err))
	}
	execScript := filepath.Join(filepath.Dir(self), execScriptName)
	if _, err := os.Stat(execScript); err != nil {
		cmdutil.Exit(fmt.Errorf("missing executor %s: %w", execScript, err))
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	h := &host{
		exec:          execScript,
		engineAddress: engineAddress,
		legacyOptions: map[string]any{},
	}
	if virtualenv != "" {
		h.legacyOptions["virtualenv"] = virtualenv
	}
	if toolchainName != "" {
		h.legacyOptions["toolchain"] = toolchainName
	}
	h.legacyRoot = root

	port, done, err := rpcutil.Serve(0, nil, []func(*grpc.Server) error{
		func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	}, nil)
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The spawner reads the port from the first line of stdout.
	fmt.Printf("%d\n", port)
	go exitWithParent()
	if err := <-done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

// exitWithParent stops the host once the CLI that started it is gone, so that a
// killed test run leaves no process behind.
func exitWithParent() {
	parent := os.Getppid()
	for {
		time.Sleep(time.Second)
		if os.Getppid() != parent {
			os.Exit(0)
		}
	}
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	exec          string
	engineAddress string
	legacyOptions map[string]any
	legacyRoot    string
}

// pythonOptions turns ProgramInfo (root dir, program dir, runtime options) into
// toolchain options.
func (h *host) pythonOptions(info *pulumirpc.ProgramInfo, fallbackDir string) (toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Toolchain: toolchain.Auto}
	root, programDir := h.legacyRoot, fallbackDir
	options := map[string]any{}
	for k, v := range h.legacyOptions {
		options[k] = v
	}
	if info != nil {
		if info.GetRootDirectory() != "" {
			root = info.GetRootDirectory()
		}
		if info.GetProgramDirectory() != "" {
			programDir = info.GetProgramDirectory()
		}
		if info.GetOptions() != nil {
			for k, v := range info.GetOptions().AsMap() {
				options[k] = v
			}
		}
	}
	if root == "" {
		root = programDir
	}
	opts.Root, opts.ProgramDir = root, programDir
	if v, ok := options["virtualenv"].(string); ok {
		opts.Virtualenv = v
	}
	if v, ok := options["toolchain"].(string); ok {
		switch strings.ToLower(v) {
		case "", "auto":
			opts.Toolchain = toolchain.Auto
		case "pip":
			opts.Toolchain = toolchain.Pip
		case "uv":
			opts.Toolchain = toolchain.Uv
		case "poetry":
			opts.Toolchain = toolchain.Poetry
		default:
			return opts, fmt.Errorf("unsupported python toolchain %q", v)
		}
	}
	return opts, nil
}

func (h *host) resolve(ctx context.Context, info *pulumirpc.ProgramInfo, fallbackDir string) (toolchain.Toolchain, error) {
	opts, err := h.pythonOptions(info, fallbackDir)
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	if opts.Virtualenv != "" || opts.Toolchain != toolchain.Auto {
		if err := tc.ValidateVenv(ctx); err != nil {
			return nil, err
		}
	}
	return tc, nil
}

func cwdOr(dir string) string {
	if dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

func (h *host) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	if req.RootDirectory != nil {
		h.legacyRoot = req.GetRootDirectory()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(ctx context.Context, _ *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// pluginJSONScript prints, as JSON, every top-level `<module>/pulumi-plugin.json`
// shipped by an installed distribution.
const pluginJSONScript = `
import json, importlib.metadata as md
out = []
for d in md.distributions():
    for f in (d.files or []):
        if f.name != "pulumi-plugin.json" or len(f.parts) != 2:
            continue
        try:
            data = json.loads(f.read_text())
        except Exception:
            continue
        out.append({"package": d.metadata["Name"], "version": d.version, "plugin": data})
print(json.dumps(out))
`

type parameterizationJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Value   string `json:"value"`
}

type pluginJSON struct {
	Resource         bool                  `json:"resource"`
	Name             string                `json:"name"`
	Version          string                `json:"version"`
	Server           string                `json:"server"`
	Parameterization *parameterizationJSON `json:"parameterization"`
}

type installedPlugin struct {
	Package string     `json:"package"`
	Version string     `json:"version"`
	Plugin  pluginJSON `json:"plugin"`
}

func (h *host) requiredPackages(ctx context.Context, info *pulumirpc.ProgramInfo) ([]*pulumirpc.PackageDependency, error) {
	tc, err := h.resolve(ctx, info, cwdOr(""))
	if err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, "-c", pluginJSONScript)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing installed pulumi packages: %w", err)
	}
	var installed []installedPlugin
	if err := json.Unmarshal(out, &installed); err != nil {
		return nil, fmt.Errorf("parsing installed pulumi packages: %w", err)
	}
	seen := map[string]bool{}
	var deps []*pulumirpc.PackageDependency
	for _, p := range installed {
		if !p.Plugin.Resource {
			continue
		}
		name := p.Plugin.Name
		if name == "" {
			name = strings.TrimPrefix(strings.ToLower(p.Package), "pulumi-")
		}
		v := p.Plugin.Version
		if v == "" {
			v = p.Version
		}
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		dep := &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: v, Server: p.Plugin.Server}
		if pz := p.Plugin.Parameterization; pz != nil {
			value, err := base64.StdEncoding.DecodeString(pz.Value)
			if err != nil {
				return nil, fmt.Errorf("package %s: bad parameterization value: %w", p.Package, err)
			}
			dep.Parameterization = &pulumirpc.PackageParameterization{Name: pz.Name, Version: pz.Version, Value: value}
		}
		key := dep.Name + "@" + dep.Version
		if dep.Parameterization != nil {
			key += "/" + dep.Parameterization.Name
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		deps = append(deps, dep)
	}
	return deps, nil
}

func (h *host) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	deps, err := h.requiredPackages(ctx, req.GetInfo())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

func (h *host) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	deps, err := h.requiredPackages(ctx, req.GetInfo())
	if err != nil {
		return nil, err
	}
	var plugins []*pulumirpc.PluginDependency
	for _, d := range deps {
		if d.Parameterization != nil {
			continue
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: d.Name, Kind: d.Kind, Version: d.Version, Server: d.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := h.resolve(ctx, req.GetInfo(), cwdOr(req.GetPwd()))
	if err != nil {
		return nil, err
	}

	args := []string{h.exec}
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("project", req.GetProject())
	if req.GetInfo() != nil {
		add("root_directory", req.GetInfo().GetRootDirectory())
	}
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", fmt.Sprintf("%v", req.GetDryRun()))
	add("parallel", fmt.Sprint(req.GetParallel()))
	add("organization", req.GetOrganization())
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	configJSON, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
	}

	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return nil, err
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	env = append(env, "PULUMI_CONFIG="+string(configJSON), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	cmd.Env = env
	cmd.Dir = req.GetPwd()
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	logging.V(5).Infof("language host launching: %s", strings.Join(cmd.Args, " "))

	var errResult string
	if err := cmd.Run(); err != nil {
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			switch exitErr.ExitCode() {
			case exitAfterUserActionableMessage:
				return &pulumirpc.RunResponse{Bail: true}, nil
			default:
				errResult = fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode())
			}
		} else {
			errResult = fmt.Sprintf("problem executing program (could not run language executor): %v", err)
		}
	}
	return &pulumirpc.RunResponse{Error: errResult}, nil
}

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	programDir := req.GetInfo().GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetProgram()
	}
	if programDir == "" {
		return errors.New("RunPlugin: no program directory given")
	}
	opts, err := h.pythonOptions(req.GetInfo(), programDir)
	if err != nil {
		return err
	}
	// Plugins (policy packs) are not run from the ambient Python: with pip and
	// no virtualenv option, the pack's own `venv` directory is used.
	if opts.Toolchain == toolchain.Pip && opts.Virtualenv == "" {
		opts.Virtualenv = "venv"
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	if opts.Virtualenv != "" {
		if err := tc.ValidateVenv(ctx); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(programDir, "__main__.py")); err != nil {
		return fmt.Errorf("plugin directory %s has no __main__.py: %w", programDir, err)
	}
	// `python <plugin dir> <args...>` runs the directory's __main__.py; for a
	// policy pack the single argument is the engine address.
	args := append([]string{programDir}, req.GetArgs()...)
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return err
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(env, req.GetEnv()...)
	cmd.Dir = req.GetPwd()
	logging.V(5).Infof("language host running plugin: %s", strings.Join(cmd.Args, " "))

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	cmd.Stdout, cmd.Stderr = stdout, stderr

	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return server.Send(&pulumirpc.RunPluginResponse{
				Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitErr.ExitCode())},
			})
		}
		return fmt.Errorf("problem executing plugin program (could not run language executor): %w", err)
	}
	return closer.Close()
}

func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	ctx := server.Context()
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetDirectory()
	}
	opts, err := h.pythonOptions(req.GetInfo(), cwdOr(dir))
	if err != nil {
		return err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	if err := tc.InstallDependencies(ctx, opts.ProgramDir, req.GetUseLanguageVersionTools(),
		true /*showOutput*/, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := h.resolve(ctx, req.GetInfo(), cwdOr(""))
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
	}, nil
}

func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := h.resolve(ctx, req.GetInfo(), cwdOr(""))
	if err != nil {
		return nil, err
	}
	pkgs, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	deps := make([]*pulumirpc.DependencyInfo, 0, len(pkgs))
	for _, p := range pkgs {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}
