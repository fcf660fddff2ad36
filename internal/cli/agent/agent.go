// Package agent holds the `ladmin agent` commands, one file per verb.
package agent

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

// NewCmdAgent is `ladmin agent`.
func NewCmdAgent(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "agent <command>",
		Short: "Invite, list, change and delete agents",
		Long: `Manage the agents of the account. Agents are named by id or by email.

Only owners and admins can invite agents, and nobody can give a role that holds a
permission they do not hold themselves. ladmin checks these rules before sending
anything (exit 4) and the server enforces them too.`,
		Example: `  ladmin agent list
  ladmin agent create --name "Ana Pérez" --email ana@acme.com --role admin
  ladmin agent set-role ana@acme.com --role agent
  ladmin agent delete ana@acme.com --yes`,
	}
	cmd.AddCommand(
		NewCmdList(f, nil),
		NewCmdGet(f, nil),
		NewCmdCreate(f, nil),
		NewCmdUpdate(f, nil),
		NewCmdSetRole(f, nil),
		NewCmdDelete(f, nil),
		NewCmdRestore(f, nil),
		NewCmdImport(f, nil), NewCmdExport(f, nil),
		NewCmdOffboard(f, nil),
	)
	return cmd
}

// forbidden turns a rule's refusal into the error the server would send, so
// a local refusal and a 403 print the same sentence and exit 4.
func forbidden(d rbac.Decision) error {
	return &liveagent.Error{Kind: liveagent.KindForbidden, Message: d.Reason}
}

// departmentNames are the departments an agent is in, sorted, for display.
func departmentNames(depts *liveagent.DepartmentIndex, agentID string) []string {
	names := depts.NamesOf(depts.IDsOf(agentID))
	sort.Strings(names)
	return names
}

// validateEmail accepts what the API accepts: a bare address such as ana@acme.com.
func validateEmail(email string) error {
	if !liveagent.ValidEmail(email) {
		return cmdutil.Usagef("invalid email %q: expected an address such as ana@acme.com", email)
	}
	return nil
}

// validateName applies the API's rules for names (liveagent.NameProblem).
func validateName(name string) error {
	if p := liveagent.NameProblem(name); p != "" {
		return cmdutil.Usagef("invalid --name %q: the name %s", text.Truncate(name, 60), p)
	}
	return nil
}

// normalizeGender accepts M, F or X in any case.
func normalizeGender(g string) (string, error) {
	u := strings.ToUpper(strings.TrimSpace(g))
	for _, ok := range liveagent.Genders {
		if u == ok {
			return u, nil
		}
	}
	return "", cmdutil.Usagef("invalid gender %q: use M, F or X (unspecified)", g)
}

// agentColumns are the table columns of an agent; departments are shown in
// wide output when known.
func agentColumns(roles *liveagent.RoleIndex, depts *liveagent.DepartmentIndex) []output.Column {
	a := func(item any) liveagent.Agent { return item.(liveagent.Agent) }
	cols := []output.Column{
		{Header: "ID", Fit: output.Keep, Value: func(i any) string { return a(i).ID }},
		{Header: "NAME", Value: func(i any) string { return a(i).Name }},
		{Header: "EMAIL", Fit: output.Keep, Value: func(i any) string { return a(i).Email }},
		{Header: "ROLE", Value: func(i any) string { return roles.RoleName(a(i)) }},
		{Header: "STATUS", Value: func(i any) string { return statusText(a(i).Status) }},
		{Header: "2FA", Wide: true, Value: func(i any) string { return yesNo(a(i).TwofactorAuth == "Y") }},
		{Header: "GENDER", Wide: true, Value: func(i any) string { return a(i).Gender }},
		{Header: "ONLINE", Wide: true, Value: func(i any) string { return onlineText(a(i).OnlineStatus) }},
		{Header: "PASSWORD CHANGED", Wide: true, Value: func(i any) string { return localTime(a(i).LastPswdChange) }},
	}
	if depts != nil {
		cols = append(cols, output.Column{Header: "DEPARTMENTS", Wide: true, Value: func(i any) string {
			return strings.Join(departmentNames(depts, a(i).ID), ",")
		}})
	}
	return cols
}

