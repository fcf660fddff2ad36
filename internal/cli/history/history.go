// Package history holds `ladmin history`: what ladmin changed, read from the
// local journal (internal/journal).
package history

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/journal"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
)

// Options are the flags of `ladmin history`.
type Options struct {
	F     *cmdutil.Factory
	Since time.Duration
	Agent string
	Run   string
	Now   func() time.Time
}

// NewCmdHistory is `ladmin history`.
func NewCmdHistory(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f, Now: time.Now}
	var since string
	cmd := &cobra.Command{
		Use:   "history [--since DUR] [--agent REF] [--run ID]",
		Short: "What ladmin changed, from the local journal",
		Long: `List what ladmin changed, from the journal it keeps on this machine: every write
request is recorded before it is sent and again with its outcome.

With no flag, one line per run (one ladmin command): its id, time, profile, command
and how its steps ended. --run ID shows one run's steps with each target's state
before -> after; --agent REF every change to one agent (id or email); --since limits
to recent runs (30m, 12h, 7d).

A step whose outcome was never recorded (the process was killed, or is still running)
is shown as "outcome unknown": look the agent up to see whether it happened.

The journal is local: it holds the changes made from this machine (or CI job) only,
not those made by other people or tools. It lives at
$XDG_STATE_HOME/ladmin/journal.ndjson (or ~/.local/state/ladmin/), or the file
LADMIN_JOURNAL names; LADMIN_JOURNAL_MAX_SIZE (default 32MB) is the size past which
old runs are folded into one-line summaries.`,
		Example: `  ladmin history
  ladmin history --since 7d
  ladmin history --run 20261201-181230-3f9a2c
  ladmin history --agent ana@acme.com -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if since != "" {
				d, err := ParseAge(since)
				if err != nil {
					return err
				}
				opts.Since = d
			}
			if opts.Run != "" && opts.Agent != "" {
				return cmdutil.Usagef("--run and --agent cannot be used together")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return historyRun(opts)
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "only runs newer than this, e.g. 30m, 12h, 7d")
	cmd.Flags().StringVar(&opts.Agent, "agent", "", "every change to one agent (id or email)")
	cmd.Flags().StringVar(&opts.Run, "run", "", "one run's steps, with each target's state before -> after")
	return cmd
}

// ParseAge reads a duration, also in days (7d).
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(d); err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, cmdutil.Usagef("invalid --since %q: use a duration such as 30m, 12h or 7d", s)
	}
	return d, nil
}

// Load reads and folds the journal.
func Load(f *cmdutil.Factory) (path string, runs []*journal.Run, err error) {
	path, err = f.JournalFile()
	if err != nil {
		return "", nil, err
	}
	recs, skipped, err := journal.Read(path)
	if err != nil {
		return path, nil, err
	}
	if skipped > 0 {
		f.Warnf("the journal %s has %d unreadable lines (skipped)", path, skipped)
	}
	return path, journal.Fold(recs), nil
}

// FindRun finds a run by id or unique id prefix.
func FindRun(runs []*journal.Run, id string) (*journal.Run, error) {
	var found []*journal.Run
	for _, r := range runs {
		if r.ID == id {
			return r, nil
		}
		if strings.HasPrefix(r.ID, id) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, liveagent.NewError(liveagent.KindNotFound, "run %q not found in the journal; `ladmin history` lists the runs", id)
	}
	return nil, cmdutil.Usagef("run %q is ambiguous: %d runs start with it", id, len(found))
}

// change is one row of --agent.
type change struct {
	Run     string          `json:"run"`
	Time    time.Time       `json:"time"`
	Command string          `json:"command"`
	Op      string          `json:"op"`
	Target  string          `json:"target"`
	ID      string          `json:"target_id"`
	Before  json.RawMessage `json:"before"`
	After   json.RawMessage `json:"after"`
	Outcome string          `json:"outcome"`
	Error   string          `json:"error,omitempty"`
}

func historyRun(opts *Options) error {
	f := opts.F
	o, err := f.Output()
	if err != nil {
		return err
	}
	path, runs, err := Load(f)
	if err != nil {
		return err
	}
	f.Notef("The journal is local to this machine (%s): it shows what ladmin changed from here, not changes made elsewhere.", path)
	if opts.Since > 0 {
		cut := opts.Now().Add(-opts.Since)
		kept := runs[:0]
		for _, r := range runs {
			if !r.Time.Before(cut) {
				kept = append(kept, r)
			}
		}
		runs = kept
	}
	out := f.IOStreams.Out
	switch {
	case opts.Run != "":
		run, err := FindRun(runs, opts.Run)
		if err != nil {
			return err
		}
		if cmdutil.IsStructured(o) {
			return output.PrintObject(out, o, run, nil)
		}
		fmt.Fprintf(out, "run %s  %s  profile %s  caller %s\n%s\naccount %s\n\n", run.ID, run.Time.Local().Format("2006-01-02 15:04:05"),
			dash(run.Profile), dash(run.Caller), run.Command, run.Account)
		if run.Compacted {
			fmt.Fprintf(out, "compacted: only a summary is left (%d steps: %s; targets %s)\n", run.Counts.Steps,
				strings.Join(run.Summary.Ops, ", "), strings.Join(run.Summary.Targets, ", "))
		}
		s := func(i any) journal.Step { return i.(journal.Step) }
		return output.PrintList(out, o, run.Steps, []output.Column{
			{Header: "STEP", Value: func(i any) string { return strconv.Itoa(s(i).Step) }},
			{Header: "OP", Value: func(i any) string { return s(i).Op }},
			{Header: "TARGET", Value: func(i any) string { return targetLabel(s(i).Target, s(i).TargetID) }},
			{Header: "CHANGE", Value: func(i any) string { return Describe(s(i).Op, s(i).Before, s(i).After) }},
			{Header: "OUTCOME", Value: func(i any) string { return outcomeText(s(i).Outcome, s(i).Recorded, s(i).Error) }},
		})
	case opts.Agent != "":
		var rows []change
		for _, r := range runs {
			for _, st := range r.Steps {
				if matchesAgent(st, opts.Agent) {
					rows = append(rows, change{Run: r.ID, Time: st.Time, Command: r.Command, Op: st.Op, Target: st.Target,
						ID: st.TargetID, Before: st.Before, After: st.After, Outcome: st.Outcome, Error: st.Error})
				}
			}
		}
		if len(rows) == 0 && !cmdutil.IsStructured(o) {
			f.Notef("No change to %s in the journal.", opts.Agent)
			return nil
		}
		c := func(i any) change { return i.(change) }
		return output.PrintList(out, o, rows, []output.Column{
			{Header: "TIME", Value: func(i any) string { return c(i).Time.Local().Format("2006-01-02 15:04:05") }},
			{Header: "RUN", Value: func(i any) string { return c(i).Run }},
			{Header: "OP", Value: func(i any) string { return c(i).Op }},
			{Header: "CHANGE", Value: func(i any) string { return Describe(c(i).Op, c(i).Before, c(i).After) }},
			{Header: "OUTCOME", Value: func(i any) string { return outcomeText(c(i).Outcome, true, c(i).Error) }},
			{Header: "COMMAND", Wide: true, Value: func(i any) string { return c(i).Command }},
		})
	}
	type summary struct {
		ID        string         `json:"id"`
		Time      time.Time      `json:"time"`
		Account   string         `json:"account"`
		Profile   string         `json:"profile"`
		Caller    string         `json:"caller"`
		Command   string         `json:"command"`
		Counts    journal.Counts `json:"counts"`
		Compacted bool           `json:"compacted"`
	}
	list := make([]summary, 0, len(runs))
	for _, r := range runs {
		list = append(list, summary{r.ID, r.Time, r.Account, r.Profile, r.Caller, r.Command, r.Counts, r.Compacted})
	}
	if len(list) == 0 && !cmdutil.IsStructured(o) {
		f.Notef("No changes recorded yet.")
		return nil
	}
	r := func(i any) summary { return i.(summary) }
	return output.PrintList(out, o, list, []output.Column{
		{Header: "RUN", Value: func(i any) string { return r(i).ID }},
		{Header: "TIME", Value: func(i any) string { return r(i).Time.Local().Format("2006-01-02 15:04:05") }},
		{Header: "PROFILE", Value: func(i any) string { return dash(r(i).Profile) }},
		{Header: "COMMAND", Value: func(i any) string { return r(i).Command }},
		{Header: "STEPS", Value: func(i any) string { return strconv.Itoa(r(i).Counts.Steps) }},
		{Header: "OK", Value: func(i any) string { return strconv.Itoa(r(i).Counts.OK) }},
		{Header: "FAILED", Value: func(i any) string { return strconv.Itoa(r(i).Counts.Failed) }},
		{Header: "UNKNOWN", Value: func(i any) string { return strconv.Itoa(r(i).Counts.Unknown) }},
		{Header: "CALLER", Wide: true, Value: func(i any) string { return dash(r(i).Caller) }},
		{Header: "ACCOUNT", Wide: true, Value: func(i any) string { return r(i).Account }},
	})
}

func matchesAgent(st journal.Step, ref string) bool {
	if st.Kind != "" && st.Kind != "agent" {
		return false
	}
	if strings.EqualFold(st.Target, ref) || st.TargetID == ref {
		return true
	}
	for _, raw := range []json.RawMessage{st.Before, st.After} {
		var s liveagent.AgentState
		if len(raw) > 0 && json.Unmarshal(raw, &s) == nil && (s.ID == ref || strings.EqualFold(s.Email, ref)) {
			return true
		}
	}
	return false
}

// Describe says what a step changed, for people: `role agent -> admin`.
func Describe(op string, before, after json.RawMessage) string {
	var b, a *liveagent.AgentState
	if len(before) > 0 {
		b = &liveagent.AgentState{}
		if json.Unmarshal(before, b) != nil || b.ID == "" {
			b = nil
		}
	}
	if len(after) > 0 {
		a = &liveagent.AgentState{}
		if json.Unmarshal(after, a) != nil || a.ID == "" {
			a = nil
		}
	}
	switch {
	case b == nil && a == nil:
		return "-"
	case b == nil && strings.Contains(op, "create"):
		return fmt.Sprintf("created (id %s, role %s)", a.ID, roleText(a))
	case a == nil:
		return "(before: " + stateText(b) + ")"
	case b == nil:
		return stateText(a)
	}
	d := b.Diff(a)
	if len(d) == 0 {
		return "no change"
	}
	return strings.Join(d, ", ")
}

func stateText(s *liveagent.AgentState) string {
	status := "active"
	if !s.Active() {
		status = "deleted"
	}
	return fmt.Sprintf("%s, role %s", status, roleText(s))
}

func roleText(s *liveagent.AgentState) string {
	if s.RoleID != "" {
		return s.Role + " (custom " + s.RoleID + ")"
	}
	return s.Role
}

func outcomeText(outcome string, recorded bool, errText string) string {
	switch {
	case outcome == journal.OutcomeUnknown && !recorded:
		return "outcome unknown (no outcome recorded)"
	case outcome == journal.OutcomeUnknown:
		return "outcome unknown: " + errText
	case outcome == journal.OutcomeFailed:
		return "failed: " + errText
	}
	return outcome
}

func targetLabel(target, id string) string {
	switch {
	case target == "":
		return dash(id)
	case id == "" || id == target:
		return target
	}
	return target + " (id " + id + ")"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
