package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	ladmin "github.com/ladmin/ladmin"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/journal"
	"github.com/ladmin/ladmin/internal/sandbox"
)

// demoStep is one command of the tour, run as the agent whose key it names.
type demoStep struct {
	say  string // what the step shows, printed before the command
	as   string // owner, admin or agent
	args []string
	// wantExit is the exit code the step is expected to end with.
	wantExit int
	// lastRun appends the id of the journal's last run to args.
	lastRun bool
}

func newCmdDemo(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Tour ladmin on a throwaway local sandbox; nothing to set up",
		Long: `Start a sandbox help desk in memory, then run real ladmin commands against it and show
their real output: who am I, invite an admin, an agent's refused attempt to invite,
no escalation, bulk onboarding from a CSV, a custom role, a role change, an audit,
offboarding a leaver (signed out, API key revoked, deleted), the history of every
change, and undoing the offboarding.

Nothing is read from or written to your configuration or your journal (the tour keeps
a journal of its own), and nothing is left behind.`,
		Example: "  ladmin demo",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return demoRun(cmd.Context(), f)
		},
	}
}

func demoSteps() []demoStep {
	const roster, policy = "roster.csv", "policy.yaml"
	return []demoStep{
		{say: "Who does the owner's key belong to?", as: "owner", args: []string{"whoami"}},
		{say: "The account starts with three agents.", as: "owner", args: []string{"agent", "list"}},
		{say: "The owner invites an admin.", as: "owner",
			args: []string{"agent", "create", "--name", "Ana Pérez", "--email", "ana@acme.example", "--role", "admin"}},
		{say: "Only owners and admins can invite: an agent's attempt is refused before anything is sent.", as: "agent",
			args: []string{"agent", "create", "--name", "Mallory", "--email", "mallory@acme.example"}, wantExit: cmdutil.ExitForbidden},
		{say: "No escalation: an admin cannot create an owner.", as: "admin",
			args: []string{"agent", "create", "--name", "Eve", "--email", "eve@acme.example", "--role", "owner"}, wantExit: cmdutil.ExitForbidden},
		{say: "Bulk onboarding: plan the sample roster first (a dry run changes nothing)...", as: "owner",
			args: []string{"agent", "import", "-f", roster, "--dry-run"}},
		{say: "...then apply it. Running it again would only do what is still missing.", as: "owner",
			args: []string{"agent", "import", "-f", roster}},
		{say: "A custom role: support leads see every report but configure nothing.", as: "owner",
			args: []string{"role", "create", "support-lead", "--from", "agent", "--grant", "reports.all", "--grant", "tickets.all"}},
		{say: "Give two agents that role.", as: "admin",
			args: []string{"agent", "set-role", "ivan.petrov@acme.example", "maria.santos@acme.example", "--role", "support-lead"}},
		{say: "Roles and how many agents hold each.", as: "owner", args: []string{"role", "list"}},
		{say: "What exactly may a support lead do?", as: "owner", args: []string{"role", "show", "support-lead"}},
		{say: "May an agent's key invite? (exit 0 for yes, 4 for no)", as: "agent",
			args: []string{"can-i", "agents.invite"}, wantExit: cmdutil.ExitForbidden},
		{say: "Who can see every report, and through which role?", as: "owner",
			args: []string{"who-can", "reports.all"}},
		{say: "Audit role assignments against a policy, as a CI job would (exit 1: findings).", as: "owner",
			args: []string{"audit", "--policy", policy}, wantExit: cmdutil.ExitNotClean},
		{say: "Aggie leaves. Offboarding plans every step first: sign out, revoke her API key, delete.", as: "admin",
			args: []string{"agent", "offboard", "agent@example.com", "--dry-run"}},
		{say: "Offboard her (scripts pass --yes; a terminal asks once for the whole batch).", as: "admin",
			args: []string{"agent", "offboard", "agent@example.com", "--yes"}},
		{say: "Her key was revoked: it opens nothing any more (exit 3).", as: "agent",
			args: []string{"whoami"}, wantExit: cmdutil.ExitAuth},
		{say: "Every change ladmin made is in its journal (this tour's journal is thrown away at the end).", as: "owner",
			args: []string{"history"}},
		{say: "She is back after all: undo the offboarding. The same agent is restored; her revoked key cannot come back.", as: "admin",
			args: []string{"undo", "--yes"}, lastRun: true},
	}
}

var demoKeys = map[string]string{"owner": sandbox.OwnerKey, "admin": sandbox.AdminKey, "agent": sandbox.AgentKey}

