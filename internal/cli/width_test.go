package cli_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/cli"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// People with long names, wide (CJK) names and long role names, for the
// tables fitted to a terminal.
var wideAndLong = []struct{ name, email, role string }{
	{"Maximiliana Alexandrina Bartholomew-Featherstonehaugh von Hohenzollern", "maximiliana.featherstonehaugh@example.com", "support-lead-europe-middle-east-and-africa"},
	{"山田太郎", "yamada@example.com", "agent"},
	{"李小龍 中国香港特别行政区客户支持部门经理", "li.xiaolong@example.com", "admin"},
	{"Łukasz Żółć", "lukasz@example.com", "agent"},
}

// terminalEnv is a sandbox holding wideAndLong, and ladmin run against it
// with stdout on a terminal of a given width (0: not a terminal).
type terminalEnv struct {
	t   *testing.T
	dir string
}

func newTerminalEnv(t *testing.T) *terminalEnv {
	t.Helper()
	url, _ := sandboxtest.Start(t, sandbox.Options{})
	dir := t.TempDir()
	for _, k := range []string{"LADMIN_OUTPUT", "LADMIN_PROFILE", "LADMIN_TIMEOUT", "LADMIN_DEBUG", "COLUMNS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("NO_COLOR", "1")
	t.Setenv("LADMIN_URL", url)
	t.Setenv("LADMIN_API_KEY", sandbox.OwnerKey)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, ".config"))
	t.Setenv("HOME", dir)
	e := &terminalEnv{t: t, dir: dir}
	e.must(0, "role", "create", "support-lead-europe-middle-east-and-africa", "--from", "agent", "--grant", "agents.read")
	for _, a := range wideAndLong {
		e.must(0, "agent", "create", "--name", a.name, "--email", a.email, "--role", a.role, "--department", "support")
	}
	return e
}

func (e *terminalEnv) run(width int, args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	ios, _, out, errOut := iostreams.Test()
	ios.SetTerminalWidth(width)
	code = cli.Main(context.Background(), args, ios, cmdutil.BuildInfo{Version: "test"})
	return code, out.String(), errOut.String()
}

