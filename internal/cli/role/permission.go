package role

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
)

// NewCmdPermission is `ladmin permission`.
func NewCmdPermission(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "permission <command>",
		Short:   "List the permission catalog",
		Long:    "Permissions are the dotted names roles are made of, e.g. agents.invite.",
		Example: "  ladmin permission list",
	}
	p := func(i any) liveagent.Permission { return i.(liveagent.Permission) }
	cmd.AddCommand(&cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List every permission with what it allows",
		Long:    "List the account's permission catalog: every permission a role can hold, with what it allows.",
		Example: "  ladmin permission list\n  ladmin permission list -o json --jq '.[].name'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o, c, err := f.Connect()
			if err != nil {
				return err
			}
			perms, err := c.ListPermissions(cmd.Context())
			if k := liveagent.KindOf(err); k == liveagent.KindNotFound || k == liveagent.KindUnsupported {
				// An account without the extension: the catalog we know.
				perms, err = rbac.Catalog(), nil
			}
			if err != nil {
				return err
			}
			return output.PrintList(f.IOStreams.Out, o, perms, []output.Column{
				{Header: "PERMISSION", Fit: output.Keep, Value: func(i any) string { return p(i).Name }},
				{Header: "DESCRIPTION", Fit: output.Wrap, Value: func(i any) string { return p(i).Description }},
			})
		},
	})
	return cmd
}

// CanI is what `can-i -o json` prints.
type CanI struct {
	Permission string `json:"permission"`
	Allowed    bool   `json:"allowed"`
	Agent      string `json:"agent"`
	Role       string `json:"role"`
}

// NewCmdCanI is `ladmin can-i`.
func NewCmdCanI(f *cmdutil.Factory) *cobra.Command {
	var (
		as   string
		list bool
	)
	cmd := &cobra.Command{
		Use:   "can-i <permission> [--as <id|email>] | --list",
		Short: "Check whether you (or another agent) hold a permission",
		Long: `Print yes or no on stdout and exit 0 for yes or 4 for no, like kubectl auth can-i; the
role that grants or lacks the permission is named on stderr (not with -q). Without --as it
asks about the key in use. With --list, every permission of the catalog is printed with
yes or no (exit 0), like kubectl auth can-i --list.`,
		Example: `  ladmin can-i agents.invite
  ladmin can-i billing.manage --as ana@acme.com
  if ladmin can-i agents.invite -q; then ladmin agent import -f new.csv; fi
  ladmin can-i --list --as ana@acme.com`,
		Args: func(cmd *cobra.Command, args []string) error {
			if list {
				if len(args) > 0 {
					return fmt.Errorf("--list takes no permission: it prints every one")
				}
				return nil
			}
			if len(args) != 1 {
				return fmt.Errorf("can-i needs one permission name (or --list for all of them)")
			}
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return rbac.PermissionNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var perm string
			if !list {
				perm = args[0]
				if err := cmdutil.ResolvePermission(perm); err != nil {
					return err
				}
			}
			o, c, err := f.Connect()
			if err != nil {
				return err
			}
			sess, err := c.Session(cmd.Context())
			if err != nil {
				return err
			}
			var who liveagent.Agent
			var role liveagent.Role
			keyCaller := sess.Key && as == ""
			if keyCaller {
				// A key caller is known only by its privileges: what they
				// cannot express is not held, as far as ladmin can tell.
				actor := sess.Actor()
				role = liveagent.Role{Name: actor.Role.Label(), Permissions: actor.Role.Permissions.Names()}
			} else {
				who = sess.Me
				if as != "" {
					a, err := c.ResolveAgent(cmd.Context(), as, false)
					if err != nil {
						return err
					}
					who = *a
				}
				role = sess.Roles.Of(who)
				if role.Opaque {
					what := "holds " + perm
					if list {
						what = "holds which permissions"
					}
					return cmdutil.OpaqueRoleError(role, fmt.Sprintf("cannot tell whether %s %s", who.Email, what),
						"see the role in LiveAgent itself (Configuration > Roles)")
				}
			}
			if list {
				return printCanIList(f, o, who, role)
			}
			res := CanI{Permission: perm, Allowed: role.RBAC().Has(perm), Agent: who.Email, Role: role.Name}
			because := "role " + role.Name + " of " + who.Email
			if keyCaller {
				because = "the " + role.Name
				if !rbac.Expressible().Has(perm) {
					because += " (LiveAgent privileges cannot express " + perm + ", so it is not counted as held)"
				}
			}
			switch {
			case cmdutil.IsStructured(o):
				if err := output.PrintObject(f.IOStreams.Out, o, res, nil); err != nil {
					return err
				}
			case res.Allowed:
				// yes/no alone on stdout, so `[ "$(ladmin can-i X)" = yes ]` works;
				// the reason is for people, on stderr.
				fmt.Fprintln(f.IOStreams.Out, "yes")
				f.Notef("%s holds %s", because, perm)
			default:
				fmt.Fprintln(f.IOStreams.Out, "no")
				f.Notef("%s does not hold %s", because, perm)
			}
			if !res.Allowed {
				return cmdutil.Silent(cmdutil.ExitForbidden)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "ask about this agent (id or email) instead of the key in use")
	_ = cmd.RegisterFlagCompletionFunc("as", cmdutil.CompleteAgents(f, cmdutil.ActiveAgents))
	cmd.Flags().BoolVar(&list, "list", false, "print every permission of the catalog with yes or no")
	return cmd
}

// printCanIList prints every permission of the catalog with whether role
// holds it: a table for people, a list of CanI for programs.
func printCanIList(f *cmdutil.Factory, o output.Options, who liveagent.Agent, role liveagent.Role) error {
	held := role.RBAC().Permissions
	rows := make([]CanI, 0, len(rbac.Catalog()))
	for _, p := range rbac.Catalog() {
		rows = append(rows, CanI{Permission: p.Name, Allowed: held.Has(p.Name), Agent: who.Email, Role: role.Name})
	}
	c := func(i any) CanI { return i.(CanI) }
	if err := output.PrintList(f.IOStreams.Out, o, rows, []output.Column{
		{Header: "PERMISSION", Value: func(i any) string { return c(i).Permission }},
		{Header: "ALLOWED", Value: func(i any) string {
			if c(i).Allowed {
				return "yes"
			}
			return "no"
		}},
	}); err != nil {
		return err
	}
	if !cmdutil.IsStructured(o) {
		if who.Email == "" {
			f.Notef("the %s holds %d of %d permissions that ladmin can know", role.Name, held.Len(), len(rows))
		} else {
			f.Notef("role %s of %s holds %d of %d permissions", role.Name, who.Email, held.Len(), len(rows))
		}
	}
	return nil
}
