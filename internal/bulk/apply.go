package bulk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// API is the part of the client that Apply uses; *liveagent.Client has it.
type API interface {
	CreateAgentOnce(ctx context.Context, in liveagent.AgentCreate) (*liveagent.Agent, error)
	UpdateAgent(ctx context.Context, id string, up liveagent.AgentUpdate) (*liveagent.Agent, error)
	RestoreAgent(ctx context.Context, id, email string) (*liveagent.Agent, error)
	DeleteAgent(ctx context.Context, id string) error
	GetAgent(ctx context.Context, id string) (*liveagent.Agent, error)
	FindAgentsByEmail(ctx context.Context, email string, includeDeleted bool) ([]liveagent.Agent, error)
}

// Outcome is how a row ended.
type Outcome string

// The outcomes of a row, as the report writes them.
const (
	OutcomeOK           Outcome = "ok"            // done as planned (skipped rows too)
	OutcomeFailed       Outcome = "failed"        // the server refused or kept failing; see the error
	OutcomeNotAttempted Outcome = "not-attempted" // the run stopped before this row (Ctrl-C, or a failure without --continue-on-error)
	OutcomeUnknown      Outcome = "unknown"       // the answer was lost and could not be checked (the server went away, or a second Ctrl-C abandoned it): it may or may not have been applied
	OutcomePlanned      Outcome = "planned"       // --dry-run: what applying would do; nothing was sent
)

// unknownAdvice ends the message of every row whose outcome is unknown.
const unknownAdvice = "it may or may not have been applied; running the same import again resolves it"

// Result is the end of one row.
type Result struct {
	Step    *Step
	Outcome Outcome
	AgentID string
	Err     error
	// Note says something worth knowing about a success, e.g. that the
	// agent turned out to exist already.
	Note string
	// Ops are the outcomes of an offboard step's operations, in order
	// (those never reached are not attempted).
	Ops []OpResult
	// Existed is set on a create that found the agent already there (another
	// run, or someone else, made it): the summary counts it as skipped, not
	// created, so two concurrent imports of a file add up to its rows.
	Existed bool
}

// Summary counts how the rows ended.
type Summary struct {
	Created, Updated, Restored, Skipped int
	Failed, NotAttempted, Unknown       int
	// Offboarded counts offboard rows done; SignedOut, Revoked and Deleted
	// count their operations that succeeded.
	Offboarded, SignedOut, Revoked, Deleted int
	Elapsed                                 time.Duration
	// Interrupted is true when ctx was canceled (Ctrl-C) during the run.
	Interrupted bool
	// Stopped is true when a failure stopped the run (no --continue-on-error).
	Stopped bool
}

// Rows is how many rows the summary covers.
func (s Summary) Rows() int {
	return s.Created + s.Updated + s.Restored + s.Offboarded + s.Skipped + s.Failed + s.NotAttempted + s.Unknown
}

// Clean reports whether every row ended as planned.
func (s Summary) Clean() bool {
	return s.Failed == 0 && s.NotAttempted == 0 && s.Unknown == 0 && !s.Interrupted
}

func (s Summary) String() string {
	out := fmt.Sprintf("%d created, %d updated, %d restored, %d skipped, %d failed",
		s.Created, s.Updated, s.Restored, s.Skipped, s.Failed)
	if s.Offboarded > 0 {
		out = fmt.Sprintf("%d created, %d updated, %d restored, %d offboarded, %d skipped, %d failed",
			s.Created, s.Updated, s.Restored, s.Offboarded, s.Skipped, s.Failed)
	}
	if s.NotAttempted > 0 {
		out += fmt.Sprintf(", %d not attempted", s.NotAttempted)
	}
	if s.Unknown > 0 {
		out += fmt.Sprintf(", %d unknown (may or may not have been applied)", s.Unknown)
	}
	return out + fmt.Sprintf(" in %s", s.Elapsed.Round(10*time.Millisecond))
}

