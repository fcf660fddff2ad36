package liveagent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// The two kinds of account API (spec/api.md): LiveAgent's published API
// only, or the published API plus ladmin's extensions.
const (
	APIAuto      = "auto" // learn it from the account (the default)
	APIPublished = "published"
	APIExtended  = "extended"
)

// CapabilityMaxAge is how long a learned API is trusted before it is probed again.
const CapabilityMaxAge = 24 * time.Hour

// CapabilityStore remembers what was learned about this account and key
// between runs (accountcache, bound to one URL and key).
type CapabilityStore interface {
	LoadAPI() (api string, learnedAt time.Time, ok bool)
	SaveAPI(api string, learnedAt time.Time)
}

// Capability is something only the extensions offer, named for the sentence
// that refuses it (exit 8).
type Capability struct {
	Does     string // "create agents"
	Endpoint string // "POST /agents"
	Instead  string // what to do instead
}

// The capabilities a published-only account lacks.
var (
	CapCreateAgents = Capability{"create agents", "POST " + PathAgents,
		"invite them in LiveAgent's Configuration > Agents, or ask LiveAgent support to enable it"}
	CapDepartments = Capability{"assign departments", "the departments field of an Agent",
		"assign them in LiveAgent's Configuration > Departments, or ask LiveAgent support to enable it"}
	CapManageRoles = Capability{"manage custom roles", PathRoles,
		"create, edit and delete them in LiveAgent's Configuration > Roles, or ask LiveAgent support to enable it"}
	CapReadRoles = Capability{"show the definitions of custom roles", "GET " + PathRoles,
		"see them in LiveAgent's Configuration > Roles, or ask LiveAgent support to enable it"}
	CapPermissions = Capability{"list the permission catalog", "GET " + PathPermissions,
		"`ladmin permission list` shows ladmin's own catalog"}
	CapMe = Capability{"name the agent that owns the key", "GET " + PathAgentMe,
		"ladmin knows the key by its privileges instead"}
)

// Unsupported is the exit-8 error for a capability the account's API lacks.
func Unsupported(c Capability) *Error {
	return &Error{Kind: KindUnsupported, Message: fmt.Sprintf(
		"this account's API cannot %s (%s is not part of LiveAgent's published API); %s", c.Does, c.Endpoint, c.Instead)}
}

// capabilities is the client's knowledge of the account's API.
type capabilities struct {
	// probing serializes probes, so concurrent first calls make one.
	probing  sync.Mutex
	mu       sync.Mutex
	override string // published or extended: the user said so
	api      string // learned in this process, or loaded from the store
	store    CapabilityStore
	now      func() time.Time
	// probedRoles is the answer of the probe (GET /roles on an extended
	// account), kept for the next Roles call so the probe costs nothing.
	probedRoles []Role
}

// API says which API the account has: the override if any, else what was
// learned less than a day ago, else it probes (GET /roles) and remembers.
func (c *Client) API(ctx context.Context) (string, error) {
	if api := c.KnownAPI(); api != "" {
		return api, nil
	}
	c.caps.probing.Lock()
	defer c.caps.probing.Unlock()
	if api := c.KnownAPI(); api != "" {
		return api, nil // another call probed meanwhile
	}
	return c.probe(ctx)
}

// KnownAPI is what is known without asking the account: "" when a probe is due.
func (c *Client) KnownAPI() string {
	c.caps.mu.Lock()
	defer c.caps.mu.Unlock()
	return c.knownAPILocked()
}

// APIOverridden reports whether the API was set by the user (config set api).
func (c *Client) APIOverridden() bool { return c.caps.override != "" }

func (c *Client) knownAPILocked() string {
	switch {
	case c.caps.override != "":
		return c.caps.override
	case c.caps.api != "":
		return c.caps.api
	case c.caps.store != nil:
		if api, at, ok := c.caps.store.LoadAPI(); ok && (api == APIPublished || api == APIExtended) &&
			c.caps.now().Sub(at) < CapabilityMaxAge && !at.After(c.caps.now().Add(time.Minute)) {
			c.caps.api = api
			return api
		}
	}
	return ""
}

// RefreshAPI probes the account again, whatever is remembered (auth status
// --refresh). An override still wins, but the probe's answer is remembered.
func (c *Client) RefreshAPI(ctx context.Context) (string, error) {
	api, err := c.probe(ctx)
	if err != nil {
		return "", err
	}
	if c.caps.override != "" {
		return c.caps.override, nil
	}
	return api, nil
}

// probe asks GET /roles: 200 means the extensions are there, 404 (or 405)
// means published only. The answer is remembered with its time.
func (c *Client) probe(ctx context.Context) (string, error) {
	var roles []Role
	err := c.do(ctx, call{method: http.MethodGet, path: PathRoles, result: &roles})
	api := APIExtended
	switch {
	case err == nil:
	case isAbsent(err):
		api = APIPublished
	default:
		return "", err
	}
	c.caps.mu.Lock()
	defer c.caps.mu.Unlock()
	c.caps.api = api
	if api == APIExtended {
		c.caps.probedRoles = nonNil(roles)
	} else {
		c.caps.probedRoles = nil
	}
	if c.caps.store != nil {
		c.caps.store.SaveAPI(api, c.caps.now())
	}
	return api, nil
}

// isAbsent reports whether err is the answer of an endpoint the account does
// not have: 404, or 405 where another method of the path exists.
func isAbsent(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed)
}

// requireExtensions refuses, before anything is sent, what only the
// extensions offer when the account is known to lack them.
func (c *Client) RequireExtensions(ctx context.Context, cp Capability) error {
	api, err := c.API(ctx)
	if err != nil {
		return err
	}
	if api == APIPublished {
		return Unsupported(cp)
	}
	return nil
}

// extension sends a request to an extension endpoint. It is refused without
// sending when the account is known to lack the extensions; when one answers
// 404 or 405 (a stale record), the account is probed again: exit 8 if the
// extensions are gone, else the 404 stands (a real "not found").
func (c *Client) extension(ctx context.Context, cp Capability, cl call) error {
	if err := c.RequireExtensions(ctx, cp); err != nil {
		return err
	}
	err := c.do(ctx, cl)
	if err == nil || !isAbsent(err) {
		return err
	}
	api := APIPublished
	if cl.method != http.MethodGet || cl.path != PathRoles {
		// (When the probe itself answered 404 there is nothing to ask again.)
		var perr error
		if api, perr = c.probe(ctx); perr != nil {
			return err
		}
	} else {
		c.learn(APIPublished)
	}
	if api != APIPublished {
		return err // a real "not found"
	}
	u := Unsupported(cp)
	if c.caps.override == APIExtended {
		u.Message += " (the api setting says extended, but the account has only the published API: `ladmin config set api auto`)"
	}
	return u
}

// learn records what a request showed about the account's API.
func (c *Client) learn(api string) {
	c.caps.mu.Lock()
	defer c.caps.mu.Unlock()
	c.caps.api = api
	if c.caps.store != nil {
		c.caps.store.SaveAPI(api, c.caps.now())
	}
}

// takeProbedRoles returns the roles the probe read, once.
func (c *Client) takeProbedRoles() []Role {
	c.caps.mu.Lock()
	defer c.caps.mu.Unlock()
	r := c.caps.probedRoles
	c.caps.probedRoles = nil
	return r
}
