package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// schemaVersion is stored in PRAGMA user_version. 0 means a new database,
// which is created and seeded in one transaction, so a crash halfway through
// the first start leaves a file that is simply initialised again.
const schemaVersion = 2

// schema is the whole data model. Design notes:
//   - agents.seq (the rowid) is the creation order: the tie-breaker that keeps
//     list pages from overlapping or skipping.
//   - agents_status_seq serves the default list (active agents in creation
//     order): counting and skipping to an offset walk the index, not the rows.
//   - emails are unique among active agents only, enforced by a partial unique
//     index on the lowercased email, as a safety net behind the 409 checks.
//   - agents.role is the built-in role, or the base of the custom role in
//     role_id (NULL for built-ins). A custom role's base never changes, so the
//     copy cannot go stale.
const schema = `
CREATE TABLE departments (
	seq  INTEGER PRIMARY KEY,
	id   TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL
);
CREATE TABLE roles (
	seq         INTEGER PRIMARY KEY,
	id          TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	name_lower  TEXT NOT NULL UNIQUE,
	base        TEXT NOT NULL CHECK (base IN ('owner', 'admin', 'agent')),
	permissions TEXT NOT NULL
);
CREATE TABLE agents (
	seq              INTEGER PRIMARY KEY,
	id               TEXT NOT NULL UNIQUE,
	name             TEXT NOT NULL,
	email            TEXT NOT NULL,
	email_lower      TEXT NOT NULL,
	role             TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
	role_id          TEXT REFERENCES roles(id),
	avatar_url       TEXT NOT NULL DEFAULT '',
	online_status    TEXT NOT NULL DEFAULT 'F',
	status           TEXT NOT NULL DEFAULT 'A' CHECK (status IN ('A', 'X')),
	gender           TEXT NOT NULL DEFAULT 'X',
	last_pswd_change TEXT NOT NULL,
	twofactor_auth   TEXT NOT NULL DEFAULT 'N',
	voice_status     TEXT NOT NULL DEFAULT 'F',
	sip_phone_id     TEXT NOT NULL DEFAULT '',
	api_phone_id     TEXT NOT NULL DEFAULT '',
	deleted_at       INTEGER
);
CREATE UNIQUE INDEX agents_active_email ON agents(email_lower) WHERE status = 'A';
CREATE INDEX agents_status_seq ON agents(status, seq);
CREATE INDEX agents_status_role ON agents(status, role, role_id);
CREATE INDEX agents_role_id ON agents(role_id) WHERE role_id IS NOT NULL;
` + listIndexes + `
CREATE TABLE agent_departments (
	agent_id      TEXT NOT NULL REFERENCES agents(id),
	department_id TEXT NOT NULL REFERENCES departments(id),
	PRIMARY KEY (agent_id, department_id)
) WITHOUT ROWID;
CREATE INDEX agent_departments_department ON agent_departments(department_id, agent_id);
CREATE TABLE outbox (
	id                 INTEGER PRIMARY KEY,
	agent_id           TEXT NOT NULL,
	email              TEXT NOT NULL,
	name               TEXT NOT NULL,
	login_url          TEXT NOT NULL,
	temporary_password TEXT NOT NULL,
	created_at         TEXT NOT NULL
);
` + schemaV2

// schemaV2 adds what API keys, logins and sessions need (spec/sandbox.md
// "API keys, sessions and logins"). api_keys.id is the published key id,
// never reused after a revocation (AUTOINCREMENT), so an id saved in a
// profile can never come to name someone else's key;
// only the secret's SHA-256 is stored. agent_logins holds an agent's
// password hash, its TOTP secret (two-factor) and whether it is signed in;
// an agent without a row (the generated load-test agents) is signed in and
// has no password.
const schemaV2 = `
CREATE TABLE api_keys (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	hash          TEXT NOT NULL UNIQUE,
	agent_id      TEXT NOT NULL REFERENCES agents(id),
	name          TEXT NOT NULL DEFAULT '',
	type          TEXT NOT NULL DEFAULT 'A',
	role          TEXT NOT NULL DEFAULT '',
	valid_to_date TEXT NOT NULL DEFAULT '',
	whitelist     TEXT NOT NULL DEFAULT '*',
	installid     TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
);
CREATE INDEX api_keys_agent ON api_keys(agent_id);
CREATE TABLE agent_logins (
	agent_id      TEXT PRIMARY KEY REFERENCES agents(id),
	password_hash TEXT NOT NULL DEFAULT '',
	totp_secret   TEXT NOT NULL DEFAULT '',
	signed_in     INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'invitation';
ALTER TABLE outbox ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
`

