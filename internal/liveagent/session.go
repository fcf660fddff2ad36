package liveagent

import (
	"context"
	"sync"
	"time"

	"github.com/ladmin/ladmin/internal/rbac"
)

// Session is what the rule pre-checks need to know about the caller and the
// account's roles. The caller is one of two kinds (spec/rbac.md): the agent
// behind the key (accounts with the extensions: GET /agents/me), or, on an
// account with only the published API, the key itself, known by its
// privileges (GET /api/privileges).
type Session struct {
	// API is the account's API: APIPublished or APIExtended.
	API string
	// Me is the agent behind the key; empty for a key caller.
	Me Agent
	// Key is true when the caller is known only by its key's privileges.
	Key bool
	// Privileges are the key's LiveAgent privileges ("agent.manage"), for a key caller.
	Privileges []string
	Roles      *RoleIndex
}

// Session learns who the caller is and the account's roles: the agent and
// the roles in parallel on an account with the extensions, the key's
// privileges on one without (whose roles need no request).
func (c *Client) Session(ctx context.Context) (*Session, error) {
	api, err := c.API(ctx)
	if err != nil {
		return nil, err
	}
	if api == APIPublished {
		return c.keySession(ctx)
	}
	var (
		wg       sync.WaitGroup
		sess     *Session
		roles    *RoleIndex
		meErr    error
		rolesErr error
	)
	wg.Add(2)
	go func() { defer wg.Done(); sess, meErr = c.Identify(ctx) }()
	go func() { defer wg.Done(); roles, rolesErr = c.Roles(ctx) }()
	wg.Wait()
	if meErr != nil {
		return nil, meErr
	}
	if sess.Key {
		return sess, nil // the extensions were gone: Caller learned it
	}
	if rolesErr != nil {
		return nil, rolesErr
	}
	sess.Roles = roles
	c.rememberSession(sess)
	return sess, nil
}

// Identify learns who the caller is with one request (after the API probe, if
// one is due): GET /agents/me on an account with the extensions, GET
// /api/privileges on one without. Its Roles are the built-ins only on an
// account without the extensions, and nil on one with them (see Roles).
func (c *Client) Identify(ctx context.Context) (*Session, error) {
	api, err := c.API(ctx)
	if err != nil {
		return nil, err
	}
	if api == APIPublished {
		return c.keySession(ctx)
	}
	me, err := c.Me(ctx)
	if KindOf(err) == KindUnsupported {
		// The record was stale: the extensions are gone.
		return c.keySession(ctx)
	}
	if err != nil {
		return nil, err
	}
	return &Session{API: APIExtended, Me: *me}, nil
}

func (c *Client) keySession(ctx context.Context) (*Session, error) {
	privs, err := c.Privileges(ctx)
	if err != nil {
		return nil, err
	}
	return &Session{API: APIPublished, Key: true, Privileges: FlattenPrivileges(privs), Roles: NewBlindRoleIndex(nil)}, nil
}

// FlattenPrivileges turns GET /api/privileges into "object.privilege" names.
func FlattenPrivileges(privs []APIPrivilege) []string {
	out := []string{}
	for _, p := range privs {
		for _, v := range p.Privileges {
			out = append(out, p.Object+"."+v)
		}
	}
	return out
}

// Actor is the caller as the rules see it.
func (s *Session) Actor() rbac.Subject {
	if s.Key {
		return rbac.KeySubject(s.Privileges)
	}
	return s.Roles.Subject(s.Me)
}

// ActiveOwners lists the agents that count as owners of the account (rule
// 4). Only agents with role=owner on the wire can be, so only those are read.
func (c *Client) ActiveOwners(ctx context.Context, roles *RoleIndex) ([]Agent, error) {
	candidates, err := c.ListAgents(ctx, ListOptions{Filters: []Filter{{Field: "role", Op: "=", Value: rbac.Owner}}})
	if err != nil {
		return nil, err
	}
	owners := candidates[:0]
	for _, a := range candidates {
		if roles.IsOwner(a) {
			owners = append(owners, a)
		}
	}
	return owners, nil
}

// CreateAgentOnce creates an agent and never creates it twice: when an
// attempt's outcome is unknown (dropped connection, 5xx after sending), it
// looks the email up before trying again, and a found agent is the result.
// A conflict (409) after such an attempt is that attempt having committed
// late: the agent found by email is the result too. A conflict on the first
// attempt is returned: the agent existed before this call.
func (c *Client) CreateAgentOnce(ctx context.Context, in AgentCreate) (*Agent, error) {
	for attempt := 1; ; attempt++ {
		a, err := c.CreateAgent(ctx, in)
		if attempt > 1 && KindOf(err) == KindConflict {
			if found, ferr := c.FindAgentsByEmail(ctx, in.Email, false); ferr == nil && len(found) > 0 {
				return &found[0], nil
			}
		}
		if err == nil || !IsUncertain(err) || attempt > c.maxRetries {
			return a, err
		}
		found, ferr := c.FindAgentsByEmail(ctx, in.Email, false)
		if ferr != nil {
			return nil, err
		}
		if len(found) > 0 {
			return &found[0], nil
		}
		if serr := sleep(ctx, c.backoff(attempt)); serr != nil {
			return nil, serr
		}
	}
}

// SessionStore is a CapabilityStore that also remembers the caller and the
// account's roles between commands, in the same record of the account cache.
type SessionStore interface {
	LoadSession(v any) (learnedAt time.Time, ok bool)
	SaveSession(v any, learnedAt time.Time)
}

// SessionMaxAge is how long the caller and roles one command learned serve
// the next ones (a shell script's loop of single commands).
const SessionMaxAge = time.Minute

// sessionRecord is what a SessionStore keeps: an agent caller on an account
// with the extensions and its roles.
type sessionRecord struct {
	Me    Agent  `json:"me"`
	Roles []Role `json:"roles"`
}

// RecentSession is Session, served from the account cache when an earlier
// command learned it less than SessionMaxAge ago (cached is then true). A
// cached session may only ever let a request go to the server, which still
// decides: a caller that would refuse something on its strength must read
// a fresh Session first (see cmdutil.Fresh).
func (c *Client) RecentSession(ctx context.Context) (sess *Session, cached bool, err error) {
	if st, ok := c.caps.store.(SessionStore); ok {
		if api, err := c.API(ctx); err == nil && api == APIExtended {
			var rec sessionRecord
			at, found := st.LoadSession(&rec)
			age := c.caps.now().Sub(at)
			if found && age >= 0 && age < SessionMaxAge && rec.Me.ID != "" && len(rec.Roles) > 0 {
				c.who.set(&rec.Me) // the journal's caller, as a fresh read sets it
				return &Session{API: APIExtended, Me: rec.Me, Roles: NewRoleIndex(rec.Roles)}, true, nil
			}
		}
	}
	sess, err = c.Session(ctx)
	return sess, false, err
}

// rememberSession saves a fresh agent session for RecentSession.
func (c *Client) rememberSession(sess *Session) {
	st, ok := c.caps.store.(SessionStore)
	if !ok || sess.Key || sess.API != APIExtended || sess.Roles == nil {
		return
	}
	st.SaveSession(sessionRecord{Me: sess.Me, Roles: sess.Roles.List()}, c.caps.now())
}
