// Package auth holds `ladmin auth` and `ladmin whoami`: who the key belongs
// to, and saving, checking and forgetting keys.
package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
)

// Identity is what whoami prints for programs. The caller is one of two
// kinds: "agent" (the agent behind the key, with its role) or "api_key" (an
// account without the extensions: the key, known by its LiveAgent
// privileges and the permissions they map to).
type Identity struct {
	Caller string           `json:"caller"`
	API    string           `json:"api"`
	Agent  *liveagent.Agent `json:"agent,omitempty"`
	Role   *liveagent.Role  `json:"role,omitempty"`
	// Privileges and Permissions describe a key caller.
	Privileges  []string `json:"privileges,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
}

// The kinds of caller.
const (
	CallerAgent = "agent"
	CallerKey   = "api_key"
)

// NewCmdWhoami is `ladmin whoami`.
func NewCmdWhoami(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "Show the agent behind the API key, its role and permissions",
		Long: `Show the agent that owns the API key in use, its role (built-in or custom) and every
permission that role holds.

On an account with only LiveAgent's published API the agent behind a key cannot be
asked for: whoami then shows the key itself, its LiveAgent privileges and the
permissions they map to, and says that the rule "nobody changes their own role or
deletes themselves" is left to the account.`,
		Example: `  ladmin whoami
  ladmin whoami -o json --jq .role.permissions`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o, c, err := f.Connect()
			if err != nil {
				return err
			}
			id, err := identify(cmd.Context(), c)
			if err != nil {
				return err
			}
			if cmdutil.IsStructured(o) {
				return output.PrintObject(f.IOStreams.Out, o, id, nil)
			}
			return output.PrintKeyValues(f.IOStreams.Out, identityRows(id), f.IOStreams.TerminalWidth())
		},
	}
}

func identify(ctx context.Context, c *liveagent.Client) (Identity, error) {
	s, err := c.Session(ctx)
	if err != nil {
		return Identity{}, err
	}
	if s.Key {
		perms, _ := rbac.PermissionsOfPrivileges(s.Privileges)
		return Identity{Caller: CallerKey, API: s.API, Privileges: s.Privileges, Permissions: perms.Names()}, nil
	}
	role := s.Roles.Of(s.Me)
	return Identity{Caller: CallerAgent, API: s.API, Agent: &s.Me, Role: &role}, nil
}

// apiText says which API the account has, for people.
func apiText(api string) string {
	if api == liveagent.APIPublished {
		return "LiveAgent published API only"
	}
	return "published API + ladmin extensions"
}

// whoText is who the caller is, in one line.
func whoText(id Identity) string {
	if id.Caller == CallerKey {
		return "an API key (the account does not say which agent owns it)"
	}
	return fmt.Sprintf("%s <%s> (role %s)", id.Agent.Name, id.Agent.Email, id.Role.Label())
}

func identityRows(id Identity) [][2]string {
	if id.Caller == CallerKey {
		privs := strings.Join(id.Privileges, ", ")
		if privs == "" {
			privs = "(none)"
		}
		perms := strings.Join(id.Permissions, ", ")
		if perms == "" {
			perms = "(none that ladmin knows)"
		}
		return [][2]string{
			{"Caller", "API key (this account has only LiveAgent's published API, which does not say which agent owns a key)"},
			{"Privileges", privs},
			{"Permissions", perms},
			{"Note", "ladmin checks its rules against these permissions only; whether the key's own agent is the target (no self-delete, no self-role-change) is left to the account"},
		}
	}
	return [][2]string{
		{"Name", id.Agent.Name},
		{"Email", id.Agent.Email},
		{"ID", id.Agent.ID},
		{"Role", id.Role.Label()},
		{"Permissions", strings.Join(id.Role.Permissions, ", ")},
	}
}
