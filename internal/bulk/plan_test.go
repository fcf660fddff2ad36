package bulk

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// planAccount has a custom role, an active agent in support, an admin, and
// a deleted agent.
func planAccount(me string) *Account {
	roles := liveagent.NewRoleIndex([]liveagent.Role{
		{ID: "r-lead", Name: "support-lead", Base: rbac.Agent, Permissions: []string{
			rbac.TicketsOwn, rbac.TicketsAll, rbac.KnowledgebaseManage, rbac.ReportsOwn, rbac.ReportsAll, rbac.ProfileOwn, rbac.AgentsRead}},
	})
	agents := []liveagent.Agent{
		{ID: "o1", Name: "Olivia Owner", Email: "owner@example.com", Role: rbac.Owner, Status: "A", Gender: "X"},
		{ID: "a1", Name: "Adam Admin", Email: "admin@example.com", Role: rbac.Admin, Status: "A", Gender: "X"},
		{ID: "g1", Name: "Aggie Agent", Email: "agent@example.com", Role: rbac.Agent, Status: "A", Gender: "F"},
		{ID: "l1", Name: "Lena Lead", Email: "lena@acme.example", Role: rbac.Agent, RoleID: "r-lead", Status: "A", Gender: "F"},
		{ID: "x0", Name: "Old Xavier", Email: "xavier@acme.example", Role: rbac.Admin, Status: "X", Gender: "M"},
		{ID: "x1", Name: "Xavier", Email: "xavier@acme.example", Role: rbac.Agent, Status: "X", Gender: "M"},
	}
	depts := []liveagent.Department{
		{DepartmentID: "d-sup", Name: "support", AgentIDs: []string{"g1"}},
		{DepartmentID: "d-sal", Name: "sales", AgentIDs: []string{}},
	}
	var meAgent liveagent.Agent
	for _, a := range agents {
		if a.Email == me {
			meAgent = a
		}
	}
	return NewAccount(meAgent, roles, depts, agents)
}

func mustPlan(t *testing.T, csv string, acct *Account, on OnExisting) *Plan {
	t.Helper()
	f, problems, fatal := Parse([]byte(csv), ParseOptions{Name: "r.csv"})
	if fatal || len(problems) > 0 {
		t.Fatalf("parse: %v", problems.Lines())
	}
	plan, problems := MakePlan(f, acct, PlanOptions{OnExisting: on})
	if len(problems) > 0 {
		t.Fatalf("plan: %v", problems.Lines())
	}
	return plan
}

func TestPlanActions(t *testing.T) {
	roster := `email,name,role,gender,departments
new@acme.example,New Person,,,
Agent@Example.com,Aggie Agent,agent,F,support
agent@example.com,Aggie Agent,,,
lena@acme.example,Lena Lead,support-lead,,sales
xavier@acme.example,,,,
admin@example.com,Adam Admin,agent,,
gone@acme.example,Gone,agent,,,
`
	// The same email twice is refused (row 2 and 3): test rows separately.
	rows := strings.Split(strings.TrimSpace(roster), "\n")
	header := rows[0] + "\n"
	cases := []struct {
		row    string
		on     OnExisting
		action Action
		detail string
	}{
		{rows[1], OnExistingSkip, ActionCreate, "role agent"},
		{rows[2], OnExistingSkip, ActionSkip, "already as wanted (id g1)"},
		{rows[2], OnExistingUpdate, ActionSkip, "already as wanted (id g1)"},
		{rows[2], OnExistingFail, ActionError, "an agent with this email exists (id g1) and --on-existing is fail"},
		{rows[3], OnExistingUpdate, ActionSkip, "already as wanted (id g1)"}, // empty cells ask for nothing
		{rows[4], OnExistingSkip, ActionSkip, "exists (id l1), differs: departments - -> sales; --on-existing update would change it"},
		{rows[4], OnExistingUpdate, ActionUpdate, "departments - -> sales"},
		{rows[5], OnExistingSkip, ActionSkip, "deleted agent exists (id x1); --on-existing update would restore it"},
		{rows[5], OnExistingUpdate, ActionRestore, "deleted agent (id x1)"},
		{rows[5], OnExistingFail, ActionError, "a deleted agent with this email exists (id x1) and --on-existing is fail"},
		{rows[6], OnExistingUpdate, ActionUpdate, "role admin -> agent"},
	}
	for _, c := range cases {
		plan := mustPlan(t, header+c.row+"\n", planAccount("owner@example.com"), c.on)
		s := plan.Steps[0]
		if s.Action != c.action || s.Details != c.detail {
			t.Errorf("%s --on-existing %s: %s %q, want %s %q", c.row, c.on, s.Action, s.Details, c.action, c.detail)
		}
	}
}

