package liveagent

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Ping checks that the account answers and the key is accepted.
func (c *Client) Ping(ctx context.Context) error {
	return c.do(ctx, call{method: http.MethodGet, path: PathPing})
}

// Me returns the agent that owns the API key.
func (c *Client) Me(ctx context.Context) (*Agent, error) {
	var a Agent
	if err := c.extension(ctx, CapMe, call{method: http.MethodGet, path: PathAgentMe, result: &a}); err != nil {
		return &a, err
	}
	c.who.set(&a)
	return &a, nil
}

// ListAgents returns every agent matching opts (deleted ones only when a
// filter on status asks for them).
func (c *Client) ListAgents(ctx context.Context, opts ListOptions) ([]Agent, error) {
	return listAll[Agent](ctx, c, PathAgents, opts)
}

// GetAgent returns one agent by id.
func (c *Client) GetAgent(ctx context.Context, id string) (*Agent, error) {
	var a Agent
	return &a, c.do(ctx, call{method: http.MethodGet, path: PathAgent(id), result: &a})
}

// FindAgentsByEmail returns the agents with that email (case-insensitive):
// at most one active, possibly several deleted.
func (c *Client) FindAgentsByEmail(ctx context.Context, email string, includeDeleted bool) ([]Agent, error) {
	filters := []Filter{{Field: "email", Op: "=", Value: email}}
	if includeDeleted {
		filters = append(filters, Filter{Field: "status", Op: "in", Value: []string{StatusActive, StatusDeleted}})
	}
	found, err := c.ListAgents(ctx, ListOptions{Filters: filters})
	if err != nil {
		return nil, err
	}
	// Servers differ in how they compare; keep exact case-insensitive matches.
	out := found[:0]
	for _, a := range found {
		if strings.EqualFold(a.Email, email) {
			out = append(out, a)
		}
	}
	return out, nil
}

// ResolveAgent finds an agent named by id or email. With includeDeleted, a
// deleted agent is found too (the most recent one wins for an email).
func (c *Client) ResolveAgent(ctx context.Context, ref string, includeDeleted bool) (*Agent, error) {
	if strings.TrimSpace(ref) == "" {
		return nil, NewError(KindInvalid, "an agent id or email cannot be empty")
	}
	if !strings.Contains(ref, "@") {
		a, err := c.GetAgent(ctx, ref)
		if err != nil {
			if KindOf(err) == KindNotFound {
				return nil, NewError(KindNotFound, "agent %q not found", ref)
			}
			return nil, err
		}
		if !includeDeleted && !a.Active() {
			return nil, NewError(KindNotFound, "agent %q is deleted; restore it with `ladmin agent restore %s`", ref, ref)
		}
		return a, nil
	}
	// Deleted agents are asked for too, so that "not found" can say when the
	// agent exists but is deleted.
	found, err := c.FindAgentsByEmail(ctx, ref, true)
	if err != nil {
		return nil, err
	}
	var pick *Agent
	for i := range found {
		a := &found[i]
		if a.Active() {
			return a, nil
		}
		pick = a // deleted: keep the last (most recent) one
	}
	switch {
	case pick == nil:
		return nil, NewError(KindNotFound, "agent %q not found", ref)
	case !includeDeleted:
		return nil, NewError(KindNotFound, "agent %q is deleted; restore it with `ladmin agent restore %s`", ref, ref)
	}
	return pick, nil
}

// CreateAgent invites a new agent (extension endpoint). On a dropped
// connection or 5xx the error is Uncertain: the agent may exist.
func (c *Client) CreateAgent(ctx context.Context, in AgentCreate) (*Agent, error) {
	var a Agent
	if len(in.Departments) > 0 {
		if err := c.RequireExtensions(ctx, CapDepartments); err != nil {
			return nil, err
		}
	}
	return &a, c.extension(ctx, CapCreateAgents, call{method: http.MethodPost, path: PathAgents, body: in, result: &a})
}

