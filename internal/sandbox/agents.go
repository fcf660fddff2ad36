package sandbox

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

func (s *Server) handlePing(w http.ResponseWriter, r *http.Request, caller member) error {
	writeJSON(w, http.StatusOK, ok)
	return nil
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, caller member) error {
	writeJSON(w, http.StatusOK, caller.Agent)
	return nil
}

func (s *Server) handleListAgents(w http.ResponseWriter, r *http.Request, caller member) error {
	if err := requireRead(caller); err != nil {
		return err
	}
	lq, err := parseListQuery(r.URL.Query())
	if err != nil {
		return err
	}
	countSQL, pageSQL := lq.sql()
	countStmt, pageStmt := s.lists.stmt(r.Context(), s.db, countSQL), s.lists.stmt(r.Context(), s.db, pageSQL)
	// The page is assembled from the JSON SQLite builds per row (agentJSON).
	page := bytes.NewBufferString("[")
	gen := s.lists.gen.Load() // before the snapshot: see listCache
	total, counted := s.lists.count(countSQL, lq.args, gen)
	err = s.read(r.Context(), func(tx handle) error {
		if !counted {
			if err := tx.queryRow(r.Context(), countStmt, countSQL, lq.args...).Scan(&total); err != nil {
				return err
			}
			s.lists.saveCount(countSQL, lq.args, gen, total)
		}
		rows, err := tx.query(r.Context(), pageStmt, pageSQL, append(lq.args, lq.limit, lq.offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for n := 0; rows.Next(); n++ {
			var agent sql.RawBytes
			if err := rows.Scan(&agent); err != nil {
				return err
			}
			if n > 0 {
				page.WriteByte(',')
			}
			page.Write(agent)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	page.WriteString("]\n")
	// Not in the published API, but harmless to clients that ignore it and
	// lets others size a progress bar or check they saw everything.
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(page.Bytes())
	return nil
}

func (s *Server) handleGetAgent(w http.ResponseWriter, r *http.Request, caller member) error {
	if err := requireRead(caller); err != nil {
		return err
	}
	id := r.PathValue("userId")
	a, found, err := getAgent(r.Context(), s.pool(), id)
	if err != nil {
		return err
	}
	if !found {
		return agentNotFound(id)
	}
	writeJSON(w, http.StatusOK, a.Agent)
	return nil
}

func agentNotFound(id string) error { return notFound("no agent with id %q", id) }

var (
	sqlInsertAgent = prepared(`INSERT INTO agents
		(id, name, email, email_lower, role, role_id, gender, last_pswd_change) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	sqlInsertInvitation = prepared(`INSERT INTO outbox
		(agent_id, email, name, login_url, temporary_password, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
)

func (s *Server) handleCreateAgent(w http.ResponseWriter, r *http.Request, caller member) error {
	var body liveagent.AgentCreate
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	name, err := validName(body.Name)
	if err != nil {
		return err
	}
	email := strings.TrimSpace(body.Email)
	if err := validEmail(email); err != nil {
		return err
	}
	gender := body.Gender
	if gender == "" {
		gender = "X"
	}
	if err := validGender(gender); err != nil {
		return err
	}

	ctx := r.Context()
	var created agentRow
	err = s.write(ctx, func(tx handle) error {
		actor, err := actorIn(ctx, tx, caller)
		if err != nil {
			return err
		}
		role, err := resolveNewRole(ctx, tx, body.Role, body.RoleID)
		if err != nil {
			return err
		}
		depts, err := resolveDepartments(ctx, tx, body.Departments)
		if err != nil {
			return err
		}
		if err := decide(rbac.Request{Actor: actor.subject(), Action: rbac.CreateAgent,
			Role: &role, Departments: len(depts) > 0}); err != nil {
			return err
		}
		if err := checkEmailFree(ctx, tx, email); err != nil {
			return err
		}

		id, err := newID(ctx, tx, sqlAgentIDTaken, "", 8)
		if err != nil {
			return err
		}
		base, roleID := roleColumnValues(role)
		if _, err := tx.ExecContext(ctx, sqlInsertAgent,
			id, name, email, strings.ToLower(email), base, roleID, gender, nowString()); err != nil {
			return err
		}
		if err := setAgentDepartments(ctx, tx, id, depts); err != nil {
			return err
		}
		// The invitation is part of the same transaction: an agent never
		// exists without its login details, nor the other way round.
		password := temporaryPassword()
		if err := setPassword(ctx, tx, id, password); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, sqlInsertInvitation,
			id, email, name, loginURL(r, email), password, nowString()); err != nil {
			return err
		}
		created, _, err = getAgent(ctx, tx, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, created.Agent)
	return nil
}

var sqlAgentByEmail = prepared(`SELECT id, status FROM agents WHERE email_lower = ?
	ORDER BY status = 'A' DESC, seq DESC LIMIT 1`)

// checkEmailFree is the 409 of a create: the email of an active agent, or of
// a deleted one that should be restored rather than created twice.
func checkEmailFree(ctx context.Context, q querier, email string) error {
	var id, status string
	err := q.QueryRowContext(ctx, sqlAgentByEmail, strings.ToLower(email)).Scan(&id, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case status == liveagent.StatusActive:
		return conflict("an agent with email %s already exists (id %s)", email, id)
	default:
		return conflict("a deleted agent with email %s exists (id %s); restore it instead: ladmin agent restore %s", email, id, email)
	}
}

// agentUpdateBody is the body of PUT /agents/{id}: the fields of
// liveagent.AgentUpdate (what ladmin's client sends), plus the Agent fields a
// generated client sends back when it updates a whole object. Other Agent
// fields (id, last_pswd_change, ...) are read-only and ignored, like any
// unknown field. It is flat, not an embedding of AgentUpdate, so that a
// wrong-typed field's 422 names the field rather than the embedded struct.
type agentUpdateBody struct {
	Name          *string   `json:"name"`
	Gender        *string   `json:"gender"`
	AvatarURL     *string   `json:"avatar_url"`
	Role          *string   `json:"role"`
	RoleID        *string   `json:"role_id"`
	Departments   *[]string `json:"departments"`
	Email         *string   `json:"email"`
	Status        *string   `json:"status"`
	TwofactorAuth *string   `json:"twofactor_auth"`
}

func (s *Server) handleUpdateAgent(w http.ResponseWriter, r *http.Request, caller member) error {
	var body agentUpdateBody
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	if s.Published() {
		// The published Agent has no departments field: an account without
		// the extensions ignores it silently, and so does this face.
		body.Departments = nil
	}
	// Values are checked before anything else, so a 422 is never hidden
	// behind a 403. fields names the fields the body sets, by wire name, for
	// rbac's rule 6; email and status join them below only when they differ
	// from the stored values (a client may send the whole object back).
	var fields []string
	if body.Name != nil {
		name, err := validName(*body.Name)
		if err != nil {
			return err
		}
		body.Name = &name
		fields = append(fields, "name")
	}
	if body.Gender != nil {
		if err := validGender(*body.Gender); err != nil {
			return err
		}
		fields = append(fields, "gender")
	}
	if body.AvatarURL != nil {
		if err := validAvatarURL(*body.AvatarURL); err != nil {
			return err
		}
		fields = append(fields, "avatar_url")
	}
	if body.TwofactorAuth != nil {
		if err := validTwoFactor(*body.TwofactorAuth); err != nil {
			return err
		}
		fields = append(fields, "twofactor_auth")
	}
	if body.Email != nil {
		email := strings.TrimSpace(*body.Email)
		if err := validEmail(email); err != nil {
			return err
		}
		body.Email = &email
	}
	if body.Status != nil {
		if err := validStatus(*body.Status); err != nil {
			return err
		}
	}

	ctx := r.Context()
	id := r.PathValue("userId")
	var updated agentRow
	err := s.write(ctx, func(tx handle) error {
		actor, target, err := actorAndTarget(ctx, tx, caller, id)
		if err != nil {
			return err
		}
		if target.Status == liveagent.StatusDeleted {
			return notFound("agent %s is deleted; restore it first: ladmin agent restore %s", id, target.Email)
		}
		newRole, roleChange, err := resolveRoleChange(ctx, tx, target, body.Role, body.RoleID)
		if err != nil {
			return err
		}
		var depts []string
		if body.Departments != nil {
			if depts, err = resolveDepartments(ctx, tx, *body.Departments); err != nil {
				return err
			}
		}
		changed := slices.Clone(fields)
		// A changed email is an edit like any other (not a profile field);
		// only the case changing is a change too, since the stored spelling is
		// what the API shows.
		emailChange := body.Email != nil && *body.Email != target.Email
		if emailChange {
			changed = append(changed, "email")
		}
		// A different status is refused by rule 6: delete and restore change it.
		if body.Status != nil && *body.Status != target.Status {
			changed = append(changed, "status")
		}

		// A role change is rbac's SetRole; everything else is UpdateAgent. A
		// body that only changes the role is not also an edit, but an empty
		// body is (it is still an attempt to edit that agent).
		ts := target.subject()
		if roleChange {
			owners, err := activeOwners(ctx, tx)
			if err != nil {
				return err
			}
			if err := decide(rbac.Request{Actor: actor.subject(), Action: rbac.SetRole,
				Target: &ts, Role: &newRole, ActiveOwners: owners}); err != nil {
				return err
			}
		}
		if !roleChange || len(changed) > 0 || body.Departments != nil {
			if err := decide(rbac.Request{Actor: actor.subject(), Action: rbac.UpdateAgent,
				Target: &ts, Fields: changed, Departments: body.Departments != nil}); err != nil {
				return err
			}
		}
		if emailChange {
			if err := checkEmailFreeFor(ctx, tx, *body.Email, id); err != nil {
				return err
			}
		}

		set := []string{}
		args := []any{}
		if body.Name != nil {
			set, args = append(set, "name = ?"), append(args, *body.Name)
		}
		if body.Gender != nil {
			set, args = append(set, "gender = ?"), append(args, *body.Gender)
		}
		if body.AvatarURL != nil {
			set, args = append(set, "avatar_url = ?"), append(args, *body.AvatarURL)
		}
		if body.TwofactorAuth != nil {
			set, args = append(set, "twofactor_auth = ?"), append(args, *body.TwofactorAuth)
		}
		if emailChange {
			set, args = append(set, "email = ?", "email_lower = ?"), append(args, *body.Email, strings.ToLower(*body.Email))
		}
		if roleChange {
			base, roleID := roleColumnValues(newRole)
			set, args = append(set, "role = ?", "role_id = ?"), append(args, base, roleID)
		}
		if len(set) > 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE agents SET "+strings.Join(set, ", ")+" WHERE id = ?",
				append(args, id)...); err != nil {
				return err
			}
		}
		if body.Departments != nil {
			if err := setAgentDepartments(ctx, tx, id, depts); err != nil {
				return err
			}
		}
		updated, _, err = getAgent(ctx, tx, id)
		if err == nil && body.TwofactorAuth != nil && *body.TwofactorAuth != target.TwofactorAuth {
			// Turning two-factor on makes a new secret (the outbox lists it).
			if *body.TwofactorAuth == "Y" {
				err = enableTwoFactor(ctx, tx, updated.Agent)
			} else {
				err = disableTwoFactor(ctx, tx, id)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, updated.Agent)
	return nil
}

// checkEmailFreeFor is the 409 of an email change: the new email must not be
// that of another active agent (case-insensitive). A deleted agent's email
// may be taken, as api.md makes emails unique among active agents only; that
// agent can then be restored only once the email is free again.
func checkEmailFreeFor(ctx context.Context, q querier, email, self string) error {
	var other string
	err := q.QueryRowContext(ctx, sqlActiveByEmail, strings.ToLower(email)).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case other != self:
		return conflict("an agent with email %s already exists (id %s)", email, other)
	}
	return nil
}

// actorAndTarget loads, inside the transaction, the agent behind the key and
// the agent it acts on; a missing target is a 404.
func actorAndTarget(ctx context.Context, tx handle, caller member, id string) (actor, target member, err error) {
	if actor, err = actorIn(ctx, tx, caller); err != nil {
		return member{}, member{}, err
	}
	target, found, err := loadMember(ctx, tx, id)
	if err != nil {
		return member{}, member{}, err
	}
	if !found {
		return member{}, member{}, agentNotFound(id)
	}
	return actor, target, nil
}

var sqlDeleteAgent = prepared("UPDATE agents SET status = 'X', deleted_at = ? WHERE id = ?")

func (s *Server) handleDeleteAgent(w http.ResponseWriter, r *http.Request, caller member) error {
	ctx := r.Context()
	id := r.PathValue("userId")
	err := s.write(ctx, func(tx handle) error {
		actor, target, err := actorAndTarget(ctx, tx, caller, id)
		if err != nil {
			return err
		}
		if target.Status == liveagent.StatusDeleted {
			return notFound("agent %s is already deleted", id)
		}
		owners, err := activeOwners(ctx, tx)
		if err != nil {
			return err
		}
		ts := target.subject()
		if err := decide(rbac.Request{Actor: actor.subject(), Action: rbac.DeleteAgent,
			Target: &ts, ActiveOwners: owners}); err != nil {
			return err
		}
		// The record stays (status X); deleted_at picks "the most recently
		// deleted" agent when one is restored by email.
		_, err = tx.ExecContext(ctx, sqlDeleteAgent, time.Now().UnixNano(), id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ok)
	return nil
}

var (
	sqlActiveByEmail  = prepared("SELECT id FROM agents WHERE email_lower = ? AND status = 'A'")
	sqlRestoreAgent   = prepared("UPDATE agents SET status = 'A', deleted_at = NULL WHERE id = ?")
	sqlRestoreByEmail = prepared(`SELECT id FROM agents WHERE email_lower = ?
		ORDER BY status = 'X' DESC, deleted_at DESC, seq DESC LIMIT 1`)
)

func (s *Server) handleUndeleteAgent(w http.ResponseWriter, r *http.Request, caller member) error {
	// The body is an Agent; only id or email matter (a generated client may
	// send the whole object back).
	var body struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	body.ID, body.Email = strings.TrimSpace(body.ID), strings.TrimSpace(body.Email)
	if body.ID == "" && body.Email == "" {
		return invalidField("id", "give the id or the email of the agent to restore")
	}

	ctx := r.Context()
	var restored agentRow
	err := s.write(ctx, func(tx handle) error {
		id := body.ID
		if id == "" {
			var err error
			if id, err = agentIDForRestore(ctx, tx, body.Email); err != nil {
				return err
			}
		}
		actor, target, err := actorAndTarget(ctx, tx, caller, id)
		if err != nil {
			return err
		}
		ts := target.subject()
		if err := decide(rbac.Request{Actor: actor.subject(), Action: rbac.RestoreAgent, Target: &ts}); err != nil {
			return err
		}
		if target.Status != liveagent.StatusDeleted {
			return conflict("agent %s (%s) is not deleted", id, target.Email)
		}
		var other string
		err = tx.QueryRowContext(ctx, sqlActiveByEmail, strings.ToLower(target.Email)).Scan(&other)
		if err == nil {
			return conflict("cannot restore agent %s: the active agent %s already uses the email %s", id, other, target.Email)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, sqlRestoreAgent, id); err != nil {
			return err
		}
		restored, _, err = getAgent(ctx, tx, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, restored.Agent)
	return nil
}

// agentIDForRestore picks the most recently deleted agent with an email. When
// none is deleted but an active one has it, the answer is the 409 "not
// deleted" (a retried restore finds exactly that), so that agent's id is returned.
func agentIDForRestore(ctx context.Context, q querier, email string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, sqlRestoreByEmail, strings.ToLower(email)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("no agent with email %s", email)
	}
	return id, err
}

// resolveNewRole resolves the role of a create: role alone for a built-in,
// role_id alone for a custom role (a built-in's id, its name, works too), or
// both when they agree; neither means agent.
func resolveNewRole(ctx context.Context, q querier, role, roleID string) (rbac.Role, error) {
	if roleID == "" {
		if role == "" {
			return rbac.MustBuiltin(rbac.Agent), nil
		}
		return builtinRole(role)
	}
	return roleByID(ctx, q, role, roleID)
}

// resolveRoleChange resolves the role fields of an update, and whether they
// change the target's role. `role` alone equal to the target's wire role
// (the base of its custom role) is no change, so clients that only know the
// built-ins can send an Agent back unchanged; role_id "" with or without
// `role` asks for a built-in explicitly.
func resolveRoleChange(ctx context.Context, q querier, target member, role, roleID *string) (rbac.Role, bool, error) {
	var r rbac.Role
	var err error
	switch {
	case role == nil && roleID == nil:
		return rbac.Role{}, false, nil
	case roleID == nil:
		if *role == target.Role {
			return rbac.Role{}, false, nil
		}
		r, err = builtinRole(*role)
	case *roleID == "":
		base := target.Role
		if role != nil {
			base = *role
		}
		r, err = builtinRole(base)
	default:
		given := ""
		if role != nil {
			given = *role
		}
		r, err = roleByID(ctx, q, given, *roleID)
	}
	if err != nil {
		return rbac.Role{}, false, err
	}
	return r, r.ID != target.role.ID, nil
}

func builtinRole(name string) (rbac.Role, error) {
	r, found := rbac.Builtin(name)
	if !found {
		return rbac.Role{}, invalidField("role",
			"%q is not a built-in role (owner, admin or agent); give a custom role's id in role_id", name)
	}
	return r, nil
}

// roleByID resolves role_id, checking that a `role` given with it is its base.
func roleByID(ctx context.Context, q querier, role, roleID string) (rbac.Role, error) {
	r, found, err := getRole(ctx, q, roleID)
	if err != nil {
		return rbac.Role{}, err
	}
	if !found {
		return rbac.Role{}, invalidField("role_id", "no role with id %q", roleID)
	}
	if role != "" && role != r.Base {
		return rbac.Role{}, invalidField("role", "%q does not match role_id %q, which is based on %s", role, roleID, r.Base)
	}
	return r, nil
}

var (
	sqlDepartmentExists = prepared("SELECT 1 FROM departments WHERE id = ?")
	sqlDepartmentByName = prepared("SELECT id FROM departments WHERE lower(name) = lower(?)")
)

// resolveDepartments checks department ids, dropping repeats. A name given
// where an id belongs gets a hint, since that is the usual mistake.
func resolveDepartments(ctx context.Context, q querier, ids []string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		var one int
		err := q.QueryRowContext(ctx, sqlDepartmentExists, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			var byName string
			if q.QueryRowContext(ctx, sqlDepartmentByName, id).Scan(&byName) == nil {
				return nil, invalidField("departments", "no department with id %q (the department named %s has id %q)", id, id, byName)
			}
			return nil, invalidField("departments", "no department with id %q", id)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", invalidField("name", "a name is required")
	case liveagent.NameProblem(name) != "":
		return "", invalidField("name", "the name %s", liveagent.NameProblem(name))
	}
	return name, nil
}

// validEmail accepts a bare address (no display name) with a dotted domain.
func validEmail(email string) error {
	if email == "" {
		return invalidField("email", "an email address is required")
	}
	if !liveagent.ValidEmail(email) {
		return invalidField("email", "%q is not a valid email address", email)
	}
	return nil
}

func validGender(g string) error {
	for _, known := range liveagent.Genders {
		if g == known {
			return nil
		}
	}
	return invalidField("gender", "%q is not a gender code (M, F or X)", g)
}

func validTwoFactor(v string) error {
	if v != "Y" && v != "N" {
		return invalidField("twofactor_auth", "%q is not a two-factor code (Y active, N not active)", v)
	}
	return nil
}

func validStatus(v string) error {
	if v != liveagent.StatusActive && v != liveagent.StatusDeleted {
		return invalidField("status", "%q is not a status code (A active, X deleted)", v)
	}
	return nil
}

func validAvatarURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalidField("avatar_url", "%q is not an http or https URL", raw)
	}
	return nil
}
