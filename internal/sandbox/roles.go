package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

func (s *Server) handlePermissions(w http.ResponseWriter, r *http.Request, caller member) error {
	writeJSON(w, http.StatusOK, rbac.Catalog())
	return nil
}

// handlePrivileges lists the caller's privileges in LiveAgent's own names,
// grouped by object ("agent.manage" is {"agent", [..., "manage"]}), by the
// reverse of the mapping of spec/rbac.md: a privilege is listed when the
// key's agent holds every permission it maps to.
func (s *Server) handlePrivileges(w http.ResponseWriter, r *http.Request, caller member) error {
	writeJSON(w, http.StatusOK, privilegesOf(caller.role))
	return nil
}

// privilegesOf is what a key of an agent with role r may do, as
// GET /api/privileges and the answer to POST /apikeys/_login list it.
func privilegesOf(r rbac.Role) []liveagent.APIPrivilege {
	out := []liveagent.APIPrivilege{}
	for _, name := range rbac.PrivilegesOfPermissions(r.Permissions) {
		object, privilege, _ := strings.Cut(name, ".")
		if n := len(out); n > 0 && out[n-1].Object == object {
			out[n-1].Privileges = append(out[n-1].Privileges, privilege)
			continue
		}
		out = append(out, liveagent.APIPrivilege{Object: object, Privileges: []string{privilege}})
	}
	return out
}