func TestPlanCreateBodyAndRestoreWithUpdate(t *testing.T) {
	acct := planAccount("owner@example.com")
	plan := mustPlan(t, "email,name,role,gender,departments\nnew@acme.example,New,support-lead,f,Sales;support\n"+
		"xavier@acme.example,Xavier Restored,admin,,sales\n", acct, OnExistingUpdate)
	c := plan.Steps[0].CreateBody()
	if c == nil || c.Role != rbac.Agent || c.RoleID != "r-lead" || c.Gender != "F" || strings.Join(c.Departments, ",") != "d-sal,d-sup" {
		t.Errorf("create body %+v", c)
	}
	r := plan.Steps[1]
	if r.Action != ActionRestore || r.Update == nil || r.Target.ID != "x1" {
		t.Fatalf("restore step %+v", r)
	}
	if r.Update.Role == nil || *r.Update.Role != rbac.Admin || *r.Update.RoleID != "" || *r.Update.Name != "Xavier Restored" ||
		strings.Join(*r.Update.Departments, ",") != "d-sal" {
		t.Errorf("update after restore %+v", r.Update)
	}
	if plan.Requests() != 3 {
		t.Errorf("requests %d, want 3 (create, restore, update)", plan.Requests())
	}
	if got := plan.Counts().String(); got != "1 to create, 0 to update, 1 to restore, 0 to skip" {
		t.Errorf("counts %q", got)
	}
}

func TestAuthorize(t *testing.T) {
	cases := []struct {
		me, csv string
		on      OnExisting
		want    []string
	}{
		{"agent@example.com", "email,name\nnew@acme.example,New\n", OnExistingSkip,
			[]string{"r.csv: only owners and admins can invite agents (your role: agent); an import needs the agents.invite permission"}},
		{"admin@example.com", "email,name,role\nboss@acme.example,Boss,owner\nok@acme.example,Ok,admin\n", OnExistingSkip,
			[]string{`r.csv:2: column "role": you cannot give the role owner: it holds billing.manage, which your role (admin) does not`}},
		{"admin@example.com", "email,name,role\nowner@example.com,Olivia Owner,agent\n", OnExistingUpdate,
			[]string{`r.csv:2: column "role": you cannot change the role of owner@example.com (role owner): they hold billing.manage, which your role (admin) does not`}},
		// With skip nothing would be sent to the owner: nothing to refuse.
		{"admin@example.com", "email,name,role\nowner@example.com,Olivia Owner,agent\n", OnExistingSkip, nil},
		{"admin@example.com", "email,name,role\nadmin@example.com,Adam Admin,agent\n", OnExistingUpdate,
			[]string{`r.csv:2: column "role": you cannot change your own role; another owner or admin must do it`}},
		{"admin@example.com", "email,name\nadmin@example.com,Adam The Admin\n", OnExistingUpdate, nil}, // own profile: fine
		{"admin@example.com", "email,name\nxavier@acme.example,Xavier\n", OnExistingUpdate, nil},
	}
	for _, c := range cases {
		acct := planAccount(c.me)
		plan := mustPlan(t, c.csv, acct, c.on)
		got := Authorize(plan, acct).Lines()
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s imports %q:\n got %q\nwant %q", c.me, c.csv, got, c.want)
		}
	}
}

func TestEstimate(t *testing.T) {
	acct := planAccount("owner@example.com")
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := 0; i < 360; i++ {
		fmt.Fprintf(&b, "n%d@acme.example,N\n", i)
	}
	plan := mustPlan(t, b.String(), acct, OnExistingSkip)
	e := EstimatePlan(plan, EstimateOptions{Concurrency: 8})
	if e.Requests != 360 || e.Duration != 2*time.Minute || !strings.Contains(e.String(), "about 2m0s at LiveAgent's default of 180 requests a minute (the account sent no rate limit)") {
		t.Errorf("default estimate: %+v %s", e, e)
	}
	e = EstimatePlan(plan, EstimateOptions{Hint: 100, Concurrency: 8, RoundTrip: 50 * time.Millisecond})
	if e.Duration != 3600*time.Millisecond || e.Rate != 100 ||
		!strings.Contains(e.String(), "at the account's rate limit of 6000 requests a minute (its X-RateLimit-Limit)") {
		t.Errorf("hinted estimate: %+v", e)
	}
	e = EstimatePlan(plan, EstimateOptions{Hint: 100, Concurrency: 1, RoundTrip: 50 * time.Millisecond})
	if e.Duration != 18*time.Second {
		t.Errorf("one worker at 50ms: %+v", e)
	}
	e = EstimatePlan(plan, EstimateOptions{Hint: 100, ClientRate: 10, Concurrency: 8})
	if e.Duration != 36*time.Second || e.RateSource != "--rate" || !strings.Contains(e.String(), "at --rate 10 (600 requests a minute)") {
		t.Errorf("--rate 10: %+v", e)
	}
}
