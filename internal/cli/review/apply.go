package review

import (
	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
)

func newCmdApply(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "apply review.csv",
		Short:  "Apply a filled-in review file (not built yet)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmdutil.Usagef("review apply is not built yet")
		},
	}
}