func (s *Summary) add(r Result) {
	for _, o := range r.Ops {
		if o.Outcome != OutcomeOK || o.Note == noteAlready {
			continue
		}
		switch o.Op.Kind {
		case OpSignOut:
			s.SignedOut++
		case OpRevokeKey:
			s.Revoked++
		case OpDelete:
			s.Deleted++
		}
	}
	switch r.Outcome {
	case OutcomeOK:
		switch {
		case r.Existed:
			s.Skipped++
		case r.Step.Action == ActionCreate:
			s.Created++
		case r.Step.Action == ActionUpdate:
			s.Updated++
		case r.Step.Action == ActionRestore:
			s.Restored++
		case r.Step.Action == ActionOffboard:
			s.Offboarded++
		default:
			s.Skipped++
		}
	case OutcomeFailed:
		s.Failed++
	case OutcomeNotAttempted:
		s.NotAttempted++
	case OutcomeUnknown:
		s.Unknown++
	}
}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Concurrency is how many rows are in flight at once (default 8). The
	// pace itself is the client's shared Limiter.
	Concurrency int
	// ContinueOnError attempts every row; without it the first failure (or
	// unknown outcome) stops dispatching (rows in flight still finish).
	ContinueOnError bool
	// Abandon, when closed, cancels the requests in flight (a second Ctrl-C).
	Abandon <-chan struct{}
	// OnResult receives every row's result, one call at a time: skipped rows
	// first, then rows as they finish, then rows never attempted, in input order.
	OnResult func(Result)
	// RetryBase is the first delay between restore attempts (default 250ms).
	RetryBase time.Duration
	// MaxAttempts bounds restore attempts whose outcome is unknown (default 5).
	MaxAttempts int
}

// Apply runs the plan. Canceling ctx (Ctrl-C) stops dispatching: requests in
// flight run on to completion under a context that ctx does not cancel (so
// the report says how they ended), and rows not started are reported as not
// attempted. Steps planned as errors are never applied: refuse such a plan
// before calling Apply.
func Apply(ctx context.Context, api API, plan *Plan, opts ApplyOptions) Summary {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 250 * time.Millisecond
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	start := time.Now()
	var (
		mu       sync.Mutex
		sum      Summary
		finished = make([]bool, len(plan.Steps))
	)
	emit := func(i int, r Result) {
		mu.Lock()
		defer mu.Unlock()
		finished[i] = true
		sum.add(r)
		if opts.OnResult != nil {
			opts.OnResult(r)
		}
	}

	var work []int
	for i := range plan.Steps {
		s := &plan.Steps[i]
		switch s.Action {
		case ActionSkip:
			emit(i, Result{Step: s, Outcome: OutcomeOK, AgentID: s.AgentID()})
		case ActionError:
			emit(i, Result{Step: s, Outcome: OutcomeFailed, AgentID: s.AgentID(), Err: errors.New(s.Details)})
		default:
			work = append(work, i)
		}
	}

	// In-flight requests are not canceled by ctx: they finish, unless the
	// caller abandons them.
	inflight, cancelInflight := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelInflight()
	if opts.Abandon != nil {
		go func() {
			select {
			case <-opts.Abandon:
				cancelInflight()
			case <-inflight.Done():
			}
		}()
	}

	stopCh := make(chan struct{})
	var stopOnce sync.Once
	stop := func() { stopOnce.Do(func() { close(stopCh) }) }
	stopped := func() bool {
		select {
		case <-stopCh:
			return true
		default:
			return ctx.Err() != nil
		}
	}

	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(opts.Concurrency, max(len(work), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if stopped() {
					continue // reported as not attempted below
				}
				r := runStep(inflight, api, &plan.Steps[i], opts)
				emit(i, r)
				if (r.Outcome == OutcomeFailed || r.Outcome == OutcomeUnknown) && !opts.ContinueOnError {
					mu.Lock()
					sum.Stopped = true
					mu.Unlock()
					stop()
				}
			}
		}()
	}
dispatch:
	for _, i := range work {
		if stopped() {
			break
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			break dispatch
		case <-stopCh:
			break dispatch
		}
	}
	close(jobs)
	wg.Wait()

	for _, i := range work {
		if !finished[i] {
			emit(i, Result{Step: &plan.Steps[i], Outcome: OutcomeNotAttempted, AgentID: plan.Steps[i].AgentID()})
		}
	}
	mu.Lock()
	defer mu.Unlock()
	sum.Interrupted = ctx.Err() != nil
	sum.Elapsed = time.Since(start)
	return sum
}

