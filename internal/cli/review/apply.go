package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/bulk"
	"github.com/ladmin/ladmin/internal/cli/agent"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/review"
	"github.com/ladmin/ladmin/internal/text"
)

// ApplyOptions are the inputs of `review apply`.
type ApplyOptions struct {
	F      *cmdutil.Factory
	File   string
	DryRun bool
	Yes    bool
	// PlanOut writes the plan for `ladmin apply` (implies DryRun).
	PlanOut     string
	Reviewer    string
	Evidence    string
	Default     string
	Concurrency int
}

func newCmdApply(f *cmdutil.Factory) *cobra.Command {
	opts := &ApplyOptions{F: f}
	cmd := &cobra.Command{
		Use:   "apply review.csv [--dry-run] [--plan-out FILE] [--yes] [--reviewer EMAIL] [--evidence FILE] [--default keep]",
		Short: "Apply the decisions of a filled-in review file, and write the evidence",
		Long: `Read a review file written by 'ladmin review export' with its decision column filled in
(keep, offboard, or role:NAME; role:agent removes the privilege and keeps the person),
check every row, and apply the decisions through the same engine as import and offboard.

The file is read by the import reader, so a review that went through a spreadsheet (a
BOM, CRLF, ";"-delimited CSV) comes back fine. Before anything is sent:
  - every row must have a decision (an empty one is an error unless --default keep);
  - every agent must still be as exported: if any row's id, email, role, role_id or
    status differs from the account now, nothing is applied (exit 6, naming the rows),
    as Terraform refuses a stale plan; export again and review the changes;
  - the rules of who may do what are checked for every decision (exit 4).
Then it asks for confirmation on a terminal (--yes off one), applies, and writes the
evidence: JSON to --evidence FILE (who reviewed, when, the file's SHA-256, every decision
and its outcome) and a Markdown summary on stdout, ready for a ticket or a pull request.
--dry-run checks everything and writes the evidence of what would be done.`,
		Example: `  ladmin review apply review.csv --reviewer ciso@acme.com --evidence q4-evidence.json
  ladmin review apply review.csv --dry-run --default keep`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if opts.Default != "" && opts.Default != string(review.Keep) {
				return cmdutil.Usagef("invalid --default %q: only keep can be a default decision", opts.Default)
			}
			if opts.Reviewer != "" && !liveagent.ValidEmail(opts.Reviewer) {
				return cmdutil.Usagef("invalid --reviewer %q: give the reviewer's email address", opts.Reviewer)
			}
			if err := cmdutil.CheckOutputs([]cmdutil.File{{Flag: "--evidence", Path: opts.Evidence}, {Flag: "--plan-out", Path: opts.PlanOut}},
				[]cmdutil.File{{Flag: "the review file", Path: opts.File}}); err != nil {
				return err
			}
			if opts.PlanOut != "" {
				opts.DryRun = true
			}
			if !opts.Yes && !opts.DryRun && !f.IOStreams.CanPrompt() {
				return cmdutil.Usagef("refusing to apply a review without --yes when not running on a terminal")
			}
			return applyRun(cmdutil.Context(cmd.Context()), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.DryRun, "dry-run", false, "check everything and show what would be done, without changing anything")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "apply without asking (required when not on a terminal)")
	fl.StringVar(&opts.PlanOut, "plan-out", "", "write the plan to this file for `ladmin apply` instead of applying it (implies --dry-run)")
	fl.StringVar(&opts.Reviewer, "reviewer", "", "the email of the person who reviewed, recorded in the evidence")
	fl.StringVar(&opts.Evidence, "evidence", "", "write the evidence (JSON) to this file")
	fl.StringVar(&opts.Default, "default", "", "decision for rows left empty: keep (otherwise an empty decision is an error)")
	fl.IntVar(&opts.Concurrency, "concurrency", 8, fmt.Sprintf("how many agents to change at once (1 to %d)", bulk.MaxConcurrency))
	_ = cmd.RegisterFlagCompletionFunc("default", cobra.FixedCompletions([]string{string(review.Keep)}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func applyRun(ctx context.Context, opts *ApplyOptions) error {
	f := opts.F
	ios := f.IOStreams
	if err := cmdutil.CheckConcurrency(opts.Concurrency); err != nil {
		return err
	}
	data, err := readFile(opts.File)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	name := bulk.DisplayName(opts.File)
	cmdutil.HoldingRoster(opts.F.Getenv, len(data))
	file, problems, fatal := bulk.Parse(data, bulk.ParseOptions{Name: name, IgnoreUnknownColumns: true})
	if fatal {
		return invalid(ios, name, problems)
	}
	_, c, err := f.Connect()
	if err != nil {
		return err
	}
	started := time.Now().UTC()
	acct, err := bulk.LoadAccount(ctx, c)
	if err != nil {
		return err
	}
	decisions, more := review.Read(file, acct.Roles, opts.Default == string(review.Keep))
	if problems = append(problems, more...); len(problems) > 0 {
		return invalid(ios, name, problems.Sorted())
	}
	if len(decisions) == 0 {
		return cmdutil.Usagef("%s has no rows: nothing to review", name)
	}
	if stale := review.Stale(decisions, acct); len(stale) > 0 {
		for _, s := range stale {
			cmdutil.PrintLines(ios, []string{fmt.Sprintf("%s:%d: %s changed since the export: %s",
				name, s.Decision.Line, s.Decision.Email, strings.Join(s.Changes, ", "))})
		}
		return cmdutil.Exit(cmdutil.ExitConflict, "%s of %s changed since the export; nothing was applied: export the review again and decide on the agents as they are now",
			text.Count(len(stale), "agent", "agents"), name)
	}

	popts := bulk.OffboardOptions{OwnKeyID: f.Setting("api_key_id", "")}
	var keys []bulk.Key
	if needsKeys(decisions) {
		if d := rbac.Decide(rbac.Request{Actor: acct.Actor(), Action: rbac.ReadAPIKeys}); d.Allowed {
			all, err := c.ListAPIKeys(ctx, liveagent.ListOptions{})
			if err != nil {
				return err
			}
			keys = bulk.KeysOf(all)
		}
	}
	plan, problems, denied := review.Plan(file, decisions, acct, keys, popts)
	if len(problems) > 0 {
		return invalid(ios, name, problems)
	}
	if len(denied) > 0 {
		cmdutil.PrintLines(ios, denied.ScreenLines(""))
		return cmdutil.Exit(cmdutil.ExitForbidden, "your key may not apply %d of the decisions; nothing was applied", len(denied))
	}

	ev := &review.Evidence{Version: review.EvidenceVersion, Account: liveagent.RedactURL(f.Setting("url", "")),
		Reviewer: opts.Reviewer, File: name, FileSHA256: hex.EncodeToString(sum[:]),
		StartedAt: started.Format(time.RFC3339), DryRun: opts.DryRun}
	changes := countChanges(plan)
	if opts.PlanOut != "" {
		sp := bulk.Save(plan, c.BaseURL(), f.CommandLine, acct.Me.Email, time.Now())
		if err := agent.WritePlanFile(opts.PlanOut, sp); err != nil {
			return err
		}
		defer f.Notef("The plan (%s) is in %s: review it, then run `ladmin apply %s`.",
			text.Count(len(sp.Steps), "step", "steps"), opts.PlanOut, opts.PlanOut)
	}
	if opts.DryRun || changes == 0 {
		ev.Decisions = planned(decisions, plan, opts.DryRun)
		return finish(f, opts, ev)
	}
	if !opts.Yes {
		ok, err := ios.Confirm(fmt.Sprintf("Apply the review of %s: %s?", text.Count(len(decisions), "agent", "agents"), changesText(plan)))
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.Exit(cmdutil.ExitUsage, "cancelled: nothing was changed")
		}
	}
	results := map[int]bulk.Result{}
	s := bulk.Apply(ctx, c, plan, bulk.ApplyOptions{Concurrency: opts.Concurrency, ContinueOnError: true,
		OnResult: func(r bulk.Result) { results[r.Step.Record.Line] = r }})
	ev.Decisions = outcomes(decisions, plan, results)
	if err := finish(f, opts, ev); err != nil {
		return cmdutil.Exit(cmdutil.ExitNotClean, "the review was applied, but %v", err)
	}
	switch {
	case s.Interrupted:
		return cmdutil.Exit(cmdutil.ExitInterrupted, "interrupted: %s not attempted; apply the same file again to finish (it only does what is still missing)",
			text.Count(s.NotAttempted, "decision", "decisions"))
	case s.Failed > 0 || s.Unknown > 0 || s.NotAttempted > 0:
		return cmdutil.Exit(cmdutil.ExitNotClean, "%s did not finish; the evidence says which", text.Count(s.Failed+s.Unknown+s.NotAttempted, "decision", "decisions"))
	}
	return nil
}

func readFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, cmdutil.Usagef("cannot read the review file: %v", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, bulk.MaxInputSize+1))
	if err != nil {
		return nil, cmdutil.Usagef("cannot read the review file: %v", err)
	}
	if len(data) > bulk.MaxInputSize {
		return nil, cmdutil.Usagef("%s is larger than %d MiB; a review file has a row per agent", path, bulk.MaxInputSize>>20)
	}
	return data, nil
}