func statusText(code string) string {
	switch code {
	case liveagent.StatusActive:
		return "active"
	case liveagent.StatusDeleted:
		return "deleted"
	}
	return code
}

func onlineText(code string) string {
	switch code {
	case "N":
		return "online"
	case "F":
		return "offline"
	case "P":
		return "paused"
	case "C":
		return "mobile"
	}
	return code
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// localTime shows an API datetime (UTC, "YYYY-MM-DD HH:MM:SS") in local time.
func localTime(s string) string {
	t, err := time.ParseInLocation(time.DateTime, s, time.UTC)
	if err != nil {
		return s
	}
	return t.Local().Format("2006-01-02 15:04")
}

// label names an agent in messages.
func label(a liveagent.Agent) string {
	return fmt.Sprintf("%s (id %s)", a.Email, a.ID)
}

// results collects per-target outcomes of a command that takes several
// agents, so one failure never hides the others.
type results struct {
	f      *cmdutil.Factory
	o      output.Options
	total  int
	dryRun bool
	done   []liveagent.Agent
	failed []error
	werr   error // the first failed write of a line
}

func newResults(f *cmdutil.Factory, o output.Options, total int) *results {
	return &results{f: f, o: o, total: total}
}

// ok records a success: one line for people now, the object for programs at the end.
func (r *results) ok(a liveagent.Agent, line string) {
	r.done = append(r.done, a)
	if !cmdutil.IsStructured(r.o) {
		if _, err := fmt.Fprintln(r.f.IOStreams.Out, text.Safe(line)); err != nil && r.werr == nil {
			r.werr = err
		}
	}
}

func (r *results) fail(ref string, err error) {
	r.failed = append(r.failed, err)
	if r.total > 1 {
		r.f.PrintMessage("error:", text.Safe(ref+": "+strings.TrimSpace(err.Error())))
	}
}

// finish prints the resulting objects (json/yaml) and picks the exit: the
// failure's own code when every target failed the same way, 1 when mixed.
func (r *results) finish(roles *liveagent.RoleIndex) error {
	if r.dryRun && cmdutil.IsStructured(r.o) {
		r.f.Notef("dry run: nothing was changed")
	}
	if cmdutil.IsStructured(r.o) && (len(r.done) > 0 || len(r.failed) == 0) {
		if err := output.PrintList(r.f.IOStreams.Out, r.o, r.done, agentColumns(roles, nil)); err != nil && r.werr == nil {
			r.werr = err
		}
	}
	if r.werr != nil {
		if r.dryRun || len(r.done) == 0 {
			return r.werr
		}
		return cmdutil.WriteAfterChange(r.werr, text.Count(len(r.done), "agent was", "agents were")+" changed")
	}
	return cmdutil.TargetsExit(r.failed, r.total, "agent", "agents")
}

// journaled tells the journal what a write is about to change: the agent as
// it is (depts: its department ids, nil when not read), so that history shows
// before -> after and undo can go back.
func journaled(ctx context.Context, op string, a liveagent.Agent, depts []string) context.Context {
	return liveagent.WithBefore(ctx, liveagent.Before{Op: op, Target: a.Email, State: liveagent.StateOf(a, depts)})
}

// mutation is what every command that changes agents starts from.
type mutation struct {
	o    output.Options
	c    *liveagent.Client
	sess *liveagent.Session
}

func startMutation(ctx context.Context, f *cmdutil.Factory) (*mutation, error) {
	o, c, err := f.Connect()
	if err != nil {
		return nil, err
	}
	sess, err := c.Session(ctx)
	if err != nil {
		return nil, err
	}
	return &mutation{o: o, c: c, sess: sess}, nil
}

// decide asks the rules about target, counting the account's owners only
// when the target is one (rule 4 needs the count; others do not).
func (m *mutation) decide(ctx context.Context, req rbac.Request, target liveagent.Agent) (rbac.Decision, error) {
	t := m.sess.Roles.Subject(target)
	req.Actor = m.sess.Actor()
	req.Target = &t
	if t.Role.IsOwner() {
		owners, err := m.c.ActiveOwners(ctx, m.sess.Roles)
		if err != nil {
			return rbac.Decision{}, err
		}
		req.ActiveOwners = len(owners)
	}
	return rbac.Decide(req), nil
}