// runStep applies one row and says how it ended.
func runStep(ctx context.Context, api API, s *Step, opts ApplyOptions) Result {
	res := Result{Step: s, AgentID: s.AgentID()}
	var err error
	op := string(s.Action)
	if s.Op != "" {
		op = s.Op
	}
	before := s.BeforeState()
	jctx := liveagent.WithBefore(ctx, liveagent.Before{Op: op, Target: s.Record.Email, State: before})
	switch s.Action {
	case ActionCreate:
		var a *liveagent.Agent
		body := s.CreateBody()
		a, err = api.CreateAgentOnce(jctx, *body)
		if liveagent.KindOf(err) == liveagent.KindConflict {
			// The email was taken before this row's first attempt (a late
			// commit of our own lost attempt is resolved by CreateAgentOnce):
			// someone else, or another import of the same file, made it since
			// the plan. It exists as wanted: done, counted as skipped.
			if found, ferr := api.FindAgentsByEmail(ctx, body.Email, false); ferr == nil && len(found) > 0 {
				a, err = &found[0], nil
				res.Note = "already existed when created (an earlier attempt or someone else made it)"
				res.Existed = true
			}
		}
		if err == nil {
			res.AgentID = a.ID
		}
	case ActionUpdate:
		_, err = api.UpdateAgent(jctx, s.Target.ID, *s.Update)
	case ActionOffboard:
		oa, ok := api.(OffboardAPI)
		if !ok {
			err = errors.New("this client cannot sign out agents or revoke keys")
			break
		}
		res.Ops, err = runOps(ctx, oa, s.Ops(), opts)
	case ActionRestore:
		var restored *liveagent.Agent
		restored, err = restoreOnce(jctx, api, s.Target.ID, opts)
		if err == nil && s.Update != nil {
			var now *liveagent.AgentState
			if before != nil {
				st := *before
				st.Status = liveagent.StatusActive
				if restored != nil && restored.ID != "" {
					st = *liveagent.StateOf(*restored, nil)
					st.Departments = before.Departments
				}
				now = &st
			}
			uctx := liveagent.WithBefore(ctx, liveagent.Before{Op: "update", Target: s.Record.Email, State: now})
			if _, uerr := api.UpdateAgent(uctx, s.Target.ID, *s.Update); uerr != nil {
				err = fmt.Errorf("restored, but the update that followed failed: %w", uerr)
			}
		}
	default:
		err = fmt.Errorf("nothing to apply for action %q", s.Action)
	}
	switch {
	case err == nil:
		res.Outcome = OutcomeOK
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		res.Outcome, res.Err = OutcomeUnknown, errors.New("abandoned in flight (interrupted twice): "+adviceFor(s))
	case liveagent.IsUncertain(err):
		// The request may have reached the server, and the lookup that
		// would tell failed too (typically: the server went away). Calling
		// it failed would invite a blind retry; the next run looks first.
		res.Outcome, res.Err = OutcomeUnknown, fmt.Errorf("%w; %s", err, adviceFor(s))
	default:
		res.Outcome, res.Err = OutcomeFailed, err
	}
	return res
}

// adviceFor is unknownAdvice in the words of the command that made the plan.
func adviceFor(s *Step) string {
	if s.Action == ActionOffboard {
		return "it may or may not have been applied; running the same offboarding again resolves it"
	}
	return unknownAdvice
}

// restoreOnce restores a deleted agent by id and resolves an unknown
// outcome by looking the agent up: POST /agents/undelete is not retried by
// the client, and a retry after a lost answer gets 409 "not deleted".
func restoreOnce(ctx context.Context, api API, id string, opts ApplyOptions) (*liveagent.Agent, error) {
	for attempt := 1; ; attempt++ {
		a, err := api.RestoreAgent(ctx, id, "")
		if err == nil {
			return a, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		conflict := liveagent.KindOf(err) == liveagent.KindConflict
		if !liveagent.IsUncertain(err) && !conflict {
			return nil, err
		}
		// Restored by an earlier attempt (or by someone else): done.
		if cur, gerr := api.GetAgent(ctx, id); gerr == nil && cur.Active() {
			return cur, nil
		}
		if conflict || attempt >= opts.MaxAttempts {
			return nil, err
		}
		if serr := sleepCtx(ctx, jitter(opts.RetryBase, attempt)); serr != nil {
			return nil, serr
		}
	}
}

// jitter is exponential backoff with full jitter, capped at 10s.
func jitter(base time.Duration, attempt int) time.Duration {
	d := base << (attempt - 1)
	if d > 10*time.Second || d <= 0 {
		d = 10 * time.Second
	}
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
