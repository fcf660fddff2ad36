// Package cli is the ladmin command tree: the root command, the global flags,
// and the mapping from errors to exit codes. Each resource's commands live in
// a subpackage and only parse flags, call a domain package and print.
package cli

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ladmin/ladmin/internal/cli/agent"
	"github.com/ladmin/ladmin/internal/cli/apikey"
	"github.com/ladmin/ladmin/internal/cli/audit"
	"github.com/ladmin/ladmin/internal/cli/auth"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/cli/configcmd"
	"github.com/ladmin/ladmin/internal/cli/department"
	"github.com/ladmin/ladmin/internal/cli/history"
	"github.com/ladmin/ladmin/internal/cli/plan"
	"github.com/ladmin/ladmin/internal/cli/review"
	"github.com/ladmin/ladmin/internal/cli/role"
	"github.com/ladmin/ladmin/internal/cli/sandboxcmd"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
)

// Main runs ladmin with args and returns the exit code. It never calls
// os.Exit, so the whole CLI can run in-process in tests.
func Main(ctx context.Context, args []string, ios *iostreams.IOStreams, build cmdutil.BuildInfo) int {
	// Prompts and reads of stdin give up when a signal cancels ctx.
	ios.SetContext(ctx)
	f := NewFactory(ios, build)
	f.CommandLine = commandLine(args)
	root := newCmdRoot(f, args)
	root.SetArgs(args)
	// A command interrupted by Ctrl-C returns the context's error (exit 130);
	// one that finishes cleanly on it (sandbox serve shutting down) returns nil.
	err := withNextStep(f, f.ExplainExpiredKey(root.ExecuteContext(ctx)))
	if jerr := f.CloseJournal(); jerr != nil {
		f.Warnf("the journal could not be completed: %s", jerr)
	}
	return printError(ios, err)
}

// commandLine is the invocation as the journal records it.
func commandLine(args []string) string {
	return "ladmin " + shellJoin(args)
}

// NewFactory builds the dependencies every command shares.
func NewFactory(ios *iostreams.IOStreams, build cmdutil.BuildInfo) *cmdutil.Factory {
	v := viper.New()
	v.SetEnvPrefix("LADMIN")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	// Bound one by one: viper ignores the environment for keys it does not know.
	for _, key := range []string{"profile", "url", "output", "timeout", "debug", "api"} {
		_ = v.BindEnv(key)
	}
	return &cmdutil.Factory{IOStreams: ios, Build: build, Viper: v, Getenv: os.Getenv}
}

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command { return newCmdRoot(f, nil) }

// topCommand is a child of the root; name is what its Use starts with.
type topCommand struct {
	name, group string
	build       func(*cmdutil.Factory) *cobra.Command
}

// topCommands are the children of the root, in the order help lists them
// within their group (a function: the demo builds a root of its own).
func topCommands() []topCommand {
	return []topCommand{
		{"agent", "core", agent.NewCmdAgent},
		{"role", "core", role.NewCmdRole},
		{"permission", "core", role.NewCmdPermission},
		{"can-i", "core", role.NewCmdCanI},
		{"who-can", "core", role.NewCmdWhoCan},
		{"department", "core", department.NewCmdDepartment},
		{"audit", "core", audit.NewCmdAudit},
		{"history", "core", func(f *cmdutil.Factory) *cobra.Command { return history.NewCmdHistory(f, nil) }},
		{"apply", "core", func(f *cmdutil.Factory) *cobra.Command { return plan.NewCmdApply(f, nil) }},
		{"undo", "core", func(f *cmdutil.Factory) *cobra.Command { return plan.NewCmdUndo(f, nil) }},
		{"apikey", "core", apikey.NewCmdAPIKey},
		{"review", "core", review.NewCmdReview},
		{"whoami", "account", auth.NewCmdWhoami},
		{"auth", "account", auth.NewCmdAuth},
		{"config", "account", configcmd.NewCmdConfig},
		{"sandbox", "account", sandboxcmd.NewCmdSandbox},
		{"demo", "account", newCmdDemo},
		{"version", "account", newCmdVersion},
	}
}