func invalid(ios *iostreams.IOStreams, name string, problems bulk.Problems) error {
	cmdutil.PrintLines(ios, problems.ScreenLines(""))
	return cmdutil.Exit(cmdutil.ExitUsage, "%s is not valid: %s; nothing was changed", name, text.Count(len(problems), "problem", "problems"))
}

func needsKeys(ds []review.Decision) bool {
	for _, d := range ds {
		if d.Kind == review.Offboard {
			return true
		}
	}
	return false
}

// countChanges is how many steps of the plan change something.
func countChanges(plan *bulk.Plan) int {
	n := 0
	for _, s := range plan.Steps {
		if s.Action != bulk.ActionSkip {
			n++
		}
	}
	return n
}

func changesText(plan *bulk.Plan) string {
	roles, offboards := 0, 0
	for _, s := range plan.Steps {
		switch s.Action {
		case bulk.ActionUpdate:
			roles++
		case bulk.ActionOffboard:
			offboards++
		}
	}
	var parts []string
	if roles > 0 {
		parts = append(parts, text.Count(roles, "role change", "role changes"))
	}
	if offboards > 0 {
		parts = append(parts, fmt.Sprintf("offboard %s", text.Count(offboards, "agent", "agents")))
	}
	return strings.Join(parts, ", ")
}

