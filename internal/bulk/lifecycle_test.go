package bulk

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/journal"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

func lifecycleAccount(agents ...liveagent.Agent) *Account {
	base := []liveagent.Agent{
		{ID: "o1", Email: "owner@example.com", Name: "O", Role: rbac.Owner, Status: "A"},
		{ID: "o2", Email: "boss@example.com", Name: "B", Role: rbac.Owner, Status: "A"},
		{ID: "a1", Email: "admin@example.com", Name: "A", Role: rbac.Admin, Status: "A"},
		{ID: "g1", Email: "ana@example.com", Name: "Ana", Role: rbac.Agent, Status: "A"},
		{ID: "g2", Email: "bob@example.com", Name: "Bob", Role: rbac.Agent, Status: "A"},
		{ID: "g3", Email: "cy@example.com", Name: "Cy", Role: rbac.Agent, Status: "X"},
		{ID: "p1", Email: "pat@partner.example", Name: "Pat", Role: rbac.Agent, Status: "A"},
	}
	base = append(base, agents...)
	return NewAccount(base[0], liveagent.NewRoleIndex(nil), nil, base)
}

func TestPruneGuards(t *testing.T) {
	acct := lifecycleAccount()
	file := &File{Name: "roster.csv", Records: []Record{{Line: 2, Email: "ANA@example.com"}}}
	keys := KeysByAgent([]Key{{ID: "20", UserID: "g2"}})
	plan := &Plan{File: file}
	kept, err := Prune(plan, acct, keys, OffboardOptions{}, PruneOptions{Protect: []string{"*@PARTNER.example"}})
	if err != nil {
		t.Fatal(err)
	}
	var pruned []string
	for _, s := range plan.Steps {
		pruned = append(pruned, s.Target.ID+":"+string(s.Action))
		if s.Target.ID == "g2" && !reflect.DeepEqual(kinds(s), []string{"sign-out", "revoke-key:20", "delete"}) {
			t.Errorf("g2's ops: %v", kinds(s))
		}
	}
	// Never the caller (o1), another owner (o2), a --protect match (p1), a
	// listed agent (g1, whatever the case) or a deleted one (g3).
	if want := []string{"a1:offboard", "g2:offboard"}; !reflect.DeepEqual(pruned, want) {
		t.Errorf("pruned %v, want %v", pruned, want)
	}
	if len(kept) != 3 {
		t.Errorf("kept %v, want the caller, the other owner and the protected agent", kept)
	}

	var tooMany *ErrTooManyDeletes
	_, err = Prune(&Plan{File: file}, acct, nil, OffboardOptions{}, PruneOptions{MaxDeletes: 2})
	if !errors.As(err, &tooMany) || tooMany.Count != 3 || tooMany.Max != 2 {
		t.Errorf("3 prunes past --max-deletes 2: %v", err)
	}
	var empty *ErrPruneEmpty
	if _, err := Prune(&Plan{File: &File{Name: "e.csv"}}, acct, nil, OffboardOptions{}, PruneOptions{MaxDeletes: 1000}); !errors.As(err, &empty) {
		t.Errorf("an empty file: %v", err)
	}
}

