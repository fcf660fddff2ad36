// Package auth holds `ladmin auth` and `ladmin whoami`: who the key belongs
// to, and saving, checking and forgetting keys.
package auth

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
)

// Identity is what whoami prints for programs.
type Identity struct {
	Agent liveagent.Agent `json:"agent"`
	Role  liveagent.Role  `json:"role"`
}

// NewCmdWhoami is `ladmin whoami`.
func NewCmdWhoami(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "Show the agent behind the API key, its role and permissions",
		Long:  "Show the agent that owns the API key in use, its role (built-in or custom) and every permission that role holds.",
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
	return Identity{Agent: s.Me, Role: s.Roles.Of(s.Me)}, nil
}

func roleText(r liveagent.Role) string {
	if r.Builtin {
		return r.Name
	}
	return r.Name + " (custom, based on " + r.Base + ")"
}

func identityRows(id Identity) [][2]string {
	return [][2]string{
		{"Name", id.Agent.Name},
		{"Email", id.Agent.Email},
		{"ID", id.Agent.ID},
		{"Role", roleText(id.Role)},
		{"Permissions", strings.Join(id.Role.Permissions, ", ")},
	}
}
