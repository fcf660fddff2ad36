package bulk

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// offboardAccount: owner o1 (the caller unless said otherwise), admin a1,
// agents g1 and g2, g3 deleted already.
func offboardAccount(me string, extra ...liveagent.Agent) *Account {
	agents := []liveagent.Agent{
		{ID: "o1", Email: "owner@example.com", Role: rbac.Owner, Status: "A"},
		{ID: "a1", Email: "admin@example.com", Role: rbac.Admin, Status: "A"},
		{ID: "g1", Email: "ana@example.com", Role: rbac.Agent, Status: "A"},
		{ID: "g2", Email: "bob@example.com", Role: rbac.Agent, Status: "A"},
		{ID: "g3", Email: "cy@example.com", Role: rbac.Agent, Status: "X"},
	}
	agents = append(agents, extra...)
	var caller liveagent.Agent
	for _, a := range agents {
		if a.ID == me {
			caller = a
		}
	}
	return NewAccount(caller, liveagent.NewRoleIndex(nil), nil, agents)
}

var offboardKeys = []Key{
	{ID: "10", Name: "ana laptop", UserID: "g1"},
	{ID: "11", Name: "ana ci", UserID: "g1"},
	{ID: "12", Name: "cy old", UserID: "g3"},
	{ID: "13", Name: "owner", UserID: "o1"},
}

func kinds(s Step) []string {
	var out []string
	for _, o := range s.Ops() {
		k := string(o.Kind)
		if o.KeyID != "" {
			k += ":" + o.KeyID
		}
		out = append(out, k)
	}
	return out
}

func TestMakeOffboardPlan(t *testing.T) {
	acct := offboardAccount("o1")
	f := RefsFile("args", []string{"ana@example.com", "g2", "cy@example.com", "nobody@example.com", "zz9"})
	plan := MakeOffboardPlan(f, acct, offboardKeys, OffboardOptions{})
	want := []struct {
		action Action
		ops    []string
	}{
		{ActionOffboard, []string{"sign-out", "revoke-key:10", "revoke-key:11", "delete"}},
		{ActionOffboard, []string{"sign-out", "delete"}},
		{ActionOffboard, []string{"sign-out", "revoke-key:12"}}, // deleted already: leftovers only
		{ActionSkip, nil},
		{ActionSkip, nil},
	}
	if len(plan.Steps) != len(want) {
		t.Fatalf("got %d steps, want %d", len(plan.Steps), len(want))
	}
	for i, w := range want {
		s := plan.Steps[i]
		if s.Action != w.action || !reflect.DeepEqual(kinds(s), w.ops) {
			t.Errorf("step %d (%s): %s %v, want %s %v", i, s.Record.Ref(), s.Action, kinds(s), w.action, w.ops)
		}
	}
	if d := plan.Steps[3].Details; d != "no such agent" {
		t.Errorf("missing agent details = %q", d)
	}
	if got := plan.Steps[1].Record.Email; got != "bob@example.com" {
		t.Errorf("a row given by id is reported with the agent's email, got %q", got)
	}
	c := plan.OffboardCounts()
	if c.Agents != 3 || c.Deletes != 2 || c.Revokes != 3 || c.NotFound != 2 {
		t.Errorf("counts = %+v", c)
	}
	if q := c.Question(); q != "Offboard 3 agents: sign out, revoke 3 keys, delete 2?" {
		t.Errorf("question = %q", q)
	}
	// Operations are data: they survive a JSON round trip unchanged.
	data, err := json.Marshal(plan.Steps[0].Ops())
	if err != nil {
		t.Fatal(err)
	}
	var back []Op
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, plan.Steps[0].Ops()) {
		t.Errorf("ops do not round-trip: %s (%v)", data, err)
	}
	if !strings.Contains(string(data), `"target":{"id":"g1","email":"ana@example.com"`) {
		t.Errorf("ops carry the target's state as read: %s", data)
	}
}

