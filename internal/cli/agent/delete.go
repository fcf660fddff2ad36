package agent

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

// DeleteOptions are the inputs of `agent delete`.
type DeleteOptions struct {
	F      *cmdutil.Factory
	Refs   []string
	Yes    bool
	DryRun bool
}

// NewCmdDelete is `ladmin agent delete`.
func NewCmdDelete(f *cmdutil.Factory, runF func(context.Context, *DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{F: f}
	cmd := &cobra.Command{
		Use:   "delete <id|email>... [--yes]",
		Short: "Delete one or more agents",
		Long: `Delete agents. Their records stay (status deleted) and can be brought back with
'ladmin agent restore'.

On a terminal you are asked to confirm unless --yes is given; off a terminal (scripts,
CI) --yes is required. You cannot delete yourself, an agent holding permissions you
lack (an admin cannot delete an owner), or the account's last owner.`,
		Example: `  ladmin agent delete ana@acme.com
  ladmin agent delete 1a2b3c4d 5e6f7a8b --yes
  ladmin agent delete li@acme.com --dry-run`,
		Aliases:           []string{"rm"},
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: cmdutil.AgentArgs(f, cmdutil.ActiveAgents, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Refs = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "check everything and show what would happen, changing nothing")
	return cmd
}

func deleteRun(ctx context.Context, opts *DeleteOptions) error {
	f := opts.F
	ios := f.IOStreams
	if !opts.Yes && !opts.DryRun {
		if !ios.CanPrompt() {
			return cmdutil.Usagef("refusing to delete without --yes when not running on a terminal")
		}
	}
	m, err := startMutation(ctx, f)
	if err != nil {
		return err
	}
	// Resolve and check everything first, so the prompt lists only what can go.
	type target struct {
		ref string
		a   liveagent.Agent
	}
	res := newResults(f, m.o, len(opts.Refs))
	res.dryRun = opts.DryRun
	var targets []target
	for _, ref := range opts.Refs {
		a, err := m.c.ResolveAgent(ctx, ref, false)
		if err == nil {
			var d rbac.Decision
			if d, err = m.decide(ctx, rbac.Request{Action: rbac.DeleteAgent}, *a); err == nil && !d.Allowed {
				err = forbidden(d)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			res.fail(ref, err)
			continue
		}
		targets = append(targets, target{ref, *a})
	}
	if len(targets) > 0 && !opts.Yes && !opts.DryRun {
		names := make([]string, len(targets))
		for i, t := range targets {
			names[i] = t.a.Email
		}
		ok, err := ios.Confirm(fmt.Sprintf("Delete %s: %s?", text.Count(len(targets), "agent", "agents"), strings.Join(names, ", ")))
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.Exit(cmdutil.ExitUsage, "cancelled: nothing was deleted")
		}
	}
	for _, t := range targets {
		a := t.a
		if opts.DryRun {
			a.Status = liveagent.StatusDeleted // what it would be
			res.ok(a, fmt.Sprintf("would delete agent %s (dry run: nothing was changed)", label(a)))
			continue
		}
		if err := m.c.DeleteAgent(journaled(ctx, "delete", a, nil), a.ID); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			res.fail(t.ref, err)
			continue
		}
		a.Status = liveagent.StatusDeleted
		res.ok(a, fmt.Sprintf("deleted agent %s", label(a)))
	}
	return res.finish(m.sess.Roles)
}
