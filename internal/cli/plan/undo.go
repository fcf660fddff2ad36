package plan

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/bulk"
	"github.com/ladmin/ladmin/internal/cli/agent"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/cli/history"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/text"
)

// UndoOptions are the inputs of `ladmin undo`.
type UndoOptions struct {
	F           *cmdutil.Factory
	Run         string
	DryRun      bool
	PlanOut     string
	Yes         bool
	Concurrency int
}

// NewCmdUndo is `ladmin undo`.
func NewCmdUndo(f *cmdutil.Factory, runF func(context.Context, *UndoOptions) error) *cobra.Command {
	opts := &UndoOptions{F: f}
	cmd := &cobra.Command{
		Use:   "undo RUN_ID [--dry-run] [--plan-out FILE] [--yes]",
		Short: "The inverse of one run from the journal, checked like any change",
		Long: `Build the inverse of one run of the journal (ladmin history lists them) and apply it:
an agent the run created is offboarded, one it deleted is restored (the same agent,
same id), a role change goes back to the old role, an update to the old values.

Each inverse step first checks that its agent is still as the run left it. One that
changed since is a conflict: it is listed and left alone while the others go ahead,
and the command exits 1. Then the rules of who may do what are checked for your key
(exit 4) and the steps are applied like any plan, after a confirmation on a terminal
(--yes off one). --dry-run shows the inverse plan; --plan-out writes it for
` + "`ladmin apply`" + ` (and implies --dry-run).

An undo is a run of its own, so it can be undone too. Revoked API keys cannot come
back (their secret is gone), and role definitions are not changed: undo says so for
each. The journal is local, so only runs made from this machine can be undone.`,
		Example: `  ladmin history
  ladmin undo 20261201-181230-3f9a2c --dry-run
  ladmin undo 20261201-181230-3f9a2c --plan-out undo.json
  ladmin undo 20261201-181230-3f9a2c --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Run = args[0]
			if opts.PlanOut != "" {
				opts.DryRun = true
			}
			if err := cmdutil.CheckConcurrency(opts.Concurrency); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return undoRun(cmdutil.Context(cmd.Context()), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the inverse plan, change nothing")
	cmd.Flags().StringVar(&opts.PlanOut, "plan-out", "", "write the inverse plan to this file for `ladmin apply` (implies --dry-run)")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().IntVar(&opts.Concurrency, "concurrency", 8, "steps in flight at once")
	return cmd
}

func undoRun(ctx context.Context, opts *UndoOptions) error {
	f := opts.F
	_, runs, err := history.Load(f)
	if err != nil {
		return err
	}
	run, err := history.FindRun(runs, opts.Run)
	if err != nil {
		return err
	}
	o, client, err := f.Connect()
	if err != nil {
		return err
	}
	if err := sameAccount(run.Account, client.BaseURL(), "run "+run.ID+" changed"); err != nil {
		return err
	}
	acct, err := bulk.LoadAccount(ctx, client)
	if err != nil {
		return err
	}
	keys, off, err := agent.LeaverKeys(ctx, f, client, acct)
	if err != nil {
		return err
	}
	sp, notes := bulk.Undo(run, keys, off, client.BaseURL(), f.CommandLine, acct.Me.Email, time.Now())
	for _, n := range notes {
		f.Warnf("%s", n)
	}
	name := "undo of " + run.ID
	if opts.PlanOut != "" {
		if err := agent.WritePlanFile(opts.PlanOut, sp); err != nil {
			return err
		}
	}
	checked := sp.Check(name, acct)
	for _, s := range checked.Stale {
		f.PrintMessage("conflict:", text.Safe(fmt.Sprintf("%s %s: changed since the run, left alone: %s", s.Step.Action, s.Step.Email,
			joinChanges(s.Changes))))
	}
	if len(checked.Done) > 0 {
		f.Notef("%s already as before the run.", text.Count(len(checked.Done), "agent is", "agents are"))
	}
	if err := authorize(f, checked.Plan, acct); err != nil {
		return err
	}
	left := func() error {
		if len(checked.Stale) > 0 {
			return cmdutil.Exit(cmdutil.ExitNotClean, "%s left alone (changed since the run)", text.Count(len(checked.Stale), "step was", "steps were"))
		}
		return nil
	}
	if opts.DryRun {
		rows := checked.Plan.Rows()
		if len(rows) > 0 || cmdutil.IsStructured(o) {
			cols := []output.Column{
				{Header: "EMAIL", Fit: output.Keep, Value: func(i any) string { return i.(bulk.PlanRow).Email }},
				{Header: "ACTION", Value: func(i any) string { return string(i.(bulk.PlanRow).Action) }},
				{Header: "AGENT", Fit: output.Keep, Value: func(i any) string { return i.(bulk.PlanRow).AgentID }},
				{Header: "DETAILS", Fit: output.Wrap, Value: func(i any) string { return i.(bulk.PlanRow).Details }},
			}
			if err := output.PrintList(f.IOStreams.Out, o, rows, cols); err != nil {
				return err
			}
		}
		f.Notef("Undo of %s: %s. Dry run: nothing was changed.", run.ID, checked.Plan.Counts())
		if opts.PlanOut != "" {
			f.Notef("The inverse plan (%s) is in %s: review it, then run `ladmin apply %s`.",
				text.Count(len(sp.Steps), "step", "steps"), opts.PlanOut, opts.PlanOut)
		}
		return left()
	}
	if len(checked.Plan.Steps) == 0 {
		f.Notef("Nothing to undo in run %s.", run.ID)
		return left()
	}
	if err := confirm(f, opts.Yes, fmt.Sprintf("Undo run %s (%s): %s?", run.ID, run.Command, checked.Plan.Counts())); err != nil {
		return err
	}
	if err := agent.RunPlan(ctx, f, o, checked.Plan, client, opts.Concurrency); err != nil {
		return err
	}
	return left()
}

func joinChanges(c []string) string {
	if len(c) == 0 {
		return "changed"
	}
	out := c[0]
	for _, s := range c[1:] {
		out += ", " + s
	}
	return out
}
