package cmdutil_test

import (
	"testing"

	"github.com/ladmin/ladmin/internal/cli"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
)

// TestNotesAndWarningsWrapOnlyOnATerminal: warnings hang under the text
// after "warning:", notes indent by two; off a terminal each is one line,
// however wide stdout's terminal is.
func TestNotesAndWarningsWrapOnlyOnATerminal(t *testing.T) {
	const warning = "config file /home/me/.config/ladmin/config.yaml is readable by others (mode 0644); run: chmod 600 /home/me/.config/ladmin/config.yaml"
	const note = "showing 5 of 606 agents (--limit 0 shows all)"
	for _, tc := range []struct {
		errWidth, outWidth int
		want               string
	}{
		{0, 40, "warning: " + warning + "\n" + note + "\n"},
		{40, 0, "warning: config file\n" +
			"         /home/me/.config/ladmin/config.yaml\n" +
			"         is readable by others\n" +
			"         (mode 0644); run: chmod 600\n" +
			"         /home/me/.config/ladmin/config.yaml\n" +
			"showing 5 of 606 agents (--limit 0 shows\n" +
			"  all)\n"},
	} {
		ios, _, _, errOut := iostreams.Test()
		ios.SetTerminalWidth(tc.outWidth)
		ios.SetErrTerminalWidth(tc.errWidth)
		f := cli.NewFactory(ios, cmdutil.BuildInfo{})
		f.Warnf("%s", warning)
		f.Notef("%s", note)
		if got := errOut.String(); got != tc.want {
			t.Errorf("stderr width %d:\n%s\nwant\n%s", tc.errWidth, got, tc.want)
		}
	}
}

// TestPrintLineWrapsOnlyOnATerminal: what a command did, on stdout, wraps
// at spaces on a terminal (an email is never cut), is one line in a pipe,
// and is made safe either way.
func TestPrintLineWrapsOnlyOnATerminal(t *testing.T) {
	const line = "created agent someone.with.a.long.name@example-corporation.com (id 86443f87) with role agent; an invitation was sent\x1b[2J"
	for _, tc := range []struct {
		width int
		want  string
	}{
		{0, "created agent someone.with.a.long.name@example-corporation.com (id 86443f87) with role agent; an invitation was sent\\x1b[2J\n"},
		{60, "created agent\n" +
			"  someone.with.a.long.name@example-corporation.com\n" +
			"  (id 86443f87) with role agent; an invitation was\n" +
			"  sent\\x1b[2J\n"},
	} {
		ios, _, out, _ := iostreams.Test()
		ios.SetTerminalWidth(tc.width)
		if err := cmdutil.PrintLine(ios, line); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != tc.want {
			t.Errorf("width %d:\n%q\nwant\n%q", tc.width, got, tc.want)
		}
	}
}

// TestPrintLinesAreSafeAndWrapOnStderr: problem lines on stderr are made
// safe (an email from the account cannot move the cursor), wrap on a
// terminal and stay one line each off it.
func TestPrintLinesAreSafeAndWrapOnStderr(t *testing.T) {
	lines := []string{"plan.json: step 2 (update x\x1b]0;pwned\x07@acme.com): changed since the plan was made: role agent -> admin", "ok"}
	for _, tc := range []struct {
		width int
		want  string
	}{
		{0, "plan.json: step 2 (update x\\x1b]0;pwned\\x07@acme.com): changed since the plan was made: role agent -> admin\nok\n"},
		{50, "plan.json: step 2\n  (update x\\x1b]0;pwned\\x07@acme.com): changed\n  since the plan was made: role agent -> admin\nok\n"},
	} {
		ios, _, _, errOut := iostreams.Test()
		ios.SetErrTerminalWidth(tc.width)
		cmdutil.PrintLines(ios, lines)
		if got := errOut.String(); got != tc.want {
			t.Errorf("width %d:\n%q\nwant\n%q", tc.width, got, tc.want)
		}
	}
}
