package bulk

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// PlanFormatVersion is the version of the saved-plan file format.
const PlanFormatVersion = 1

// PlanFileKind marks a file as a saved ladmin plan.
const PlanFileKind = "ladmin-plan"

// SavedPlan is a plan written by --plan-out and applied by `ladmin apply`:
// readable JSON for a pull-request review. It names the account and holds,
// for each step, the state of its target as it was read, so that applying
// it can refuse when the account moved. It never holds a key.
type SavedPlan struct {
	Version int         `json:"version"`
	Kind    string      `json:"kind"`
	Account string      `json:"account"`
	Created time.Time   `json:"created"`
	Command string      `json:"command"`
	Caller  string      `json:"caller,omitempty"`
	Steps   []SavedStep `json:"steps"`
}

// SavedStep is one step of a saved plan.
type SavedStep struct {
	Action  Action `json:"action"`
	Op      string `json:"op,omitempty"`
	Email   string `json:"email"`
	Line    int    `json:"line,omitempty"`
	Details string `json:"details,omitempty"`
	// Target is the agent as the plan read it; null for a create (no agent
	// had the email then).
	Target *liveagent.AgentState  `json:"target"`
	Create *liveagent.AgentCreate `json:"create,omitempty"`
	Update *liveagent.AgentUpdate `json:"update,omitempty"`
	// Ops are the operations of an offboard step: sign out, revoke each
	// key (by id, never its secret), delete.
	Ops []Op `json:"ops,omitempty"`
}

// Save turns the steps of a plan that change something into a saved plan.
func Save(plan *Plan, account, command, caller string, now time.Time) *SavedPlan {
	sp := &SavedPlan{Version: PlanFormatVersion, Kind: PlanFileKind, Account: account, Created: now.UTC(),
		Command: command, Caller: caller, Steps: []SavedStep{}}
	for _, s := range plan.Steps {
		if s.Action == ActionSkip || s.Action == ActionError {
			continue
		}
		sp.Steps = append(sp.Steps, SavedStep{Action: s.Action, Op: s.Op, Email: s.Record.Email, Line: s.Record.Line,
			Details: s.Details, Target: s.BeforeState(), Create: s.CreateBody(), Update: s.Update, Ops: s.Ops()})
	}
	return sp
}

// ReadSavedPlan parses a saved plan file, refusing what is not one.
func ReadSavedPlan(name string, data []byte) (*SavedPlan, error) {
	var sp SavedPlan
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sp); err != nil {
		return nil, fmt.Errorf("%s is not a ladmin plan: %v", name, err)
	}
	if sp.Kind != PlanFileKind {
		return nil, fmt.Errorf("%s is not a ladmin plan (kind %q; want %q)", name, sp.Kind, PlanFileKind)
	}
	if sp.Version != PlanFormatVersion {
		return nil, fmt.Errorf("%s is a plan of format version %d; this ladmin reads version %d", name, sp.Version, PlanFormatVersion)
	}
	for i, s := range sp.Steps {
		bad := func(what string) error {
			return fmt.Errorf("%s: step %d (%s %s): %s", name, i+1, s.Action, s.Email, what)
		}
		switch s.Action {
		case ActionCreate:
			if s.Create == nil || s.Target != nil {
				return nil, bad("a create needs a create body and no target")
			}
		case ActionUpdate:
			if s.Update == nil || s.Target == nil {
				return nil, bad("an update needs a target and an update body")
			}
		case ActionRestore:
			if s.Target == nil {
				return nil, bad("needs a target")
			}
		case ActionOffboard:
			if s.Target == nil || len(s.Ops) == 0 {
				return nil, bad("an offboard needs a target and its operations")
			}
			for _, o := range s.Ops {
				if o.AgentID != s.Target.ID || (o.Kind != OpSignOut && o.Kind != OpRevokeKey && o.Kind != OpDelete) {
					return nil, bad(fmt.Sprintf("operation %q does not belong to agent %s", o.Kind, s.Target.ID))
				}
			}
		default:
			return nil, bad(fmt.Sprintf("unknown action %q", s.Action))
		}
	}
	return &sp, nil
}

