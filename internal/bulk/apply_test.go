package bulk

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// fakeAPI is an in-memory account whose answers a test can script.
type fakeAPI struct {
	mu      sync.Mutex
	agents  map[string]*liveagent.Agent // by id
	next    int
	creates int
	// onCreate, when set, may return an error instead of creating (before
	// or after the agent is stored, as it says).
	onCreate  func(in liveagent.AgentCreate, n int) (apply bool, err error)
	onRestore func(id string, n int) (apply bool, err error)
	restores  int
	block     chan struct{} // when set, every write waits for it (or ctx)
	started   chan string   // when set, every write reports its email first
}

func newFake() *fakeAPI { return &fakeAPI{agents: map[string]*liveagent.Agent{}} }

func (f *fakeAPI) wait(ctx context.Context, email string) error {
	if f.started != nil {
		f.started <- email
	}
	if f.block == nil {
		return nil
	}
	select {
	case <-f.block:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeAPI) CreateAgentOnce(ctx context.Context, in liveagent.AgentCreate) (*liveagent.Agent, error) {
	if err := f.wait(ctx, in.Email); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates++
	apply, err := true, error(nil)
	if f.onCreate != nil {
		apply, err = f.onCreate(in, f.creates)
	}
	var a *liveagent.Agent
	if apply {
		f.next++
		a = &liveagent.Agent{ID: fmt.Sprintf("id%d", f.next), Email: in.Email, Name: in.Name, Role: in.Role, Status: "A"}
		f.agents[a.ID] = a
	}
	if err != nil {
		return nil, err
	}
	cp := *a
	return &cp, nil
}

func (f *fakeAPI) UpdateAgent(ctx context.Context, id string, up liveagent.AgentUpdate) (*liveagent.Agent, error) {
	if err := f.wait(ctx, id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.agents[id]
	if !ok {
		return nil, &liveagent.Error{Kind: liveagent.KindNotFound, Status: 404, Message: "no agent " + id}
	}
	if up.Name != nil {
		a.Name = *up.Name
	}
	cp := *a
	return &cp, nil
}

func (f *fakeAPI) DeleteAgent(ctx context.Context, id string) error {
	if err := f.wait(ctx, id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.agents[id]
	if !ok {
		return &liveagent.Error{Kind: liveagent.KindNotFound, Status: 404, Message: "no agent " + id}
	}
	a.Status = "X"
	return nil
}

func (f *fakeAPI) RestoreAgent(ctx context.Context, id, email string) (*liveagent.Agent, error) {
	if err := f.wait(ctx, id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.restores++
	a, ok := f.agents[id]
	if !ok {
		return nil, &liveagent.Error{Kind: liveagent.KindNotFound, Status: 404, Message: "no agent " + id}
	}
	apply, err := true, error(nil)
	if f.onRestore != nil {
		apply, err = f.onRestore(id, f.restores)
	}
	if apply {
		if a.Status == "A" {
			return nil, &liveagent.Error{Kind: liveagent.KindConflict, Status: 409, Message: "agent " + id + " is not deleted"}
		}
		a.Status = "A"
	}
	if err != nil {
		return nil, err
	}
	cp := *a
	return &cp, nil
}

func (f *fakeAPI) GetAgent(ctx context.Context, id string) (*liveagent.Agent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.agents[id]
	if !ok {
		return nil, &liveagent.Error{Kind: liveagent.KindNotFound, Status: 404}
	}
	cp := *a
	return &cp, nil
}

func (f *fakeAPI) FindAgentsByEmail(ctx context.Context, email string, includeDeleted bool) ([]liveagent.Agent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []liveagent.Agent
	for _, a := range f.agents {
		if strings.EqualFold(a.Email, email) && (includeDeleted || a.Status == "A") {
			out = append(out, *a)
		}
	}
	return out, nil
}

func uncertain() error {
	return &liveagent.Error{Kind: liveagent.KindUnavailable, Status: 500, Uncertain: true, Message: "the server failed (500)"}
}

func rosterOf(n int) string {
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "user%d@acme.example,User %d\n", i, i)
	}
	return b.String()
}

func collect(results *[]Result, mu *sync.Mutex) func(Result) {
	return func(r Result) {
		mu.Lock()
		*results = append(*results, r)
		mu.Unlock()
	}
}

func TestApplyStopsAtFirstFailureUnlessContinueOnError(t *testing.T) {
	for _, cont := range []bool{false, true} {
		api := newFake()
		api.onCreate = func(in liveagent.AgentCreate, n int) (bool, error) {
			if in.Email == "user2@acme.example" {
				return false, &liveagent.Error{Kind: liveagent.KindInvalid, Status: 422, Message: "name: is too long"}
			}
			return true, nil
		}
		plan := mustPlan(t, rosterOf(5), testAccount(), OnExistingSkip)
		var failed bytes.Buffer
		fw := NewFailedWriter(&failed, plan.File)
		sum := Apply(context.Background(), api, plan, ApplyOptions{Concurrency: 1, ContinueOnError: cont, OnResult: fw.Add})
		if cont {
			if sum.Created != 4 || sum.Failed != 1 || sum.NotAttempted != 0 || sum.Stopped {
				t.Errorf("--continue-on-error: %+v", sum)
			}
			if failed.String() != "email,name\nuser2@acme.example,User 2\n" {
				t.Errorf("--failed:\n%s", failed.String())
			}
			continue
		}
		if sum.Created != 1 || sum.Failed != 1 || sum.NotAttempted != 3 || !sum.Stopped || sum.Clean() {
			t.Errorf("stop at first failure: %+v", sum)
		}
		// Failed and not attempted rows both go to --failed, in the input's columns.
		want := "email,name\nuser2@acme.example,User 2\nuser3@acme.example,User 3\nuser4@acme.example,User 4\nuser5@acme.example,User 5\n"
		if failed.String() != want {
			t.Errorf("--failed:\n%s\nwant:\n%s", failed.String(), want)
		}
	}
}

func TestApplyCreateConflictIsDoneAndSkipped(t *testing.T) {
	api := newFake()
	// The create's answer is a 409: someone else (another import of the
	// same file, say) made the agent since the plan. The row is done, and
	// counted as skipped ("already existed"), not created.
	api.onCreate = func(in liveagent.AgentCreate, n int) (bool, error) {
		return true, &liveagent.Error{Kind: liveagent.KindConflict, Status: 409, Message: "exists"}
	}
	plan := mustPlan(t, rosterOf(1), testAccount(), OnExistingSkip)
	var results []Result
	var mu sync.Mutex
	sum := Apply(context.Background(), api, plan, ApplyOptions{OnResult: collect(&results, &mu)})
	if sum.Created != 0 || sum.Skipped != 1 || results[0].AgentID != "id1" || results[0].Note == "" || !results[0].Existed {
		t.Errorf("%+v %+v", sum, results)
	}
	if line := Line(results[0]); !strings.HasPrefix(line, "skipped user1@") || !strings.Contains(line, "already existed") {
		t.Errorf("line %q", line)
	}
}

func TestApplyRestoreResolvesUnknownOutcome(t *testing.T) {
	acct := planAccount("owner@example.com")
	plan := mustPlan(t, "email,name\nxavier@acme.example,Xavier\n", acct, OnExistingUpdate)
	cases := []struct {
		name      string
		onRestore func(id string, n int) (bool, error)
		restores  int
		want      Outcome
	}{
		{"applied, answer lost, retry gets 409", func(id string, n int) (bool, error) {
			if n == 1 {
				return true, uncertain()
			}
			return true, nil
		}, 1, OutcomeOK}, // the lookup after the first attempt finds it active: no retry at all
		{"not applied, then applied", func(id string, n int) (bool, error) {
			if n == 1 {
				return false, uncertain()
			}
			return true, nil
		}, 2, OutcomeOK},
		{"forbidden", func(id string, n int) (bool, error) {
			return false, &liveagent.Error{Kind: liveagent.KindForbidden, Status: 403, Message: "no"}
		}, 1, OutcomeFailed},
		// Every attempt's answer lost: it may or may not have been restored.
		{"keeps failing", func(id string, n int) (bool, error) { return false, uncertain() }, 3, OutcomeUnknown},
	}
	for _, c := range cases {
		api := newFake()
		api.agents["x1"] = &liveagent.Agent{ID: "x1", Email: "xavier@acme.example", Name: "Xavier", Status: "X"}
		api.onRestore = c.onRestore
		var results []Result
		var mu sync.Mutex
		Apply(context.Background(), api, plan, ApplyOptions{OnResult: collect(&results, &mu), RetryBase: time.Millisecond, MaxAttempts: 3})
		if results[0].Outcome != c.want || api.restores != c.restores {
			t.Errorf("%s: outcome %s after %d restores (%v), want %s after %d", c.name, results[0].Outcome, api.restores, results[0].Err, c.want, c.restores)
		}
	}
	// A 409 because another active agent took the email is a real failure.
	api := newFake()
	api.agents["x1"] = &liveagent.Agent{ID: "x1", Email: "xavier@acme.example", Status: "X"}
	api.onRestore = func(id string, n int) (bool, error) {
		return false, &liveagent.Error{Kind: liveagent.KindConflict, Status: 409, Message: "the active agent z already uses the email"}
	}
	sum := Apply(context.Background(), api, plan, ApplyOptions{RetryBase: time.Millisecond})
	if sum.Failed != 1 {
		t.Errorf("conflicting restore: %+v", sum)
	}
}

// Ctrl-C: rows in flight finish (their context is not canceled), nothing
// new starts, the rest are reported as not attempted.
func TestApplyInterruptLetsInFlightFinish(t *testing.T) {
	api := newFake()
	api.block = make(chan struct{})
	api.started = make(chan string, 100)
	plan := mustPlan(t, rosterOf(20), testAccount(), OnExistingSkip)
	ctx, cancel := context.WithCancel(context.Background())
	var results []Result
	var mu sync.Mutex
	done := make(chan Summary)
	go func() {
		done <- Apply(ctx, api, plan, ApplyOptions{Concurrency: 3, OnResult: collect(&results, &mu)})
	}()
	for i := 0; i < 3; i++ {
		<-api.started
	}
	cancel()
	time.Sleep(20 * time.Millisecond) // the workers see the cancel before the requests return
	close(api.block)
	sum := <-done
	if sum.Created != 3 || sum.NotAttempted != 17 || !sum.Interrupted {
		t.Errorf("summary %+v", sum)
	}
	if len(results) != 20 {
		t.Errorf("%d results, want one per row", len(results))
	}
	if api.creates != 3 {
		t.Errorf("%d creates sent, want only the 3 in flight", api.creates)
	}
}

// A second Ctrl-C abandons the rows in flight: their outcome is unknown.
func TestApplyAbandon(t *testing.T) {
	api := newFake()
	api.block = make(chan struct{})
	api.started = make(chan string, 100)
	plan := mustPlan(t, rosterOf(10), testAccount(), OnExistingSkip)
	ctx, cancel := context.WithCancel(context.Background())
	abandon := make(chan struct{})
	done := make(chan Summary)
	var report bytes.Buffer
	rw := NewReportWriter(&report)
	go func() {
		done <- Apply(ctx, api, plan, ApplyOptions{Concurrency: 2, Abandon: abandon, OnResult: rw.Add})
	}()
	<-api.started
	<-api.started
	cancel()
	close(abandon)
	sum := <-done
	if sum.Unknown != 2 || sum.NotAttempted != 8 || !sum.Interrupted {
		t.Errorf("summary %+v", sum)
	}
	lines := strings.Split(strings.TrimSpace(report.String()), "\n")
	if len(lines) != 11 || lines[0] != "line,email,action,outcome,agent_id,error" ||
		!strings.Contains(report.String(), ",create,unknown,,abandoned in flight") ||
		!strings.Contains(report.String(), ",create,not-attempted,,") {
		t.Errorf("report:\n%s", report.String())
	}
}

func TestSummaryAndLines(t *testing.T) {
	s := Summary{Created: 3, Skipped: 2, Failed: 1, NotAttempted: 4, Elapsed: 1234 * time.Millisecond}
	if got := s.String(); got != "3 created, 0 updated, 0 restored, 2 skipped, 1 failed, 4 not attempted in 1.23s" {
		t.Errorf("summary %q", got)
	}
	plan := mustPlan(t, "email,name,role\nagent@example.com,Aggie,admin\n", planAccount("owner@example.com"), OnExistingUpdate)
	r := Result{Step: &plan.Steps[0], Outcome: OutcomeOK, AgentID: "g1"}
	if got := Line(r); got != `updated agent@example.com (line 2, id g1): role agent -> admin, name "Aggie Agent" -> "Aggie"` {
		t.Errorf("line %q", got)
	}
	r = Result{Step: &plan.Steps[0], Outcome: OutcomeFailed, AgentID: "g1", Err: fmt.Errorf("the server\nfailed")}
	if got := Line(r); got != "failed to update agent@example.com (id g1): the server failed" {
		t.Errorf("line %q", got)
	}
}
