// Package configcmd holds `ladmin config`.
package configcmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/config"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
)

// NewCmdConfig is `ladmin config`.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Read and change saved settings and profiles",
		Long: `Read and change the settings saved in the config file, per profile: ` + strings.Join(config.Keys, ", ") + `.

Settings apply in this order: flag, then environment variable, then the profile, then
the default. The API key is not a setting here: use 'ladmin auth login'.`,
		Example: `  ladmin config list
  ladmin config set output json
  ladmin config set --profile staging url https://acme-staging.ladesk.com
  ladmin config use-profile staging`,
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:       "get <key>",
			Short:     "Print one setting of the profile in use",
			Long:      "Print one setting of the profile in use (or of --profile). Keys: " + strings.Join(config.Keys, ", ") + ".",
			Example:   "  ladmin config get url",
			Args:      cobra.ExactArgs(1),
			ValidArgs: config.Keys,
			RunE: func(cmd *cobra.Command, args []string) error {
				cfg, err := f.Config()
				if err != nil {
					return err
				}
				v, err := cfg.Get(f.ProfileName(), args[0])
				if err != nil {
					return cmdutil.Usagef("%s", err.Error())
				}
				if args[0] == config.KeyURL {
					v = liveagent.RedactURL(v) // a password in it stays in the config file
				}
				_ = cmdutil.PrintLine(f.IOStreams, v)
				return nil
			},
		},
		&cobra.Command{
			Use:       "set <key> <value>",
			Short:     "Change one setting of the profile in use",
			Long:      "Change one setting of the profile in use (or of --profile) and save the config file with mode 0600.",
			Example:   "  ladmin config set output json\n  ladmin config set timeout 1m",
			Args:      cobra.ExactArgs(2),
			ValidArgs: config.Keys,
			RunE: func(cmd *cobra.Command, args []string) error {
				cfg, err := f.Config()
				if err != nil {
					return err
				}
				if args[0] == config.KeyURL {
					// The client's own check: refuse now what it would refuse later.
					if _, err := liveagent.CheckURL(args[1]); err != nil {
						return cmdutil.Usagef("%s", err.Error())
					}
				}
				if err := cfg.Set(f.ProfileName(), args[0], args[1]); err != nil {
					return cmdutil.Usagef("%s", err.Error())
				}
				if err := cfg.Save(); err != nil {
					return fmt.Errorf("could not save the config file: %w", err)
				}
				f.Notef("set %s for profile %q", args[0], f.ProfileName())
				return nil
			},
		},
		&cobra.Command{
			Use:     "list",
			Aliases: []string{"ls"},
			Short:   "List the settings of the profile in use",
			Long:    "List the settings of the profile in use (or of --profile). A saved API key shows as (set), never its value.",
			Example: "  ladmin config list\n  ladmin config list --profile staging",
			Args:    cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				cfg, err := f.Config()
				if err != nil {
					return err
				}
				rows := cfg.List(f.ProfileName())
				table := make([][]string, len(rows))
				for i, r := range rows {
					table[i] = []string{r[0], r[1]}
					if r[0] == config.KeyURL {
						table[i][1] = liveagent.RedactURL(r[1])
					}
				}
				return output.Table(f.IOStreams.Out, []string{"KEY", "VALUE"}, table, f.TableOptions(output.Keep, output.Truncate))
			},
		},
		&cobra.Command{
			Use:               "use-profile <name>",
			Short:             "Make a saved profile the current one",
			Long:              "Make a saved profile the one used when neither --profile nor LADMIN_PROFILE is given.",
			Example:           "  ladmin config use-profile staging",
			Args:              cobra.ExactArgs(1),
			ValidArgsFunction: cmdutil.CompleteProfiles(f),
			RunE: func(cmd *cobra.Command, args []string) error {
				cfg, err := f.Config()
				if err != nil {
					return err
				}
				if _, ok := cfg.Profile(args[0]); !ok {
					return liveagent.NewError(liveagent.KindNotFound, "profile %q not found (profiles: %s)",
						args[0], strings.Join(cfg.ProfileNames(), ", "))
				}
				cfg.CurrentProfile = args[0]
				if err := cfg.Save(); err != nil {
					return fmt.Errorf("could not save the config file: %w", err)
				}
				fmt.Fprintf(f.IOStreams.Out, "Now using profile %q\n", args[0])
				return nil
			},
		},
	)
	return cmd
}