func TestSavedPlanCheck(t *testing.T) {
	g1 := liveagent.Agent{ID: "g1", Email: "ana@example.com", Name: "Ana", Role: rbac.Agent, Status: "A"}
	admin, none := rbac.Admin, ""
	update := SavedStep{Action: ActionUpdate, Email: g1.Email, Target: liveagent.StateOf(g1, nil),
		Update: &liveagent.AgentUpdate{Role: &admin, RoleID: &none}}
	create := SavedStep{Action: ActionCreate, Email: "new@example.com",
		Create: &liveagent.AgentCreate{Email: "new@example.com", Name: "New", Role: rbac.Agent}}
	offboard := OffboardStep(&Record{Email: "bob@example.com"},
		&liveagent.Agent{ID: "g2", Email: "bob@example.com", Name: "Bob", Role: rbac.Agent, Status: "A"}, nil, OffboardOptions{})
	sp := &SavedPlan{Steps: []SavedStep{update, create, {Action: ActionOffboard, Email: "bob@example.com", Target: offboard.Before, Ops: offboard.Ops()}}}

	type verdict struct{ pending, done, stale int }
	check := func(acct *Account) verdict {
		c := sp.Check("plan.json", acct)
		return verdict{len(c.Plan.Steps), len(c.Done), len(c.Stale)}
	}
	// As planned: everything to do.
	if got := check(lifecycleAccount()); got != (verdict{3, 0, 0}) {
		t.Errorf("unchanged account: %+v", got)
	}
	// As the plan leaves it: everything done (applying twice is a no-op).
	done := lifecycleAccount(liveagent.Agent{ID: "n1", Email: "new@example.com", Name: "New", Role: rbac.Agent, Status: "A"})
	for i := range done.Agents {
		switch done.Agents[i].ID {
		case "g1":
			done.Agents[i].Role = rbac.Admin
		case "g2":
			done.Agents[i].Status = "X"
		}
	}
	done = NewAccount(done.Me, done.Roles, nil, done.Agents)
	if got := check(done); got != (verdict{0, 3, 0}) {
		t.Errorf("applied account: %+v", got)
	}
	// Moved: ana renamed, new@ made with another role by hand.
	moved := lifecycleAccount(liveagent.Agent{ID: "n1", Email: "new@example.com", Name: "New", Role: rbac.Admin, Status: "A"})
	for i := range moved.Agents {
		if moved.Agents[i].ID == "g1" {
			moved.Agents[i].Name = "Ana B"
		}
	}
	moved = NewAccount(moved.Me, moved.Roles, nil, moved.Agents)
	c := sp.Check("plan.json", moved)
	if len(c.Stale) != 2 || len(c.Plan.Steps) != 1 {
		t.Fatalf("moved account: %d stale, %d pending", len(c.Stale), len(c.Plan.Steps))
	}
	if got := c.Stale[0].String(); got != `step 1 (update ana@example.com): changed since the plan was made: name Ana -> Ana B` {
		t.Errorf("stale step reads %q", got)
	}

	// A saved plan reads back as it was written.
	data, _ := json.Marshal(Save(&Plan{File: &File{Name: "x"}, Steps: []Step{offboard}}, "https://acme.example", "ladmin x", "o@x", time.Now()))
	back, err := ReadSavedPlan("p.json", data)
	if err != nil || len(back.Steps) != 1 || back.Steps[0].Action != ActionOffboard || len(back.Steps[0].Ops) != 2 {
		t.Fatalf("read back: %+v, %v", back, err)
	}
	for _, bad := range []string{`{}`, `{"version":2,"kind":"ladmin-plan"}`, `{"version":1,"kind":"ladmin-plan","steps":[{"action":"nuke"}]}`,
		`{"version":1,"kind":"ladmin-plan","apikey":"secret"}`} {
		if _, err := ReadSavedPlan("p.json", []byte(bad)); err == nil {
			t.Errorf("%s was accepted as a plan", bad)
		}
	}
}

func TestUndoInverse(t *testing.T) {
	st := func(a liveagent.Agent) json.RawMessage {
		b, _ := json.Marshal(liveagent.StateOf(a, nil))
		return b
	}
	ana := liveagent.Agent{ID: "g1", Email: "ana@example.com", Name: "Ana", Role: rbac.Agent, Status: "A"}
	anaAdmin := ana
	anaAdmin.Role = rbac.Admin
	bob := liveagent.Agent{ID: "g2", Email: "bob@example.com", Name: "Bob", Role: rbac.Agent, Status: "A"}
	bobGone := bob
	bobGone.Status = "X"
	nu := liveagent.Agent{ID: "n1", Email: "new@example.com", Name: "New", Role: rbac.Agent, Status: "A"}
	run := &journal.Run{ID: "r1", Steps: []journal.Step{
		{Op: "set-role", Kind: "agent", Target: ana.Email, TargetID: "g1", Before: st(ana), After: st(anaAdmin), Outcome: journal.OutcomeOK},
		{Op: "sign-out", Kind: "agent", Target: bob.Email, TargetID: "g2", Outcome: journal.OutcomeOK},
		{Op: "revoke-key", Kind: "apikey", Target: "20 of bob@example.com", TargetID: "20", Outcome: journal.OutcomeOK},
		{Op: "delete", Kind: "agent", Target: bob.Email, TargetID: "g2", Before: st(bob), After: st(bobGone), Outcome: journal.OutcomeOK},
		{Op: "create", Kind: "agent", Target: nu.Email, TargetID: "n1", After: st(nu), Outcome: journal.OutcomeOK},
		{Op: "create", Kind: "agent", Target: "lost@example.com", Outcome: journal.OutcomeUnknown},
		{Op: "create", Kind: "agent", Target: "dup@example.com", Outcome: journal.OutcomeFailed},
	}}
	sp, notes := Undo(run, nil, OffboardOptions{}, "https://acme.example", "ladmin undo r1", "o@x", time.Now())
	var got []string
	for _, s := range sp.Steps {
		got = append(got, string(s.Action)+" "+s.Email)
	}
	want := []string{"update ana@example.com", "restore bob@example.com", "offboard new@example.com"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("inverse %v, want %v", got, want)
	}
	if r := sp.Steps[0].Update.Role; r == nil || *r != rbac.Agent {
		t.Errorf("the role goes back to agent: %+v", sp.Steps[0].Update)
	}
	if sp.Steps[0].Target.Role != rbac.Admin {
		t.Errorf("the inverse checks the state the run left: %+v", sp.Steps[0].Target)
	}
	if len(notes) != 2 {
		t.Errorf("notes %q: want one for the revoked key and one for the unknown create", notes)
	}
}
