package apikey

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
)

// GetOptions are the inputs of `apikey get`.
type GetOptions struct {
	F   *cmdutil.Factory
	ID  string
	Now func() time.Time
}

// NewCmdGet is `ladmin apikey get`.
func NewCmdGet(f *cmdutil.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{F: f, Now: time.Now}
	return &cobra.Command{
		Use:   "get <id>",
		Short: "Show one API key",
		Long: `Show one API key: its name, agent, type, expiry and whitelist (never its secret).
Your own keys are always visible; other agents' need apikeys.read.`,
		Example: `  ladmin apikey get 12
  ladmin apikey get 12 -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := validID(opts.ID); err != nil {
				return err
			}
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
	v, _, err := lookup(ctx, c, opts.ID)
	if err != nil {
		return err
	}
	if cmdutil.IsStructured(o) {
		return output.PrintObject(f.IOStreams.Out, o, v, nil)
	}
	now := opts.Now()
	rows := [][2]string{
		{"ID", v.ID.String()},
		{"Name", v.Name},
		{"Agent", v.agentText()},
		{"Agent ID", v.UserID},
		{"Role", v.Role},
		{"Type", typeText(v.Type)},
		{"Expires", v.expiresText(now)},
		{"Valid to", v.validToText()},
		{"Whitelist", whitelistText(v.Whitelist)},
	}
	if v.InstallID != "" {
		rows = append(rows, [2]string{"Install ID", v.InstallID})
	}
	return output.PrintKeyValues(f.IOStreams.Out, rows, f.IOStreams.TerminalWidth())
}

// lookup reads one key and its agent. A missing key is exit 5 naming it.
func lookup(ctx context.Context, c *liveagent.Client, id string) (View, liveagent.Agent, error) {
	k, err := c.GetAPIKey(ctx, id)
	if err != nil {
		if liveagent.KindOf(err) == liveagent.KindNotFound {
			return View{}, liveagent.Agent{}, liveagent.NewError(liveagent.KindNotFound, "API key %s not found", id)
		}
		return View{}, liveagent.Agent{}, err
	}
	var a *liveagent.Agent
	found := false
	if k.UserID != "" {
		a, err = c.GetAgent(ctx, k.UserID)
		switch liveagent.KindOf(err) {
		case liveagent.KindUnknown:
			found = err == nil
		case liveagent.KindNotFound, liveagent.KindForbidden:
		default:
			return View{}, liveagent.Agent{}, err
		}
	}
	if !found {
		a = &liveagent.Agent{}
	}
	return viewOf(*k, *a, found), *a, nil
}
