package liveagent

import (
	"context"
	"sort"
	"strings"

	"github.com/ladmin/ladmin/internal/rbac"
)

// RoleIndex is the account's roles, looked up by id or name, and the way to
// see an agent's effective role (its custom role when role_id is set).
type RoleIndex struct {
	roles []Role
	byKey map[string]int // lowercased id and name
}

// NewRoleIndex indexes roles; the built-ins are added when missing, so an
// account without the roles extension still resolves owner/admin/agent.
func NewRoleIndex(roles []Role) *RoleIndex {
	ix := &RoleIndex{byKey: map[string]int{}}
	for _, name := range rbac.BuiltinNames() {
		if !containsRole(roles, name) {
			roles = append(roles, RoleFromRBAC(rbac.MustBuiltin(name), 0))
		}
	}
	ix.roles = roles
	for i, r := range roles {
		ix.byKey[strings.ToLower(r.ID)] = i
	}
	for i, r := range roles {
		if _, taken := ix.byKey[strings.ToLower(r.Name)]; !taken {
			ix.byKey[strings.ToLower(r.Name)] = i
		}
	}
	return ix
}

func containsRole(roles []Role, id string) bool {
	for _, r := range roles {
		if r.ID == id {
			return true
		}
	}
	return false
}

// Roles fetches the account's roles. A server without the roles extension
// (404) yields just the three built-ins.
func (c *Client) Roles(ctx context.Context) (*RoleIndex, error) {
	roles, err := c.ListRoles(ctx)
	if err != nil && KindOf(err) != KindNotFound {
		return nil, err
	}
	return NewRoleIndex(roles), nil
}

// Lookup finds a role by id or name, case-insensitively.
func (ix *RoleIndex) Lookup(ref string) (Role, bool) {
	i, ok := ix.byKey[strings.ToLower(strings.TrimSpace(ref))]
	if !ok {
		return Role{}, false
	}
	return ix.roles[i], true
}

// List returns the roles: built-ins first (owner, admin, agent), then custom ones by name.
func (ix *RoleIndex) List() []Role {
	out := append([]Role(nil), ix.roles...)
	rank := func(r Role) int {
		switch r.ID {
		case rbac.Owner:
			return 0
		case rbac.Admin:
			return 1
		case rbac.Agent:
			return 2
		}
		return 3
	}
	sort.SliceStable(out, func(i, j int) bool {
		if rank(out[i]) != rank(out[j]) {
			return rank(out[i]) < rank(out[j])
		}
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out
}

// Names lists every role name, for suggestions and completion.
func (ix *RoleIndex) Names() []string {
	names := make([]string, 0, len(ix.roles))
	for _, r := range ix.List() {
		names = append(names, r.Name)
	}
	return names
}

// Of returns the role an agent holds: its custom role when role_id is set
// and known, else the built-in named by role.
func (ix *RoleIndex) Of(a Agent) Role {
	if a.RoleID != "" {
		if r, ok := ix.Lookup(a.RoleID); ok {
			return r
		}
	}
	if r, ok := ix.Lookup(a.Role); ok && r.Builtin {
		return r
	}
	return RoleFromRBAC(rbac.MustBuiltin(rbac.Agent), 0)
}

// IsOwner reports whether an agent counts as an owner of the account (rule
// 4): active, with a role based on owner that holds billing.manage.
func (ix *RoleIndex) IsOwner(a Agent) bool {
	return a.Active() && ix.Of(a).RBAC().IsOwner()
}

// Subject is the agent as the rules package sees it.
func (ix *RoleIndex) Subject(a Agent) rbac.Subject {
	return rbac.Subject{ID: a.ID, Email: a.Email, Role: ix.Of(a).RBAC()}
}

// RoleName is how an agent's role is shown: the custom role's name, else role.
func (ix *RoleIndex) RoleName(a Agent) string {
	return ix.Of(a).Name
}

// Assign returns the role and role_id fields that give an agent role r.
func Assign(r Role) (role, roleID string) {
	if r.Builtin {
		return r.ID, ""
	}
	return r.Base, r.ID
}
