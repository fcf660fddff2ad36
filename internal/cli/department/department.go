// Package department holds `ladmin department`.
package department

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
)

// NewCmdDepartment is `ladmin department`.
func NewCmdDepartment(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "department <command>",
		Short:   "List departments",
		Long:    "Departments group agents; `agent create --department` and `agent import` take their names or ids.",
		Example: "  ladmin department list",
	}
	d := func(i any) liveagent.Department { return i.(liveagent.Department) }
	cols := []output.Column{
		{Header: "ID", Fit: output.Keep, Value: func(i any) string { return d(i).DepartmentID }},
		{Header: "NAME", Value: func(i any) string { return d(i).Name }},
		{Header: "AGENTS", Value: func(i any) string { return strconv.Itoa(d(i).AgentCount) }},
		{Header: "ONLINE", Value: func(i any) string {
			if d(i).OnlineStatus == "N" {
				return "yes"
			}
			return "no"
		}},
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List departments with their agent counts",
		Long:    "List the account's departments, with how many agents each has and whether any of them is online.",
		Example: "  ladmin department list\n  ladmin department list -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o, c, err := f.Connect()
			if err != nil {
				return err
			}
			ds, err := c.ListDepartments(cmd.Context())
			if err != nil {
				return err
			}
			return output.PrintList(f.IOStreams.Out, o, ds, cols)
		},
	})
	return cmd
}
