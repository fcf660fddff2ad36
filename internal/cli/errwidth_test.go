package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/output"
)

// runWithStderr runs ladmin in-process with stderr on a terminal errWidth
// columns wide (0: not a terminal) and stdout on one outWidth wide.
func runWithStderr(t *testing.T, errWidth, outWidth int, args ...string) (int, string) {
	t.Helper()
	ios, _, _, errOut := iostreams.Test()
	ios.SetTerminalWidth(outWidth)
	ios.SetErrTerminalWidth(errWidth)
	code := Main(context.Background(), args, ios, cmdutil.BuildInfo{Version: "test"})
	return code, errOut.String()
}

func isolate(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"LADMIN_OUTPUT", "LADMIN_PROFILE", "LADMIN_TIMEOUT", "LADMIN_DEBUG", "LADMIN_URL", "COLUMNS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("NO_COLOR", "1")
	t.Setenv("LADMIN_API_KEY", "some-key")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, ".config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, ".state"))
	t.Setenv("HOME", dir)
}

// TestErrorsWrapToTheTerminal: on a terminal the error and its next step
// are wrapped at spaces to its width, continuation lines under the text,
// and the quoted command stays whole; off a terminal (also when only
// stdout is one) the error is the one line scripts and CI logs expect.
func TestErrorsWrapToTheTerminal(t *testing.T) {
	isolate(t)
	os.Unsetenv("LADMIN_API_KEY") // fails at once, before any request
	args := []string{"agent", "list", "--url", "http://127.0.0.1:1"}
	code, oneLine := runWithStderr(t, 0, 50, args...)
	want := "error: no API key: run `ladmin auth login`, set LADMIN_API_KEY, or pass --api-key-file (exit 3)\n"
	if code != 3 || oneLine != want {
		t.Fatalf("off a terminal: exit %d\n%q\nwant\n%q", code, oneLine, want)
	}
	for _, width := range []int{30, 40, 60} {
		code, got := runWithStderr(t, width, 0, args...)
		if code != 3 {
			t.Fatalf("exit %d", code)
		}
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if len(lines) < 2 {
			t.Fatalf("width %d: not wrapped:\n%s", width, got)
		}
		for i, l := range lines {
			if w := output.DisplayWidth(l); w > width {
				t.Errorf("width %d: line %q is %d columns", width, l, w)
			}
			if i > 0 && !strings.HasPrefix(l, "       ") {
				t.Errorf("width %d: continuation %q is not indented under the text", width, l)
			}
		}
		if !strings.Contains(got, "`ladmin auth login`,") || !strings.Contains(got, "(exit 3)") {
			t.Errorf("width %d: a quoted command or the exit code was broken:\n%s", width, got)
		}
		if strings.Join(strings.Fields(got), " ") != strings.TrimSpace(oneLine) {
			t.Errorf("width %d: the words differ from the one-line error:\n%s", width, got)
		}
	}
}

// TestUsageErrorsWrapWithColor: the red "error:" does not count towards
// the width, and the `--help` pointer stays whole.
func TestUsageErrorsWrapWithColor(t *testing.T) {
	isolate(t)
	os.Unsetenv("NO_COLOR")
	code, got := runWithStderr(t, 40, 0, "agent", "list", "-limit", "5")
	want := "\x1b[31merror:\x1b[0m unknown shorthand flag: 'l' in\n" +
		"       -limit (did you mean --limit?\n" +
		"       long flags take two dashes); see\n" +
		"       `ladmin agent list --help`\n" +
		"       (exit 2)\n"
	if code != 2 || got != want {
		t.Errorf("exit %d\n%s\nwant\n%s", code, got, want)
	}
}
