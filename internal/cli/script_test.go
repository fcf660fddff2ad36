package cli_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ladmin/ladmin/internal/cli"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/sandbox"
)

// TestMain lets testscript run this test binary as the `ladmin` command, so
// the scripts exercise the real CLI, in a separate process, with coverage.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ladmin": func() {
			// testscript cannot unset a variable, only empty it; `unset`
			// below lists the ones to remove, as a user's shell would.
			for name := range strings.SplitSeq(os.Getenv(unsetVar), ",") {
				if os.Getenv(name) == "" { // not set again since
					os.Unsetenv(name)
				}
			}
			os.Unsetenv(unsetVar)
			ctx, stop := cmdutil.SignalContext(context.Background())
			code := cli.Main(ctx, os.Args[1:], iostreams.System(),
				cmdutil.BuildInfo{Version: "test", Commit: "abc1234", Date: "2026-01-01T00:00:00Z"})
			stop()
			os.Exit(code)
		},
	})
}

// unsetVar carries the names the `unset` command removed to ladmin.
const unsetVar = "LADMIN_TEST_UNSET"

// TestScripts runs testdata/script/*.txtar, each against its own fresh
// in-memory sandbox. Environment in every script:
//
//	LADMIN_URL      the sandbox (also in SANDBOX, for scripts that unset it)
//	LADMIN_API_KEY  the owner's key (override per command with env)
//	OWNER_KEY ADMIN_KEY AGENT_KEY   the seeded keys
//	HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME   inside $WORK
//	REPO            the repository root (for testdata files)
func TestScripts(t *testing.T) {
	runScripts(t, filepath.Join("testdata", "script"), sandbox.APIExtended)
}

// TestScriptsBothFaces runs testdata/script/faces/*.txtar twice: against the
// sandbox's extended face and against its published face (spec/sandbox.md,
// "Two faces"), so the core scenarios are shown to work on a real account
// with only LiveAgent's published API as on the sandbox. In those scripts
// the condition [published] holds in the second run, and two commands help:
//
//	sandbox-face extended|published   switch the running sandbox's face
//	stdout2env NAME                    set $NAME to the last command's stdout, trimmed
func TestScriptsBothFaces(t *testing.T) {
	for _, face := range []string{sandbox.APIExtended, sandbox.APIPublished} {
		t.Run(face, func(t *testing.T) {
			runScripts(t, filepath.Join("testdata", "script", "faces"), face)
		})
	}
}

type sandboxKey struct{}

func runScripts(t *testing.T, dir, face string) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join(repo, dir),
		RequireExplicitExec: false,
		Condition: func(cond string) (bool, error) {
			if cond == "published" {
				return face == sandbox.APIPublished, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: withScriptCmds(map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// unset NAME...: ladmin runs without these variables (an empty
			// one is an error of its own).
			"unset": func(ts *testscript.TestScript, neg bool, args []string) {
				names := strings.Split(ts.Getenv(unsetVar), ",")
				for _, name := range args {
					ts.Setenv(name, "")
					names = append(names, name)
				}
				ts.Setenv(unsetVar, strings.Trim(strings.Join(names, ","), ","))
			},
			"sandbox-face": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: sandbox-face extended|published")
				}
				ts.Check(ts.Value(sandboxKey{}).(*sandbox.Server).SetAPI(args[0]))
			},
			"stdout2env": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: stdout2env NAME")
				}
				ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
			},
		}),
		Setup: func(env *testscript.Env) error {
			srv, err := sandbox.New(sandbox.Options{DB: ":memory:", API: face})
			if err != nil {
				return err
			}
			hs := httptest.NewServer(srv.Handler())
			scriptServers.Store(env.WorkDir, srv)
			env.Defer(func() {
				scriptServers.Delete(env.WorkDir)
				hs.Close()
				srv.Close()
			})
			env.Values[sandboxKey{}] = srv
			env.Setenv("LADMIN_URL", hs.URL)
			env.Setenv("SANDBOX", hs.URL)
			env.Setenv("LADMIN_API_KEY", sandbox.OwnerKey)
			env.Setenv("OWNER_KEY", sandbox.OwnerKey)
			env.Setenv("ADMIN_KEY", sandbox.AdminKey)
			env.Setenv("AGENT_KEY", sandbox.AgentKey)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, ".local", "share"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			env.Setenv("REPO", repo)
			env.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}

// withScriptCmds adds the script commands of the other test files
// (scriptCmds) to cmds.
func withScriptCmds(cmds map[string]func(ts *testscript.TestScript, neg bool, args []string)) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	for name, cmd := range scriptCmds {
		cmds[name] = cmd
	}
	return cmds
}
