// Command startupfloor is the floor of ladmin's start-up time that
// bench/startup.sh measures ladmin against: a program that links only cobra
// and viper (the libraries of the mandated design, at the pinned versions),
// builds one command, binds it to viper and runs it. Whatever ladmin takes
// beyond it is its own work.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

func main() {
	v := viper.New()
	root := &cobra.Command{Use: "floor", SilenceUsage: true}
	root.PersistentFlags().String("profile", "", "a flag bound to viper, as ladmin binds its own")
	_ = v.BindPFlag("profile", root.PersistentFlags().Lookup("profile"))
	root.AddCommand(&cobra.Command{
		Use: "version",
		Run: func(cmd *cobra.Command, args []string) { fmt.Fprintln(cmd.OutOrStdout(), "floor version bench") },
	})
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