func (e *terminalEnv) must(width int, args ...string) string {
	e.t.Helper()
	code, out, errOut := e.run(width, args...)
	if code != 0 {
		e.t.Fatalf("ladmin %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

var (
	agentIDs  = regexp.MustCompile(`\b[0-9a-f]{8}\b`)
	roleIDs   = regexp.MustCompile(`\br_[0-9a-f]{6}\b`)
	localTime = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d`)
)

// normalize replaces what differs between runs (random ids, the time of
// creation) by placeholders of the same width, so alignment still shows.
func normalize(s string) string {
	s = agentIDs.ReplaceAllString(s, "ID______")
	s = roleIDs.ReplaceAllString(s, "r_ROLEID")
	return localTime.ReplaceAllString(s, "2026-01-01 00:00")
}

// Every table at widths 40, 80, 120 and off a terminal, against golden
// files; and the properties the golden files show, checked on their own:
// at a width, no line is wider than the terminal unless an id or email
// needs it; off a terminal, every value is whole.
func TestTablesFitTheTerminal(t *testing.T) {
	e := newTerminalEnv(t)
	goldenDir, err := filepath.Abs(filepath.Join("testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../../testdata") // the audit names its policy as given
	// fitsAt is the narrowest terminal the command's ids and emails leave
	// room to fit in; narrower, the rows overflow rather than cut them.
	commands := []struct {
		golden string
		args   []string
		exit   int
		fitsAt int
	}{
		{"agent_list", []string{"agent", "list"}, 0, 80},
		{"agent_list_wide", []string{"agent", "list", "-o", "wide"}, 0, 80},
		{"agent_get", []string{"agent", "get", "maximiliana.featherstonehaugh@example.com"}, 0, 80},
		{"whoami", []string{"whoami"}, 0, 40},
		{"role_list", []string{"role", "list"}, 0, 80},
		{"role_list_wide", []string{"role", "list", "-o", "wide"}, 0, 80},
		{"apikey_list_wide", []string{"apikey", "list", "-o", "wide"}, 0, 80},
		{"department_list_wide", []string{"department", "list", "-o", "wide"}, 0, 40},
		{"role_show", []string{"role", "show", "support-lead-europe-middle-east-and-africa"}, 0, 80},
		{"permission_list", []string{"permission", "list"}, 0, 40},
		{"audit", []string{"audit", "--policy", "policy.yaml"}, 1, 80},
		{"audit_wide", []string{"audit", "--policy", "../internal/cli/testdata/policy-wide.yaml"}, 1, 80},
	}
	for _, c := range commands {
		t.Run(c.golden, func(t *testing.T) {
			var got strings.Builder
			for _, width := range []int{40, 80, 120, 0} {
				code, out, errOut := e.run(width, c.args...)
				if code != c.exit {
					t.Fatalf("width %d: exit %d, want %d\n%s", width, code, c.exit, errOut)
				}
				// The notes (columns not shown) follow the table, on stderr.
				var notes strings.Builder
				for _, l := range strings.SplitAfter(errOut, "\n") {
					if l != "" && !strings.HasPrefix(l, "error") {
						notes.WriteString("stderr: " + l)
					}
				}
				if width == 0 {
					fmt.Fprintf(&got, "== not a terminal ==\n%s%s", normalize(out), notes.String())
					checkWhole(t, out)
					if notes.Len() > 0 {
						t.Errorf("off a terminal, a note: %s", notes.String())
					}
				} else {
					fmt.Fprintf(&got, "== width %d ==\n%s%s", width, normalize(out), notes.String())
					if width >= c.fitsAt {
						checkFits(t, out+errOut, width)
					}
				}
			}
			golden(t, filepath.Join(goldenDir, c.golden+".txt"), got.String())
		})
	}
}

// The history's tables (times and run ids differ between runs: no golden
// file) fit too, and off a terminal keep every column.
func TestHistoryFitsTheTerminal(t *testing.T) {
	e := newTerminalEnv(t)
	for _, args := range [][]string{{"history", "-o", "wide"}, {"history", "--agent", "maximiliana.featherstonehaugh@example.com", "-o", "wide"}} {
		for _, width := range []int{80, 120} {
			_, out, errOut := e.run(width, args...)
			if !strings.Contains(out, "RUN") {
				t.Fatalf("%v at %d: no table:\n%s%s", args, width, out, errOut)
			}
			checkFits(t, out, width)
		}
		_, out, errOut := e.run(0, args...)
		checkWhole(t, out)
		if header := strings.SplitN(out, "\n", 2)[0]; !strings.Contains(header, "COMMAND") || strings.Contains(errOut, "not shown") {
			t.Errorf("%v off a terminal: header %q, stderr %q", args, header, errOut)
		}
	}
}

// checkFits: a line wider than the terminal must owe it to an id or an
// email it keeps whole, and every email still appears whole.
func checkFits(t *testing.T, out string, width int) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if output.DisplayWidth(line) > width && !strings.Contains(line, "@") && !agentIDs.MatchString(line) {
			t.Errorf("width %d: line of %d columns:\n%s", width, output.DisplayWidth(line), line)
		}
	}
	for _, a := range wideAndLong {
		if strings.Contains(out, a.email[:6]) && !strings.Contains(out, a.email) {
			t.Errorf("width %d: email %s cut:\n%s", width, a.email, out)
		}
	}
}

// checkWhole: off a terminal nothing is truncated.
func checkWhole(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(out, "…") {
		t.Errorf("off a terminal, a value was truncated:\n%s", out)
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs (rerun with -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// --help fits the terminal (80 columns off one): the description and the
// flags wrap; only example and usage lines, commands to copy, may not.
func TestHelpFitsTheTerminal(t *testing.T) {
	for _, width := range []int{50, 80, 120, 0} {
		for _, args := range [][]string{{"--help"}, {"agent", "import", "--help"}, {"audit", "--help"},
			{"agent", "list", "--help"}, {"auth", "login", "--help"}} {
			ios, _, out, _ := iostreams.Test()
			ios.SetTerminalWidth(width)
			if code := cli.Main(context.Background(), args, ios, cmdutil.BuildInfo{Version: "test"}); code != 0 {
				t.Fatalf("%v: exit %d", args, code)
			}
			limit := width
			if width == 0 {
				limit = 80
			}
			for _, line := range strings.Split(out.String(), "\n") {
				command := strings.HasPrefix(line, "  ") && strings.Contains(line, "ladmin ")
				if output.DisplayWidth(line) > limit && !command {
					t.Errorf("width %d, %v: line of %d columns: %q", width, args, output.DisplayWidth(line), line)
				}
			}
		}
	}
}

// At a terminal a limited list says how many there are; --sort name sorts
// by collation, on the client, reading every row even with --limit.
func TestListLimitAndCollation(t *testing.T) {
	e := newTerminalEnv(t)
	t.Setenv("LANG", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_COLLATE", "")
	for _, n := range []string{"Lydia Lane", "Lukas Lang", "Zoe Zed", "Ángel Arias"} {
		email := strings.ToLower(strings.Fields(n)[1]) + "@example.com"
		if strings.HasPrefix(n, "Ángel") {
			email = "angel@example.com"
		}
		e.must(0, "agent", "create", "--name", n, "--email", email)
	}
	code, _, errOut := e.run(80, "agent", "list", "--limit", "2")
	if code != 0 || !strings.Contains(errOut, "showing 2 of 11 agents (--limit 0 shows all)") {
		t.Errorf("--limit 2 at a terminal: exit %d, stderr %q", code, errOut)
	}
	if _, _, errOut := e.run(0, "agent", "list", "--limit", "2"); errOut != "" {
		t.Errorf("--limit off a terminal: stderr %q, want nothing", errOut)
	}
	_, out, _ := e.run(0, "agent", "list", "--sort", "name", "-o", "json", "--jq", ".[].name")
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		names = append(names, strings.Trim(l, `"`))
	}
	want := []string{"Adam Admin", "Aggie Agent", "Ángel Arias", "Lukas Lang", "Łukasz Żółć", "Lydia Lane",
		"Maximiliana Alexandrina Bartholomew-Featherstonehaugh von Hohenzollern", "Olivia Owner", "Zoe Zed"}
	if got := strings.Join(names[:len(want)], "|"); got != strings.Join(want, "|") {
		t.Errorf("--sort name:\n got %s\nwant %s", got, strings.Join(want, "|"))
	}
	// With --limit, the first by name of all agents, not of the first window.
	_, out, _ = e.run(0, "agent", "list", "--sort", "name", "--limit", "1", "-o", "json", "--jq", ".[].name")
	if strings.TrimSpace(out) != "Adam Admin" {
		t.Errorf("--sort name --limit 1: %s", out)
	}
	// Cyrillic sorts by its own alphabet, after Latin (Unicode's default
	// order; x/text does not reorder scripts by locale).
	e.must(0, "agent", "create", "--name", "Борис Бо", "--email", "boris@example.com")
	e.must(0, "agent", "create", "--name", "Анна Ан", "--email", "anna.an@example.com")
	_, out, _ = e.run(0, "agent", "list", "--sort", "name", "-o", "json", "--jq", ".[].name")
	if !strings.Contains(out, "Zoe Zed\nАнна Ан\nБорис Бо\n") {
		t.Errorf("--sort name with Cyrillic names:\n%s", out)
	}
}
