package agent

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/output"
)

// GetOptions are the inputs of `agent get`.
type GetOptions struct {
	F   *cmdutil.Factory
	Ref string
}

// NewCmdGet is `ladmin agent get`.
func NewCmdGet(f *cmdutil.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{F: f}
	return &cobra.Command{
		Use:   "get <id|email>",
		Short: "Show one agent",
		Long:  "Show one agent, named by id or email, with its role, status and departments. Deleted agents are shown too.",
		Example: `  ladmin agent get ana@acme.com
  ladmin agent get 1a2b3c4d -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cmdutil.AgentArgs(f, cmdutil.ActiveAgents, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return getRun(cmd.Context(), opts)
		},
	}
}

func getRun(ctx context.Context, opts *GetOptions) error {
	f := opts.F
	o, c, err := f.Connect()
	if err != nil {
		return err
	}
	a, err := c.ResolveAgent(ctx, opts.Ref, true)
	if err != nil {
		return err
	}
	if cmdutil.IsStructured(o) {
		return output.PrintObject(f.IOStreams.Out, o, *a, nil)
	}
	roles, err := c.Roles(ctx)
	if err != nil {
		return err
	}
	depts, err := c.Departments(ctx)
	if err != nil {
		return err
	}
	roleText := roles.Of(*a).Label()
	return output.PrintKeyValues(f.IOStreams.Out, [][2]string{
		{"ID", a.ID},
		{"Name", a.Name},
		{"Email", a.Email},
		{"Role", roleText},
		{"Status", statusText(a.Status)},
		{"Departments", strings.Join(departmentNames(depts, a.ID), ", ")},
		{"Gender", a.Gender},
		{"Two-factor", yesNo(a.TwofactorAuth == "Y")},
		{"Online", onlineText(a.OnlineStatus)},
		{"Password changed", localTime(a.LastPswdChange)},
	}, f.IOStreams.TerminalWidth())
}
