package review_test

import (
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/bulk"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/review"
)

func account() *bulk.Account {
	lead := liveagent.Role{ID: "r1", Name: "support-lead", Base: rbac.Agent,
		Permissions: rbac.MustBuiltin(rbac.Agent).Permissions.With(rbac.ReportsAll).Names()}
	plain := liveagent.Role{ID: "r2", Name: "plain", Base: rbac.Agent, Permissions: rbac.MustBuiltin(rbac.Agent).Permissions.Names()}
	roles := liveagent.NewRoleIndex([]liveagent.Role{lead, plain})
	agents := []liveagent.Agent{
		{ID: "o", Email: "owner@acme.com", Name: "Olivia", Role: rbac.Owner, Status: liveagent.StatusActive},
		{ID: "a", Email: "admin@acme.com", Name: "Adam", Role: rbac.Admin, Status: liveagent.StatusActive, TwofactorAuth: "Y"},
		{ID: "g", Email: "agent@acme.com", Name: "Aggie", Role: rbac.Agent, Status: liveagent.StatusActive},
		{ID: "l", Email: "lead@acme.com", Name: "Li", Role: rbac.Agent, RoleID: "r1", Status: liveagent.StatusActive},
		{ID: "p", Email: "plain@acme.com", Name: "Pat", Role: rbac.Agent, RoleID: "r2", Status: liveagent.StatusActive},
		{ID: "x", Email: "gone@acme.com", Name: "Gone", Role: rbac.Admin, Status: liveagent.StatusDeleted},
	}
	depts := []liveagent.Department{{DepartmentID: "d1", Name: "support", AgentIDs: []string{"l", "a"}}}
	return bulk.NewAccount(agents[0], roles, depts, agents)
}

func emails(rows []review.Row) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Email)
	}
	return strings.Join(out, " ")
}

func TestExportScopes(t *testing.T) {
	acct := account()
	priv := review.Export(acct, review.ScopePrivileged, map[string]int{"a": 2})
	if got := emails(priv); got != "admin@acme.com lead@acme.com owner@acme.com" {
		t.Errorf("privileged scope = %s", got)
	}
	if priv[0].APIKeys != "2" || priv[0].TwofactorAuth != "Y" || priv[0].Departments != "support" {
		t.Errorf("admin row = %+v", priv[0])
	}
	if priv[1].Permissions != rbac.ReportsAll || priv[1].Role != "support-lead" || priv[1].RoleID != "r1" {
		t.Errorf("lead row = %+v", priv[1])
	}
	all := review.Export(acct, review.ScopeAll, nil)
	if got := emails(all); got != "admin@acme.com agent@acme.com lead@acme.com owner@acme.com plain@acme.com" {
		t.Errorf("all scope = %s", got)
	}
	if all[0].APIKeys != "" {
		t.Errorf("unknown key counts must leave the column empty, got %q", all[0].APIKeys)
	}
}

func TestParseDecision(t *testing.T) {
	for _, c := range []struct {
		in, kind, role, err string
	}{
		{"keep", "keep", "", ""},
		{" Offboard ", "offboard", "", ""},
		{"role:agent", "role", "agent", ""},
		{"ROLE: Support-Lead", "role", "Support-Lead", ""},
		{"role:", "", "", "names no role"},
		{"remove", "", "", `unknown decision "remove"`},
	} {
		kind, role, err := review.ParseDecision(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseDecision(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || string(kind) != c.kind || role != c.role {
			t.Errorf("ParseDecision(%q) = %q %q %v", c.in, kind, role, err)
		}
	}
}

func parse(t *testing.T, data string) *bulk.File {
	t.Helper()
	f, problems, fatal := bulk.Parse([]byte(data), bulk.ParseOptions{Name: "review.csv", IgnoreUnknownColumns: true})
	if fatal || len(problems) > 0 {
		t.Fatalf("parse: %v", problems)
	}
	return f
}

const header = "id,email,name,role,role_id,status,permissions,twofactor_auth,last_pswd_change,departments,api_keys,decision,note\n"

func TestReadDecisions(t *testing.T) {
	acct := account()
	f := parse(t, header+
		"a,admin@acme.com,Adam,admin,,A,,Y,,,0,keep,still runs the desk\n"+
		"l,lead@acme.com,Li,support-lead,r1,A,,N,,,0,role:agent,\n"+
		"o,owner@acme.com,Olivia,owner,,A,,N,,,0,,\n")
	_, problems := review.Read(f, acct.Roles, false)
	if len(problems) != 1 || problems[0].Line != 4 || problems[0].Column != "decision" {
		t.Fatalf("an empty decision without --default keep: %v", problems)
	}
	ds, problems := review.Read(f, acct.Roles, true)
	if len(problems) != 0 || len(ds) != 3 {
		t.Fatalf("with --default keep: %v %v", ds, problems)
	}
	if ds[1].Kind != review.SetRole || ds[1].NewRole != "agent" || !ds[2].Defaulted || ds[0].Note != "still runs the desk" {
		t.Errorf("decisions = %+v", ds)
	}
	bad := parse(t, header+"a,admin@acme.com,Adam,admin,,A,,Y,,,0,role:admn,\na,admin@acme.com,Adam,admin,,A,,Y,,,0,keep,\n")
	_, problems = review.Read(bad, acct.Roles, false)
	if len(problems) != 2 || !strings.Contains(problems[0].String(), `review.csv:2: column "decision": unknown role "admn" (did you mean "admin"?)`) ||
		!strings.Contains(problems[1].Message, "already decided on line 2") {
		t.Errorf("problems = %v", problems)
	}
}

func TestStale(t *testing.T) {
	acct := account()
	f := parse(t, header+
		"a,admin@acme.com,Adam,admin,,A,,Y,,,0,keep,\n"+ // unchanged
		"l,lead@acme.com,Li,admin,,A,,N,,,0,keep,\n"+ // was admin at export, now support-lead
		"x,gone@acme.com,Gone,admin,,A,,N,,,0,keep,\n"+ // deleted since
		"zz,new@acme.com,New,agent,,A,,N,,,0,keep,\n") // unknown id
	ds, problems := review.Read(f, acct.Roles, false)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	stale := review.Stale(ds, acct)
	if len(stale) != 3 {
		t.Fatalf("stale = %+v", stale)
	}
	got := []string{strings.Join(stale[0].Changes, "; "), strings.Join(stale[1].Changes, "; "), strings.Join(stale[2].Changes, "; ")}
	want := []string{`role admin -> support-lead; role_id "" -> "r1"`, "status A -> X", "the agent no longer exists"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stale[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestEvidenceMarkdownEscapes(t *testing.T) {
	e := review.Evidence{Account: "https://acme.ladesk.com", Reviewer: "ciso@acme.com", File: "review.csv",
		Decisions: []review.EvidenceItem{{Line: 2, Email: "a|b@acme.com", Role: "admin", Decision: "keep", Outcome: "kept",
			Note: "ok | [x](http://evil)"}}}
	e.Tally()
	var b strings.Builder
	if err := e.WriteMarkdown(&b, func(s string) string { return s }); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if e.Summary.Kept != 1 || !strings.Contains(out, `a\|b@acme.com`) || strings.Contains(out, "[x](") {
		t.Errorf("markdown:\n%s", out)
	}
}
