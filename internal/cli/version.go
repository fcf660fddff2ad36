package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/output"
)

type versionInfo struct {
	cmdutil.BuildInfo
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

func newCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of ladmin",
		Long:  "Print the version, commit and build date of this ladmin binary. It reads no configuration and contacts no server.",
		Example: `  ladmin version
  ladmin version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			info := versionInfo{BuildInfo: f.Build, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
			o := output.Options{Format: f.Viper.GetString("output"), JQ: f.Viper.GetString("jq")}
			if cmdutil.IsStructured(o) {
				if err := output.Validate(o); err != nil {
					return cmdutil.Usagef("%s", err.Error())
				}
				return output.PrintObject(f.IOStreams.Out, o, info, nil)
			}
			fmt.Fprintf(f.IOStreams.Out, "ladmin %s (commit %s, built %s, %s %s)\n",
				info.Version, info.Commit, info.Date, info.GoVersion, info.Platform)
			return nil
		},
	}
}
