package role

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
)

// MatrixRole is one column of the matrix as programs see it (-o json|yaml).
type MatrixRole struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Base    string `json:"base"`
	Builtin bool   `json:"builtin"`
	Holders int    `json:"holders"` // active agents holding the role
	// Permissions is null for a custom role seen only from outside (an
	// account without the extensions): they cannot be known.
	Permissions []string `json:"permissions"`
	Opaque      bool     `json:"opaque,omitempty"`
}

// Matrix is every role of the account with its active holders counted from
// the agents themselves (so it is the same on accounts whose roles carry no
// agent_count).
func Matrix(roles *liveagent.RoleIndex, agents []liveagent.Agent) []MatrixRole {
	counts := map[string]int{}
	for _, a := range agents {
		if a.Active() {
			counts[roles.Of(a).ID]++
		}
	}
	list := roles.List()
	out := make([]MatrixRole, 0, len(list))
	for _, r := range list {
		m := MatrixRole{ID: r.ID, Name: r.Name, Base: r.Base, Builtin: r.Builtin, Holders: counts[r.ID], Opaque: r.Opaque}
		if !r.Opaque {
			m.Permissions = r.RBAC().Permissions.Names()
		}
		out = append(out, m)
	}
	return out
}

func newCmdMatrix(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "matrix",
		Short: "Show every role against every permission",
		Long: `Show the account's roles (built-in and custom, with how many active agents hold each)
against the permission catalog: a row per permission, a column per role, ✓ where the role
holds it. -o csv gives the same grid for a spreadsheet (yes where held); -o json and
-o yaml give each role with its holder count and permissions.`,
		Example: `  ladmin role matrix
  ladmin role matrix -o csv > roles.csv
  ladmin role matrix -o json --jq '.[] | select(.permissions | index("billing.manage")) | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o, c, err := f.Connect()
			if err != nil {
				return err
			}
			roles, agents, err := rolesAndActiveAgents(cmd.Context(), c)
			if err != nil {
				return err
			}
			m := Matrix(roles, agents)
			for _, r := range m {
				if r.Opaque {
					f.Warnf("%s is a custom role this account's API does not show (GET /roles is not part of LiveAgent's published API): its permissions are unknown (?); see it in LiveAgent's Configuration > Roles", r.Name)
				}
			}
			switch {
			case o.JQ != "" || o.Format == output.FormatJSON || o.Format == output.FormatYAML:
				return output.PrintList(f.IOStreams.Out, o, m, nil)
			case o.Format == output.FormatCSV:
				header, rows := matrixGrid(m, "yes", false)
				return output.CSV(f.IOStreams.Out, header, rows, o.NoHeaders)
			}
			header, rows := matrixGrid(m, "✓", true)
			// Every column is a permission or a role: none is cut, the grid
			// overflows a narrow terminal rather than hide a role.
			fits := make([]output.Fit, len(header))
			for i := range fits {
				fits[i] = output.Keep
			}
			return output.Table(f.IOStreams.Out, header, rows, output.TableOptions{NoHeaders: o.NoHeaders, Fits: fits})
		},
	}
}

// matrixGrid lays the matrix out as a row per permission and a column per
// role; for people the column headers carry the holder count.
func matrixGrid(m []MatrixRole, mark string, counts bool) (header []string, rows [][]string) {
	header = []string{"PERMISSION"}
	held := make([]rbac.Set, len(m))
	for i, r := range m {
		h := r.Name
		if counts {
			h = fmt.Sprintf("%s (%s)", r.Name, strconv.Itoa(r.Holders))
		}
		header = append(header, h)
		held[i] = rbac.MustSet(r.Permissions...)
	}
	for _, p := range rbac.Catalog() {
		row := []string{p.Name}
		for i := range m {
			cell := ""
			switch {
			case m[i].Opaque:
				cell = "?"
			case held[i].Has(p.Name):
				cell = mark
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return header, rows
}
