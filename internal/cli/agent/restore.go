package agent

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// RestoreOptions are the inputs of `agent restore`.
type RestoreOptions struct {
	F    *cmdutil.Factory
	Refs []string
}

// NewCmdRestore is `ladmin agent restore`.
func NewCmdRestore(f *cmdutil.Factory, runF func(context.Context, *RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{F: f}
	return &cobra.Command{
		Use:   "restore <id|email>...",
		Short: "Restore deleted agents",
		Long: `Bring deleted agents back with the role they had. Restoring gives that role back,
so you must hold every permission of it: an admin cannot restore an owner.`,
		Example: `  ladmin agent restore ana@acme.com
  ladmin agent restore 1a2b3c4d 5e6f7a8b`,
		Aliases:           []string{"undelete"},
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: cmdutil.AgentArgs(f, cmdutil.DeletedAgents, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Refs = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return restoreRun(cmd.Context(), opts)
		},
	}
}

func restoreRun(ctx context.Context, opts *RestoreOptions) error {
	m, err := startMutation(ctx, opts.F)
	if err != nil {
		return err
	}
	res := newResults(opts.F, m.o, len(opts.Refs))
	for _, ref := range opts.Refs {
		if err := restoreOne(ctx, m, res, ref); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			res.fail(ref, err)
		}
	}
	return res.finish(m.sess.Roles)
}

func restoreOne(ctx context.Context, m *mutation, res *results, ref string) error {
	a, err := m.c.ResolveAgent(ctx, ref, true)
	if err != nil {
		return err
	}
	if a.Active() {
		return liveagent.NewError(liveagent.KindConflict, "agent %s is not deleted", label(*a))
	}
	d, err := m.decide(ctx, rbac.Request{Action: rbac.RestoreAgent}, *a)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return forbidden(d)
	}
	restored, err := m.c.RestoreAgent(journaled(ctx, "restore", *a, nil), a.ID, "")
	if err != nil {
		return err
	}
	res.ok(*restored, fmt.Sprintf("restored agent %s with role %s", label(*restored), m.sess.Roles.RoleName(*restored)))
	return nil
}