func stepAt(plan *bulk.Plan, line int) *bulk.Step {
	for i := range plan.Steps {
		if plan.Steps[i].Record.Line == line {
			return &plan.Steps[i]
		}
	}
	return nil
}

// planned is the evidence of a dry run (or of a review that changes
// nothing): what each decision would do.
func planned(ds []review.Decision, plan *bulk.Plan, dryRun bool) []review.EvidenceItem {
	items := make([]review.EvidenceItem, 0, len(ds))
	for _, d := range ds {
		it := d.Item()
		s := stepAt(plan, d.Line)
		switch {
		case d.Kind == review.Keep:
			it.Outcome = "kept"
		case s != nil && s.Action == bulk.ActionSkip:
			it.Outcome = "done"
			it.Error = s.Details // already as decided
		case dryRun:
			it.Outcome = string(bulk.OutcomePlanned)
			if s != nil {
				it.Error = s.Details
			}
		}
		items = append(items, it)
	}
	return items
}

// outcomes is the evidence of an applied review.
func outcomes(ds []review.Decision, plan *bulk.Plan, results map[int]bulk.Result) []review.EvidenceItem {
	items := make([]review.EvidenceItem, 0, len(ds))
	for _, d := range ds {
		it := d.Item()
		r, ok := results[d.Line]
		switch {
		case d.Kind == review.Keep:
			it.Outcome = "kept"
		case !ok:
			it.Outcome = string(bulk.OutcomeNotAttempted)
		case r.Outcome == bulk.OutcomeOK:
			it.Outcome = "done"
			if r.Step.Action == bulk.ActionSkip {
				it.Error = r.Step.Details
			}
		default:
			it.Outcome = string(r.Outcome)
			if r.Err != nil {
				it.Error = r.Err.Error()
			}
		}
		items = append(items, it)
	}
	return items
}

// finish writes the evidence file and the Markdown summary.
func finish(f *cmdutil.Factory, opts *ApplyOptions, ev *review.Evidence) error {
	ev.FinishedAt = time.Now().UTC().Format(time.RFC3339)
	ev.Tally()
	if opts.Evidence != "" {
		data, err := json.MarshalIndent(ev, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(opts.Evidence, append(data, '\n'), 0o600); err != nil {
			return fmt.Errorf("the evidence could not be written: %v", err)
		}
		f.Notef("Wrote the evidence to %s.", opts.Evidence)
	}
	return ev.WriteMarkdown(f.IOStreams.Out, text.Safe)
}
