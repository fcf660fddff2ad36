// Package apikey holds `ladmin apikey`: list, inspect and revoke the API keys
// of an account. A key's secret is never printed: the API only sends it once,
// when a key is made, and these commands never see it.
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

// NewCmdAPIKey is `ladmin apikey`.
func NewCmdAPIKey(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "apikey <command>",
		Aliases: []string{"apikeys"},
		Short:   "List, inspect and revoke API keys",
		Long: `List the account's API keys with the agent each belongs to and when it expires, show
one, or revoke keys so they stop working at once.

Anyone sees and revokes their own keys; seeing other agents' keys needs apikeys.read,
revoking them apikeys.manage, and nobody revokes the keys of an agent holding
permissions they lack (an admin cannot revoke an owner's key). A key's secret is never
shown: the account sends it only once, when the key is made.`,
		Example: `  ladmin apikey list
  ladmin apikey list --orphaned
  ladmin apikey list --expiring 14d -o json
  ladmin apikey revoke 12 15 --yes`,
	}
	cmd.AddCommand(NewCmdList(f, nil), NewCmdGet(f, nil), NewCmdRevoke(f, nil))
	return cmd
}

// Agent states of a key's owner, as View.AgentStatus says them.
const (
	AgentActive  = "active"
	AgentDeleted = "deleted"
	AgentUnknown = "unknown" // no agent with that id (or it could not be read)
)

// View is a key as the commands print it: the published ApiKey fields (never
// `key`, the secret) and who the agent is.
type View struct {
	ID          liveagent.KeyID `json:"id"`
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	UserID      string          `json:"userid"`
	Role        string          `json:"role"`
	ValidToDate string          `json:"valid_to_date"`
	Whitelist   string          `json:"whitelist"`
	InstallID   string          `json:"installid"`
	// AgentEmail is the email of the agent the key belongs to ("" when unknown).
	AgentEmail string `json:"agent_email"`
	// AgentStatus is active, deleted or unknown.
	AgentStatus string `json:"agent_status"`

	expires    time.Time // zero: never
	badExpiry  bool      // valid_to_date does not parse
	neverEnds  bool
	agentKnown bool
}

// Orphaned reports whether the key's agent is deleted or unknown.
func (v View) Orphaned() bool { return v.AgentStatus != AgentActive }

// agents indexes the account's agents (deleted ones too) by id.
type agents map[string]liveagent.Agent

// loadAgents reads every agent, deleted ones included, to name key owners.
// A caller that may not list agents still gets its keys, named by id.
func loadAgents(ctx context.Context, c *liveagent.Client) (agents, error) {
	all, err := c.ListAgents(ctx, liveagent.ListOptions{Filters: []liveagent.Filter{
		{Field: "status", Op: "in", Value: []string{liveagent.StatusActive, liveagent.StatusDeleted}}}})
	if liveagent.KindOf(err) == liveagent.KindForbidden {
		return agents{}, nil
	}
	if err != nil {
		return nil, err
	}
	idx := make(agents, len(all))
	for _, a := range all {
		idx[a.ID] = a
	}
	return idx, nil
}

// viewOf joins a key with its agent. loc is the zone of the account's datetimes.
func viewOf(k liveagent.APIKey, a liveagent.Agent, found bool) View {
	v := View{ID: k.ID, Name: k.Name, Type: k.Type, UserID: k.UserID, Role: k.Role, ValidToDate: k.ValidToDate,
		Whitelist: k.Whitelist, InstallID: k.InstallID, AgentStatus: AgentUnknown, agentKnown: found}
	if found {
		v.AgentEmail = a.Email
		v.AgentStatus = AgentActive
		if !a.Active() {
			v.AgentStatus = AgentDeleted
		}
	}
	t, ok, err := k.ExpiresAt(time.UTC)
	switch {
	case err != nil:
		v.badExpiry = true
	case !ok:
		v.neverEnds = true
	default:
		v.expires = t
	}
	return v
}

// agentText is the AGENT cell: the email, or the id marked deleted or
// unknown when the agent is gone.
func (v View) agentText() string {
	switch v.AgentStatus {
	case AgentActive:
		return v.AgentEmail
	case AgentDeleted:
		return v.UserID + " (deleted)"
	}
	return v.UserID + " (unknown)"
}

