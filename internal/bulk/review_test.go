package bulk

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
)

// A create whose answer was lost, and whose lookup failed too, is unknown,
// not failed: in the summary, the report, the line, and --failed. Without
// --continue-on-error it stops the run like a failure.
func TestApplyUncertainCreateIsUnknown(t *testing.T) {
	api := newFake()
	api.onCreate = func(in liveagent.AgentCreate, n int) (bool, error) {
		if in.Email == "user2@acme.example" {
			return true, uncertain() // applied, but nobody could tell
		}
		return true, nil
	}
	plan := mustPlan(t, rosterOf(4), testAccount(), OnExistingSkip)
	var report, failed bytes.Buffer
	rw, fw := NewReportWriter(&report), NewFailedWriter(&failed, plan.File)
	var results []Result
	var mu sync.Mutex
	sum := Apply(context.Background(), api, plan, ApplyOptions{Concurrency: 1, OnResult: func(r Result) {
		rw.Add(r)
		fw.Add(r)
		collect(&results, &mu)(r)
	}})
	if sum.Created != 1 || sum.Unknown != 1 || sum.Failed != 0 || sum.NotAttempted != 2 || !sum.Stopped || sum.Clean() {
		t.Fatalf("summary %+v", sum)
	}
	if got := sum.String(); !strings.Contains(got, "0 failed, 2 not attempted, 1 unknown (may or may not have been applied)") {
		t.Errorf("summary %q", got)
	}
	var r Result
	for _, x := range results {
		if x.Step.Record.Email == "user2@acme.example" {
			r = x
		}
	}
	if r.Outcome != OutcomeUnknown || !liveagent.IsUncertain(r.Err) ||
		!strings.HasSuffix(r.Err.Error(), "; it may or may not have been applied; running the same import again resolves it") {
		t.Errorf("result %+v: %v", r, r.Err)
	}
	if got := Line(r); !strings.HasPrefix(got, "unknown outcome of create user2@acme.example: the server failed (500); it may or may not") {
		t.Errorf("line %q", got)
	}
	if !strings.Contains(report.String(), "\n3,user2@acme.example,create,unknown,,the server failed (500); it may or may not have been applied") {
		t.Errorf("report:\n%s", report.String())
	}
	if want := "email,name\nuser2@acme.example,User 2\nuser3@acme.example,User 3\nuser4@acme.example,User 4\n"; failed.String() != want {
		t.Errorf("--failed:\n%s", failed.String())
	}
}

// dropConn answers nothing: the client sees the connection close (EOF).
func dropConn(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

// The server is killed mid-import: a create is applied but its connection
// drops, and then every lookup fails. The row is unknown with the network
// error, and once the server is back the same import converges with no
// duplicate.
func TestEndToEndServerGoneMidCreateIsUnknown(t *testing.T) {
	url, srv := sandboxtest.Start(t, sandbox.Options{})
	var gone atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case gone.Load():
			dropConn(w)
		case r.Method == http.MethodPost:
			// The create reaches the account and is applied; its answer never comes back.
			srv.Handler().ServeHTTP(httptest.NewRecorder(), r)
			gone.Store(true)
			dropConn(w)
		default:
			srv.Handler().ServeHTTP(w, r)
		}
	}))
	defer front.Close()
	a := connect(t, front.URL, sandbox.OwnerKey)
	data := []byte(rosterOf(3))
	var results []Result
	var mu sync.Mutex
	sum, _ := a.importRun(context.Background(), data, OnExistingSkip, ApplyOptions{Concurrency: 1, OnResult: collect(&results, &mu)})
	if sum.Unknown != 1 || sum.Failed != 0 || sum.NotAttempted != 2 || sum.Clean() {
		t.Fatalf("summary %+v", sum)
	}
	for _, r := range results {
		if r.Outcome == OutcomeUnknown && (!strings.Contains(r.Err.Error(), "EOF") ||
			!strings.Contains(r.Err.Error(), "may or may not have been applied")) {
			t.Errorf("unknown row's error: %v", r.Err)
		}
	}

	gone.Store(false)
	back := connect(t, url, sandbox.OwnerKey)
	again, _ := back.importRun(context.Background(), data, OnExistingSkip, ApplyOptions{})
	if again.Skipped != 1 || again.Created != 2 || !again.Clean() {
		t.Errorf("re-run: %s", again)
	}
	back.checkExactly(emailsOf(t, data))
}

// countingReader is a Reader that counts its calls and how many run at once.
type countingReader struct {
	mu               sync.Mutex
	calls            map[string]int
	inFlight, maxFly int
	order            []string
	fail             string
	meet             int // each read waits (up to 5 s) until this many are in flight
}

