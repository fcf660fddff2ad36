// Package role holds `ladmin role`, `ladmin permission` and `ladmin can-i`.
package role

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

// NewCmdRole is `ladmin role`.
func NewCmdRole(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "role <command>",
		Short: "List, show and define roles",
		Long: `Roles are sets of permissions. Every account has three built-in roles (owner, admin,
agent) and may define custom roles based on one of them. See 'ladmin permission list'
for the catalog of permissions.`,
		Example: `  ladmin role list
  ladmin role show admin
  ladmin role create support-lead --from agent --grant reports.all
  ladmin role delete support-lead --reassign-to agent --yes`,
	}
	cmd.AddCommand(newCmdList(f), newCmdShow(f), newCmdMatrix(f), newCmdCreate(f), newCmdUpdate(f), newCmdDelete(f))
	return cmd
}

func roleColumns() []output.Column {
	r := func(i any) liveagent.Role { return i.(liveagent.Role) }
	return []output.Column{
		{Header: "NAME", Fit: output.Keep, Value: func(i any) string {
			if r(i).Opaque {
				return r(i).Label() // custom:<id> (based on <role>)
			}
			return r(i).Name
		}},
		{Header: "BASE", Value: func(i any) string { return r(i).Base }},
		{Header: "TYPE", Value: func(i any) string {
			switch {
			case r(i).Builtin:
				return "built-in"
			case r(i).Opaque:
				return "custom (not visible)"
			}
			return "custom"
		}},
		{Header: "AGENTS", Value: func(i any) string { return strconv.Itoa(r(i).AgentCount) }},
		{Header: "PERMISSIONS", Value: func(i any) string {
			if r(i).Opaque {
				return "?"
			}
			return strconv.Itoa(len(r(i).Permissions))
		}},
		{Header: "ID", Wide: true, Fit: output.Keep, Value: func(i any) string { return r(i).ID }},
	}
}

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List built-in and custom roles with their agent counts",
		Long: `List the account's roles: the three built-ins first, then custom roles by name, with how many active agents hold each.

On an account with only LiveAgent's published API the custom roles' definitions cannot
be read: each custom role its agents hold is listed as custom:<id> (based on <role>),
with its agent count and its permissions shown as ?.`,
		Example: `  ladmin role list
  ladmin role list -o json --jq '.[] | select(.builtin | not) | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o, c, err := f.Connect()
			if err != nil {
				return err
			}
			roles, err := c.RolesCounted(cmd.Context())
			if err != nil {
				return err
			}
			return output.PrintList(f.IOStreams.Out, o, roles.List(), roleColumns())
		},
	}
}

func newCmdShow(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "show <role>",
		Short: "Show a role's permissions against the whole catalog",
		Long: `Show which permissions of the catalog a role holds, as a table of every permission
with a ✓ for those held. With -o json the role is printed with its permissions as a list.`,
		Example: `  ladmin role show admin
  ladmin role show support-lead -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cmdutil.RoleArg(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, c, err := f.Connect()
			if err != nil {
				return err
			}
			roles, err := c.RolesCounted(cmd.Context())
			if err != nil {
				return err
			}
			r, err := cmdutil.FindRole(roles, args[0])
			if err != nil {
				return err
			}
			if r.Opaque && r.Base == "" {
				return liveagent.NewError(liveagent.KindNotFound, "role %q not found: no agent holds a custom role with id %s", args[0], r.ID)
			}
			if cmdutil.IsStructured(o) {
				return output.PrintObject(f.IOStreams.Out, o, r, roleColumns())
			}
			return printRoleMatrix(f, r)
		},
	}
}

// printOpaqueRole says what is and is not known of a custom role seen from outside.
func printOpaqueRole(f *cmdutil.Factory, r liveagent.Role) error {
	_, err := fmt.Fprintf(f.IOStreams.Out, `%s: a custom role, %s
Known:     its id %s, its base role %s, and who holds it (ladmin agent list --role %s)
Not known: its name and its permissions: this account has only LiveAgent's published API,
           which does not show custom role definitions (GET /roles); see them in
           LiveAgent's Configuration > Roles
`, r.Label(), text.Count(r.AgentCount, "active agent", "active agents"), r.ID, r.Base, r.Name)
	return err
}

// printRoleMatrix prints the whole catalog with a mark for each permission the role holds.
func printRoleMatrix(f *cmdutil.Factory, r liveagent.Role) error {
	if r.Opaque {
		return printOpaqueRole(f, r)
	}
	held := r.RBAC().Permissions
	kind := "built-in role"
	if !r.Builtin {
		kind = "custom role based on " + r.Base
	}
	fmt.Fprintln(f.IOStreams.Out, strings.TrimSuffix(output.Paragraph(text.Safe(fmt.Sprintf("%s (%s): %d of %d permissions, %s",
		r.Name, kind, held.Len(), len(rbac.Catalog()), text.Count(r.AgentCount, "active agent", "active agents"))),
		f.IOStreams.TerminalWidth()), "\n"))
	fmt.Fprintln(f.IOStreams.Out)
	var rows [][]string
	for _, p := range rbac.Catalog() {
		m := ""
		if held.Has(p.Name) {
			m = "✓"
		}
		rows = append(rows, []string{m, p.Name, p.Description})
	}
	return output.Table(f.IOStreams.Out, []string{"", "PERMISSION", "DESCRIPTION"}, rows, f.TableOptions(output.Keep, output.Keep, output.Wrap))
}
