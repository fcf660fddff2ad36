package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
)

// helpWidth is what help is wrapped to off a terminal (a pipe to less, a
// file): the width of a classic terminal.
const helpWidth = 80

// setHelp makes --help fit the terminal: the description is reflowed to its
// width at word boundaries, and flag descriptions wrap under themselves
// (pflag's FlagUsagesWrapped), as in gh.
func setHelp(root *cobra.Command, f *cmdutil.Factory) {
	width := func() int {
		if w := f.IOStreams.TerminalWidth(); w > 0 {
			return w
		}
		return helpWidth
	}
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		w := c.OutOrStdout()
		desc := c.Long
		if desc == "" {
			desc = c.Short
		}
		if desc = strings.TrimRight(desc, " \n"); desc != "" {
			fmt.Fprintln(w, Reflow(desc, width()))
			fmt.Fprintln(w)
		}
		if c.Runnable() || c.HasSubCommands() {
			_ = writeUsage(w, c, width())
		}
	})
	root.SetHelpCommand(newCmdHelp())
	root.SetUsageFunc(func(c *cobra.Command) error { return writeUsage(c.OutOrStderr(), c, width()) })
}

// newCmdHelp is `ladmin help [command]`, which, unlike cobra's, fails on a
// command that does not exist (exit 2, with a suggestion) instead of
// showing the parent's help: `ladmin help agent lsit` in a script must not
// pass.
func newCmdHelp() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help provides help for any command in the application: ladmin help agent list.",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			cmd, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, sub.Name()+"\t"+sub.Short)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err == nil && len(rest) == 0 {
				return cmd.Help()
			}
			if cmd == nil {
				cmd = c.Root()
			}
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			unknown := strings.Join(args, " ")
			if len(rest) > 0 {
				unknown = rest[0]
			}
			msg := fmt.Sprintf("unknown command %q for %q", unknown, cmd.CommandPath())
			if s := rbac.Suggest(unknown, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return cmdutil.Usagef("%s; see `%s --help`", msg, cmd.CommandPath())
		},
	}
}

// Reflow wraps prose to width. Paragraphs (separated by blank lines) are
// joined and wrapped at word boundaries; a line that starts with "- " or
// "* " starts a list item, wrapped with a hanging indent; indented lines
// (examples, code) are kept as they are.
func Reflow(s string, width int) string {
	var out []string
	var item []string // the words of the item being reflowed
	indent := ""      // its continuation indent
	flush := func() {
		if len(item) == 0 {
			return
		}
		text := strings.Join(item, " ")
		for i, line := range output.WrapWidth(text, width-len(indent)) {
			if i > 0 {
				line = indent + line
			}
			out = append(out, line)
		}
		item, indent = nil, ""
	}
	for _, line := range strings.Split(s, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
			out = append(out, "")
		case line[0] == ' ' || line[0] == '\t':
			flush()
			out = append(out, wrapIndented(line, width)...)
		case strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* "):
			flush()
			item, indent = []string{trimmed}, "  "
		default:
			item = append(item, trimmed)
		}
	}
	flush()
	return strings.Join(out, "\n")
}

// manWidth is what the indented lines of a man page are wrapped to: man
// indents by 7, and fills the prose itself to the reader's terminal.
const manWidth = 72

// ManMarkdown turns a description into the markdown go-md2man makes a man
// page of: prose paragraphs and list items stay paragraphs, which man fills
// to the reader's terminal width; indented lines (tables of columns,
// snippets) become preformatted blocks, wrapped to 72 columns. escape
// protects the prose from markdown.
func ManMarkdown(long string, escape func(string) string) string {
	var out []string
	var pre []string
	flushPre := func() {
		if len(pre) > 0 {
			out = append(out, "```\n"+strings.Join(pre, "\n")+"\n```", "")
			pre = nil
		}
	}
	for _, para := range strings.Split(Reflow(strings.TrimRight(long, "\n"), 1<<20), "\n") {
		switch {
		case strings.TrimSpace(para) == "":
			flushPre()
		case para[0] == ' ' || para[0] == '\t':
			pre = append(pre, wrapIndented(para, manWidth)...)
		default:
			flushPre()
			out = append(out, escape(para), "")
		}
	}
	flushPre()
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// wrapIndented wraps an indented line (a row of a definition list such as
// "  email    required; ...") under its second column, or under itself.
// Lines that fit, and lines with no room to wrap, are kept as they are.
func wrapIndented(line string, width int) []string {
	if output.DisplayWidth(line) <= width {
		return []string{line}
	}
	lead := len(line) - len(strings.TrimLeft(line, " \t"))
	hang := lead
	if i := strings.Index(line[lead:], "  "); i > 0 {
		rest := line[lead+i:]
		hang = lead + i + len(rest) - len(strings.TrimLeft(rest, " "))
	}
	if width-hang < 20 {
		hang = lead + 2
	}
	if width-hang < 20 {
		return []string{line}
	}
	head, body := line[:hang], line[hang:]
	if strings.TrimSpace(head) == "" { // no second column: wrap the text under itself
		head, body = line[:lead], line[lead:]
	}
	lines := output.WrapWidth(body, width-len(head))
	for i := range lines {
		if i == 0 {
			lines[i] = head + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", len(head)) + lines[i]
		}
	}
	return lines
}

// writeUsage is cobra's usage text with the flags wrapped to width.
func writeUsage(w io.Writer, c *cobra.Command, width int) error {
	var b strings.Builder
	b.WriteString("Usage:")
	if c.Runnable() {
		fmt.Fprintf(&b, "\n  %s", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\n  %s [command]", c.CommandPath())
	}
	if len(c.Aliases) > 0 {
		fmt.Fprintf(&b, "\n\nAliases:\n  %s", c.NameAndAliases())
	}
	if c.HasExample() {
		fmt.Fprintf(&b, "\n\nExamples:\n%s", c.Example)
	}
	if c.HasAvailableSubCommands() {
		commands := func(title string, group string) {
			var lines []string
			for _, sub := range c.Commands() {
				if sub.GroupID == group && (sub.IsAvailableCommand() || sub.Name() == "help") {
					pad := sub.NamePadding()
					short := output.WrapWidth(sub.Short, width-pad-3)
					lines = append(lines, fmt.Sprintf("  %-*s %s", pad, sub.Name(),
						strings.Join(short, "\n"+strings.Repeat(" ", pad+3))))
				}
			}
			if len(lines) > 0 {
				fmt.Fprintf(&b, "\n\n%s\n%s", title, strings.Join(lines, "\n"))
			}
		}
		if len(c.Groups()) == 0 {
			commands("Available Commands:", "")
		} else {
			for _, g := range c.Groups() {
				commands(g.Title, g.ID)
			}
			commands("Additional Commands:", "")
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(&b, "\n\nFlags:\n%s", strings.TrimRight(c.LocalFlags().FlagUsagesWrapped(width-1), " \n"))
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprintf(&b, "\n\nGlobal Flags:\n%s", strings.TrimRight(c.InheritedFlags().FlagUsagesWrapped(width-1), " \n"))
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n\n" + strings.Join(output.WrapWidth(
			fmt.Sprintf("Use \"%s [command] --help\" for more information about a command.", c.CommandPath()), width), "\n"))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
