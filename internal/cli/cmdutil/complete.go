package cmdutil

import (
	"context"
	"time"

	"github.com/spf13/cobra"
)

// CompleteRoles completes role names from the account in use. Completion
// must never hang a shell, so the lookup gets a short deadline and any
// failure simply completes nothing.
func CompleteRoles(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		c, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		roles, err := c.Roles(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return roles.Names(), cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteProfiles completes the profile names saved in the config file.
func CompleteProfiles(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return cfg.ProfileNames(), cobra.ShellCompDirectiveNoFileComp
	}
}

// RoleArg completes the first positional argument with role names.
func RoleArg(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	roles := CompleteRoles(f)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return roles(cmd, args, toComplete)
	}
}