// UpdateAgent changes the fields set in up. Departments are refused without
// sending on an account without the extensions: it would ignore them silently.
func (c *Client) UpdateAgent(ctx context.Context, id string, up AgentUpdate) (*Agent, error) {
	var a Agent
	if up.Departments != nil {
		if err := c.RequireExtensions(ctx, CapDepartments); err != nil {
			return nil, err
		}
	}
	return &a, c.do(ctx, call{method: http.MethodPut, path: PathAgent(id), body: up, result: &a})
}

// DeleteAgent deletes an agent (its status becomes X; the record stays).
func (c *Client) DeleteAgent(ctx context.Context, id string) error {
	err := c.do(ctx, call{method: http.MethodDelete, path: PathAgent(id), result: &struct{}{}})
	var e *Error
	if errors.As(err, &e) && e.Kind == KindNotFound && e.Attempts > 1 {
		// An earlier attempt was applied but its answer was lost.
		return nil
	}
	return err
}

// RestoreAgent undeletes an agent by id (or by email when id is empty).
func (c *Client) RestoreAgent(ctx context.Context, id, email string) (*Agent, error) {
	var a Agent
	return &a, c.do(ctx, call{method: http.MethodPost, path: PathAgentUndelete,
		body: Agent{ID: id, Email: email}, result: &a})
}

// ListDepartments returns every department.
func (c *Client) ListDepartments(ctx context.Context) ([]Department, error) {
	var ds []Department
	if err := c.do(ctx, call{method: http.MethodGet, path: PathDepartments, result: &ds}); err != nil {
		return nil, err
	}
	return nonNil(ds), nil
}

// GetDepartment returns one department.
func (c *Client) GetDepartment(ctx context.Context, id string) (*Department, error) {
	var d Department
	return &d, c.do(ctx, call{method: http.MethodGet, path: PathDepartment(id), result: &d})
}

// Privileges returns the privileges of the calling key.
func (c *Client) Privileges(ctx context.Context) ([]APIPrivilege, error) {
	var p []APIPrivilege
	if err := c.do(ctx, call{method: http.MethodGet, path: PathAPIPrivileges, result: &p}); err != nil {
		return nil, err
	}
	return nonNil(p), nil
}

// ListRoles returns the built-in and custom roles (extension).
func (c *Client) ListRoles(ctx context.Context) ([]Role, error) {
	var rs []Role
	if err := c.extension(ctx, CapReadRoles, call{method: http.MethodGet, path: PathRoles, result: &rs}); err != nil {
		return nil, err
	}
	return nonNil(rs), nil
}

// GetRole returns one role by id.
func (c *Client) GetRole(ctx context.Context, id string) (*Role, error) {
	var r Role
	return &r, c.extension(ctx, CapReadRoles, call{method: http.MethodGet, path: PathRole(id), result: &r})
}

// CreateRole defines a custom role.
func (c *Client) CreateRole(ctx context.Context, in RoleCreate) (*Role, error) {
	var r Role
	return &r, c.extension(ctx, CapManageRoles, call{method: http.MethodPost, path: PathRoles, body: in, result: &r})
}

// UpdateRole edits a custom role.
func (c *Client) UpdateRole(ctx context.Context, id string, up RoleUpdate) (*Role, error) {
	var r Role
	return &r, c.extension(ctx, CapManageRoles, call{method: http.MethodPut, path: PathRole(id), body: up, result: &r})
}

// DeleteRole deletes a custom role, first moving its agents to reassignTo when set.
func (c *Client) DeleteRole(ctx context.Context, id, reassignTo string) error {
	var q url.Values
	if reassignTo != "" {
		q = url.Values{QueryReassignTo: {reassignTo}}
	}
	return c.extension(ctx, CapManageRoles, call{method: http.MethodDelete, path: PathRole(id), query: q, result: &struct{}{}})
}

// ListPermissions returns the permission catalog as the server knows it.
func (c *Client) ListPermissions(ctx context.Context) ([]Permission, error) {
	var ps []Permission
	if err := c.extension(ctx, CapPermissions, call{method: http.MethodGet, path: PathPermissions, result: &ps}); err != nil {
		return nil, err
	}
	return nonNil(ps), nil
}
