package role

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

// Holder is one row of `who-can`: an active agent holding the permission and
// the role that grants it.
type Holder struct {
	ID       string `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	RoleID   string `json:"role_id"`
	RoleType string `json:"role_type"` // built-in or custom
}

// rolesAndActiveAgents reads the account's roles and its active agents at
// the same time: who-can and the matrix need both and nothing else.
func rolesAndActiveAgents(ctx context.Context, c *liveagent.Client) (*liveagent.RoleIndex, []liveagent.Agent, error) {
	var (
		wg                sync.WaitGroup
		roles             *liveagent.RoleIndex
		agents            []liveagent.Agent
		rolesErr, listErr error
	)
	wg.Add(2)
	go func() { defer wg.Done(); roles, rolesErr = c.Roles(ctx) }()
	go func() { defer wg.Done(); agents, listErr = c.ListAgents(ctx, liveagent.ListOptions{}) }()
	wg.Wait()
	if rolesErr != nil {
		return nil, nil, rolesErr
	}
	if listErr != nil {
		return nil, nil, listErr
	}
	active := agents[:0]
	for _, a := range agents {
		if a.Active() {
			active = append(active, a)
		}
	}
	// On an account without the extensions, the custom roles its agents
	// hold are known only from outside: list them as custom:<id>.
	roles.AddSeen(active)
	return roles, active, nil
}

// roleType names the kind of a role for people and programs.
func roleType(r liveagent.Role) string {
	if r.Builtin {
		return "built-in"
	}
	return "custom"
}

// WhoCan lists the active agents whose role holds perm, in the account's order.
func WhoCan(roles *liveagent.RoleIndex, agents []liveagent.Agent, perm string) []Holder {
	holders := []Holder{}
	for _, a := range agents {
		if !a.Active() {
			continue
		}
		r := roles.Of(a)
		if r.Opaque || !r.RBAC().Has(perm) { // an opaque role: unknown, never guessed
			continue
		}
		holders = append(holders, Holder{ID: a.ID, Email: a.Email, Name: a.Name,
			Role: r.Name, RoleID: a.RoleID, RoleType: roleType(r)})
	}
	return holders
}

// unseenHolders is the exit-8 error when agents hold custom roles whose
// permissions the account's API does not show: the list printed is then
// only part of the answer, and saying so is better than a silent miss.
func unseenHolders(roles *liveagent.RoleIndex, agents []liveagent.Agent, perm string) error {
	n := 0
	seen := map[string]bool{}
	var names []string
	for _, a := range agents {
		if r := roles.Of(a); r.Opaque && a.Active() {
			n++
			if !seen[r.ID] {
				seen[r.ID] = true
				names = append(names, r.Name)
			}
		}
	}
	if n == 0 {
		return nil
	}
	return &liveagent.Error{Kind: liveagent.KindUnsupported, Message: fmt.Sprintf(
		"%s custom roles (%s) whose permissions this account's API does not show (GET /roles is not part of LiveAgent's published API), so whether they hold %s cannot be told; the list above is only of built-in role holders: see those roles in LiveAgent's Configuration > Roles",
		text.Count(n, "active agent holds", "active agents hold"), strings.Join(names, ", "), perm)}
}

// NewCmdWhoCan is `ladmin who-can`.
func NewCmdWhoCan(f *cmdutil.Factory) *cobra.Command {
	h := func(i any) Holder { return i.(Holder) }
	return &cobra.Command{
		Use:   "who-can <permission>",
		Short: "Every active agent holding a permission, and through which role",
		Long: `List every active agent whose role holds the permission, with the role (built-in or
custom) that grants it. The answer to "who can change roles?" is
'ladmin who-can agents.roles'. An unknown permission is exit 2 with a suggestion.`,
		Example: `  ladmin who-can agents.roles
  ladmin who-can billing.manage -o csv
  ladmin who-can apikeys.manage -o json --jq '.[].email'`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return rbac.PermissionNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			perm := args[0]
			if err := cmdutil.ResolvePermission(perm); err != nil {
				return err
			}
			o, c, err := f.Connect()
			if err != nil {
				return err
			}
			roles, agents, err := rolesAndActiveAgents(cmd.Context(), c)
			if err != nil {
				return err
			}
			holders := WhoCan(roles, agents, perm)
			if len(holders) == 0 && !cmdutil.IsStructured(o) {
				f.Notef("No active agent holds %s.", perm)
				return nil
			}
			if err := output.PrintList(f.IOStreams.Out, o, holders, []output.Column{
				{Header: "EMAIL", Fit: output.Keep, Value: func(i any) string { return h(i).Email }},
				{Header: "NAME", Value: func(i any) string { return h(i).Name }},
				{Header: "ROLE", Value: func(i any) string { return h(i).Role }},
				{Header: "TYPE", Value: func(i any) string { return h(i).RoleType }},
				{Header: "ID", Wide: true, Fit: output.Keep, Value: func(i any) string { return h(i).ID }},
			}); err != nil {
				return err
			}
			if !cmdutil.IsStructured(o) {
				f.Notef("%s hold %s.", text.Count(len(holders), "active agent", "active agents"), perm)
			}
			return unseenHolders(roles, agents, perm)
		},
	}
}
