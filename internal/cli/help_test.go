package cli_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

// cobraCommands are added by cobra itself; their help text is cobra's.
var cobraCommands = map[string]bool{"help": true, "completion": true,
	cobra.ShellCompRequestCmd: true, cobra.ShellCompNoDescRequestCmd: true}

// TestHelpText holds every command to the same standard: a one-line summary
// (Short) that starts with a capital and ends without a period, a longer
// description (Long), and examples (Example) indented by two spaces, the way
// cobra prints them under "Examples:".
func TestHelpText(t *testing.T) {
	n := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasParent() && c.Parent() == c.Root() && cobraCommands[c.Name()] {
			return // and its subcommands (completion bash, ...)
		}
		n++
		for _, p := range helpProblems(c) {
			t.Errorf("%s: %s", c.CommandPath(), p)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newTree())
	if n < 10 {
		t.Fatalf("walked only %d commands: is the tree built?", n)
	}
	t.Logf("checked the help text of %d commands", n)
}

func helpProblems(c *cobra.Command) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	short := c.Short
	switch {
	case strings.TrimSpace(short) == "":
		add("no Short (one-line summary)")
	case strings.Contains(short, "\n"):
		add("Short is more than one line: %q", short)
	case short != strings.TrimSpace(short):
		add("Short has leading or trailing space: %q", short)
	case strings.HasSuffix(short, "."):
		add("Short ends with a period: %q", short)
	case utf8.RuneCountInString(short) > 80:
		add("Short is longer than 80 characters: %q", short)
	default:
		if first, _ := utf8.DecodeRuneInString(short); !unicode.IsUpper(first) {
			add("Short does not start with a capital letter: %q", short)
		}
	}

	switch long := strings.TrimSpace(c.Long); {
	case long == "":
		add("no Long (description)")
	case long == strings.TrimSpace(short):
		add("Long only repeats Short")
	}

	if strings.TrimSpace(c.Example) == "" {
		add("no Example")
	} else {
		continued := false
		for _, line := range strings.Split(c.Example, "\n") {
			indented := strings.HasPrefix(line, "  ") && (continued || !strings.HasPrefix(line, "   "))
			if strings.TrimSpace(line) != "" && !indented {
				add("Example line not indented by two spaces: %q", line)
			}
			continued = strings.HasSuffix(line, `\`)
		}
		if !strings.Contains(c.Example, "ladmin ") {
			add("Example shows no ladmin command")
		}
	}

	if c.Runnable() && c.Args == nil && c.HasParent() {
		add("no Args validator: unexpected arguments would be silently ignored")
	}
	return problems
}

// TestHelpProblems makes sure the standard is actually enforced.
func TestHelpProblems(t *testing.T) {
	run := func(*cobra.Command, []string) {}
	good := cobra.Command{Use: "good", Short: "Do a thing", Long: "Do a thing, at length.",
		Example: "  ladmin good \\\n    --flag x", Args: cobra.NoArgs, Run: run}
	if p := helpProblems(&good); len(p) > 0 {
		t.Errorf("good command: unexpected problems %q", p)
	}
	parent := &cobra.Command{Use: "ladmin"}
	for _, tc := range []struct {
		cmd  cobra.Command
		want string
	}{
		{cobra.Command{Use: "x", Long: "l", Example: "  ladmin x", Args: cobra.NoArgs, Run: run}, "no Short"},
		{cobra.Command{Use: "x", Short: "Do it.", Long: "l", Example: "  ladmin x", Args: cobra.NoArgs, Run: run}, "ends with a period"},
		{cobra.Command{Use: "x", Short: "do it", Long: "l", Example: "  ladmin x", Args: cobra.NoArgs, Run: run}, "capital"},
		{cobra.Command{Use: "x", Short: "Do it", Example: "  ladmin x", Args: cobra.NoArgs, Run: run}, "no Long"},
		{cobra.Command{Use: "x", Short: "Do it", Long: "l", Args: cobra.NoArgs, Run: run}, "no Example"},
		{cobra.Command{Use: "x", Short: "Do it", Long: "l", Example: "ladmin x", Args: cobra.NoArgs, Run: run}, "indented"},
		{cobra.Command{Use: "x", Short: "Do it", Long: "l", Example: "  ladmin x", Run: run}, "no Args"},
	} {
		cmd := tc.cmd
		parent.AddCommand(&cmd)
		got := strings.Join(helpProblems(&cmd), "; ")
		if !strings.Contains(got, tc.want) {
			t.Errorf("%+q: want a problem containing %q, got %q", []string{cmd.Short, cmd.Long, cmd.Example}, tc.want, got)
		}
		parent.RemoveCommand(&cmd)
	}
}
