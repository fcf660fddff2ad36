// Package audit holds `ladmin audit`: check who holds which role against a
// policy and a baseline roster, for CI. The checks live in internal/audit.
package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/audit"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

// Options are the inputs of `ladmin audit`.
type Options struct {
	F            *cmdutil.Factory
	PolicyFile   string
	BaselineFile string
	Format       string
	OutputFile   string
	JQ           string
}

// NewCmdAudit is `ladmin audit`.
func NewCmdAudit(f *cmdutil.Factory) *cobra.Command { return newCmdAudit(f, nil) }

func newCmdAudit(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "audit [--policy FILE] [--baseline FILE]",
		Short: "Check role assignments against a policy and a baseline (for CI)",
		Long: `Read the account's agents and roles once and check them against a policy file, a
baseline roster, or both. Made for CI: it fails the job when someone holds a role
they should not.

The policy is YAML; every key is optional, but a policy must check something:

  owners: {min: 1, max: 2}            # active owners
  admins: {max: 5}                    # active admins (admin, or custom roles based on admin)
  allowed_email_domains: [acme.com]   # *.acme.com allows subdomains
  privileged_allowlist: [alice@acme.com, '*@it.acme.com']
  require_two_factor: [owner, admin]  # a built-in name covers custom roles based on it
  forbidden_permissions_for_custom_roles: [billing.manage]
  rules:
    - name: support desk has no admins
      select: {department: support, role: admin}   # also email, status, two_factor
      expect: none                                  # or {min: N, max: N}
      severity: error                               # or warning

The baseline is the output of ` + "`ladmin agent export -o json`" + ` (or csv, yaml): every agent
added, deleted, restored or moved to another role since is a finding.

Exit status: 0 no error findings (warnings allowed), 1 error findings, 2 invalid
policy or baseline (FILE:LINE: problem), 3/4/7 when the account could not be read
in full: the audit never reports clean on partial data. See docs/audit.md.`,
		Example: `  ladmin audit --policy policy.yaml
  ladmin agent export -o json > roster.json    # later:
  ladmin audit --baseline roster.json --format markdown
  ladmin audit --policy policy.yaml --format sarif --output-file audit.sarif
  ladmin audit --policy policy.yaml --format github    # in GitHub Actions`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.resolveFormat(cmd); err != nil {
				return err
			}
			if opts.PolicyFile == "" && opts.BaselineFile == "" {
				return cmdutil.Usagef("nothing to audit: pass --policy FILE, --baseline FILE, or both (see `ladmin audit --help`)")
			}
			if err := cmdutil.CheckOutputs([]cmdutil.File{{Flag: "--output-file", Path: opts.OutputFile}},
				[]cmdutil.File{{Flag: "--policy", Path: opts.PolicyFile}, {Flag: "--baseline", Path: opts.BaselineFile}}); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return auditRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.PolicyFile, "policy", "", "policy file (YAML) to check the account against")
	fl.StringVar(&opts.BaselineFile, "baseline", "", "roster written by 'ladmin agent export' (json, csv or yaml) to report drift from")
	fl.StringVar(&opts.Format, "format", "", "report format: "+strings.Join(audit.Formats, ", ")+" (default table)")
	fl.StringVar(&opts.OutputFile, "output-file", "", "write the report to this file; the summary line still goes to stdout")
	_ = cmd.MarkFlagFilename("policy", "yaml", "yml")
	_ = cmd.MarkFlagFilename("baseline", "json", "csv", "yaml", "yml")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(audit.Formats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// resolveFormat settles the report format: --format, else -o table|json
// (kept for muscle memory), else table. LADMIN_OUTPUT and the profile's
// output are for listings and are not looked at.
func (opts *Options) resolveFormat(cmd *cobra.Command) error {
	if opts.Format == "" {
		if o := cmd.Flags().Lookup("output"); o != nil && o.Changed {
			switch v := o.Value.String(); v {
			case audit.FormatTable, audit.FormatJSON:
				opts.Format = v
			default:
				return cmdutil.Usagef("audit has no -o %s output: use --format with one of %s", v, strings.Join(audit.Formats, ", "))
			}
		}
	}
	if opts.Format == "" {
		opts.Format = audit.FormatTable
	}
	opts.Format = strings.ToLower(opts.Format)
	if !contains(audit.Formats, opts.Format) {
		return cmdutil.Usagef("invalid --format %q: use one of %s", opts.Format, strings.Join(audit.Formats, ", "))
	}
	if opts.F != nil && opts.F.Viper != nil {
		opts.JQ = opts.F.Viper.GetString("jq")
	}
	if opts.JQ != "" {
		if opts.Format != audit.FormatJSON {
			return cmdutil.Usagef("--jq filters the json report: add --format json")
		}
		if err := output.Validate(output.Options{JQ: opts.JQ}); err != nil {
			return cmdutil.Usagef("%s", err.Error())
		}
	}
	return nil
}

func auditRun(ctx context.Context, opts *Options) error {
	ctx = cmdutil.Context(ctx)
	f := opts.F
	ios := f.IOStreams

	// The files first: a typo in the policy fails before any request.
	var pol *audit.Policy
	var base *audit.Baseline
	if opts.PolicyFile != "" {
		name, data, err := readInput(opts.PolicyFile, "policy")
		if err != nil {
			return err
		}
		if pol, err = audit.ParsePolicy(name, data); err != nil {
			return invalid(f, err)
		}
	}
	if opts.BaselineFile != "" {
		name, data, err := readInput(opts.BaselineFile, "baseline")
		if err != nil {
			return err
		}
		if base, err = audit.ParseBaseline(name, data); err != nil {
			return invalid(f, err)
		}
	}

	c, err := f.Client()
	if err != nil {
		return err
	}
	if pol.UsesAPIKeys() {
		// A key without apikeys.read is shown only its own keys: an audit of
		// keys would pass on what it could not see.
		sess, err := c.Session(ctx)
		if err != nil {
			return err
		}
		if d := rbac.Decide(rbac.Request{Actor: sess.Actor(), Action: rbac.ReadAPIKeys}); !d.Allowed {
			return &liveagent.Error{Kind: liveagent.KindForbidden, Message: fmt.Sprintf(
				"%s: this key would see only its own API keys, so the policy's api_keys section (%s:%d) cannot be checked; "+
					"run the audit with a key that holds %s", d.Reason, pol.File, pol.APIKeys.Line, rbac.APIKeysRead)}
		}
	}
	acct, err := readAccount(ctx, c, pol.UsesDepartments())
	if err != nil {
		return err
	}
	if pol.UsesAPIKeys() {
		if acct.Keys, err = c.ListAPIKeys(ctx, liveagent.ListOptions{}); err != nil {
			return err
		}
	}
	report, err := audit.Evaluate(acct, pol, base)
	if err != nil {
		return invalid(f, err)
	}
	report.Tool = f.Build.Version

	var buf bytes.Buffer
	if opts.JQ != "" {
		err = output.PrintObject(&buf, output.Options{Format: output.FormatJSON, JQ: opts.JQ}, report, nil)
	} else {
		wo := audit.WriteOptions{NoHeaders: f.Viper.GetBool("no-headers")}
		if opts.OutputFile == "" {
			wo.Width = ios.TerminalWidth() // a report file gets every finding whole
			wo.Color = ios.ColorEnabled()
		}
		err = audit.Write(&buf, opts.Format, report, wo)
	}
	if err != nil {
		return err
	}
	if opts.OutputFile != "" {
		if err := os.WriteFile(opts.OutputFile, buf.Bytes(), 0o644); err != nil {
			return cmdutil.Usagef("cannot write the report: %v", err)
		}
		_ = cmdutil.PrintLine(ios, report.SummaryLine())
	} else {
		if _, err := ios.Out.Write(buf.Bytes()); err != nil {
			return err
		}
		if audit.IsMachineFormat(opts.Format) && !f.Quiet() {
			// The report is for a program; the CI log still gets the verdict.
			cmdutil.PrintLines(ios, []string{report.SummaryLine()})
		}
	}
	if opts.Format == audit.FormatGitHub {
		if path := f.Getenv("GITHUB_STEP_SUMMARY"); path != "" {
			if err := appendStepSummary(path, report); err != nil {
				f.Warnf("cannot append the job summary to %s: %v", path, err)
			}
		}
	}
	if report.Failed() {
		// Exit 1 says so on stderr, like every command that finishes unclean.
		noun := "error findings"
		if report.Summary.Errors == 1 {
			noun = "error finding"
		}
		return cmdutil.Exit(cmdutil.ExitNotClean, "the audit found %d %s", report.Summary.Errors, noun)
	}
	return nil
}

// readInput reads a policy or baseline file and returns the
// name findings and errors show for it: the path relative to the working
// directory, which in CI is the repository root that SARIF paths are
// resolved against.
func readInput(path, what string) (string, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", nil, cmdutil.Usagef("the %s file %s does not exist", what, path)
		}
		return "", nil, cmdutil.Usagef("cannot read the %s file: %v", what, err)
	}
	return displayPath(path), data, nil
}

func displayPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	wd, err := os.Getwd()
	if err != nil {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

// maxEcho bounds one problem's line: values quoted in it are cut.
const maxEcho = 400

// invalid reports an invalid policy or baseline (exit 2): one line per
// problem, FILE:LINE: message, the last one as the command's error.
func invalid(f *cmdutil.Factory, err error) error {
	var inv *audit.InvalidError
	if !errors.As(err, &inv) || len(inv.Diagnostics) == 0 {
		return err
	}
	d := inv.Diagnostics
	if len(d) > text.MaxListed {
		// A screenful, then the count: a baseline with 200,000 bad rows does
		// not print 200,000 lines.
		for _, diag := range d[:text.MaxListed] {
			f.PrintMessage("error:", text.SafeTrunc(fmt.Sprint(diag), maxEcho))
		}
		return cmdutil.Usagef("... and %d more problems", len(d)-text.MaxListed)
	}
	for _, diag := range d[:len(d)-1] {
		f.PrintMessage("error:", text.SafeTrunc(fmt.Sprint(diag), maxEcho))
	}
	return cmdutil.Usagef("%s", text.Truncate(fmt.Sprint(d[len(d)-1]), maxEcho))
}

// readAccount reads the agents (deleted ones too), the roles and, when a rule
// needs them, the departments, concurrently. Any failure fails the audit: a
// report on part of the account could say "clean" when it is not.
func readAccount(ctx context.Context, c *liveagent.Client, withDepartments bool) (audit.Account, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		acct     = audit.Account{URL: c.BaseURL()}
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	run := func(fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	run(func() (err error) {
		acct.Agents, err = c.ListAgents(ctx, liveagent.ListOptions{Filters: []liveagent.Filter{
			{Field: "status", Op: "in", Value: []string{liveagent.StatusActive, liveagent.StatusDeleted}},
		}})
		return err
	})
	run(func() (err error) {
		acct.Roles, err = c.Roles(ctx)
		return err
	})
	if withDepartments {
		run(func() (err error) {
			acct.Departments, err = c.ListDepartments(ctx)
			return err
		})
	}
	wg.Wait()
	if firstErr != nil {
		return audit.Account{}, firstErr
	}
	// Without the extensions, the custom roles are those the agents hold.
	acct.Roles.AddSeen(acct.Agents)
	if len(acct.Agents) == 0 {
		// An account always has at least the owner behind some key: an empty
		// list means the server did not show us everything.
		return audit.Account{}, &liveagent.Error{Kind: liveagent.KindUnavailable,
			Message: "the server listed no agents at all; refusing to audit an account it did not show"}
	}
	return acct, nil
}

// appendStepSummary adds the markdown report to GitHub's job summary file.
func appendStepSummary(path string, r *audit.Report) error {
	var buf bytes.Buffer
	if err := audit.Write(&buf, audit.FormatMarkdown, r, audit.WriteOptions{}); err != nil {
		return err
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := fh.Write(append(buf.Bytes(), '\n')); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