func demoRun(ctx context.Context, f *cmdutil.Factory) error {
	out := f.IOStreams.Out
	srv, err := sandbox.New(sandbox.Options{DB: ":memory:"})
	if err != nil {
		return fmt.Errorf("cannot start the demo sandbox: %w", err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("cannot start the demo sandbox: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	// Serve ends with ErrServerClosed when the demo closes it; nothing to report.
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	url := "http://" + ln.Addr().String()

	dir, err := os.MkdirTemp("", "ladmin-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for name, data := range map[string][]byte{"roster.csv": ladmin.SampleRoster, "policy.yaml": ladmin.SamplePolicy} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}

	// Run from the sample files' directory, so commands and reports name
	// them as a user would: -f roster.csv, policy.yaml:6.
	if wd, err := os.Getwd(); err == nil {
		if err := os.Chdir(dir); err == nil {
			defer func() { _ = os.Chdir(wd) }() // back where the user was; nothing to do if it fails
		}
	}

	fmt.Fprintf(out, "ladmin demo: a sandbox help desk is running in memory at %s.\n", url)
	fmt.Fprintf(out, "Its seeded keys: %s, %s, %s. Nothing here touches your configuration;\n",
		sandbox.OwnerKey, sandbox.AdminKey, sandbox.AgentKey)
	fmt.Fprintf(out, "the sample files roster.csv and policy.yaml (copies of testdata/) are in %s.\n", dir)
	start := time.Now()
	journal := filepath.Join(dir, "journal.ndjson")
	for i, st := range demoSteps() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if st.lastRun {
			id, err := lastRunID(journal)
			if err != nil {
				return err
			}
			st.args = append(st.args[:1:1], append([]string{id}, st.args[1:]...)...)
		}
		fmt.Fprintf(out, "\n%d. %s\n$ ladmin %s    # as %s@example.com\n", i+1, st.say, shellJoin(st.args), st.as)
		code, reported := runDemoStep(ctx, f, url, journal, st)
		if code != st.wantExit {
			return cmdutil.Exit(cmdutil.ExitNotClean, "demo step %d (ladmin %s) ended with exit %d, expected %d",
				i+1, strings.Join(st.args, " "), code, st.wantExit)
		}
		if code != 0 && !reported {
			fmt.Fprintf(out, "(exit %d)\n", code)
		}
	}
	fmt.Fprintf(out, "\nDone in %.1fs. Run your own sandbox with `ladmin sandbox serve`, or point ladmin at your account with `ladmin auth login`.\n",
		time.Since(start).Seconds())
	return nil
}

// runDemoStep runs one command in-process, as a fresh ladmin invocation that
// sees only the sandbox URL and the step's key: no environment, no config file.
func runDemoStep(ctx context.Context, f *cmdutil.Factory, url, journal string, st demoStep) (code int, reported bool) {
	// One stream for the whole story: notes, reasons and refusals appear
	// next to the command that printed them, even through a pager.
	ios := *f.IOStreams
	ios.ErrOut = ios.Out
	ios.SetErrTerminalWidth(ios.TerminalWidth()) // stderr is now stdout, a terminal or not
	sub := &cmdutil.Factory{
		IOStreams:  &ios,
		Build:      f.Build,
		Viper:      viper.New(),
		ConfigPath: filepath.Join(os.TempDir(), "ladmin-demo-no-config", "config.yaml"),
		// A journal of its own, thrown away with the sample files.
		JournalPath: journal,
		CommandLine: "ladmin " + shellJoin(st.args),
		Getenv: func(k string) string {
			if k == "LADMIN_API_KEY" {
				return demoKeys[st.as]
			}
			return ""
		},
	}
	root := NewCmdRoot(sub)
	root.SetArgs(append([]string{"--url", url}, st.args...))
	err := root.ExecuteContext(ctx)
	_ = sub.CloseJournal() // a throwaway journal: nothing to report if it fails
	if err != nil && errors.Is(err, context.Canceled) {
		return cmdutil.ExitInterrupted, true
	}
	return printError(&ios, err), err != nil && !cmdutil.IsSilent(err)
}

// shellJoin shows args as a user would type them.
func shellJoin(args []string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " '\"$*?") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}

// lastRunID is the id of the newest run of a journal.
func lastRunID(path string) (string, error) {
	recs, _, err := journal.Read(path)
	if err != nil {
		return "", err
	}
	runs := journal.Fold(recs)
	if len(runs) == 0 {
		return "", errors.New("the demo's journal is empty")
	}
	return runs[len(runs)-1].ID, nil
}
