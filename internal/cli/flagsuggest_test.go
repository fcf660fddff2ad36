package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
)

// TestShorthandTypoSuggestions: an unknown shorthand flag gets the flag that
// was probably meant, or only the pointer to --help when nothing is near.
// Flags are parsed before anything is sent, so no server is needed.
func TestShorthandTypoSuggestions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // the whole line, before "; see `... --help` (exit 2)"
	}{
		{[]string{"agent", "list", "-O", "json"}, `unknown shorthand flag: 'O' in -O (did you mean -o?)`},
		{[]string{"agent", "delete", "x", "-Y"}, `unknown shorthand flag: 'Y' in -Y (did you mean -y?)`},
		{[]string{"agent", "list", "-limit", "5"}, `unknown shorthand flag: 'l' in -limit (did you mean --limit? long flags take two dashes)`},
		{[]string{"agent", "list", "-Limit=5"}, `unknown shorthand flag: 'L' in -Limit=5 (did you mean --limit? long flags take two dashes)`},
		// -q is --quiet: pflag takes it, then stops at the 'u'.
		{[]string{"agent", "list", "-quiet"}, `unknown shorthand flag: 'u' in -uiet (did you mean --quiet? long flags take two dashes)`},
		{[]string{"agent", "delete", "x", "-yes"}, `unknown shorthand flag: 'e' in -es (did you mean --yes? long flags take two dashes)`},
		{[]string{"agent", "list", "-lmit", "5"}, `unknown shorthand flag: 'l' in -lmit (did you mean --limit?)`},
		{[]string{"agent", "list", "-r", "admin"}, `unknown shorthand flag: 'r' in -r (did you mean --role?)`},
		{[]string{"agent", "list", "-s", "name"}, `unknown shorthand flag: 's' in -s (did you mean --sort or --status?)`},
		// Persistent flags count once, though cobra lists them twice.
		{[]string{"agent", "list", "-d"}, `unknown shorthand flag: 'd' in -d (did you mean --debug or --department?)`},
		// Nothing near: only the pointer to the command's help.
		{[]string{"agent", "list", "-x"}, `unknown shorthand flag: 'x' in -x`},
		{[]string{"agent", "list", "-qx"}, `unknown shorthand flag: 'x' in -x`},
		{[]string{"agent", "list", "--lmit"}, `unknown flag: --lmit (did you mean --limit?)`},
		{[]string{"-V"}, "unknown shorthand flag: 'V' in -V (did you mean `ladmin version`?)"},
		{[]string{"agent", "-v"}, "unknown shorthand flag: 'v' in -v"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			code := Main(context.Background(), tc.args, ios, cmdutil.BuildInfo{Version: "test"})
			path := "ladmin"
			for _, a := range tc.args[:min(2, len(tc.args))] {
				if !strings.HasPrefix(a, "-") {
					path += " " + a
				}
			}
			want := "error: " + tc.want + "; see `" + path + " --help` (exit 2)\n"
			if code != 2 || errOut.String() != want || out.Len() != 0 {
				t.Errorf("exit %d\nstderr %q\n want  %q\nstdout %q", code, errOut.String(), want, out.String())
			}
		})
	}
}

func TestOrList(t *testing.T) {
	for in, want := range map[string]string{"a": "a", "a b": "a or b", "a b c": "a, b or c"} {
		if got := orList(strings.Fields(in)); got != want {
			t.Errorf("orList(%q) = %q, want %q", in, got, want)
		}
	}
}
