package apikey

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

// RevokeOptions are the inputs of `apikey revoke`.
type RevokeOptions struct {
	F      *cmdutil.Factory
	IDs    []string
	Yes    bool
	DryRun bool
}

// NewCmdRevoke is `ladmin apikey revoke`.
func NewCmdRevoke(f *cmdutil.Factory, runF func(context.Context, *RevokeOptions) error) *cobra.Command {
	opts := &RevokeOptions{F: f}
	cmd := &cobra.Command{
		Use:   "revoke <id>... [--dry-run] [--yes]",
		Short: "Revoke API keys: they stop working at once",
		Long: `Revoke API keys by id. A revoked key stops working at once and cannot be brought back
(its secret is gone); whoever used it needs a new one.

You may revoke your own keys; other agents' need apikeys.manage, and never those of an
agent holding permissions you lack (an admin cannot revoke an owner's key). Every key is
checked before any is revoked. On a terminal you are asked to confirm unless --yes is
given; off a terminal (scripts, CI) --yes is required.`,
		Example: `  ladmin apikey revoke 12
  ladmin apikey revoke 12 15 --yes
  ladmin apikey revoke 12 --dry-run`,
		Aliases: []string{"rm", "delete"},
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, id := range args {
				if err := validID(id); err != nil {
					return err
				}
				if !slices.Contains(opts.IDs, id) {
					opts.IDs = append(opts.IDs, id)
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return revokeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "check everything and show what would be revoked, changing nothing")
	return cmd
}

func revokeRun(ctx context.Context, opts *RevokeOptions) error {
	f := opts.F
	ios := f.IOStreams
	if !opts.Yes && !opts.DryRun && !ios.CanPrompt() {
		return cmdutil.Usagef("refusing to revoke without --yes when not running on a terminal")
	}
	o, c, err := f.Connect()
	if err != nil {
		return err
	}
	sess, err := session(ctx, c)
	if err != nil {
		return err
	}
	res := &results{f: f, o: o, total: len(opts.IDs)}
	// Check every key first, so the prompt lists only what can go.
	var targets []View
	for _, id := range opts.IDs {
		v, a, err := lookup(ctx, c, id)
		if liveagent.KindOf(err) == liveagent.KindForbidden && sess != nil && !sess.Actor().Role.Has(rbac.APIKeysManage) {
			// Not even allowed to see it (so it is not the caller's own key):
			// say what revoking needs, not what seeing does.
			t := rbac.Subject{ID: "?", Role: rbac.MustBuiltin(rbac.Owner)}
			err = forbidden(rbac.Decide(rbac.Request{Actor: sess.Actor(), Action: rbac.RevokeAPIKey, Target: &t}))
		}
		if err == nil && sess != nil {
			t := ownerSubject(sess, v, a)
			err = check(sess, rbac.Request{Action: rbac.RevokeAPIKey, Target: &t})
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			res.fail(id, err)
			continue
		}
		targets = append(targets, v)
	}
	if len(targets) > 0 && !opts.Yes && !opts.DryRun {
		names := make([]string, len(targets))
		for i, v := range targets {
			names[i] = describe(v)
		}
		ok, err := ios.Confirm(fmt.Sprintf("Revoke %s: %s?", text.Count(len(targets), "API key", "API keys"),
			text.Safe(strings.Join(names, ", "))))
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.Exit(cmdutil.ExitUsage, "cancelled: nothing was revoked")
		}
	}
	for _, v := range targets {
		if opts.DryRun {
			res.ok(v, fmt.Sprintf("would revoke API key %s (dry run: nothing was changed)", describe(v)))
			continue
		}
		if err := c.RevokeAPIKey(ctx, v.ID.String()); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if liveagent.KindOf(err) == liveagent.KindNotFound {
				err = liveagent.NewError(liveagent.KindNotFound, "API key %s not found (revoked meanwhile?)", v.ID)
			}
			res.fail(v.ID.String(), err)
			continue
		}
		res.ok(v, fmt.Sprintf("revoked API key %s", describe(v)))
	}
	return res.finish(opts.DryRun)
}

// describe names a key in messages: 12 "ladmin on h" of ana@acme.com.
func describe(v View) string {
	return fmt.Sprintf("%s %q of %s", v.ID, v.Name, v.agentText())
}

// results collects per-key outcomes, so one failure never hides the others.
type results struct {
	f      *cmdutil.Factory
	o      output.Options
	total  int
	done   []View
	failed []error
	werr   error // the first failed write of a line
}

func (r *results) ok(v View, line string) {
	r.done = append(r.done, v)
	if !cmdutil.IsStructured(r.o) {
		if _, err := fmt.Fprintln(r.f.IOStreams.Out, text.Safe(line)); err != nil && r.werr == nil {
			r.werr = err
		}
	}
}

func (r *results) fail(id string, err error) {
	r.failed = append(r.failed, err)
	if r.total > 1 {
		r.f.PrintMessage("error:", "API key "+text.Safe(id)+": "+text.Safe(strings.TrimSpace(err.Error())))
	}
}

// finish prints the keys acted on (json/yaml) and picks the exit: the
// failure's own code when every key failed the same way, 1 when mixed.
func (r *results) finish(dryRun bool) error {
	if dryRun && cmdutil.IsStructured(r.o) {
		r.f.Notef("dry run: nothing was changed")
	}
	if cmdutil.IsStructured(r.o) && (len(r.done) > 0 || len(r.failed) == 0) {
		if err := output.PrintList(r.f.IOStreams.Out, r.o, r.done, columns(time.Now())); err != nil && r.werr == nil {
			r.werr = err
		}
	}
	if r.werr != nil {
		if dryRun || len(r.done) == 0 {
			return r.werr
		}
		// The keys were revoked: say so, exit 1, never "nothing was changed".
		return cmdutil.WriteAfterChange(r.werr, text.Count(len(r.done), "API key was", "API keys were")+" revoked")
	}
	return cmdutil.TargetsExit(r.failed, r.total, "API key", "API keys")
}
