package bulk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
)

// account is a sandbox and a client for it, as `agent import` builds one.
type account struct {
	t        *testing.T
	url      string
	client   *liveagent.Client
	observer *Observer
}

func startAccount(t *testing.T, opts sandbox.Options) *account {
	t.Helper()
	url, _ := sandboxtest.Start(t, opts)
	return connect(t, url, sandbox.OwnerKey)
}

func connect(t *testing.T, url, key string) *account {
	t.Helper()
	obs := NewObserver(nil, 8)
	c, err := liveagent.New(liveagent.Config{URL: url, APIKey: key, Transport: obs,
		BackoffBase: 5 * time.Millisecond, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &account{t: t, url: url, client: c, observer: obs}
}

// importRun is what `agent import` does: parse, read the account once,
// plan, check rights, apply.
func (a *account) importRun(ctx context.Context, data []byte, on OnExisting, opts ApplyOptions) (Summary, *Plan) {
	a.t.Helper()
	f, problems, fatal := Parse(data, ParseOptions{Name: "roster.csv"})
	if fatal || len(problems) > 0 {
		a.t.Fatalf("parse: %v", problems.Lines())
	}
	acct, err := LoadAccount(ctx, a.client)
	if err != nil {
		a.t.Fatal(err)
	}
	plan, problems := MakePlan(f, acct, PlanOptions{OnExisting: on})
	if len(problems) > 0 {
		a.t.Fatalf("plan: %v", problems.Lines())
	}
	if denied := Authorize(plan, acct); len(denied) > 0 {
		a.t.Fatalf("authorize: %v", denied.Lines())
	}
	return Apply(ctx, a.client, plan, opts), plan
}

func (a *account) agents() []liveagent.Agent {
	a.t.Helper()
	all, err := a.client.ListAgents(context.Background(), liveagent.ListOptions{Filters: []liveagent.Filter{{
		Field: "status", Op: "in", Value: []string{"A", "X"}}}})
	if err != nil {
		a.t.Fatal(err)
	}
	return all
}

func (a *account) outbox() []sandbox.Invitation {
	a.t.Helper()
	resp, err := http.Get(a.url + sandbox.OutboxPath)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var inv []sandbox.Invitation
	if err := json.NewDecoder(resp.Body).Decode(&inv); err != nil {
		a.t.Fatal(err)
	}
	return inv
}

// checkExactly asserts the account holds the seed plus exactly these emails,
// each once (no duplicate record, active or deleted), each invited once.
func (a *account) checkExactly(emails []string) {
	a.t.Helper()
	count := map[string]int{}
	for _, ag := range a.agents() {
		count[strings.ToLower(ag.Email)]++
		if ag.Status != "A" {
			a.t.Errorf("%s is deleted", ag.Email)
		}
	}
	if len(count) != len(emails)+3 {
		a.t.Errorf("%d distinct emails, want %d", len(count), len(emails)+3)
	}
	invited := map[string]int{}
	for _, inv := range a.outbox() {
		invited[strings.ToLower(inv.Email)]++
	}
	for _, e := range emails {
		e = strings.ToLower(e)
		if count[e] != 1 || invited[e] != 1 {
			a.t.Errorf("%s: %d records, %d invitations; want 1 and 1", e, count[e], invited[e])
		}
	}
	if len(invited) != len(emails) {
		a.t.Errorf("%d invitations, want %d", len(invited), len(emails))
	}
}

func sampleRoster(t *testing.T) []byte {
	data, err := os.ReadFile("../../testdata/roster.csv")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func emailsOf(t *testing.T, data []byte) []string {
	f, _, _ := Parse(data, ParseOptions{Name: "x.csv"})
	var out []string
	for _, r := range f.Records {
		out = append(out, r.Email)
	}
	return out
}

func TestEndToEndImportThenReimportChangesNothing(t *testing.T) {
	a := startAccount(t, sandbox.Options{})
	ctx := context.Background()
	data := sampleRoster(t)
	sum, _ := a.importRun(ctx, data, OnExistingSkip, ApplyOptions{})
	if sum.Created != 25 || !sum.Clean() {
		t.Fatalf("first import: %s", sum)
	}
	a.checkExactly(emailsOf(t, data))

	// What was asked is what the account holds: names byte for byte, roles, departments.
	f, _, _ := Parse(data, ParseOptions{Name: "roster.csv"})
	acct, err := LoadAccount(ctx, a.client)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Records {
		ag := acct.Lookup(r.Email)
		if ag == nil || ag.Name != r.Name || acct.Roles.RoleName(*ag) != r.Role || (r.Gender != "" && ag.Gender != r.Gender) {
			t.Errorf("line %d: %+v, want %q %q %q", r.Line, ag, r.Name, r.Role, r.Gender)
			continue
		}
		if got := strings.Join(acct.DepartmentNames(acct.DepartmentsOf(ag.ID)), ";"); !sameSet(got, strings.Join(r.Departments, ";")) {
			t.Errorf("%s: departments %q, want %q", r.Email, got, r.Departments)
		}
	}

	for _, on := range []OnExisting{OnExistingSkip, OnExistingUpdate} {
		writes := a.observer.Writes()
		sum, plan := a.importRun(ctx, data, on, ApplyOptions{})
		if sum.Skipped != 25 || plan.Requests() != 0 || !sum.Clean() {
			t.Errorf("re-import (--on-existing %s): %s", on, sum)
		}
		if n := a.observer.Writes() - writes; n != 0 {
			t.Errorf("re-import (--on-existing %s) sent %d writes", on, n)
		}
	}
	a.checkExactly(emailsOf(t, data))
}

func sameSet(a, b string) bool {
	as, bs := strings.Split(a, ";"), strings.Split(b, ";")
	if len(as) != len(bs) {
		return false
	}
	seen := map[string]bool{}
	for _, x := range as {
		seen[x] = true
	}
	for _, x := range bs {
		if !seen[x] {
			return false
		}
	}
	return true
}

func TestEndToEndUpdateAndRestore(t *testing.T) {
	a := startAccount(t, sandbox.Options{})
	ctx := context.Background()
	if sum, _ := a.importRun(ctx, sampleRoster(t), OnExistingSkip, ApplyOptions{}); !sum.Clean() {
		t.Fatal(sum)
	}
	if _, err := a.client.CreateRole(ctx, liveagent.RoleCreate{Name: "support-lead", Base: "agent",
		Permissions: []string{"tickets.own", "tickets.all", "knowledgebase.manage", "reports.own", "reports.all", "profile.own", "agents.read"}}); err != nil {
		t.Fatal(err)
	}
	acct, _ := LoadAccount(ctx, a.client)
	for _, e := range []string{"li.wei@acme.example", "zofia.wisniewska@acme.example"} {
		if err := a.client.DeleteAgent(ctx, acct.Lookup(e).ID); err != nil {
			t.Fatal(err)
		}
	}
	changes := []byte(`email,name,role,departments
ivan.petrov@acme.example,Иван Петров,support-lead,support;billing
li.wei@acme.example,,,
zofia.wisniewska@acme.example,Zofia Wiśniewska-Nowak,admin,sales
maria.santos@acme.example,Maria Santos,,
`)
	// Skip (the default) changes nothing and restores nothing.
	if sum, _ := a.importRun(ctx, changes, OnExistingSkip, ApplyOptions{}); sum.Skipped != 4 || !sum.Clean() {
		t.Fatalf("skip: %s", sum)
	}
	sum, _ := a.importRun(ctx, changes, OnExistingUpdate, ApplyOptions{})
	if sum.Updated != 1 || sum.Restored != 2 || sum.Skipped != 1 || !sum.Clean() {
		t.Fatalf("update: %s", sum)
	}
	acct, _ = LoadAccount(ctx, a.client)
	ivan := acct.Lookup("ivan.petrov@acme.example")
	if acct.Roles.RoleName(*ivan) != "support-lead" || strings.Join(acct.DepartmentNames(acct.DepartmentsOf(ivan.ID)), ";") != "support;billing" {
		t.Errorf("ivan: %+v", ivan)
	}
	li := acct.Lookup("li.wei@acme.example")
	if !li.Active() || li.Role != "agent" || li.Name != "李伟" {
		t.Errorf("li (restored as it was): %+v", li)
	}
	zofia := acct.Lookup("zofia.wisniewska@acme.example")
	if !zofia.Active() || zofia.Role != "admin" || zofia.Name != "Zofia Wiśniewska-Nowak" ||
		strings.Join(acct.DepartmentNames(acct.DepartmentsOf(zofia.ID)), ";") != "sales" {
		t.Errorf("zofia (restored, then updated): %+v %v", zofia, acct.DepartmentsOf(zofia.ID))
	}
	// Converged: a third run has nothing to do.
	if sum, plan := a.importRun(ctx, changes, OnExistingUpdate, ApplyOptions{}); sum.Skipped != 4 || plan.Requests() != 0 {
		t.Errorf("third run: %s", sum)
	}
}

// The export is a roster that import reads back and finds nothing to do, in
// every format.
func TestEndToEndExportRoundTrip(t *testing.T) {
	a := startAccount(t, sandbox.Options{})
	ctx := context.Background()
	a.importRun(ctx, sampleRoster(t), OnExistingSkip, ApplyOptions{})
	role, err := a.client.CreateRole(ctx, liveagent.RoleCreate{Name: "support-lead", Base: "agent",
		Permissions: []string{"tickets.own", "tickets.all", "knowledgebase.manage", "reports.own", "reports.all", "profile.own", "agents.read"}})
	if err != nil {
		t.Fatal(err)
	}
	acct, _ := LoadAccount(ctx, a.client)
	base, id := liveagent.Assign(*role)
	if _, err := a.client.UpdateAgent(ctx, acct.Lookup("maria.santos@acme.example").ID, liveagent.AgentUpdate{Role: &base, RoleID: &id}); err != nil {
		t.Fatal(err)
	}
	if err := a.client.DeleteAgent(ctx, acct.Lookup("sam.taylor@acme.example").ID); err != nil {
		t.Fatal(err)
	}
	acct, _ = LoadAccount(ctx, a.client)
	roster := Roster(acct, nil)
	if len(roster) != 28 {
		t.Fatalf("%d agents exported", len(roster))
	}
	for _, format := range []string{output.FormatCSV, output.FormatJSON, output.FormatYAML} {
		var buf bytes.Buffer
		if err := output.PrintList(&buf, output.Options{Format: format}, roster, nil); err != nil {
			t.Fatal(err)
		}
		f, problems, fatal := Parse(buf.Bytes(), ParseOptions{Name: "export." + format})
		if fatal || len(problems) > 0 {
			t.Fatalf("%s: %v", format, problems.Lines())
		}
		plan, problems := MakePlan(f, acct, PlanOptions{OnExisting: OnExistingUpdate})
		if len(problems) > 0 {
			t.Fatalf("%s: %v", format, problems.Lines())
		}
		if c := plan.Counts(); c.Skip != 28 || plan.Requests() != 0 {
			for _, s := range plan.Steps {
				if s.Action != ActionSkip {
					t.Logf("%s line %d: %s %s", format, s.Record.Line, s.Action, s.Details)
				}
			}
			t.Errorf("%s: re-importing the export plans %s", format, c)
		}
		if format == output.FormatCSV && !strings.HasPrefix(buf.String(), "email,name,role,gender,departments,id,role_id,status\n") {
			t.Errorf("csv header: %q", strings.SplitN(buf.String(), "\n", 2)[0])
		}
		if format == output.FormatJSON && !strings.Contains(buf.String(), `"role": "support-lead"`) ||
			format == output.FormatJSON && !strings.Contains(buf.String(), `"role_id": "`+role.ID+`"`) {
			t.Errorf("json export lacks the custom role's name and id")
		}
	}
}

// With a fifth of all writes failing (half of them after the change was
// made), importing again until clean ends with exactly the agents of the
// file: no duplicate, no missing one, one invitation each, and no row ever
// failed because of an earlier attempt of its own (a 409).
func TestEndToEndFaultsConvergeWithoutDuplicates(t *testing.T) {
	a := startAccount(t, sandbox.Options{FaultRate: 0.2, RandSeed: 42})
	ctx := context.Background()
	data := []byte(rosterOf(150))
	var last Summary
	runs := 0
	for runs < 5 {
		runs++
		var mu sync.Mutex
		var falseFailures []string
		sum, _ := a.importRun(ctx, data, OnExistingUpdate, ApplyOptions{ContinueOnError: true, OnResult: func(r Result) {
			if r.Outcome == OutcomeFailed && liveagent.KindOf(r.Err) != liveagent.KindUnavailable {
				mu.Lock()
				falseFailures = append(falseFailures, fmt.Sprintf("line %d: %v", r.Step.Record.Line, r.Err))
				mu.Unlock()
			}
		}})
		if len(falseFailures) > 0 {
			t.Errorf("run %d: failures that are not the server's: %v", runs, falseFailures)
		}
		last = sum
		t.Logf("run %d: %s (%d write requests sent)", runs, sum, a.observer.Writes())
		if sum.Clean() {
			break
		}
	}
	if !last.Clean() {
		t.Fatalf("not converged after %d runs: %s", runs, last)
	}
	a.checkExactly(emailsOf(t, data))

	// Updates and restores under the same faults converge too.
	acct, err := LoadAccount(ctx, a.client)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 30; i++ {
		id := acct.Lookup(fmt.Sprintf("user%d@acme.example", i)).ID
		for a.client.DeleteAgent(ctx, id) != nil {
		}
	}
	changed := strings.ReplaceAll(string(data), ",User ", ",Renamed User ")
	for runs = 1; runs <= 5; runs++ {
		sum, _ := a.importRun(ctx, []byte(changed), OnExistingUpdate, ApplyOptions{ContinueOnError: true})
		t.Logf("update run %d: %s", runs, sum)
		if sum.Clean() {
			break
		}
	}
	acct, _ = LoadAccount(ctx, a.client)
	for _, e := range emailsOf(t, data) {
		if ag := acct.Lookup(e); ag == nil || !ag.Active() || !strings.HasPrefix(ag.Name, "Renamed User ") {
			t.Errorf("%s: %+v", e, ag)
		}
	}
	a.checkExactly(emailsOf(t, data))
}

// Ctrl-C in the middle: rows in flight finish, nothing new starts, and
// running again converges.
func TestEndToEndCancelThenRerunConverges(t *testing.T) {
	a := startAccount(t, sandbox.Options{Latency: 10 * time.Millisecond})
	data := []byte(rosterOf(60))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	finished := 0
	var report bytes.Buffer
	rw := NewReportWriter(&report)
	sum, _ := a.importRun(ctx, data, OnExistingSkip, ApplyOptions{Concurrency: 4, OnResult: func(r Result) {
		rw.Add(r)
		mu.Lock()
		defer mu.Unlock()
		if finished++; finished == 15 {
			cancel()
		}
	}})
	if !sum.Interrupted || sum.Created < 15 || sum.Created+sum.NotAttempted != 60 || sum.Failed+sum.Unknown != 0 {
		t.Fatalf("interrupted run: %+v", sum)
	}
	// Every row in flight finished: the account has exactly what the summary says.
	if got := len(a.agents()); got != 3+sum.Created {
		t.Errorf("account has %d agents, summary says %d created", got, sum.Created)
	}
	if rows := strings.Count(report.String(), "\n"); rows != 61 {
		t.Errorf("report has %d lines, want a header and one per row", rows)
	}
	again, _ := a.importRun(context.Background(), data, OnExistingSkip, ApplyOptions{Concurrency: 4})
	if again.Created != 60-sum.Created || again.Skipped != sum.Created || !again.Clean() {
		t.Errorf("re-run: %s (first run created %d)", again, sum.Created)
	}
	a.checkExactly(emailsOf(t, data))
}

// Under the sandbox's rate limit the shared limiter adopts its
// X-RateLimit-Limit hint: no 429 at all, and the pace is the limit's.
func TestEndToEndPacedByRateLimitHint(t *testing.T) {
	a := startAccount(t, sandbox.Options{RateLimit: 40})
	start := time.Now()
	sum, _ := a.importRun(context.Background(), []byte(rosterOf(60)), OnExistingSkip, ApplyOptions{Concurrency: 8})
	took := time.Since(start)
	if !sum.Clean() || sum.Created != 60 {
		t.Fatalf("%s", sum)
	}
	if n := a.observer.Throttled(); n > 0 {
		t.Errorf("%d requests were answered 429", n)
	}
	if a.observer.RateLimitHint() != 40 {
		t.Errorf("hint %d", a.observer.RateLimitHint())
	}
	// 64 requests at 40/s, the first ones free: at least a second. Only the
	// lower bound is checked (the limiter did pace the run); how much longer
	// a loaded machine takes is for bench/, not for a unit test.
	if took < time.Second {
		t.Errorf("took %s: the limiter did not pace the run", took)
	}
}

// Invalid files and refused keys send nothing at all.
func TestEndToEndInvalidSendsNothing(t *testing.T) {
	a := startAccount(t, sandbox.Options{})
	ctx := context.Background()
	for _, name := range []string{"bad_email.csv", "unknown_role.csv", "duplicates.csv", "missing_name.csv", "unknown_department.csv"} {
		data, err := os.ReadFile("../../testdata/import/" + name)
		if err != nil {
			t.Fatal(err)
		}
		f, problems, _ := Parse(data, ParseOptions{Name: name})
		acct, err := LoadAccount(ctx, a.client)
		if err != nil {
			t.Fatal(err)
		}
		_, more := MakePlan(f, acct, PlanOptions{})
		if len(problems)+len(more) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
	agentKey := connect(t, a.url, sandbox.AgentKey)
	f, _, _ := Parse(sampleRoster(t), ParseOptions{Name: "roster.csv"})
	acct, err := LoadAccount(ctx, agentKey.client)
	if err != nil {
		t.Fatal(err)
	}
	plan, _ := MakePlan(f, acct, PlanOptions{})
	if denied := Authorize(plan, acct); len(denied) != 1 {
		t.Errorf("agent key: %v", denied.Lines())
	}
	if n := a.observer.Writes() + agentKey.observer.Writes(); n != 0 {
		t.Errorf("%d writes sent", n)
	}
	if len(a.agents()) != 3 {
		t.Errorf("the account changed")
	}
}