func (c *countingReader) enter(name string) error {
	c.mu.Lock()
	c.calls[name]++
	c.order = append(c.order, name)
	c.inFlight++
	c.maxFly = max(c.maxFly, c.inFlight)
	c.mu.Unlock()
	for deadline := time.Now().Add(5 * time.Second); c.meet > 0 && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		c.mu.Lock()
		met := c.maxFly >= c.meet
		c.mu.Unlock()
		if met {
			break
		}
	}
	time.Sleep(5 * time.Millisecond)
	c.mu.Lock()
	c.inFlight--
	c.mu.Unlock()
	if name == c.fail {
		return errors.New(name + " failed")
	}
	return nil
}

func (c *countingReader) Identify(context.Context) (*liveagent.Session, error) {
	return &liveagent.Session{API: liveagent.APIExtended,
		Me: liveagent.Agent{ID: "o1", Email: "owner@example.com", Role: "owner", Status: "A"}}, c.enter("me")
}
func (c *countingReader) Roles(context.Context) (*liveagent.RoleIndex, error) {
	return liveagent.NewRoleIndex(nil), c.enter("roles")
}
func (c *countingReader) ListDepartments(context.Context) ([]liveagent.Department, error) {
	return nil, c.enter("departments")
}
func (c *countingReader) ListAgents(context.Context, liveagent.ListOptions) ([]liveagent.Agent, error) {
	return nil, c.enter("agents")
}

// The account is read once, each list one time, all four at once (one
// round trip; the pace is the limiter's business, see the next test), and
// the first failure in the order caller, agents, departments, roles is the
// one reported.
func TestLoadAccountReadsEachOnceAllAtOnce(t *testing.T) {
	c := &countingReader{calls: map[string]int{}, meet: 4}
	if _, err := LoadAccount(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"me", "roles", "departments", "agents"} {
		if c.calls[name] != 1 {
			t.Errorf("%s read %d times", name, c.calls[name])
		}
	}
	if c.maxFly != 4 {
		t.Errorf("order %v, at most %d at once, want all 4", c.order, c.maxFly)
	}
	for _, fail := range []string{"roles", "me"} {
		c = &countingReader{calls: map[string]int{}, fail: fail}
		if _, err := LoadAccount(context.Background(), c); err == nil || err.Error() != fail+" failed" {
			t.Errorf("%s failing: err %v", fail, err)
		}
	}
}

// On an account limited to 2 requests a second the first reads do not
// burst into 429s: the caller's answer sets the pace before the rest go.
func TestEndToEndSmallRateLimitNoBurstOfReads(t *testing.T) {
	a := startAccount(t, sandbox.Options{RateLimit: 2})
	sum, _ := a.importRun(context.Background(), []byte(rosterOf(2)), OnExistingSkip, ApplyOptions{})
	if !sum.Clean() || sum.Created != 2 {
		t.Fatalf("%s", sum)
	}
	if n := a.observer.Throttled(); n > 1 {
		t.Errorf("%d requests were answered 429, want at most 1", n)
	}
}

// A dry run's --report: one row per input row, outcome planned, the id of
// the agent a row is about (none for a create), and an error row's reason.
func TestPlannedReport(t *testing.T) {
	plan := mustPlan(t, "email,name,role\nnew@acme.example,New,\nagent@example.com,Aggie Agent,admin\nlena@acme.example,Lena Lead,\n",
		planAccount("owner@example.com"), OnExistingUpdate)
	var buf bytes.Buffer
	rw := NewReportWriter(&buf)
	for i := range plan.Steps {
		rw.Add(plan.Steps[i].Planned())
	}
	want := "line,email,action,outcome,agent_id,error\n" +
		"2,new@acme.example,create,planned,,\n" +
		"3,agent@example.com,update,planned,g1,\n" +
		"4,lena@acme.example,skip,planned,l1,\n"
	if buf.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", buf.String(), want)
	}
	plan = mustPlan(t, "email,name\nagent@example.com,Aggie Agent\n", planAccount("owner@example.com"), OnExistingFail)
	if r := plan.Steps[0].Planned(); r.Outcome != OutcomePlanned || r.Err == nil || !strings.Contains(r.Err.Error(), "--on-existing is fail") {
		t.Errorf("error step: %+v %v", r, r.Err)
	}
}

func TestPlurals(t *testing.T) {
	ps := Problems{{File: "f.csv", Line: 2, Message: "a"}, {File: "f.csv", Line: 3, Message: "b"}}
	if got := ps.Error(); got != "f.csv:2: a (and 1 more problem)" {
		t.Errorf("%q", got)
	}
	_, problems, _ := Parse([]byte("email,name\nana@acme.example\n"), ParseOptions{Name: "x.csv"})
	if got := strings.Join(problems.Lines(), "\n"); got != "x.csv:2: the row has 1 field but the header names 2 columns" {
		t.Errorf("%q", got)
	}
	_, problems, _ = Parse([]byte("email\nana@acme.example,Ana\n"), ParseOptions{Name: "x.csv"})
	if got := strings.Join(problems.Lines(), "\n"); !strings.Contains(got, "the row has 2 fields but the header names 1 column;") {
		t.Errorf("%q", got)
	}
}