// Expected is the state the step leaves its target in.
func (s SavedStep) Expected() *liveagent.AgentState {
	var st liveagent.AgentState
	switch s.Action {
	case ActionCreate:
		st = liveagent.AgentState{Email: s.Create.Email, Name: s.Create.Name, Role: s.Create.Role, RoleID: s.Create.RoleID,
			Status: liveagent.StatusActive, Gender: s.Create.Gender}
		if st.Role == "" {
			st.Role = rbac.Agent
		}
		d := slices.Clone(s.Create.Departments)
		if d == nil {
			d = []string{}
		}
		slices.Sort(d)
		st.Departments = &d
		return &st
	default:
		st = *s.Target
	}
	switch s.Action {
	case ActionOffboard:
		for _, o := range s.Ops {
			if o.Kind == OpDelete {
				st.Status = liveagent.StatusDeleted
			}
		}
	case ActionRestore:
		st.Status = liveagent.StatusActive
	}
	if u := s.Update; u != nil {
		if u.Name != nil {
			st.Name = *u.Name
		}
		if u.Gender != nil {
			st.Gender = *u.Gender
		}
		if u.Role != nil {
			st.Role = *u.Role
		}
		if u.RoleID != nil {
			st.RoleID = *u.RoleID
		}
		if u.Departments != nil {
			d := slices.Clone(*u.Departments)
			slices.Sort(d)
			st.Departments = &d
		}
	}
	return &st
}

// Stale is a step whose target changed since the plan was made.
type Stale struct {
	Index   int
	Step    SavedStep
	Changes []string // what changed, for people
}

func (s Stale) String() string {
	return fmt.Sprintf("step %d (%s %s): changed since the plan was made: %s", s.Index+1, s.Step.Action, s.Step.Email,
		strings.Join(s.Changes, ", "))
}

// Checked is a saved plan compared with the account as it is now.
type Checked struct {
	// Plan holds the steps still to apply, against the targets as they are now.
	Plan *Plan
	// Done lists the steps whose target is already as the step would leave it.
	Done []SavedStep
	// Stale lists the steps whose target changed since the plan was made.
	Stale []Stale
}

// Check compares every step of the saved plan with the account as it is
// now: a step whose target is still as the plan read it is to be applied;
// one whose target is already as the step would leave it is done; any other
// is stale.
func (sp *SavedPlan) Check(name string, acct *Account) *Checked {
	out := &Checked{Plan: &Plan{File: &File{Name: name}}}
	for i, s := range sp.Steps {
		cur := currentState(acct, s)
		want := s.Expected()
		switch {
		case sameState(cur, s.Target):
			out.Plan.Steps = append(out.Plan.Steps, resume(acct, s, cur))
		case sameState(cur, want):
			out.Done = append(out.Done, s)
		default:
			out.Stale = append(out.Stale, Stale{Index: i, Step: s, Changes: s.Target.Diff(cur)})
		}
	}
	return out
}

// currentState is the step's target as the account has it now (nil: no
// agent with that id, or for a create, with that email).
func currentState(acct *Account, s SavedStep) *liveagent.AgentState {
	var a *liveagent.Agent
	if s.Target != nil {
		a = acct.ByID(s.Target.ID)
	} else {
		a = acct.Lookup(s.Email)
	}
	if a == nil {
		return nil
	}
	var depts []string
	if a.Active() {
		depts = append([]string{}, acct.DepartmentsOf(a.ID)...)
	}
	return liveagent.StateOf(*a, depts)
}

// sameState compares what a saved plan checks: status, email, name, role,
// role_id and, when both sides know them, departments. Ids are not compared
// for a create's expected state, which has none yet.
func sameState(a, b *liveagent.AgentState) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return len(a.Diff(b)) == 0 && (a.ID == b.ID || a.ID == "" || b.ID == "")
}

// resume turns a saved step back into a plan step against the target as it is now.
func resume(acct *Account, s SavedStep, cur *liveagent.AgentState) Step {
	st := Step{Record: &Record{Line: s.Line, Email: s.Email}, Action: s.Action, Op: s.Op, Details: s.Details,
		Create: s.Create, Update: s.Update, Before: cur}
	if len(s.Ops) > 0 {
		st.SetOps(s.Ops)
	}
	if cur != nil {
		st.Target = acct.ByID(cur.ID)
	}
	if s.Action == ActionUpdate && s.Details != "" {
		st.extra().changes = []string{s.Details}
	}
	if s.Create != nil {
		if r, ok := roleOfWire(acct, s.Create.Role, s.Create.RoleID); ok {
			st.role = &r
		}
	}
	if u := s.Update; u != nil {
		if u.Role != nil || u.RoleID != nil {
			role, roleID := "", ""
			if u.Role != nil {
				role = *u.Role
			}
			if u.RoleID != nil {
				roleID = *u.RoleID
			}
			if r, ok := roleOfWire(acct, role, roleID); ok {
				st.role = &r
				st.extra().roleMoved = true
			}
		}
		if u.Name != nil {
			st.extra().fields = append(st.fields(), "name")
		}
		if u.Gender != nil {
			st.extra().fields = append(st.fields(), "gender")
		}
	}
	return st
}

// roleOfWire finds the role an agent's wire role and role_id name.
func roleOfWire(acct *Account, role, roleID string) (liveagent.Role, bool) {
	if role == "" && roleID == "" {
		role = rbac.Agent
	}
	r := acct.Roles.Of(liveagent.Agent{Role: role, RoleID: roleID})
	return r, r.Name != ""
}
