// Package review holds `ladmin review export` and `ladmin review apply`: the
// quarterly access review of spec/lifecycle.md.
package review

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/bulk"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/review"
	"github.com/ladmin/ladmin/internal/text"
)

// NewCmdReview is `ladmin review`.
func NewCmdReview(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "review <command>",
		Short: "Access reviews: export, decide, apply, keep the evidence",
		Long: `An access review is the human version of audit: once a quarter someone looks at every
privileged holder and signs off. 'review export' writes a file with a row per agent and an
empty decision column; the reviewer writes keep, offboard or role:NAME in it (role:agent
removes the privilege and keeps the person); 'review apply' checks that nobody changed
since the export, applies the decisions and writes the evidence.`,
		Example: `  ladmin review export --output-file review.csv
  ladmin review apply review.csv --reviewer ciso@acme.com --evidence review-evidence.json`,
	}
	cmd.AddCommand(newCmdExport(f), newCmdApply(f))
	return cmd
}

// ExportOptions are the inputs of `review export`.
type ExportOptions struct {
	F          *cmdutil.Factory
	Scope      string
	OutputFile string
}

func newCmdExport(f *cmdutil.Factory) *cobra.Command {
	opts := &ExportOptions{F: f}
	cmd := &cobra.Command{
		Use:   "export [--scope privileged|all] [--output-file review.csv]",
		Short: "Write the review file: a row per agent in scope, with an empty decision column",
		Long: `Write a review file (CSV; -o json or yaml for programs): a row per active agent in scope,
with its id, email, name, role, role_id, status, the permissions its role holds beyond the
agent role, two-factor, last password change, departments, number of API keys, and two
empty columns for the reviewer, decision and note.

--scope privileged (the default) takes every owner, every admin and every holder of a custom
role with any permission the agent role lacks; --scope all takes every active agent.

Keep the id, role, role_id and status columns as they are: 'review apply' compares them with
the account and applies nothing if any agent changed since the export.`,
		Example: `  ladmin review export --output-file review.csv
  ladmin review export --scope all -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Scope {
			case review.ScopePrivileged, review.ScopeAll:
			default:
				return cmdutil.Usagef("invalid --scope %q: use privileged or all", opts.Scope)
			}
			return exportRun(cmdutil.Context(cmd.Context()), cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Scope, "scope", review.ScopePrivileged, "which agents: privileged (owners, admins, custom roles beyond agent) or all")
	cmd.Flags().StringVar(&opts.OutputFile, "output-file", "", "write the review file here instead of stdout")
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions([]string{review.ScopePrivileged, review.ScopeAll}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func exportRun(ctx context.Context, cmd *cobra.Command, opts *ExportOptions) error {
	f := opts.F
	o, c, err := f.Connect()
	if err != nil {
		return err
	}
	switch o.Format {
	case output.FormatJSON, output.FormatYAML, output.FormatCSV:
	default:
		if fl := cmd.Flags().Lookup("output"); fl != nil && fl.Changed && o.JQ == "" {
			return cmdutil.Usagef("review export writes csv, json or yaml, not %s", o.Format)
		}
		o.Format = output.FormatCSV
	}
	acct, err := bulk.LoadAccount(ctx, c)
	if err != nil {
		return err
	}
	keys, err := keyCounts(ctx, c, acct)
	if err != nil {
		return err
	}
	rows := review.Export(acct, opts.Scope, keys)
	unseen := 0
	for _, r := range rows {
		if r.Permissions == review.UnknownPermissions {
			unseen++
		}
	}
	if unseen > 0 {
		f.Warnf("%s custom roles this account's API does not show; they are in the review with their permissions unknown: check them in LiveAgent's Configuration > Roles",
			text.Count(unseen, "agent holds", "agents hold"))
	}
	if keys == nil {
		f.Warnf("the api_keys column is empty: your key cannot see other agents' API keys (it needs apikeys.read)")
	}
	if opts.OutputFile == "" {
		return output.PrintList(f.IOStreams.Out, o, rows, nil)
	}
	file, err := os.OpenFile(opts.OutputFile, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return cmdutil.Usagef("cannot write the review file: %v", err)
	}
	if err := output.PrintList(file, o, rows, nil); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return cmdutil.Usagef("cannot write the review file: %v", err)
	}
	f.Notef("Wrote %d agents to %s; fill in the decision column (keep, offboard or role:NAME), then run `ladmin review apply %s`.",
		len(rows), opts.OutputFile, opts.OutputFile)
	return nil
}
