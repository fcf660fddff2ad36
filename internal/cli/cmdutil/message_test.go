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
