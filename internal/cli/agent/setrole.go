package agent

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// SetRoleOptions are the inputs of `agent set-role`.
type SetRoleOptions struct {
	F      *cmdutil.Factory
	Refs   []string
	Role   string
	DryRun bool
}

// NewCmdSetRole is `ladmin agent set-role`.
func NewCmdSetRole(f *cmdutil.Factory, runF func(context.Context, *SetRoleOptions) error) *cobra.Command {
	opts := &SetRoleOptions{F: f}
	cmd := &cobra.Command{
		Use:   "set-role <id|email>... --role ROLE",
		Short: "Change the role of one or more agents",
		Long: `Give one or more agents a role (built-in or custom).

You need to hold every permission of the new role and every permission the agent
holds now: an admin cannot promote anyone to owner, nor demote an owner. Nobody
changes their own role, and the account's last owner keeps the owner role.`,
		Example: `  ladmin agent set-role ana@acme.com --role admin
  ladmin agent set-role li@acme.com maria@acme.com --role support-lead --dry-run`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: cmdutil.AgentArgs(f, cmdutil.ActiveAgents, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Role == "" {
				return cmdutil.Usagef("--role is required")
			}
			opts.Refs = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return setRoleRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Role, "role", "", "owner, admin, agent, or a custom role (required)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "check everything and show what would happen, changing nothing")
	_ = cmd.RegisterFlagCompletionFunc("role", cmdutil.CompleteRoles(f))
	return cmd
}

func setRoleRun(ctx context.Context, opts *SetRoleOptions) error {
	m, err := startMutation(ctx, opts.F)
	if err != nil {
		return err
	}
	role, err := cmdutil.ResolveRole(m.sess.Roles, opts.Role)
	if err != nil {
		return err
	}
	if role.Opaque {
		return cmdutil.OpaqueRoleError(role, "cannot give this role", "give it in LiveAgent itself (Configuration > Agents)")
	}
	res := newResults(opts.F, m.o, len(opts.Refs))
	res.dryRun = opts.DryRun
	for _, ref := range opts.Refs {
		if err := setRoleOne(ctx, m, res, ref, role, opts.DryRun); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			res.fail(ref, err)
		}
	}
	return res.finish(m.sess.Roles)
}

func setRoleOne(ctx context.Context, m *mutation, res *results, ref string, role liveagent.Role, dryRun bool) error {
	a, err := m.c.ResolveAgent(ctx, ref, false)
	if err != nil {
		return err
	}
	from := m.sess.Roles.RoleName(*a)
	if m.sess.Roles.Of(*a).ID == role.ID {
		res.ok(*a, fmt.Sprintf("%s already has the role %s; nothing to change", label(*a), role.Name))
		return nil
	}
	given := role.RBAC()
	d, err := m.decide(ctx, rbac.Request{Action: rbac.SetRole, Role: &given}, *a)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return forbidden(d)
	}
	wireRole, wireRoleID := liveagent.Assign(role)
	if dryRun {
		a.Role, a.RoleID = wireRole, wireRoleID
		res.ok(*a, fmt.Sprintf("would change the role of %s from %s to %s (dry run: nothing was changed)", label(*a), from, role.Name))
		return nil
	}
	updated, err := m.c.UpdateAgent(journaled(ctx, "set-role", *a, nil), a.ID, liveagent.AgentUpdate{Role: &wireRole, RoleID: &wireRoleID})
	if err != nil {
		return err
	}
	res.ok(*updated, fmt.Sprintf("changed the role of %s from %s to %s", label(*updated), from, role.Name))
	return nil
}
