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
	// blind is true on an account without the extensions: only the
	// built-ins are known, and a role_id on an agent is a custom role whose
	// definition cannot be seen (an opaque role, "custom:<id>").
	blind bool
}

// CustomPrefix names a custom role seen only from outside: "custom:<role_id>".
const CustomPrefix = "custom:"

// NewBlindRoleIndex is the roles of an account without the extensions: the
// built-ins, and the custom roles its agents hold, seen from outside (their
// role_id and base role, never their permissions).
func NewBlindRoleIndex(agents []Agent) *RoleIndex {
	ix := NewRoleIndex(nil)
	ix.blind = true
	ix.AddSeen(agents)
	return ix
}

// Blind reports whether custom roles' definitions are out of sight.
func (ix *RoleIndex) Blind() bool { return ix.blind }

// AddSeen adds, on a blind index, an opaque role for every role_id found on
// agents that is not known yet. An extended index knows its roles already.
func (ix *RoleIndex) AddSeen(agents []Agent) {
	if !ix.blind {
		return
	}
	for _, a := range agents {
		if a.RoleID == "" {
			continue
		}
		if _, ok := ix.byKey[strings.ToLower(CustomPrefix+a.RoleID)]; ok {
			continue
		}
		ix.roles = append(ix.roles, OpaqueRole(a.RoleID, a.Role))
		ix.byKey[strings.ToLower(CustomPrefix+a.RoleID)] = len(ix.roles) - 1
		if _, taken := ix.byKey[strings.ToLower(a.RoleID)]; !taken {
			ix.byKey[strings.ToLower(a.RoleID)] = len(ix.roles) - 1
		}
	}
}

// OpaqueRole is a custom role known only by its id and base role.
func OpaqueRole(id, base string) Role {
	return Role{ID: id, Name: CustomPrefix + id, Base: base, Opaque: true}
}

// Label is how a role is shown: its name, with its base for custom roles:
// "support-lead (custom, based on admin)", "custom:r42 (based on admin)".
func (r Role) Label() string {
	switch {
	case r.Builtin:
		return r.Name
	case r.Opaque && r.Base != "":
		return r.Name + " (based on " + r.Base + ")"
	case r.Opaque:
		return r.Name
	}
	return r.Name + " (custom, based on " + r.Base + ")"
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

// Roles fetches the account's roles. An account without the extensions
// yields a blind index: the three built-ins, without a request (add the
// custom roles its agents hold with AddSeen).
func (c *Client) Roles(ctx context.Context) (*RoleIndex, error) {
	api, err := c.API(ctx)
	if err != nil {
		return nil, err
	}
	if api == APIPublished {
		return NewBlindRoleIndex(nil), nil
	}
	if roles := c.takeProbedRoles(); roles != nil {
		return NewRoleIndex(roles), nil
	}
	roles, err := c.ListRoles(ctx)
	if KindOf(err) == KindUnsupported {
		return NewBlindRoleIndex(nil), nil
	}
	if err != nil {
		return nil, err
	}
	return NewRoleIndex(roles), nil
}

// RolesCounted is Roles with every role's agent_count: as the account says
// on one with the extensions, from the list of active agents on one without.
func (c *Client) RolesCounted(ctx context.Context) (*RoleIndex, error) {
	roles, err := c.Roles(ctx)
	if err != nil || !roles.Blind() {
		return roles, err
	}
	agents, err := c.ListAgents(ctx, ListOptions{})
	if err != nil {
		return nil, err
	}
	return roles.Count(agents), nil
}

// Lookup finds a role by id or name, case-insensitively. "custom:<id>" names
// a custom role by id; on a blind index it is an opaque role even when no
// agent holds it yet (its base is then unknown).
func (ix *RoleIndex) Lookup(ref string) (Role, bool) {
	key := strings.ToLower(strings.TrimSpace(ref))
	if i, ok := ix.byKey[key]; ok {
		return ix.roles[i], true
	}
	if id, ok := strings.CutPrefix(key, CustomPrefix); ok && id != "" {
		if i, ok := ix.byKey[id]; ok && !ix.roles[i].Builtin {
			return ix.roles[i], true
		}
		if ix.blind {
			return OpaqueRole(strings.TrimSpace(ref)[len(CustomPrefix):], ""), true
		}
	}
	return Role{}, false
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
		if r, ok := ix.Lookup(a.RoleID); ok && !r.Builtin {
			return r
		}
		if ix.blind {
			return OpaqueRole(a.RoleID, a.Role)
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

// Count sets each role's agent_count from the active agents (an account
// without the extensions has no other source) and returns the index.
func (ix *RoleIndex) Count(agents []Agent) *RoleIndex {
	ix.AddSeen(agents)
	counts := map[string]int{}
	for _, a := range agents {
		if a.Active() {
			counts[ix.Of(a).ID]++
		}
	}
	for i := range ix.roles {
		ix.roles[i].AgentCount = counts[ix.roles[i].ID]
	}
	return ix
}
