package role

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

// applyGrants returns base's permissions plus grants minus revokes, checking
// every name against the catalog first (exit 2 with a suggestion).
func applyGrants(base rbac.Set, grants, revokes []string) (rbac.Set, error) {
	for _, p := range append(append([]string(nil), grants...), revokes...) {
		if err := cmdutil.ResolvePermission(p); err != nil {
			return 0, err
		}
	}
	for _, p := range grants {
		if contains(revokes, p) {
			return 0, cmdutil.Usagef("permission %q is both granted and revoked", p)
		}
	}
	return base.With(grants...).Without(revokes...), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func newCmdCreate(f *cmdutil.Factory) *cobra.Command {
	var from string
	var grants, revokes []string
	cmd := &cobra.Command{
		Use:   "create <name> --from <role> [--grant P]... [--revoke P]...",
		Short: "Define a custom role from a built-in one",
		Long: `Define a custom role: start from the permissions of an existing role (--from), add
some (--grant) and take some away (--revoke). The new role is based on the built-in role
it starts from, which is what clients that only know owner/admin/agent see.

You need roles.manage, and you cannot define a role holding a permission you lack: an
admin cannot define a role with billing.manage, nor one based on owner.`,
		Example: `  ladmin role create support-lead --from agent --grant reports.all --grant tickets.all
  ladmin role create billing-clerk --from owner --revoke agents.invite --revoke agents.manage --revoke agents.roles`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := strings.TrimSpace(args[0])
			if name == "" {
				return cmdutil.Usagef("the role name cannot be empty")
			}
			if rbac.IsBuiltin(strings.ToLower(name)) {
				return cmdutil.Usagef("%q is a built-in role name; choose another name", name)
			}
			if from == "" {
				return cmdutil.Usagef("--from is required: the role to start from, e.g. --from agent")
			}
			return createRun(cmd.Context(), f, name, from, grants, revokes)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "role to start from: owner, admin, agent or a custom role (required)")
	cmd.Flags().StringArrayVar(&grants, "grant", nil, "permission to add (repeatable)")
	cmd.Flags().StringArrayVar(&revokes, "revoke", nil, "permission to take away (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("from", cmdutil.CompleteRoles(f))
	completePermissions(cmd)
	return cmd
}

// completePermissions completes --grant and --revoke with the catalog.
func completePermissions(cmd *cobra.Command) {
	perms := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return rbac.PermissionNames(), cobra.ShellCompDirectiveNoFileComp
	}
	_ = cmd.RegisterFlagCompletionFunc("grant", perms)
	_ = cmd.RegisterFlagCompletionFunc("revoke", perms)
}

func createRun(ctx context.Context, f *cmdutil.Factory, name, from string, grants, revokes []string) error {
	o, c, err := f.Connect()
	if err != nil {
		return err
	}
	if err := c.RequireExtensions(ctx, liveagent.CapManageRoles); err != nil {
		return err
	}
	sess, err := c.Session(ctx)
	if err != nil {
		return err
	}
	if _, taken := sess.Roles.Lookup(name); taken {
		return liveagent.NewError(liveagent.KindConflict, "a role named %q already exists", name)
	}
	start, err := cmdutil.ResolveRole(sess.Roles, from)
	if err != nil {
		return err
	}
	perms, err := applyGrants(start.RBAC().Permissions, grants, revokes)
	if err != nil {
		return err
	}
	def := rbac.Role{Name: name, Base: start.Base, Permissions: perms}
	if d := rbac.Decide(rbac.Request{Actor: sess.Actor(), Action: rbac.CreateRole, Role: &def}); !d.Allowed {
		return &liveagent.Error{Kind: liveagent.KindForbidden, Message: d.Reason}
	}
	r, err := c.CreateRole(liveagent.WithBefore(ctx, liveagent.Before{Op: "role-create", Target: name}), liveagent.RoleCreate{Name: name, Base: start.Base, Permissions: perms.Names()})
	if err != nil {
		return err
	}
	return cmdutil.WriteAfterChange(printRole(f, o, *r, fmt.Sprintf("created role %s (based on %s, %s)", r.Name, r.Base, text.Count(len(r.Permissions), "permission", "permissions"))),
		fmt.Sprintf("role %s was created (id %s)", r.Name, r.ID))
}

func printRole(f *cmdutil.Factory, o output.Options, r liveagent.Role, line string) error {
	if cmdutil.IsStructured(o) {
		return output.PrintObject(f.IOStreams.Out, o, r, roleColumns())
	}
	err := cmdutil.PrintLine(f.IOStreams, line)
	return err
}

// roleTarget is what `role update` and `role delete` start from: the role
// they act on, and what the rules need to know to change or delete it.
type roleTarget struct {
	o    output.Options
	c    *liveagent.Client
	sess *liveagent.Session
	old  liveagent.Role
	req  rbac.Request
}

func startRoleChange(ctx context.Context, f *cmdutil.Factory, ref string) (*roleTarget, error) {
	o, c, err := f.Connect()
	if err != nil {
		return nil, err
	}
	if err := c.RequireExtensions(ctx, liveagent.CapManageRoles); err != nil {
		return nil, err
	}
	sess, err := c.Session(ctx)
	if err != nil {
		return nil, err
	}
	old, err := cmdutil.FindRole(sess.Roles, ref)
	if err != nil {
		return nil, err
	}
	req, err := roleChange(ctx, c, sess, old)
	if err != nil {
		return nil, err
	}
	return &roleTarget{o: o, c: c, sess: sess, old: old, req: req}, nil
}

// roleChange is what the rules need to know to change or delete a custom role.
func roleChange(ctx context.Context, c *liveagent.Client, sess *liveagent.Session, old liveagent.Role) (rbac.Request, error) {
	oldRole := old.RBAC()
	req := rbac.Request{Actor: sess.Actor(), OldRole: &oldRole, ActorHoldsRole: sess.Me.RoleID != "" && sess.Me.RoleID == old.ID}
	if oldRole.IsOwner() {
		owners, err := c.ActiveOwners(ctx, sess.Roles)
		if err != nil {
			return req, err
		}
		req.ActiveOwners = len(owners)
		for _, a := range owners {
			if a.RoleID == old.ID {
				req.OwnersHoldingRole++
			}
		}
	}
	return req, nil
}

func newCmdUpdate(f *cmdutil.Factory) *cobra.Command {
	var name string
	var grants, revokes []string
	cmd := &cobra.Command{
		Use:   "update <role> [--name N] [--grant P]... [--revoke P]...",
		Short: "Rename a custom role or change its permissions",
		Long: `Rename a custom role or change its permissions. Every agent holding the role is
affected, so you must hold every permission the role has now and will have. Built-in
roles cannot be changed, and you cannot change the role you hold yourself.`,
		Example: `  ladmin role update support-lead --grant knowledgebase.manage
  ladmin role update support-lead --name team-lead --revoke tickets.all`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("name") && len(grants) == 0 && len(revokes) == 0 {
				return cmdutil.Usagef("nothing to update: pass --name, --grant or --revoke")
			}
			if cmd.Flags().Changed("name") && strings.TrimSpace(name) == "" {
				return cmdutil.Usagef("--name cannot be empty")
			}
			return updateRun(cmd.Context(), f, args[0], strings.TrimSpace(name), grants, revokes)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "new name")
	cmd.Flags().StringArrayVar(&grants, "grant", nil, "permission to add (repeatable)")
	cmd.Flags().StringArrayVar(&revokes, "revoke", nil, "permission to take away (repeatable)")
	cmd.ValidArgsFunction = cmdutil.RoleArg(f)
	completePermissions(cmd)
	return cmd
}

func updateRun(ctx context.Context, f *cmdutil.Factory, ref, name string, grants, revokes []string) error {
	t, err := startRoleChange(ctx, f, ref)
	if err != nil {
		return err
	}
	o, c, sess, old, req := t.o, t.c, t.sess, t.old, t.req
	held := old.RBAC().Permissions
	perms, err := applyGrants(held, grants, revokes)
	if err != nil {
		return err
	}
	// Say what asks for nothing: a grant already held, a revoke not held.
	var already, notHeld []string
	for _, p := range grants {
		if held.Has(p) {
			already = append(already, p)
		}
	}
	for _, p := range revokes {
		if !held.Has(p) {
			notHeld = append(notHeld, p)
		}
	}
	if len(already) > 0 {
		f.Notef("%s", text.Safe(fmt.Sprintf("role %s already holds %s", old.Name, strings.Join(already, ", "))))
	}
	if len(notHeld) > 0 {
		f.Notef("%s", text.Safe(fmt.Sprintf("role %s does not hold %s", old.Name, strings.Join(notHeld, ", "))))
	}
	if perms == held && (name == "" || name == old.Name) {
		return printRole(f, o, old, fmt.Sprintf("role %s unchanged: nothing was sent", old.Name))
	}
	if name != "" && !strings.EqualFold(name, old.Name) {
		if rbac.IsBuiltin(strings.ToLower(name)) {
			return cmdutil.Usagef("%q is a built-in role name; choose another name", name)
		}
		if _, taken := sess.Roles.Lookup(name); taken {
			return liveagent.NewError(liveagent.KindConflict, "a role named %q already exists", name)
		}
	}
	def := rbac.Role{ID: old.ID, Name: old.Name, Base: old.Base, Permissions: perms}
	req.Action, req.Role = rbac.UpdateRole, &def
	if d := rbac.Decide(req); !d.Allowed {
		return &liveagent.Error{Kind: liveagent.KindForbidden, Message: d.Reason}
	}
	up := liveagent.RoleUpdate{}
	if name != "" {
		up.Name = &name
	}
	if len(grants)+len(revokes) > 0 {
		names := perms.Names()
		up.Permissions = &names
	}
	r, err := c.UpdateRole(roleJournaled(ctx, "role-update", old), old.ID, up)
	if err != nil {
		return err
	}
	return cmdutil.WriteAfterChange(printRole(f, o, *r, fmt.Sprintf("updated role %s (based on %s, %s, %s)",
		r.Name, r.Base, text.Count(len(r.Permissions), "permission", "permissions"), text.Count(r.AgentCount, "agent", "agents"))),
		fmt.Sprintf("role %s was updated", r.Name))
}

func newCmdDelete(f *cmdutil.Factory) *cobra.Command {
	var reassign string
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete <role> [--reassign-to ROLE] [--yes]",
		Short: "Delete a custom role",
		Long: `Delete a custom role. A role still held by active agents cannot be deleted (exit 6)
unless --reassign-to names the role they move to, in the same step. On a terminal you
are asked to confirm unless --yes; off a terminal --yes is required.`,
		Example: `  ladmin role delete support-lead --yes
  ladmin role delete support-lead --reassign-to agent --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes && !f.IOStreams.CanPrompt() {
				return cmdutil.Usagef("refusing to delete without --yes when not running on a terminal")
			}
			return deleteRun(cmd.Context(), f, args[0], reassign, yes)
		},
	}
	cmd.Flags().StringVar(&reassign, "reassign-to", "", "move the role's agents to this role first")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.ValidArgsFunction = cmdutil.RoleArg(f)
	_ = cmd.RegisterFlagCompletionFunc("reassign-to", cmdutil.CompleteRoles(f))
	return cmd
}

func deleteRun(ctx context.Context, f *cmdutil.Factory, ref, reassign string, yes bool) error {
	t, err := startRoleChange(ctx, f, ref)
	if err != nil {
		return err
	}
	o, c, sess, old, req := t.o, t.c, t.sess, t.old, t.req
	req.Action = rbac.DeleteRole
	var to liveagent.Role
	if reassign != "" {
		if to, err = cmdutil.ResolveRole(sess.Roles, reassign); err != nil {
			return err
		}
		if to.ID == old.ID {
			return cmdutil.Usagef("--reassign-to must name another role than %s", old.Name)
		}
		toRole := to.RBAC()
		req.Role = &toRole
	}
	if d := rbac.Decide(req); !d.Allowed {
		return &liveagent.Error{Kind: liveagent.KindForbidden, Message: d.Reason}
	}
	if old.AgentCount > 0 && reassign == "" {
		return liveagent.NewError(liveagent.KindConflict,
			"role %s is still held by %s; pass --reassign-to ROLE to move them first", old.Name, text.Count(old.AgentCount, "active agent", "active agents"))
	}
	if !yes {
		ok, err := f.IOStreams.Confirm(fmt.Sprintf("Delete role %s (held by %s)?", old.Name, text.Count(old.AgentCount, "agent", "agents")))
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.Exit(cmdutil.ExitUsage, "cancelled: nothing was deleted")
		}
	}
	if err := c.DeleteRole(roleJournaled(ctx, "role-delete", old), old.ID, to.ID); err != nil {
		return err
	}
	line := "deleted role " + old.Name
	if reassign != "" {
		line += "; its agents now have the role " + to.Name
	}
	return cmdutil.WriteAfterChange(printRole(f, o, old, line), "role "+old.Name+" was deleted") // for programs: the role as it was
}

// roleJournaled tells the journal which role a write changes, as it was.
func roleJournaled(ctx context.Context, op string, old liveagent.Role) context.Context {
	return liveagent.WithBefore(ctx, liveagent.Before{Op: op, Target: old.Name, State: &old})
}
