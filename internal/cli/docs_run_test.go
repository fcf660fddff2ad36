package cli_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/cli"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
)

// TestDocsRunInOrder runs the code blocks a newcomer copies one line after
// the other, in order, against a fresh sandbox, as they are written: each
// ladmin command must end with exit 0, or with the exit its comment names
// ("# exit 4: ..." or "# no, exit 4"). A block is found by a line it holds.
// Starting the sandbox is the test's part (the block's `sandbox serve` line
// is skipped and LADMIN_URL points at the test's sandbox).
func TestDocsRunInOrder(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	blocks := []struct{ file, holding string }{
		{"docs/getting-started.md", "ladmin sandbox serve --db :memory: &"},
		{"README.md", "ladmin sandbox serve --db :memory: &"},
		{"docs/roles-and-permissions.md", "ladmin role create support-lead --from agent --grant reports.all --grant tickets.all"},
	}
	t.Chdir(repo) // the blocks name testdata/... from the repository root
	for _, b := range blocks {
		t.Run(b.file, func(t *testing.T) {
			lines := codeBlockHolding(t, b.file, b.holding)
			url, _ := sandboxtest.Start(t, sandbox.Options{})
			dir := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
			t.Setenv("HOME", dir)
			t.Setenv("NO_COLOR", "1")
			t.Setenv("LADMIN_URL", url)
			t.Setenv("LADMIN_API_KEY", sandbox.OwnerKey)
			ran := 0
			for _, l := range lines {
				ran += runDocLine(t, b.file, l, url)
			}
			if ran < 3 {
				t.Fatalf("ran only %d commands of %s: is the block found?", ran, b.file)
			}
		})
	}
}

type docLine struct {
	n    int
	text string
}

// codeBlockHolding returns the lines of the fenced block of file that holds
// a line containing holding.
func codeBlockHolding(t *testing.T, file, holding string) []docLine {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var block []docLine
	in, found := false, false
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(text), "```") {
			if in && found {
				return block
			}
			in, block = !in, nil
			continue
		}
		if in {
			block = append(block, docLine{n, text})
			found = found || strings.Contains(text, holding)
		}
	}
	t.Fatalf("%s: no code block holds %q", file, holding)
	return nil
}

var wantExit = regexp.MustCompile(`#.*\bexit (\d+)`)

// runDocLine runs the ladmin commands of one line and returns how many.
func runDocLine(t *testing.T, file string, l docLine, url string) int {
	t.Helper()
	text := strings.TrimSpace(l.text)
	if text == "" || strings.HasPrefix(text, "#") || strings.Contains(text, "sandbox serve") {
		return 0
	}
	want := 0
	if m := wantExit.FindStringSubmatch(text); m != nil {
		want, _ = strconv.Atoi(m[1])
	}
	commands, _ := shellCommands(text)
	ran := 0
	for _, words := range commands {
		if len(words) > 0 && words[0] == "export" {
			for _, a := range words[1:] {
				name, value, _ := strings.Cut(a, "=")
				if name == "LADMIN_URL" {
					value = url // the test's sandbox, wherever the docs say it listens
				}
				t.Setenv(name, value)
			}
			continue
		}
		args, ok := ladminArgs(words)
		if !ok {
			continue
		}
		// Assignments before the command apply to it alone.
		for _, w := range words {
			name, value, ok := strings.Cut(w, "=")
			if !ok || !envAssignment.MatchString(w) {
				break
			}
			old, had := os.LookupEnv(name)
			os.Setenv(name, value)
			defer func() {
				if had {
					os.Setenv(name, old)
				} else {
					os.Unsetenv(name)
				}
			}()
		}
		ios, _, out, errOut := iostreams.Test()
		code := cli.Main(context.Background(), args, ios, cmdutil.BuildInfo{Version: "test"})
		if code != want {
			t.Errorf("%s:%d: %s\nexit %d, want %d\n%s%s", file, l.n, text, code, want, out, errOut)
		}
		ran++
	}
	return ran
}

// A snippet that starts the sandbox in the background and reads its address
// from its output must wait for the "listening" line first: otherwise
// LADMIN_URL comes out empty.
func TestDocsWaitForTheSandbox(t *testing.T) {
	started := regexp.MustCompile(`sandbox serve .*> *"?([^"\s&]+)"? .*&`)
	for _, file := range docFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		out := "" // the file a background sandbox writes, until waited for
		for n, line := range strings.Split(string(data), "\n") {
			switch m := started.FindStringSubmatch(line); {
			case m != nil:
				out = m[1]
			case out != "" && strings.Contains(line, "listening") && (strings.Contains(line, "until") || strings.Contains(line, "grep -q")):
				out = ""
			case out != "" && strings.Contains(line, "sed -n 's/^sandbox listening on //p'") && strings.Contains(line, out):
				t.Errorf("%s:%d: reads the sandbox's address from %s without waiting for its listening line", file, n+1, out)
				out = ""
			case strings.HasPrefix(strings.TrimSpace(line), "```"):
				out = ""
			}
		}
	}
}
