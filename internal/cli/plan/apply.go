// Package plan holds the commands that apply a plan made elsewhere: `ladmin
// apply` (a saved plan) and `ladmin undo` (the inverse of a journal run).
package plan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/bulk"
	"github.com/ladmin/ladmin/internal/cli/agent"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/text"
)

// ApplyOptions are the inputs of `ladmin apply`.
type ApplyOptions struct {
	F           *cmdutil.Factory
	File        string
	Yes         bool
	Concurrency int
}

// NewCmdApply is `ladmin apply`.
func NewCmdApply(f *cmdutil.Factory, runF func(context.Context, *ApplyOptions) error) *cobra.Command {
	opts := &ApplyOptions{F: f}
	cmd := &cobra.Command{
		Use:   "apply PLAN.json [--yes]",
		Short: "Apply a saved plan exactly, or refuse if the account moved",
		Long: `Apply a plan saved with --plan-out (agent import, undo): exactly its steps, nothing else.

The account is read once. If any step's target is no longer as the plan read it
(status, email, name, role, role_id, departments), nothing is applied: the command
lists each stale step and what changed, and exits 6; make a new plan. A step whose
target is already as the step would leave it counts as done, so applying the same
plan twice does nothing the second time (exit 0). A plan made for another account
is refused (exit 2). The rules of who may do what are checked for the key in use,
as for any change (exit 4).

On a terminal it asks for confirmation; off a terminal it needs --yes.`,
		Example: `  ladmin agent import -f roster.csv --on-existing update --plan-out plan.json
  ladmin apply plan.json
  ladmin apply plan.json --yes    # in CI, once the plan was reviewed`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if err := cmdutil.CheckConcurrency(opts.Concurrency); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return applyRun(cmdutil.Context(cmd.Context()), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().IntVar(&opts.Concurrency, "concurrency", 8, "steps in flight at once")
	return cmd
}

func applyRun(ctx context.Context, opts *ApplyOptions) error {
	f := opts.F
	data, err := readFile(opts.File, f.IOStreams.InContext(ctx)) // Ctrl-C ends a read of stdin at once
	if err != nil {
		return err
	}
	name := bulk.DisplayName(opts.File)
	cmdutil.HoldingRoster(opts.F.Getenv, len(data))
	sp, err := bulk.ReadSavedPlan(name, data)
	if err != nil {
		return cmdutil.Usagef("%s", err.Error())
	}
	o, client, err := f.Connect()
	if err != nil {
		return err
	}
	if err := sameAccount(sp.Account, client.BaseURL(), name+" is a plan for"); err != nil {
		return err
	}
	acct, err := bulk.LoadAccount(ctx, client)
	if err != nil {
		return err
	}
	checked := sp.Check(name, acct)
	if len(checked.Stale) > 0 {
		for _, s := range checked.Stale {
			cmdutil.PrintLines(f.IOStreams, []string{fmt.Sprintf("%s: %s", name, s)})
		}
		return cmdutil.Exit(cmdutil.ExitConflict, "%s of %s changed since the plan was made (%s); nothing was applied: make a new plan",
			text.Count(len(checked.Stale), "step", "steps"), name, sp.Created.Local().Format(time.DateTime))
	}
	if err := authorize(f, checked.Plan, acct); err != nil {
		return err
	}
	if len(sp.Steps) == 0 {
		f.Notef("Nothing to do: %s has no steps.", name)
		return nil
	}
	if len(checked.Plan.Steps) == 0 {
		f.Notef("Nothing to do: %s already applied.", text.Count(len(checked.Done), "step of "+name+" is", "steps of "+name+" are"))
		return nil
	}
	if len(checked.Done) > 0 {
		f.Notef("%s already applied; %s to apply.", text.Count(len(checked.Done), "step is", "steps are"), text.Count(len(checked.Plan.Steps), "step", "steps"))
	}
	if err := confirm(f, opts.Yes, fmt.Sprintf("Apply %s of %s (%s) to %s?", text.Count(len(checked.Plan.Steps), "step", "steps"),
		name, checked.Plan.Counts(), client.BaseURL())); err != nil {
		return err
	}
	return agent.RunPlan(ctx, f, o, checked.Plan, client, opts.Concurrency)
}

// sameAccount refuses a plan made for another account (exit 2). what says
// whose account it is: "plan.json is a plan for", "run X changed".
func sameAccount(planned, current, what string) error {
	p, err := liveagent.CheckURL(planned)
	if err != nil {
		return cmdutil.Usagef("%s no valid account: %s", what, err.Error())
	}
	if !strings.EqualFold(p, current) {
		return cmdutil.Usagef("%s %s, but this command talks to %s; nothing was changed (use --profile or --url)", what, p, current)
	}
	return nil
}

// authorize checks the rules for every step before anything is sent (exit 4).
func authorize(f *cmdutil.Factory, plan *bulk.Plan, acct *bulk.Account) error {
	denied := bulk.Authorize(plan, acct)
	revokes := 0
	for i := range plan.Steps {
		revokes += plan.Steps[i].KeysToRevoke()
	}
	// Offboard steps follow the rules of offboarding; seeing keys matters
	// only when some are to be revoked.
	denied = append(denied, bulk.AuthorizeOffboard(plan, acct, bulk.OffboardOptions{KeepKeys: revokes == 0})...)
	if len(denied) == 0 {
		return nil
	}
	cmdutil.PrintLines(f.IOStreams, denied.Lines())
	return cmdutil.Exit(cmdutil.ExitForbidden, "your key may not apply %s; nothing was changed", text.Count(len(denied), "step", "steps"))
}

// confirm asks on a terminal; off one, --yes is required.
func confirm(f *cmdutil.Factory, yes bool, prompt string) error {
	if yes {
		return nil
	}
	ios := f.IOStreams
	if !ios.CanPrompt() {
		return cmdutil.Usagef("refusing to apply without --yes when not running on a terminal; nothing was changed")
	}
	ok, err := ios.Confirm(prompt)
	if err != nil {
		return err
	}
	if !ok {
		return cmdutil.Exit(cmdutil.ExitUsage, "cancelled: nothing was changed")
	}
	return nil
}

func readFile(path string, stdin io.Reader) ([]byte, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, bulk.MaxInputSize+1))
	} else {
		data, err = os.ReadFile(path)
	}
	if errors.Is(err, context.Canceled) {
		return nil, err // interrupted while reading stdin: exit 130
	}
	if err != nil {
		return nil, cmdutil.Usagef("cannot read the plan: %v", err)
	}
	if len(data) > bulk.MaxInputSize {
		return nil, cmdutil.Usagef("the plan %s is too large", bulk.DisplayName(path))
	}
	return data, nil
}
