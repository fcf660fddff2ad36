package agent

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/bulk"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

// OffboardOptions are the inputs of `agent offboard`.
type OffboardOptions struct {
	F           *cmdutil.Factory
	Refs        []string
	File        string // path, or "-" for stdin; "" when agents are given as arguments
	DryRun      bool
	Yes         bool
	KeepKeys    bool
	Report      string
	Concurrency int
	// PlanOut writes the plan for `ladmin apply` (implies DryRun).
	PlanOut string

	// Abandon replaces the second-Ctrl-C watcher (tests).
	Abandon <-chan struct{}
}

// argumentsName is how problems name agents given as arguments.
const argumentsName = "arguments"

// NewCmdOffboard is `ladmin agent offboard`.
func NewCmdOffboard(f *cmdutil.Factory, runF func(context.Context, *OffboardOptions) error) *cobra.Command {
	opts := &OffboardOptions{F: f}
	cmd := &cobra.Command{
		Use:   "offboard <id|email>... | -f FILE",
		Short: "Sign leavers out, revoke their API keys and delete them",
		Long: `Offboard agents who left: for each one, in this order,
  1. sign out: every open session ends now (POST /agents/{id}/_logout);
  2. revoke keys: every API key the agent holds stops working (unless --keep-keys);
  3. delete: the agent's status becomes deleted (the record stays; 'ladmin agent
     restore' brings it back, but revoked keys cannot come back).

Agents are given as arguments (id or email) or in a file (-f FILE, "-" for stdin):
CSV with a column "email" or "id" (an HR export as it comes: comma or ";"
delimited, with or without BOM, CRLF or LF), or JSON/YAML with those keys. Other
columns are carried into the --report as they are.

It is one batch, checked whole before anything is sent: every row is read and
matched against one read of the account and its keys, and the rules of delete apply
to every agent (nobody offboards themselves, an admin cannot offboard an owner,
the account keeps an owner). If any agent is refused, nothing is done for any of
them (exit 4, naming each). A row that names no agent is skipped with a warning
(HR lists people who never had an account); an agent deleted already still gets
its sessions ended and its leftover keys revoked. So running the same batch again
only repeats the harmless sign-out: it revokes nothing, deletes nothing, exits 0.

The key this run uses is never revoked by it (the plan lists it as kept). When
ladmin cannot tell which key that is (a pasted key on an account without the
extensions), the plan says so.

--dry-run prints every step and changes nothing. On a terminal you confirm the
whole batch once; off a terminal --yes is required. Agents are offboarded
concurrently under the account's rate limit. Exit codes: 0 all done, 1 some
agents failed (the others were done; the report says which step), 2 invalid
input, 4 refused by a rule, 130 interrupted.`,
		Example: `  ladmin agent offboard ana@acme.com bob@acme.com --dry-run
  ladmin agent offboard -f leavers.csv --yes --report offboarding.csv
  ladmin agent offboard 1a2b3c4d --keep-keys`,
		Args:              cobra.ArbitraryArgs, // agents by id or email, or none with -f
		ValidArgsFunction: cmdutil.AgentArgs(f, cmdutil.ActiveAgents, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Refs = args
			switch {
			case opts.File != "" && len(args) > 0:
				return cmdutil.Usagef("give agents as arguments or in a file (-f), not both")
			case opts.File == "" && len(args) == 0:
				return cmdutil.Usagef("no agents to offboard: name them (id or email) or pass -f FILE")
			}
			if err := cmdutil.CheckConcurrency(opts.Concurrency); err != nil {
				return err
			}
			if err := cmdutil.CheckOutputs([]cmdutil.File{{Flag: "--report", Path: opts.Report}, {Flag: "--plan-out", Path: opts.PlanOut}},
				[]cmdutil.File{{Flag: "-f", Path: opts.File}}); err != nil {
				return err
			}
			if opts.PlanOut != "" {
				opts.DryRun = true
			}
			if !opts.Yes && !opts.DryRun && !f.IOStreams.CanPrompt() {
				return cmdutil.Usagef("refusing to offboard without --yes when not running on a terminal")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return offboardRun(cmdutil.Context(cmd.Context()), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", `file of leavers (CSV, JSON or YAML with an "email" or "id" column), or "-" for stdin`)
	fl.BoolVar(&opts.DryRun, "dry-run", false, "check everything, print every step, change nothing")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	fl.BoolVar(&opts.KeepKeys, "keep-keys", false, "sign out and delete, but leave API keys alone")
	fl.StringVar(&opts.Report, "report", "", "write a CSV report with a row per agent and each step's outcome to this file")
	fl.IntVar(&opts.Concurrency, "concurrency", 8, "agents in flight at once")
	fl.StringVar(&opts.PlanOut, "plan-out", "", "write the plan to this file for `ladmin apply` instead of applying it (implies --dry-run)")
	return cmd
}

func offboardRun(ctx context.Context, opts *OffboardOptions) error {
	f := opts.F
	ios := f.IOStreams
	o, err := f.Output()
	if err != nil {
		return err
	}
	file, err := leavers(opts)
	if err != nil {
		return err
	}
	client, _, err := bulkClient(f, 0, opts.Concurrency)
	if err != nil {
		return err
	}
	acct, err := bulk.LoadAccount(ctx, client)
	if err != nil {
		return err
	}
	// On an account without the extensions the caller is a key known only
	// by its privileges (no agent behind it): ladmin cannot tell which of
	// the leavers' keys it is, unless the profile saved its id.
	popts := bulk.OffboardOptions{KeepKeys: opts.KeepKeys, OwnKeyID: ownKeyID(f), CallerUnknown: acct.Me.ID == ""}
	keys, err := listKeys(ctx, client, acct)
	if err != nil {
		return err
	}
	if problems := bulk.CheckOffboardTargets(file, acct); len(problems) > 0 {
		printRowProblems(ios, file, problems)
		return cmdutil.Exit(cmdutil.ExitUsage, "%s: %s; nothing was changed", file.Name, text.Count(len(problems), "problem", "problems"))
	}
	plan := bulk.MakeOffboardPlan(file, acct, keys, popts)
	if denied := bulk.AuthorizeOffboard(plan, acct, popts); len(denied) > 0 {
		printRowProblems(ios, file, denied)
		if len(denied) == 1 && denied[0].Line == 0 {
			return cmdutil.Exit(cmdutil.ExitForbidden, "your key may not offboard agents; nothing was changed")
		}
		return cmdutil.Exit(cmdutil.ExitForbidden, "your key may not offboard %d of the %s; nothing was done for any agent",
			len(denied), text.Count(plan.OffboardCounts().Agents, "agent", "agents"))
	}
	for _, s := range plan.Steps {
		if s.Action == bulk.ActionSkip {
			f.Warnf("%s: no agent %s: skipped (no access to remove)", where(file, s.Record), s.Record.Ref())
		}
	}
	counts := plan.OffboardCounts()
	if popts.CallerUnknown && popts.OwnKeyID == "" && counts.Revokes > 0 && !opts.DryRun {
		// The dry run shows this on each step; a real run says it once, before the question.
		f.Warnf("ladmin cannot tell which key this run uses (a pasted key on an account without the extensions): " +
			"if it is one of the leavers' keys, the run stops working once it is revoked; `ladmin auth login --email` makes a key ladmin can spare")
	}

	if opts.DryRun {
		if opts.Report != "" {
			if err := writeOffboardReport(opts.Report, file, plan); err != nil {
				return err
			}
		}
		if opts.PlanOut != "" {
			sp := bulk.Save(plan, client.BaseURL(), f.CommandLine, acct.Me.Email, time.Now())
			if err := WritePlanFile(opts.PlanOut, sp); err != nil {
				return err
			}
			defer f.Notef("The plan (%s) is in %s: review it, then run `ladmin apply %s`.",
				text.Count(len(sp.Steps), "step", "steps"), opts.PlanOut, opts.PlanOut)
		}
		return printOffboardPlan(f, o, plan, counts, opts)
	}
	if counts.Agents > 0 && !opts.Yes {
		ok, err := ios.Confirm(counts.Question())
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.Exit(cmdutil.ExitUsage, "cancelled: nothing was changed")
		}
	}
	return applyOffboard(ctx, f, o, plan, client, opts)
}

// ownKeyID is the id of the key this run uses, when ladmin knows it: the
// key is the profile's own, and `auth login --email` saved its id with it.
// A key from LADMIN_API_KEY or --api-key-file, or one pasted at `auth
// login`, has no known id.
func ownKeyID(f *cmdutil.Factory) string {
	_, source, err := f.APIKey()
	if err != nil || !strings.HasPrefix(source, "profile ") {
		return ""
	}
	if p, ok := f.SavedProfile(); ok {
		return p.APIKeyID
	}
	return ""
}

// where names a row in messages: FILE:LINE, or the argument.
func where(f *bulk.File, r *bulk.Record) string {
	if f.Name == argumentsName {
		return fmt.Sprintf("argument %d", r.Line)
	}
	return fmt.Sprintf("%s:%d", f.Name, r.Line)
}

// printRowProblems lists problems; those about arguments read "argument 2:
// message" rather than as lines of a file.
func printRowProblems(ios *iostreams.IOStreams, f *bulk.File, problems bulk.Problems) {
	if f.Name != argumentsName {
		printProblems(ios, problems, "")
		return
	}
	var lines []string
	for i, p := range problems {
		if i == text.MaxListed {
			lines = append(lines, fmt.Sprintf("... and %d more", len(problems)-i))
			break
		}
		if p.Line > 0 {
			lines = append(lines, fmt.Sprintf("argument %d: %s", p.Line, text.SafeTrunc(p.Message, 400)))
		} else {
			lines = append(lines, text.SafeTrunc(p.Message, 400))
		}
	}
	cmdutil.PrintLines(ios, lines)
}

// leavers reads the agents to offboard, from the arguments or the file, and
// checks every row before the account is asked anything (exit 2).
func leavers(opts *OffboardOptions) (*bulk.File, error) {
	f := opts.F
	var file *bulk.File
	var problems bulk.Problems
	if opts.File == "" {
		for i, ref := range opts.Refs {
			if strings.TrimSpace(ref) == "" {
				return nil, cmdutil.Usagef("argument %d is empty: name each agent by id or email", i+1)
			}
		}
		file = bulk.RefsFile(argumentsName, opts.Refs)
	} else {
		data, err := readRoster(opts.File, f.IOStreams.InContext(context.Background())) // still ends on Ctrl-C: the streams watch the signals
		if err != nil {
			return nil, err
		}
		name := bulk.DisplayName(opts.File)
		var fatal bool
		cmdutil.HoldingRoster(f.Getenv, len(data))
		file, problems, fatal = bulk.Parse(data, bulk.OffboardParseOptions(name, ""))
		if fatal {
			return nil, invalid(f, name, problems, "")
		}
		if len(file.Records) == 0 {
			return nil, cmdutil.Usagef("%s lists no agents: nothing to offboard", name)
		}
	}
	if all := append(problems, bulk.ValidateOffboard(file)...); len(all) > 0 {
		if file.Name == argumentsName {
			printRowProblems(f.IOStreams, file, all)
			return nil, cmdutil.Exit(cmdutil.ExitUsage, "invalid arguments: %s; nothing was changed", text.Count(len(all), "problem", "problems"))
		}
		return nil, invalid(f, file.Name, all.Sorted(), "")
	}
	return file, nil
}

// offboardStepRow is one line of a printed plan: one operation of one agent.
type offboardStepRow struct {
	Line    int    `json:"line"`
	Email   string `json:"email"`
	AgentID string `json:"agent_id"`
	Step    string `json:"step"`
	Details string `json:"details"`
}

func offboardStepRows(plan *bulk.Plan) []offboardStepRow {
	var rows []offboardStepRow
	for _, s := range plan.Steps {
		r := offboardStepRow{Line: s.Record.Line, Email: s.Record.Ref(), AgentID: s.AgentID()}
		if s.Action != bulk.ActionOffboard {
			r.Step, r.Details = string(s.Action), s.Details
			rows = append(rows, r)
			continue
		}
		for _, op := range s.Ops() {
			r.Step, r.Details = string(op.Kind), ""
			switch op.Kind {
			case bulk.OpSignOut:
				r.Details = "end every session"
			case bulk.OpRevokeKey:
				r.Details = fmt.Sprintf("key %s%s", op.KeyID, quoted(op.KeyName))
			case bulk.OpDelete:
				r.Details = "status deleted (restorable)"
			}
			if op.Kind == bulk.OpRevokeKey && len(s.Notes()) > 0 {
				r.Details += "; " + strings.Join(s.Notes(), "; ")
			}
			rows = append(rows, r)
		}
		for _, k := range s.Kept() {
			r.Step, r.Details = "keep-key", fmt.Sprintf("key %s%s: %s", k.Key.ID, quoted(k.Key.Name), k.Reason)
			rows = append(rows, r)
		}
		if !s.Target.Active() {
			r.Step, r.Details = "skip-delete", "already deleted"
			rows = append(rows, r)
		}
	}
	return rows
}

func quoted(name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" %q", name)
}

// printOffboardPlan is --dry-run: every step of every agent, and the summary.
func printOffboardPlan(f *cmdutil.Factory, o output.Options, plan *bulk.Plan, counts bulk.OffboardCounts, opts *OffboardOptions) error {
	ios := f.IOStreams
	rows := offboardStepRows(plan)
	r := func(i any) offboardStepRow { return i.(offboardStepRow) }
	cols := []output.Column{
		{Header: "LINE", Fit: output.Keep, Value: func(i any) string { return fmt.Sprint(r(i).Line) }},
		{Header: "AGENT", Fit: output.Keep, Value: func(i any) string { return r(i).Email }},
		{Header: "ID", Fit: output.Keep, Value: func(i any) string { return r(i).AgentID }},
		{Header: "STEP", Value: func(i any) string { return r(i).Step }},
		{Header: "DETAILS", Fit: output.Wrap, Value: func(i any) string { return r(i).Details }},
	}
	if err := output.PrintList(ios.Out, o, rows, cols); err != nil {
		return err
	}
	lines := []string{
		fmt.Sprintf("Plan: %s.", counts),
		"Dry run: nothing was changed.",
	}
	if opts.Report != "" {
		lines = append(lines, fmt.Sprintf("The plan of every agent is in %s (outcome planned).", opts.Report))
	}
	printPlanSummary(f, o, lines, true)
	return nil
}

// writeOffboardReport is --report of a dry run: each agent's planned steps.
func writeOffboardReport(path string, file *bulk.File, plan *bulk.Plan) error {
	return writePlannedReport(path, plan, func(w io.Writer) *bulk.ReportWriter { return bulk.NewOffboardReportWriter(w, file) })
}

// offboardedLine is what a person reads about one agent once it is done:
// "offboarded ana@acme.com (id 5): signed out, revoked 2 keys (17, 18), deleted".
func offboardedLine(r bulk.Result) string {
	row := bulk.OffboardRow(r)
	var did []string
	revoked := 0
	var ids []string
	for _, o := range r.Ops {
		if o.Outcome != bulk.OutcomeOK {
			continue
		}
		switch o.Op.Kind {
		case bulk.OpSignOut:
			did = append(did, "signed out")
		case bulk.OpRevokeKey:
			revoked++
			ids = append(ids, o.Op.KeyID)
		}
	}
	if revoked > 0 {
		did = append(did, fmt.Sprintf("revoked %s (%s)", text.Count(revoked, "key", "keys"), strings.Join(ids, ", ")))
	}
	for _, k := range r.Step.Kept() {
		did = append(did, fmt.Sprintf("kept key %s (%s)", k.Key.ID, k.Reason))
	}
	if r.Step.Target.Active() {
		did = append(did, "deleted")
	} else {
		did = append(did, "was deleted already")
	}
	return fmt.Sprintf("offboarded %s (id %s): %s", row.Email, row.AgentID, strings.Join(did, ", "))
}

// applyOffboard runs the plan through the bulk engine and reports: a line
// per agent (or the list of results for programs), errors on stderr, the
// bar on a terminal, the report file, the summary and the exit code.
func applyOffboard(ctx context.Context, f *cmdutil.Factory, o output.Options, plan *bulk.Plan, client *liveagent.Client, opts *OffboardOptions) error {
	ios := f.IOStreams
	var report *bulk.ReportWriter
	if opts.Report != "" {
		fh, err := os.Create(opts.Report)
		if err != nil {
			return cmdutil.Usagef("cannot write the report: %s", pathError(err))
		}
		defer fh.Close()
		report = bulk.NewOffboardReportWriter(fh, plan.File)
	}
	counts := plan.OffboardCounts()
	var bar *bulk.Progress
	if ios.IsStderrTTY() && !f.Quiet() && counts.Agents > 1 {
		bar = bulk.NewProgress(ios.ErrOut, counts.Agents, "offboarding")
	}
	out := ios.Out
	if ios.IsStdoutTTY() {
		out = bar.Writer(out)
	}
	errOut := bar.Writer(ios.ErrOut)
	abandon, stopWatching := watchSecondInterrupt(ctx, opts.Abandon, func() {
		if !f.Quiet() {
			fmt.Fprintln(errOut, "interrupted: no new agents start; finishing the requests in flight (press Ctrl-C again to abandon them)")
		}
	})
	defer stopWatching()

	structured := cmdutil.IsStructured(o)
	var results []bulk.Result
	sum := bulk.Apply(ctx, client, plan, bulk.ApplyOptions{
		Concurrency: opts.Concurrency,
		// Every leaver is attempted: one agent's failure must not leave the
		// others signed in.
		ContinueOnError: true,
		Abandon:         abandon,
		OnResult: func(r bulk.Result) {
			if report != nil {
				report.Add(r)
			}
			if r.Step.Action == bulk.ActionOffboard && r.Outcome != bulk.OutcomeNotAttempted {
				bar.Increment()
			}
			results = append(results, r)
			switch {
			case r.Step.Action != bulk.ActionOffboard:
			case r.Outcome == bulk.OutcomeOK:
				if !structured {
					fmt.Fprintln(out, text.Safe(offboardedLine(r)))
				}
			case r.Outcome == bulk.OutcomeFailed || r.Outcome == bulk.OutcomeUnknown:
				fmt.Fprintf(errOut, "error: %s\n", text.Safe(fmt.Sprintf("%s: %s %s: %s", where(plan.File, r.Step.Record), r.Outcome, r.Step.Record.Ref(),
					bulk.OffboardRow(r).Error)))
			}
		},
	})
	bar.Finish()
	// A write that fails after agents were offboarded is exit 1 with a
	// sentence saying what was done (spec/cli.md).
	var writeErrs []string
	if report != nil {
		if err := report.Err(); err != nil {
			writeErrs = append(writeErrs, fmt.Sprintf("the report %s could not be written (%v)", opts.Report, err))
		}
	}
	summary := offboardSummary(sum)
	if structured {
		slices.SortStableFunc(results, func(a, b bulk.Result) int { return a.Step.Record.Line - b.Step.Record.Line })
		rows := make([]bulk.OffboardResult, len(results))
		for i, r := range results {
			rows[i] = bulk.OffboardRow(r)
		}
		if err := output.PrintList(ios.Out, o, rows, nil); err != nil {
			writeErrs = append(writeErrs, fmt.Sprintf("the results could not be written (%v)", err))
		}
		f.Notef("%s", summary)
	} else if err := cmdutil.PrintLine(ios, summary); err != nil {
		writeErrs = append(writeErrs, fmt.Sprintf("the summary could not be written (%v)", err))
	}
	if sum.Interrupted {
		for _, e := range writeErrs {
			f.Warnf("%s", e)
		}
	}
	switch {
	case len(writeErrs) > 0 && !sum.Interrupted:
		return cmdutil.Exit(cmdutil.ExitNotClean, "the offboarding ran (%s), but %s", summary, strings.Join(writeErrs, "; "))
	case sum.Interrupted:
		return cmdutil.Exit(cmdutil.ExitInterrupted, "interrupted: %s not attempted; run the same offboarding again to finish (it only does what is still missing)",
			text.Count(sum.NotAttempted, "agent", "agents"))
	case sum.Failed > 0 || sum.NotAttempted > 0 || sum.Unknown > 0:
		return cmdutil.Exit(cmdutil.ExitNotClean, "%d of %s did not finish; run the same offboarding again to finish (it only does what is still missing)",
			sum.Failed+sum.NotAttempted+sum.Unknown, text.Count(counts.Agents, "agent", "agents"))
	}
	return nil
}

// offboardSummary: "Offboarded 3 agents: 3 signed out, 4 keys revoked, 2
// deleted; 1 not found; 0 failed in 1.2s."
func offboardSummary(s bulk.Summary) string {
	out := fmt.Sprintf("Offboarded %s: %d signed out, %s revoked, %d deleted; %d not found; %d failed",
		text.Count(s.Offboarded, "agent", "agents"), s.SignedOut, text.Count(s.Revoked, "key", "keys"), s.Deleted, s.Skipped, s.Failed)
	if s.Unknown > 0 {
		out += fmt.Sprintf(", %d unknown (may or may not have finished)", s.Unknown)
	}
	if s.NotAttempted > 0 {
		out += fmt.Sprintf(", %d not attempted", s.NotAttempted)
	}
	return out + fmt.Sprintf(" in %s.", s.Elapsed.Round(10_000_000))
}

// listKeys reads the account's API keys when the caller may see them (nil
// otherwise: the rules then say why offboarding cannot revoke them).
func listKeys(ctx context.Context, client *liveagent.Client, acct *bulk.Account) ([]bulk.Key, error) {
	if d := rbac.Decide(rbac.Request{Actor: acct.Actor(), Action: rbac.ReadAPIKeys}); !d.Allowed {
		return nil, nil
	}
	all, err := client.ListAPIKeys(ctx, liveagent.ListOptions{})
	if err != nil {
		return nil, err
	}
	return bulk.KeysOf(all), nil
}

// LeaverKeys is what every command that offboards agents (offboard, import
// --prune, undo) needs to plan it: the agents' keys, and which key this run
// uses (never revoked by it).
func LeaverKeys(ctx context.Context, f *cmdutil.Factory, client *liveagent.Client, acct *bulk.Account) (map[string][]bulk.Key, bulk.OffboardOptions, error) {
	off := bulk.OffboardOptions{OwnKeyID: ownKeyID(f), CallerUnknown: acct.Me.ID == ""}
	keys, err := listKeys(ctx, client, acct)
	if err != nil {
		return nil, off, err
	}
	return bulk.KeysByAgent(keys), off, nil
}
