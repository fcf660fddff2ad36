package apikey

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
)

// ListOptions are the inputs of `apikey list`.
type ListOptions struct {
	F        *cmdutil.Factory
	Agent    string
	Orphaned bool
	Expiring time.Duration
	NoExpiry bool
	// Now is the time expiries are measured from (tests set it).
	Now func() time.Time
}

// NewCmdList is `ladmin apikey list`.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f, Now: time.Now}
	var expiring string
	cmd := &cobra.Command{
		Use:     "list [--agent REF] [--orphaned] [--expiring DUR] [--no-expiry]",
		Aliases: []string{"ls"},
		Short:   "List API keys",
		Long: `List API keys: every agent's with apikeys.read, else only your own.

Columns: the key's id and name, its agent (the email, or the agent's id marked deleted
or unknown when the agent is gone), its type, when it expires ("in 12 days", "expired",
"never") and the addresses it may be used from (* is anywhere). -o wide adds the
expiry date, the role the agent had when the key was made and the agent's id.

Filters combine: --orphaned keeps keys whose agent is deleted or unknown (the keys of
people who left), --expiring 14d keeps keys that expire within 14 days (expired ones
included), --no-expiry keeps keys that never expire. The secret of a key is never shown.`,
		Example: `  ladmin apikey list
  ladmin apikey list --agent ana@acme.com
  ladmin apikey list --orphaned -o json
  ladmin apikey list --expiring 14d
  ladmin apikey list --no-expiry -o csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("expiring") {
				d, err := cmdutil.ParseDuration("--expiring", expiring)
				if err != nil {
					return err
				}
				opts.Expiring = d
			}
			if opts.NoExpiry && opts.Expiring > 0 {
				return cmdutil.Usagef("--expiring and --no-expiry exclude each other: a key that never expires is not expiring")
			}
			if cmd.Flags().Changed("agent") && strings.TrimSpace(opts.Agent) == "" {
				return cmdutil.Usagef("--agent needs an agent id or email")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Agent, "agent", "", "only the keys of this agent (id or email; deleted agents too)")
	_ = cmd.RegisterFlagCompletionFunc("agent", cmdutil.CompleteAgents(f, cmdutil.ActiveAgents))
	cmd.Flags().BoolVar(&opts.Orphaned, "orphaned", false, "only keys whose agent is deleted or unknown")
	cmd.Flags().StringVar(&expiring, "expiring", "", "only keys that expire within this long, e.g. 14d (expired ones too)")
	cmd.Flags().BoolVar(&opts.NoExpiry, "no-expiry", false, "only keys that never expire")
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	f := opts.F
	o, c, err := f.Connect()
	if err != nil {
		return err
	}
	sess, err := session(ctx, c)
	if err != nil {
		return err
	}
	idx, err := loadAgents(ctx, c)
	if err != nil {
		return err
	}
	var lo liveagent.ListOptions
	if opts.Agent != "" {
		userID, err := agentFilter(ctx, c, sess, idx, opts.Agent)
		if err != nil {
			return err
		}
		lo.Filters = []liveagent.Filter{{Field: "userid", Op: "=", Value: userID}}
	} else if sess != nil {
		if d := rbac.Decide(rbac.Request{Actor: sess.Actor(), Action: rbac.ReadAPIKeys}); !d.Allowed {
			f.Notef("showing only your own API keys: seeing other agents' keys needs %s", rbac.APIKeysRead)
		}
	}
	keys, err := c.ListAPIKeys(ctx, lo)
	if err != nil {
		return err
	}
	now := opts.Now()
	views := make([]View, 0, len(keys))
	for _, k := range keys {
		if len(lo.Filters) > 0 && k.UserID != lo.Filters[0].Value {
			continue // a server that ignored the filter
		}
		a, found := idx[k.UserID]
		v := viewOf(k, a, found)
		if !keep(v, opts, now) {
			continue
		}
		views = append(views, v)
	}
	if len(views) == 0 && !cmdutil.IsStructured(o) {
		f.Notef("No API keys found.")
		return nil
	}
	return output.PrintList(f.IOStreams.Out, o, views, columns(now))
}

// keep applies --orphaned, --expiring and --no-expiry.
func keep(v View, opts *ListOptions, now time.Time) bool {
	if opts.Orphaned && !v.Orphaned() {
		return false
	}
	if opts.NoExpiry && !v.neverEnds {
		return false
	}
	if opts.Expiring > 0 && (v.neverEnds || (!v.badExpiry && v.expires.After(now.Add(opts.Expiring)))) {
		return false
	}
	return true
}

// agentFilter resolves --agent to a user id and checks the caller may see
// that agent's keys. An id that names no agent is still a filter: keys can
// outlive the record of their agent.
func agentFilter(ctx context.Context, c *liveagent.Client, sess *liveagent.Session, idx agents, ref string) (string, error) {
	a, err := c.ResolveAgent(ctx, ref, true)
	if err != nil {
		if liveagent.KindOf(err) == liveagent.KindNotFound && !strings.Contains(ref, "@") {
			return ref, nil
		}
		return "", err
	}
	if sess != nil {
		t := sess.Roles.Subject(*a)
		if err := check(sess, rbac.Request{Action: rbac.ReadAPIKeys, Target: &t}); err != nil {
			return "", err
		}
	}
	idx[a.ID] = *a
	return a.ID, nil
}