// migrateV1 brings a schema-1 database (keys as bare hashes) to schema 2:
// every key keeps working, gets an id, never expires and may be used from
// anywhere; the seeded agents get their well-known passwords and invited
// ones the password of their invitation.
const migrateV1 = `
ALTER TABLE api_keys RENAME TO api_keys_v1;
DROP INDEX api_keys_agent;
` + schemaV2 + `
INSERT INTO api_keys (hash, agent_id, name, type, role, created_at)
	SELECT k.hash, k.agent_id, 'sandbox key', 'A', a.role, k.created_at
	FROM api_keys_v1 k JOIN agents a ON a.id = k.agent_id ORDER BY k.created_at, k.hash;
DROP TABLE api_keys_v1;
`

// listIndexes serve the orders of the lists clients ask for, so a window at
// any offset is read from an index in order instead of sorting every row
// (see parseListQuery and TestListQueryPlans). They are also created, when
// missing, in a database made by an earlier version (migrate).
const listIndexes = `
DROP INDEX IF EXISTS agents_email;
CREATE INDEX IF NOT EXISTS agents_email_seq ON agents(email_lower);
CREATE INDEX IF NOT EXISTS agents_status_name ON agents(status, name);
`

// timeLayout is the API's datetime format (last_pswd_change), always UTC.
const timeLayout = "2006-01-02 15:04:05"

func nowString() string { return time.Now().UTC().Format(timeLayout) }