// handleListRoles lists the built-ins (most privileged first), then custom
// roles in creation order.
func (s *Server) handleListRoles(w http.ResponseWriter, r *http.Request, caller member) error {
	out := []liveagent.Role{}
	err := s.read(r.Context(), func(tx handle) error {
		counts, err := roleCounts(r.Context(), tx)
		if err != nil {
			return err
		}
		for _, name := range rbac.BuiltinNames() {
			out = append(out, liveagent.RoleFromRBAC(rbac.MustBuiltin(name), counts[name]))
		}
		custom, err := customRoles(r.Context(), tx)
		if err != nil {
			return err
		}
		for _, c := range custom {
			out = append(out, liveagent.RoleFromRBAC(c, counts[c.ID]))
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleGetRole(w http.ResponseWriter, r *http.Request, caller member) error {
	id := r.PathValue("roleId")
	var out liveagent.Role
	err := s.read(r.Context(), func(tx handle) error {
		var err error
		out, err = roleWire(r.Context(), tx, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// roleWire loads a role (404 when unknown) with its count of active holders.
func roleWire(ctx context.Context, q querier, id string) (liveagent.Role, error) {
	role, err := mustRole(ctx, q, id)
	if err != nil {
		return liveagent.Role{}, err
	}
	n, err := roleHolders(ctx, q, role)
	if err != nil {
		return liveagent.Role{}, err
	}
	return liveagent.RoleFromRBAC(role, n), nil
}

func mustRole(ctx context.Context, q querier, id string) (rbac.Role, error) {
	role, found, err := getRole(ctx, q, id)
	if err != nil {
		return rbac.Role{}, err
	}
	if !found {
		return rbac.Role{}, notFound("no role with id %q", id)
	}
	return role, nil
}

var sqlInsertRole = prepared("INSERT INTO roles (id, name, name_lower, base, permissions) VALUES (?, ?, ?, ?, ?)")

func (s *Server) handleCreateRole(w http.ResponseWriter, r *http.Request, caller member) error {
	var body liveagent.RoleCreate
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	name, err := validRoleName(body.Name)
	if err != nil {
		return err
	}
	if !rbac.IsBuiltin(body.Base) {
		return invalidField("base", "%q is not a built-in role (owner, admin or agent)", body.Base)
	}
	perms, err := validPermissions(body.Permissions)
	if err != nil {
		return err
	}
	def := rbac.Role{Name: name, Base: body.Base, Permissions: perms}

	ctx := r.Context()
	var out liveagent.Role
	err = s.write(ctx, func(tx handle) error {
		actor, err := actorIn(ctx, tx, caller)
		if err != nil {
			return err
		}
		if err := decide(rbac.Request{Actor: actor.subject(), Action: rbac.CreateRole, Role: &def}); err != nil {
			return err
		}
		if err := checkRoleNameFree(ctx, tx, name, ""); err != nil {
			return err
		}
		if def.ID, err = newID(ctx, tx, sqlRoleIDTaken, "r_", 6); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, sqlInsertRole,
			def.ID, def.Name, strings.ToLower(def.Name), def.Base, encodePermissions(def.Permissions)); err != nil {
			return err
		}
		out = liveagent.RoleFromRBAC(def, 0)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

var sqlUpdateRole = prepared("UPDATE roles SET name = ?, name_lower = ?, permissions = ? WHERE id = ?")

func (s *Server) handleUpdateRole(w http.ResponseWriter, r *http.Request, caller member) error {
	var body liveagent.RoleUpdate
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	var name string
	var perms rbac.Set
	var err error
	if body.Name != nil {
		if name, err = validRoleName(*body.Name); err != nil {
			return err
		}
	}
	if body.Permissions != nil {
		if perms, err = validPermissions(*body.Permissions); err != nil {
			return err
		}
	}

	ctx := r.Context()
	id := r.PathValue("roleId")
	var out liveagent.Role
	err = s.write(ctx, func(tx handle) error {
		actor, err := actorIn(ctx, tx, caller)
		if err != nil {
			return err
		}
		old, err := mustRole(ctx, tx, id)
		if err != nil {
			return err
		}
		def := old
		if body.Name != nil {
			def.Name = name
		}
		if body.Permissions != nil {
			def.Permissions = perms
		}
		req, err := roleChangeRequest(ctx, tx, actor, old)
		if err != nil {
			return err
		}
		req.Action, req.Role = rbac.UpdateRole, &def
		if err := decide(req); err != nil {
			return err
		}
		if err := checkRoleNameFree(ctx, tx, def.Name, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, sqlUpdateRole,
			def.Name, strings.ToLower(def.Name), encodePermissions(def.Permissions), id); err != nil {
			return err
		}
		out, err = roleWire(ctx, tx, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

var (
	sqlMoveHolders = prepared("UPDATE agents SET role = ?, role_id = ? WHERE role_id = ?")
	sqlDeleteRole  = prepared("DELETE FROM roles WHERE id = ?")
)

func (s *Server) handleDeleteRole(w http.ResponseWriter, r *http.Request, caller member) error {
	ctx := r.Context()
	id := r.PathValue("roleId")
	reassignTo := r.URL.Query().Get(liveagent.QueryReassignTo)
	err := s.write(ctx, func(tx handle) error {
		actor, err := actorIn(ctx, tx, caller)
		if err != nil {
			return err
		}
		old, err := mustRole(ctx, tx, id)
		if err != nil {
			return err
		}
		req, err := roleChangeRequest(ctx, tx, actor, old)
		if err != nil {
			return err
		}
		req.Action = rbac.DeleteRole
		if reassignTo != "" {
			to, found, err := getRole(ctx, tx, reassignTo)
			switch {
			case err != nil:
				return err
			case !found:
				return invalidField(liveagent.QueryReassignTo, "no role with id %q", reassignTo)
			case to.ID == old.ID:
				return invalidField(liveagent.QueryReassignTo, "cannot move the holders of role %s to the role itself", old.Name)
			}
			req.Role = &to
		}
		if err := decide(req); err != nil {
			return err
		}
		holders, err := roleHolders(ctx, tx, old)
		if err != nil {
			return err
		}
		if req.Role == nil && holders > 0 {
			return conflict("role %s is still assigned to %d active agents; reassign them first (%s)",
				old.Name, holders, liveagent.QueryReassignTo)
		}
		// Holders move in the same transaction as the delete: with
		// reassign_to every holder (deleted ones too, so a later restore gives
		// a role that exists); without it only deleted holders remain, and
		// they fall back to the least privileged built-in, never to the
		// role's base, which could be more than the custom role held.
		to := rbac.MustBuiltin(rbac.Agent)
		if req.Role != nil {
			to = *req.Role
		}
		base, roleID := roleColumnValues(to)
		if _, err := tx.ExecContext(ctx, sqlMoveHolders, base, roleID, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, sqlDeleteRole, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ok)
	return nil
}

// roleChangeRequest fills what rbac needs to judge a change to a role every
// holder feels (rule 4 on owners, rule 5 on the actor's own role).
func roleChangeRequest(ctx context.Context, q querier, actor member, old rbac.Role) (rbac.Request, error) {
	req := rbac.Request{Actor: actor.subject(), OldRole: &old, ActorHoldsRole: actor.role.ID == old.ID}
	var err error
	if req.ActiveOwners, err = activeOwners(ctx, q); err != nil {
		return req, err
	}
	if old.IsOwner() {
		if req.OwnersHoldingRole, err = roleHolders(ctx, q, old); err != nil {
			return req, err
		}
	}
	return req, nil
}

var sqlRoleByName = prepared("SELECT id FROM roles WHERE name_lower = ? AND id <> ?")

// checkRoleNameFree is the 409 for a name already taken (case-insensitively)
// by a built-in or another custom role.
func checkRoleNameFree(ctx context.Context, q querier, name, exceptID string) error {
	if rbac.IsBuiltin(strings.ToLower(name)) {
		return conflict("a role named %s already exists (a built-in role)", strings.ToLower(name))
	}
	var id string
	err := q.QueryRowContext(ctx, sqlRoleByName, strings.ToLower(name), exceptID).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return conflict("a role named %s already exists (id %s)", name, id)
}

func validRoleName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", invalidField("name", "a role name is required")
	case utf8.RuneCountInString(name) > 64:
		return "", invalidField("name", "is longer than 64 characters")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", invalidField("name", "%q contains control characters", name)
	}
	return name, nil
}

// validPermissions builds a set from catalog names; the first unknown one is
// a 422 with the closest catalog name as a hint.
func validPermissions(names []string) (rbac.Set, error) {
	set, unknown := rbac.NewSet(names...)
	if len(unknown) > 0 {
		if hint := rbac.Suggest(unknown[0], rbac.PermissionNames()); hint != "" {
			return 0, invalidField("permissions", "unknown permission %q (did you mean %q?)", unknown[0], hint)
		}
		return 0, invalidField("permissions", "unknown permission %q (see GET /permissions)", unknown[0])
	}
	return set, nil
}
