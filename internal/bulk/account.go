package bulk

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// Account is one read of everything a plan is made against: the caller, the
// roles, the departments and every agent, active and deleted.
type Account struct {
	// Session is the caller and the account's API; nil in tests that make an
	// Account from parts, whose caller is then Me on an extended account.
	Session     *liveagent.Session
	Me          liveagent.Agent
	Roles       *liveagent.RoleIndex
	Departments []liveagent.Department
	Agents      []liveagent.Agent

	byEmail    map[string]*emailEntry
	byID       map[string]*liveagent.Agent
	depts      *liveagent.DepartmentIndex
	ownerCount int
}

// emailEntry is what the account holds under one email: at most one active
// agent, and any number of deleted ones (the last listed is the most recent).
type emailEntry struct {
	active  *liveagent.Agent
	deleted *liveagent.Agent
}

// Reader is the part of the API client that LoadAccount needs.
type Reader interface {
	// Identify is who calls: the agent behind the key on an account with the
	// extensions, the key's privileges on one without (liveagent.Client.Identify).
	Identify(ctx context.Context) (*liveagent.Session, error)
	Roles(ctx context.Context) (*liveagent.RoleIndex, error)
	ListDepartments(ctx context.Context) ([]liveagent.Department, error)
	ListAgents(ctx context.Context, opts liveagent.ListOptions) ([]liveagent.Agent, error)
}

// LoadAccount reads the account once: the caller, the roles, the departments
// and every agent, each exactly one time. The caller is read first, alone:
// its answer carries the account's X-RateLimit-Limit, which the client's
// shared limiter adopts before the other reads go out, and those then go at
// most two at a time, so that an account with a small rate limit is not met
// with a burst of 429s before the first row is applied. On an account
// without the extensions nothing of GET /agents/me or /roles is needed: the
// caller is the key, and the custom roles are those its agents hold, seen
// from outside.
func LoadAccount(ctx context.Context, c Reader) (*Account, error) {
	// The caller, the agents, the departments and the roles are read at
	// once: one round trip, or two on the first contact with an account
	// (the capability probe, GET /roles, whose answer the roles then reuse),
	// where they were three one after the other. The first request goes
	// alone when the client can hold the others for its answer: that answer
	// tells the limiter the account's pace (X-RateLimit-Limit), so an
	// account that allows 2 requests a second sees no burst of reads.
	if h, ok := c.(interface{ HoldUntilFirstAnswer() }); ok {
		h.HoldUntilFirstAnswer()
	}
	var (
		sess   *liveagent.Session
		roles  *liveagent.RoleIndex
		depts  []liveagent.Department
		agents []liveagent.Agent
	)
	reads := []func() error{
		func() (err error) { sess, err = c.Identify(ctx); return err },
		func() (err error) {
			agents, err = c.ListAgents(ctx, liveagent.ListOptions{Filters: []liveagent.Filter{{
				Field: "status", Op: "in", Value: []string{liveagent.StatusActive, liveagent.StatusDeleted}}}})
			return err
		},
		func() (err error) { depts, err = c.ListDepartments(ctx); return err },
		func() (err error) { roles, err = c.Roles(ctx); return err },
	}
	if err := runLimited(ctx, len(reads), reads); err != nil {
		return nil, err
	}
	if sess.Roles != nil {
		roles = sess.Roles // a key's session: the roles it can see
	}
	roles.AddSeen(agents)
	sess.Roles = roles
	a := NewAccount(sess.Me, roles, depts, agents)
	a.Session = sess
	return a, nil
}

// Published reports whether the account has only LiveAgent's published API.
func (a *Account) Published() bool {
	return a.Session != nil && a.Session.API == liveagent.APIPublished
}

// runLimited runs fns with at most n at a time and returns the first error
// in the order of fns. Once one fails, those not yet started are skipped.
func runLimited(ctx context.Context, n int, fns []func() error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(fns))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, fn := range fns {
		sem <- struct{}{}
		if ctx.Err() != nil {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if errs[i] = fn(); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// NewAccount indexes what was read.
func NewAccount(me liveagent.Agent, roles *liveagent.RoleIndex, depts []liveagent.Department, agents []liveagent.Agent) *Account {
	if roles == nil {
		roles = liveagent.NewRoleIndex(nil)
	}
	a := &Account{Me: me, Roles: roles, Departments: depts, Agents: agents,
		byEmail: map[string]*emailEntry{}, byID: map[string]*liveagent.Agent{}, depts: liveagent.NewDepartmentIndex(depts)}
	for i := range agents {
		ag := &agents[i]
		a.byID[ag.ID] = ag
		key := strings.ToLower(ag.Email)
		e := a.byEmail[key]
		if e == nil {
			e = &emailEntry{}
			a.byEmail[key] = e
		}
		if ag.Active() {
			e.active = ag
			if roles.IsOwner(*ag) {
				a.ownerCount++
			}
		} else {
			e.deleted = ag
		}
	}
	return a
}

// Lookup returns the active agent with that email, else the most recently
// deleted one, else nil.
func (a *Account) Lookup(email string) *liveagent.Agent {
	e := a.byEmail[strings.ToLower(strings.TrimSpace(email))]
	switch {
	case e == nil:
		return nil
	case e.active != nil:
		return e.active
	}
	return e.deleted
}

// ByID returns the agent (active or deleted) with that id, or nil.
func (a *Account) ByID(id string) *liveagent.Agent { return a.byID[id] }

// Department finds a department by id or name, case-insensitively.
func (a *Account) Department(ref string) (liveagent.Department, bool) { return a.depts.Lookup(ref) }

// DepartmentsOf returns the ids of an active agent's departments, sorted.
func (a *Account) DepartmentsOf(agentID string) []string {
	ids := a.depts.IDsOf(agentID)
	sort.Strings(ids)
	return ids
}

// DepartmentNames returns the names of department ids, in the account's order.
func (a *Account) DepartmentNames(ids []string) []string { return a.depts.NamesOf(ids) }

// Actor is the caller as the rules see it: an agent, or a key known by its privileges.
func (a *Account) Actor() rbac.Subject {
	if a.Session != nil {
		return a.Session.Actor()
	}
	return a.Roles.Subject(a.Me)
}

// ActiveOwners counts the active agents whose role makes them owners (rule 4).
func (a *Account) ActiveOwners() int { return a.ownerCount }