// migrate creates and seeds a new database; an existing one is left as it is.
func migrate(ctx context.Context, tx *sql.Tx, seed seedPlan) error {
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	switch {
	case version == schemaVersion:
		_, err := tx.ExecContext(ctx, listIndexes)
		return err
	case version > schemaVersion:
		return fmt.Errorf("the database was created by a newer ladmin (schema %d, this one knows %d)", version, schemaVersion)
	case version == 1:
		if err := upgradeV1(ctx, tx); err != nil {
			return fmt.Errorf("upgrade schema 1 to %d: %w", schemaVersion, err)
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
		return err
	case version != 0:
		return fmt.Errorf("unsupported database schema %d", version)
	}
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if err := seed.run(ctx, tx); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
	return err
}

// agentWireFields are the Agent's JSON field names in the wire model's order.
// Stored columns carry the same names, so a field added to the model is
// listable, filterable and sortable once it has its column.
var agentWireFields = func() []string {
	var names []string
	t := reflect.TypeFor[liveagent.Agent]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}()

// agentOutputExpr is the SQL value of a wire field: its column, except
// role_id, which built-in roles store as NULL and the wire shows as "".
func agentOutputExpr(field string) string {
	if field == "role_id" {
		return "ifnull(role_id, '')"
	}
	return field
}

// agentJSON builds an agent's wire JSON inside SQLite, field for field in
// the model's order. The list endpoint uses it: for a page of 1000 agents it
// is several times faster than scanning 14 columns into Go and encoding them
// again. A test checks it against encoding/json of the model.
var agentJSON = func() string {
	args := make([]string, len(agentWireFields))
	for i, f := range agentWireFields {
		args[i] = "'" + f + "', " + agentOutputExpr(f)
	}
	return "json_object(" + strings.Join(args, ", ") + ")"
}()

// agentRow is an Agent as stored, with its creation order.
type agentRow struct {
	liveagent.Agent
	seq int64
}

type scanner interface{ Scan(dest ...any) error }

// scanAgent reads the columns of agentColumns, then any extra ones selected after them.
func scanAgent(s scanner, extra ...any) (agentRow, error) {
	var a agentRow
	dest := append([]any{&a.seq, &a.ID, &a.Name, &a.Email, &a.Role, &a.RoleID, &a.AvatarURL, &a.OnlineStatus,
		&a.Status, &a.Gender, &a.LastPswdChange, &a.TwofactorAuth, &a.VoiceStatus, &a.SipPhoneID, &a.APIPhoneID},
		extra...)
	err := s.Scan(dest...)
	return a, err
}

var sqlAgentByID = prepared("SELECT " + agentColumns + " FROM agents WHERE id = ?")

// getAgent loads one agent; ok is false when there is none with that id.
func getAgent(ctx context.Context, q querier, id string) (a agentRow, ok bool, err error) {
	a, err = scanAgent(q.QueryRowContext(ctx, sqlAgentByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	return a, err == nil, err
}

// member is an agent together with its effective role: what the rules see.
type member struct {
	agentRow
	role rbac.Role
}

func (m member) subject() rbac.Subject {
	return rbac.Subject{ID: m.ID, Email: m.Email, Role: m.role}
}

// loadMember loads an agent and resolves its effective role (the custom role
// when role_id is set, else the built-in).
func loadMember(ctx context.Context, q querier, id string) (m member, ok bool, err error) {
	a, ok, err := getAgent(ctx, q, id)
	if !ok || err != nil {
		return member{}, ok, err
	}
	m, err = withRole(ctx, q, a)
	return m, err == nil, err
}

func withRole(ctx context.Context, q querier, a agentRow) (member, error) {
	id := a.RoleID
	if id == "" {
		id = a.Role
	}
	r, ok, err := getRole(ctx, q, id)
	if err != nil {
		return member{}, err
	}
	if !ok {
		// The foreign key and the role CHECK make this unreachable.
		return member{}, fmt.Errorf("agent %s has unknown role %q", a.ID, id)
	}
	return member{agentRow: a, role: r}, nil
}

var sqlRoleByID = prepared("SELECT id, name, base, permissions FROM roles WHERE id = ?")

// getRole resolves a role id: a built-in name, or a stored custom role.
func getRole(ctx context.Context, q querier, id string) (rbac.Role, bool, error) {
	if r, ok := rbac.Builtin(id); ok {
		return r, true, nil
	}
	r, err := scanRole(q.QueryRowContext(ctx, sqlRoleByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return rbac.Role{}, false, nil
	}
	return r, err == nil, err
}

func scanRole(s scanner) (rbac.Role, error) {
	var r rbac.Role
	var perms string
	if err := s.Scan(&r.ID, &r.Name, &r.Base, &perms); err != nil {
		return r, err
	}
	// Names no longer in the catalog (an older sandbox) are dropped: the
	// rules only reason about the catalog.
	r.Permissions, _ = rbac.NewSet(strings.Fields(perms)...)
	return r, nil
}

var sqlCustomRoles = prepared("SELECT id, name, base, permissions FROM roles ORDER BY seq")

// customRoles lists the stored roles in creation order.
func customRoles(ctx context.Context, q querier) ([]rbac.Role, error) {
	rows, err := q.QueryContext(ctx, sqlCustomRoles)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rbac.Role
	for rows.Next() {
		r, err := scanRole(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// encodePermissions stores a set as catalog names, not bits, so the catalog
// may grow or be reordered without corrupting stored roles.
func encodePermissions(s rbac.Set) string { return strings.Join(s.Names(), " ") }

// roleColumnValues is how an agent row records a role: the base built-in in
// `role`, and the custom id (or NULL) in `role_id`.
func roleColumnValues(r rbac.Role) (base string, roleID any) {
	if r.Builtin {
		return r.Base, nil
	}
	return r.Base, r.ID
}

var sqlRoleCounts = prepared(`SELECT role, ifnull(role_id, ''), COUNT(*) FROM agents
	WHERE status = 'A' GROUP BY role, role_id`)

// roleCounts counts active agents per effective role id.
func roleCounts(ctx context.Context, q querier) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, sqlRoleCounts)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var base, id string
		var n int
		if err := rows.Scan(&base, &id, &n); err != nil {
			return nil, err
		}
		if id == "" {
			id = base
		}
		counts[id] += n
	}
	return counts, rows.Err()
}

var (
	sqlBuiltinHolders = prepared("SELECT COUNT(*) FROM agents WHERE status = 'A' AND role = ? AND role_id IS NULL")
	sqlCustomHolders  = prepared("SELECT COUNT(*) FROM agents WHERE status = 'A' AND role_id = ?")
)

// roleHolders counts the active agents holding a role.
func roleHolders(ctx context.Context, q querier, r rbac.Role) (int, error) {
	query := sqlCustomHolders
	if r.Builtin {
		query = sqlBuiltinHolders
	}
	var n int
	err := q.QueryRowContext(ctx, query, r.ID).Scan(&n)
	return n, err
}

var sqlOwnerGroups = prepared(`SELECT ifnull(role_id, ''), COUNT(*) FROM agents
	WHERE status = 'A' AND role = 'owner' GROUP BY role_id`)

// activeOwners counts active agents whose effective role counts as an owner
// (rule 4). Only roles based on owner can, so only those rows are read.
func activeOwners(ctx context.Context, q querier) (int, error) {
	rows, err := q.QueryContext(ctx, sqlOwnerGroups)
	if err != nil {
		return 0, err
	}
	type group struct {
		roleID string
		n      int
	}
	var groups []group
	for rows.Next() {
		var g group
		if err := rows.Scan(&g.roleID, &g.n); err != nil {
			rows.Close()
			return 0, err
		}
		groups = append(groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// Roles are resolved after the rows are closed: with ":memory:" there is
	// a single connection, and nesting queries on it is best avoided.
	total := 0
	for _, g := range groups {
		id := g.roleID
		if id == "" {
			id = rbac.Owner
		}
		r, ok, err := getRole(ctx, q, id)
		if err != nil {
			return 0, err
		}
		if ok && r.IsOwner() {
			total += g.n
		}
	}
	return total, nil
}

var (
	sqlClearDepartments = prepared("DELETE FROM agent_departments WHERE agent_id = ?")
	sqlAddDepartment    = prepared("INSERT INTO agent_departments (agent_id, department_id) VALUES (?, ?)")
)

// setAgentDepartments replaces an agent's department memberships.
func setAgentDepartments(ctx context.Context, q querier, agentID string, deptIDs []string) error {
	if _, err := q.ExecContext(ctx, sqlClearDepartments, agentID); err != nil {
		return err
	}
	for _, d := range deptIDs {
		if _, err := q.ExecContext(ctx, sqlAddDepartment, agentID, d); err != nil {
			return err
		}
	}
	return nil
}

// randomHex returns n random lowercase hex digits.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	return hex.EncodeToString(b)[:n]
}

var (
	sqlAgentIDTaken = prepared("SELECT 1 FROM agents WHERE id = ?")
	sqlRoleIDTaken  = prepared("SELECT 1 FROM roles WHERE id = ?")
)

// newID draws random ids until one is not taken (taken is sqlAgentIDTaken or
// sqlRoleIDTaken). The caller holds the write lock, so the id stays free
// until it is inserted.
func newID(ctx context.Context, q querier, taken, prefix string, digits int) (string, error) {
	for {
		id := prefix + randomHex(digits)
		var one int
		err := q.QueryRowContext(ctx, taken, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return id, nil
		}
		if err != nil {
			return "", err
		}
	}
}

// hashKey is how API keys are stored: only their SHA-256, so the database
// file does not hold usable credentials.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