// newCmdRoot builds the tree for running args: when the first argument
// names a command exactly (`ladmin agent list`, `ladmin version`), only
// that command's subtree is built, since nothing else can run; anything
// else (help, completion, a typo to suggest for, flags first) gets the
// whole tree. Building all of it is some 7% of a short command's time.
func newCmdRoot(f *cmdutil.Factory, args []string) *cobra.Command {
	top := topCommands()
	only := ""
	if len(args) > 0 {
		for _, c := range top {
			if c.name == args[0] {
				only = c.name
			}
		}
	}
	root := &cobra.Command{
		Use:   "ladmin <command> <subcommand> [flags]",
		Short: "Administer help desk agents, roles and permissions",
		Long: `ladmin administers a LiveAgent help desk account from the terminal and from scripts:
invite agents with a role, change roles, delete and restore agents, define custom
roles, onboard hundreds of agents from a CSV, and audit who holds which role in CI.

Only owners and admins can invite agents; nobody can grant a permission they do not
hold. ladmin checks these rules before it sends anything, and the server enforces them.

Try it with no account: ladmin demo`,
		Example: `  ladmin demo
  ladmin auth login --url https://acme.ladesk.com
  ladmin agent create --name "Ana Pérez" --email ana@acme.com --role admin
  ladmin agent list --role admin -o json`,
		SilenceErrors: true,
		SilenceUsage:  true,
		// Only usage errors print usage; a one-line error is enough for them too.
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if f.Viper.GetBool("no-color") || os.Getenv("NO_COLOR") != "" {
				f.IOStreams.SetColorEnabled(false)
			}
			return nil
		},
	}
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetIn(f.IOStreams.In)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return cmdutil.Usagef("%s; see `%s --help`", suggestFlag(cmd, flagErrorText(err)), cmd.CommandPath())
	})

	pf := root.PersistentFlags()
	pf.String("profile", "", "saved account to use (env LADMIN_PROFILE)")
	pf.String("url", "", "account URL, e.g. https://acme.ladesk.com (env LADMIN_URL)")
	pf.String("api-key-file", "", "read the API key from this file (or set LADMIN_API_KEY)")
	pf.StringP("output", "o", "", "output format: table, wide, json, yaml, csv (env LADMIN_OUTPUT)")
	pf.String("jq", "", "filter JSON output with a jq expression")
	pf.Bool("no-headers", false, "omit the header row of table and csv output")
	pf.String("timeout", "", "per-request timeout, e.g. 30s (env LADMIN_TIMEOUT; default 30s)")
	pf.Bool("debug", false, "trace HTTP requests to stderr, with the API key redacted (env LADMIN_DEBUG)")
	pf.BoolP("quiet", "q", false, "print only errors on stderr")
	pf.Bool("no-color", false, "plain output without color (env NO_COLOR)")
	_ = f.Viper.BindPFlags(pf)
	_ = root.RegisterFlagCompletionFunc("profile", cmdutil.CompleteProfiles(f))
	_ = root.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return output.Formats, cobra.ShellCompDirectiveNoFileComp
	})

	root.AddGroup(
		&cobra.Group{ID: "core", Title: "Agents and roles:"},
		&cobra.Group{ID: "account", Title: "Account and setup:"},
	)
	for _, c := range top {
		if only == "" || c.name == only {
			cmd := c.build(f)
			cmd.GroupID = c.group
			root.AddCommand(cmd)
		}
	}
	checkArgs(root)
	setHelp(root, f)
	return root
}

// flagErrorText says what a bad flag value should be, instead of quoting the
// Go parser: `invalid argument "abc" for "--limit" flag: expected a whole number`.
func flagErrorText(err error) string {
	msg := err.Error()
	for marker, want := range map[string]string{
		": strconv.ParseInt":   ": expected a whole number",
		": strconv.ParseFloat": ": expected a number",
		": strconv.ParseBool":  ": expected true or false",
		": time: ":             ": expected a duration such as 30s or 2m",
	} {
		if i := strings.Index(msg, marker); i >= 0 {
			return msg[:i] + want
		}
	}
	return msg
}

