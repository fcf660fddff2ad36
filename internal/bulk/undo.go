package bulk

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ladmin/ladmin/internal/journal"
	"github.com/ladmin/ladmin/internal/liveagent"
)

// Undo builds the inverse of one journal run as a saved plan: per agent the
// run touched, the step that takes it from where the run left it back to
// where the run found it (a create becomes an offboard, a delete a restore
// of the same id, a role or field change the old values). Each step's target
// is the state the run left, so checking the plan against the account finds
// the agents that moved since. What cannot be undone is returned as notes.
func Undo(run *journal.Run, keys map[string][]Key, off OffboardOptions, account, command, caller string, now time.Time) (*SavedPlan, []string) {
	sp := &SavedPlan{Version: PlanFormatVersion, Kind: PlanFileKind, Account: account, Created: now.UTC(),
		Command: command, Caller: caller, Steps: []SavedStep{}}
	var notes []string
	if run.Compacted {
		notes = append(notes, fmt.Sprintf("run %s was compacted: only its summary is left, so it cannot be undone", run.ID))
		return sp, notes
	}
	type span struct {
		first, last *liveagent.AgentState
		created     bool
		email       string
	}
	spans := map[string]*span{}
	var order []string
	for _, st := range run.Steps {
		if st.Kind != "agent" {
			notes = append(notes, otherNote(st))
			continue
		}
		before, after := decodeState(st.Before), decodeState(st.After)
		if before == nil && after == nil && st.Op != "create" {
			continue // a sign-out: nothing to put back
		}
		id := st.TargetID
		if id == "" && after != nil {
			id = after.ID
		}
		if st.Outcome != journal.OutcomeOK {
			if st.Outcome == journal.OutcomeUnknown {
				notes = append(notes, fmt.Sprintf("%s %s: its outcome is unknown, so undo leaves it alone; check the agent with `ladmin agent get %s`",
					st.Op, st.Target, st.Target))
			}
			continue // a failed step changed nothing
		}
		if id == "" {
			continue
		}
		g, ok := spans[id]
		if !ok {
			g = &span{first: before, created: st.Op == "create", email: st.Target}
			spans[id] = g
			order = append(order, id)
		}
		if after != nil {
			g.last = after
			g.email = after.Email
		}
	}
	for _, id := range order {
		s := spans[id]
		if s.last == nil {
			continue
		}
		step, ok := inverse(s.first, s.last, s.created)
		if !ok {
			continue
		}
		step.Email = s.email
		if step.Action == ActionOffboard {
			agent := liveagent.Agent{ID: s.last.ID, Email: s.last.Email, Name: s.last.Name, Role: s.last.Role,
				RoleID: s.last.RoleID, Status: s.last.Status}
			ob := OffboardStep(&Record{Email: s.email}, &agent, keys[agent.ID], off)
			step.Ops = ob.Ops()
			step.Details += ": " + ob.Details
		}
		sp.Steps = append(sp.Steps, step)
	}
	return sp, notes
}

// inverse is the step that takes an agent from last back to first.
func inverse(first, last *liveagent.AgentState, created bool) (SavedStep, bool) {
	tgt := *last
	switch {
	case created || first == nil:
		if !last.Active() {
			return SavedStep{}, false
		}
		return SavedStep{Action: ActionOffboard, Target: &tgt, Details: "created by the run"}, true
	case first.Active() && !last.Active():
		up, changes := back(first, last)
		d := "deleted by the run: restore (same id)"
		if len(changes) > 0 {
			d += "; then " + strings.Join(changes, ", ")
		}
		return SavedStep{Action: ActionRestore, Target: &tgt, Update: up, Details: d}, true
	case !first.Active() && last.Active():
		return SavedStep{Action: ActionOffboard, Target: &tgt, Details: "restored by the run"}, true
	case first.Active() && last.Active():
		up, changes := back(first, last)
		if up == nil {
			return SavedStep{}, false
		}
		return SavedStep{Action: ActionUpdate, Target: &tgt, Update: up, Details: strings.Join(changes, ", ")}, true
	}
	return SavedStep{}, false
}

// back is the update that puts last's fields back to first's.
func back(first, last *liveagent.AgentState) (*liveagent.AgentUpdate, []string) {
	up := &liveagent.AgentUpdate{}
	var changes []string
	if first.Role != last.Role || first.RoleID != last.RoleID {
		role, roleID := first.Role, first.RoleID
		up.Role, up.RoleID = &role, &roleID
		changes = append(changes, fmt.Sprintf("role %s -> %s", roleLabel(last), roleLabel(first)))
	}
	if first.Name != last.Name {
		name := first.Name
		up.Name = &name
		changes = append(changes, fmt.Sprintf("name %q -> %q", last.Name, first.Name))
	}
	if first.Gender != last.Gender && first.Gender != "" {
		g := first.Gender
		up.Gender = &g
		changes = append(changes, fmt.Sprintf("gender %s -> %s", orDash(last.Gender), g))
	}
	if first.Departments != nil && last.Departments != nil && !slices.Equal(*first.Departments, *last.Departments) {
		d := slices.Clone(*first.Departments)
		up.Departments = &d
		changes = append(changes, fmt.Sprintf("departments %s -> %s", orDash(strings.Join(*last.Departments, ";")), orDash(strings.Join(d, ";"))))
	}
	if len(changes) == 0 {
		return nil, nil
	}
	return up, changes
}

func roleLabel(s *liveagent.AgentState) string {
	if s.RoleID != "" {
		return s.Role + "/" + s.RoleID
	}
	return s.Role
}

func decodeState(raw json.RawMessage) *liveagent.AgentState {
	if len(raw) == 0 {
		return nil
	}
	var s liveagent.AgentState
	if json.Unmarshal(raw, &s) != nil || s.ID == "" {
		return nil
	}
	return &s
}

// otherNote says why a step that is not an agent's is not undone.
func otherNote(st journal.Step) string {
	switch {
	case st.Kind == "apikey" && st.Outcome == journal.OutcomeOK && (st.Op == "delete" || st.Op == "revoke" || st.Op == "revoke-key"):
		return fmt.Sprintf("API key %s was revoked: its secret is gone, so it cannot be restored; make a new key if one is needed", st.Target)
	case st.Kind == "role":
		return fmt.Sprintf("%s %s: undo does not change role definitions; use `ladmin role` to put it back", st.Op, st.Target)
	case st.Outcome != journal.OutcomeOK:
		return fmt.Sprintf("%s %s (%s): not undone", st.Op, st.Target, st.Outcome)
	}
	return fmt.Sprintf("%s %s: not undone (undo puts agents back)", st.Op, orDash(st.Target))
}