func TestOffboardPlanKeepsKeys(t *testing.T) {
	acct := offboardAccount("o1")
	f := RefsFile("args", []string{"ana@example.com"})

	plan := MakeOffboardPlan(f, acct, offboardKeys, OffboardOptions{OwnKeyID: "11"})
	s := plan.Steps[0]
	if got := kinds(s); !reflect.DeepEqual(got, []string{"sign-out", "revoke-key:10", "delete"}) {
		t.Errorf("own key: ops %v", got)
	}
	if len(s.Kept()) != 1 || s.Kept()[0].Key.ID != "11" || s.Kept()[0].Reason != KeptOwnKey {
		t.Errorf("own key: kept %+v", s.Kept())
	}
	if !strings.Contains(s.Details, "keep key 11 (it is the key this run uses") {
		t.Errorf("details = %q", s.Details)
	}

	plan = MakeOffboardPlan(f, acct, offboardKeys, OffboardOptions{KeepKeys: true})
	if got := kinds(plan.Steps[0]); !reflect.DeepEqual(got, []string{"sign-out", "delete"}) || len(plan.Steps[0].Kept()) != 2 {
		t.Errorf("--keep-keys: ops %v kept %v", got, plan.Steps[0].Kept())
	}

	plan = MakeOffboardPlan(f, acct, offboardKeys, OffboardOptions{CallerUnknown: true})
	if len(plan.Steps[0].Notes()) != 1 || !strings.Contains(plan.Steps[0].Details, "cannot tell which key this run uses") {
		t.Errorf("unknown own key: the plan must say so: %q", plan.Steps[0].Details)
	}
}

func TestAuthorizeOffboard(t *testing.T) {
	tests := []struct {
		name  string
		me    string
		refs  []string
		opts  OffboardOptions
		extra []liveagent.Agent
		want  []string // substrings of each problem, in order
	}{
		{name: "owner offboards agents", me: "o1", refs: []string{"ana@example.com", "g2", "cy@example.com"}},
		{name: "admin offboards agents", me: "a1", refs: []string{"ana@example.com", "nobody@example.com"}},
		{name: "admin cannot offboard an owner", me: "a1", refs: []string{"ana@example.com", "owner@example.com", "bob@example.com"},
			extra: []liveagent.Agent{{ID: "o2", Email: "o2@example.com", Role: rbac.Owner, Status: "A"}},
			want:  []string{"owner@example.com: "}},
		{name: "nobody offboards themselves", me: "a1", refs: []string{"admin@example.com"},
			want: []string{"admin@example.com: you cannot delete your own account"}},
		{name: "the last owner stays", me: "o1", refs: []string{"o2@example.com", "o3@example.com"},
			extra: []liveagent.Agent{
				{ID: "o2", Email: "o2@example.com", Role: rbac.Owner, Status: "A"},
				{ID: "o3", Email: "o3@example.com", Role: rbac.Owner, Status: "A"},
			}},
		{name: "a batch may not take every owner", me: "a9", refs: []string{"owner@example.com", "o2@example.com"},
			extra: []liveagent.Agent{
				{ID: "o2", Email: "o2@example.com", Role: rbac.Owner, Status: "A"},
				{ID: "a9", Email: "o9@example.com", Role: rbac.Owner, Status: "X"},
			},
			want: []string{"o2@example.com: the account must keep an owner"}},
		{name: "an agent key cannot offboard", me: "g2", refs: []string{"ana@example.com"},
			want: []string{"cannot find the leavers' API keys"}},
		{name: "an agent key with --keep-keys still cannot delete", me: "g2", refs: []string{"ana@example.com"},
			opts: OffboardOptions{KeepKeys: true}, want: []string{"ana@example.com: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := offboardAccount(tt.me, tt.extra...)
			plan := MakeOffboardPlan(RefsFile("args", tt.refs), acct, offboardKeys, tt.opts)
			got := AuthorizeOffboard(plan, acct, tt.opts)
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d", got.Lines(), len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i].String(), w) {
					t.Errorf("problem %d = %q, want %q in it", i, got[i], w)
				}
			}
		})
	}
}

// fakeOffboard is an account that signs out, revokes and deletes, with
// scripted failures.
type fakeOffboard struct {
	fakeAPI
	mu       sync.Mutex
	calls    []string
	keys     map[string]bool // live keys
	deleted  map[string]bool
	fail     map[string]error // call -> error, once
	applyErr map[string]bool  // the failing call is applied anyway (answer lost)
}

func newFakeOffboard() *fakeOffboard {
	return &fakeOffboard{fakeAPI: *newFake(), keys: map[string]bool{"10": true, "11": true, "12": true},
		deleted: map[string]bool{"g3": true}, fail: map[string]error{}, applyErr: map[string]bool{}}
}