// checkArgs walks the tree: every command's argument errors become usage
// errors that point at its help, and commands that only group others
// reject a mistyped subcommand.
func checkArgs(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		checkArgs(c)
	}
	if validate := cmd.Args; validate != nil {
		cmd.Args = func(cmd *cobra.Command, args []string) error {
			if err := validate(cmd, args); err != nil {
				return cmdutil.Usagef("%s; see `%s --help`", argsErrorText(cmd, args, err), cmd.CommandPath())
			}
			return nil
		}
		return
	}
	requireSubcommands(cmd)
}

// cobraArgCounts match cobra's argument-count errors ("accepts 1 arg(s),
// received 0", "requires at least 1 arg(s), only received 0", ...).
var cobraArgCounts = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(accepts|requires at least|accepts at most|accepts between) .*arg\(s\)`)
}) // compiled on first use, not at start-up

// argsErrorText says in words what a command expected, from the arguments
// of its Use line (`agent get <id|email>`), instead of cobra's counts.
func argsErrorText(cmd *cobra.Command, args []string, err error) string {
	msg := err.Error()
	want := strings.TrimSpace(strings.TrimPrefix(cmd.Use, cmd.Name()))
	// Keep the arguments, drop the [flags] and options that follow them.
	var needed []string
	for _, w := range strings.Fields(want) {
		if strings.HasPrefix(w, "[") || strings.HasPrefix(w, "-") || w == "|" {
			break
		}
		needed = append(needed, w)
	}
	for i, w := range needed {
		if strings.HasSuffix(w, "...") {
			needed[i] = "one or more " + strings.TrimSuffix(w, "...")
		}
	}
	what := strings.Join(needed, " ")
	switch {
	case strings.HasPrefix(msg, "unknown command") && cmd.Args != nil && len(args) > 0 && what == "":
		return fmt.Sprintf("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	case !cobraArgCounts().MatchString(msg) || what == "":
		return msg
	case len(args) == 0:
		return fmt.Sprintf("%s needs %s", cmd.CommandPath(), what)
	default:
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = strconv.Quote(a)
		}
		return fmt.Sprintf("%s takes only %s, got %d arguments: %s", cmd.CommandPath(), what, len(args), strings.Join(quoted, " "))
	}
}

// unknownFlag matches pflag's "unknown flag: --lmit".
var unknownFlag = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown flag: --(\S+)$`) }) // compiled on first use, not at start-up

// suggestFlag adds the nearest flag of cmd to an unknown-flag error.
func suggestFlag(cmd *cobra.Command, msg string) string {
	m := unknownFlag().FindStringSubmatch(msg)
	if m == nil {
		return suggestShorthand(cmd, msg)
	}
	var names []string
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if !fl.Hidden {
			names = append(names, fl.Name)
		}
	})
	cmd.InheritedFlags().VisitAll(func(fl *pflag.Flag) {
		if !fl.Hidden {
			names = append(names, fl.Name)
		}
	})
	if s := rbac.Suggest(m[1], names); s != "" {
		return fmt.Sprintf("%s (did you mean --%s?)", msg, s)
	}
	return msg
}

// requireSubcommands makes every command that only groups others fail on a
// mistyped subcommand (`ladmin agent lst`) with exit 2 and a suggestion,
// where cobra would print help and exit 0 — a typo in a CI script must not
// pass silently.
func requireSubcommands(cmd *cobra.Command) {
	if !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		var names []string
		for _, c := range cmd.Commands() {
			if c.IsAvailableCommand() {
				names = append(names, c.Name())
			}
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := rbac.Suggest(args[0], names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return cmdutil.Usagef("%s; see `%s --help`", msg, cmd.CommandPath())
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
}