// expiresText is the EXPIRES cell: never, expired, or "in 12 days".
func (v View) expiresText(now time.Time) string {
	switch {
	case v.neverEnds:
		return "never"
	case v.badExpiry:
		return v.ValidToDate + " (unreadable)"
	}
	return cmdutil.Until(v.expires, now)
}

// validToText is the local time a key expires at, for the wide table.
func (v View) validToText() string {
	switch {
	case v.neverEnds:
		return "-"
	case v.badExpiry:
		return v.ValidToDate
	}
	return v.expires.Local().Format("2006-01-02 15:04")
}

var typeNames = map[string]string{
	liveagent.KeyTypeAPI: "api", liveagent.KeyTypeChat: "chat", liveagent.KeyTypePhone: "phone",
	liveagent.KeyTypeTicket: "ticket", liveagent.KeyTypeWeb: "web",
}

func typeText(code string) string {
	if n, ok := typeNames[code]; ok {
		return n
	}
	return code
}

func whitelistText(w string) string {
	if strings.TrimSpace(w) == "" {
		return liveagent.WhitelistAny
	}
	return w
}

// columns are the table columns of a key.
func columns(now time.Time) []output.Column {
	v := func(item any) View { return item.(View) }
	return []output.Column{
		{Header: "ID", Fit: output.Keep, Value: func(i any) string { return v(i).ID.String() }},
		{Header: "NAME", Value: func(i any) string { return v(i).Name }},
		{Header: "AGENT", Fit: output.Keep, Value: func(i any) string { return v(i).agentText() }},
		{Header: "TYPE", Value: func(i any) string { return typeText(v(i).Type) }},
		{Header: "EXPIRES", Value: func(i any) string { return v(i).expiresText(now) }},
		{Header: "WHITELIST", Value: func(i any) string { return whitelistText(v(i).Whitelist) }},
		{Header: "VALID TO", Wide: true, Value: func(i any) string { return v(i).validToText() }},
		{Header: "ROLE", Wide: true, Value: func(i any) string { return v(i).Role }},
		{Header: "AGENT ID", Wide: true, Fit: output.Keep, Value: func(i any) string { return v(i).UserID }},
	}
}

// session is the caller for the rule pre-checks, or nil when the account
// cannot say who the key belongs to (then the server alone decides).
func session(ctx context.Context, c *liveagent.Client) (*liveagent.Session, error) {
	s, err := c.Session(ctx)
	switch liveagent.KindOf(err) {
	case liveagent.KindNotFound, liveagent.KindUnsupported:
		return nil, nil
	}
	return s, err
}

// ownerSubject is the key's agent as the rules see it. An agent that cannot
// be found is judged by the role the key records.
func ownerSubject(s *liveagent.Session, v View, a liveagent.Agent) rbac.Subject {
	if v.agentKnown {
		return s.Roles.Subject(a)
	}
	r, ok := rbac.Builtin(v.Role)
	if !ok {
		r = rbac.MustBuiltin(rbac.Owner) // unknown: assume the most privileged
	}
	return rbac.Subject{ID: v.UserID, Role: r}
}

// check runs a rule pre-check. It denies only what the rules can tell: a
// caller known only by its key's privileges (an account with only the
// published API) may be the agent the key belongs to, whose own keys it may
// always see and revoke, so its refusals are left to the account.
func check(sess *liveagent.Session, req rbac.Request) error {
	if sess == nil || sess.Key {
		return nil
	}
	req.Actor = sess.Actor()
	if d := rbac.Decide(req); !d.Allowed {
		return forbidden(d)
	}
	return nil
}

func forbidden(d rbac.Decision) error {
	return &liveagent.Error{Kind: liveagent.KindForbidden, Message: d.Reason}
}

// validID checks a key id given as an argument: the API's ids are numbers.
func validID(id string) error {
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return cmdutil.Usagef("invalid API key id %q: key ids are numbers, as `ladmin apikey list` shows them", id)
	}
	return nil
}