func (f *fakeOffboard) call(name string, apply func() error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	if err, ok := f.fail[name]; ok {
		delete(f.fail, name)
		if f.applyErr[name] {
			_ = apply()
		}
		return err
	}
	return apply()
}

func (f *fakeOffboard) LogoutAgent(ctx context.Context, id string) error {
	return f.call("logout "+id, func() error { return nil })
}

func (f *fakeOffboard) RevokeAPIKey(ctx context.Context, id string) error {
	return f.call("revoke "+id, func() error {
		if !f.keys[id] {
			return &liveagent.Error{Kind: liveagent.KindNotFound, Status: 404, Message: "no key"}
		}
		delete(f.keys, id)
		return nil
	})
}

func (f *fakeOffboard) DeleteAgent(ctx context.Context, id string) error {
	return f.call("delete "+id, func() error {
		if f.deleted[id] {
			return &liveagent.Error{Kind: liveagent.KindNotFound, Status: 404, Message: "already deleted"}
		}
		f.deleted[id] = true
		return nil
	})
}

func (f *fakeOffboard) GetAgent(ctx context.Context, id string) (*liveagent.Agent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := "A"
	if f.deleted[id] {
		st = "X"
	}
	return &liveagent.Agent{ID: id, Status: st}, nil
}

func TestApplyOffboard(t *testing.T) {
	acct := offboardAccount("o1")
	f := RefsFile("args", []string{"ana@example.com", "cy@example.com", "nobody@example.com"})
	plan := MakeOffboardPlan(f, acct, offboardKeys, OffboardOptions{})
	api := newFakeOffboard()
	// Key 11 is revoked but the answer is lost: the client retried and got 404.
	api.fail["revoke 11"] = &liveagent.Error{Kind: liveagent.KindNotFound, Status: 404, Message: "no key"}
	api.applyErr["revoke 11"] = true

	var buf bytes.Buffer
	rw := NewOffboardReportWriter(&buf, f)
	var results []Result
	sum := Apply(context.Background(), api, plan, ApplyOptions{Concurrency: 1, ContinueOnError: true, OnResult: func(r Result) {
		results = append(results, r)
		rw.Add(r)
	}})
	if !sum.Clean() || sum.Offboarded != 2 || sum.Skipped != 1 || sum.Deleted != 1 || sum.Revoked != 2 || sum.SignedOut != 2 {
		t.Errorf("summary %+v", sum)
	}
	wantCalls := []string{"logout g1", "revoke 10", "revoke 11", "delete g1", "logout g3", "revoke 12"}
	if !reflect.DeepEqual(api.calls, wantCalls) {
		t.Errorf("calls %v, want %v", api.calls, wantCalls)
	}
	if len(api.keys) != 0 || !api.deleted["g1"] {
		t.Errorf("left: keys %v deleted %v", api.keys, api.deleted)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != strings.Join(OffboardReportColumns, ",") {
		t.Fatalf("report: %q", rows)
	}
	byEmail := map[string][]string{}
	for _, r := range rows[1:] {
		byEmail[r[1]] = r
	}
	if r := byEmail["ana@example.com"]; r[4] != "ok" || r[5] != "ok" || r[6] != "ok: 10; 11 (already done)" || r[7] != "ok" {
		t.Errorf("ana's report row: %q", r)
	}
	if r := byEmail["cy@example.com"]; r[6] != "ok: 12" || r[7] != "already deleted" {
		t.Errorf("cy's report row: %q", r)
	}
	if r := byEmail["nobody@example.com"]; r[3] != "skip" || r[8] != "no such agent" {
		t.Errorf("nobody's report row: %q", r)
	}

	// A re-run against what is left revokes nothing and deletes nothing.
	after := offboardAccount("o1")
	after.byID["g1"].Status = "X"
	plan = MakeOffboardPlan(f, NewAccount(after.Me, after.Roles, nil, after.Agents), nil, OffboardOptions{})
	api.calls = nil
	sum = Apply(context.Background(), api, plan, ApplyOptions{Concurrency: 2, ContinueOnError: true})
	if !sum.Clean() || sum.Revoked != 0 || sum.Deleted != 0 {
		t.Errorf("re-run summary %+v", sum)
	}
	for _, c := range api.calls {
		if !strings.HasPrefix(c, "logout ") {
			t.Errorf("a re-run sent %q", c)
		}
	}
}

func TestApplyOffboardStopsAnAgentAtItsFirstFailure(t *testing.T) {
	acct := offboardAccount("o1")
	f := RefsFile("args", []string{"ana@example.com", "bob@example.com"})
	plan := MakeOffboardPlan(f, acct, offboardKeys, OffboardOptions{})
	api := newFakeOffboard()
	api.fail["revoke 10"] = &liveagent.Error{Kind: liveagent.KindForbidden, Status: 403, Message: "no"}
	var got []Result
	sum := Apply(context.Background(), api, plan, ApplyOptions{Concurrency: 1, ContinueOnError: true,
		OnResult: func(r Result) { got = append(got, r) }})
	if sum.Failed != 1 || sum.Offboarded != 1 {
		t.Errorf("summary %+v", sum)
	}
	for _, c := range api.calls {
		if c == "revoke 11" || c == "delete g1" {
			t.Errorf("%s sent after the agent's earlier step failed", c)
		}
	}
	var ana Result
	for _, r := range got {
		if r.Step.Record.Email == "ana@example.com" {
			ana = r
		}
	}
	row := OffboardRow(ana)
	if row.Outcome != OutcomeFailed || row.RevokeKeys != "failed: 10 failed; 11 not-attempted" || row.Delete != "not-attempted" ||
		!strings.Contains(row.Error, "revoke key 10") {
		t.Errorf("ana: %+v", row)
	}
	var le *liveagent.Error
	if !errors.As(ana.Err, &le) || le.Kind != liveagent.KindForbidden {
		t.Errorf("the row's error keeps its kind: %v", ana.Err)
	}
}

func TestLeaversFileFromASpreadsheet(t *testing.T) {
	// An HR export: BOM, CRLF, ";" delimiters, extra columns, an id-only row.
	data := []byte("\ufeffEmployee No;Email;ID;Last day\r\n" +
		"E-1;ana@example.com;;2026-11-30\r\n" +
		"E-2;;g2;2026-11-30\r\n" +
		"E-3;not-an-email;;2026-12-01\r\n" +
		"E-4;ANA@example.com;;2026-12-01\r\n")
	f, problems, fatal := Parse(data, OffboardParseOptions("leavers.csv", ""))
	if fatal || len(problems) > 0 {
		t.Fatalf("parse: %v", problems)
	}
	got := ValidateOffboard(f).Lines()
	want := []string{
		`leavers.csv:4: column "email": invalid email "not-an-email": expected an address such as ana@acme.com`,
		`leavers.csv:5: ANA@example.com appears twice (line 2 has it too); each agent must appear once`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	f.Records = f.Records[:2]
	plan := MakeOffboardPlan(f, offboardAccount("o1"), nil, OffboardOptions{})
	var buf bytes.Buffer
	rw := NewOffboardReportWriter(&buf, f)
	for i := range plan.Steps {
		rw.Add(plan.Steps[i].Planned())
	}
	rows, _ := csv.NewReader(&buf).ReadAll()
	if h := rows[0]; h[len(h)-2] != "Employee No" || h[len(h)-1] != "Last day" {
		t.Errorf("header %q: the file's other columns are carried", h)
	}
	if r := rows[2]; r[1] != "bob@example.com" || r[2] != "g2" || r[4] != "planned" || r[9] != "E-2" || r[10] != "2026-11-30" {
		t.Errorf("row %q", r)
	}

	_, problems, fatal = Parse([]byte("name,last day\nAna,x\n"), OffboardParseOptions("x.csv", ""))
	if !fatal || !strings.Contains(problems.Error(), `missing column "email" or "id"`) {
		t.Errorf("a file without email or id: %v", problems)
	}
}

func TestOffboardPlanProblems(t *testing.T) {
	f := &File{Name: "leavers.csv", Records: []Record{
		{Line: 2, Email: "ana@example.com"},
		{Line: 3, ID: "g1"},                          // ana again, by id
		{Line: 4, ID: "g2", Email: "cy@example.com"}, // g2 is bob
		{Line: 5, Email: "bob@example.com", ID: "g2"},
	}}
	problems := CheckOffboardTargets(f, offboardAccount("o1"))
	want := []string{
		"leavers.csv:3: g1 is the agent of line 2 too (id g1); each agent must appear once",
		"leavers.csv:4: id g2 is the agent bob@example.com, not cy@example.com: fix the id or the email",
	}
	if got := problems.Lines(); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
