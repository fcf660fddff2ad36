package sandbox

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp/totp"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// Well-known passwords of the seeded agents (spec/sandbox.md): with them,
// POST /apikeys/_login makes keys for the seed account.
const (
	OwnerPassword = "sandbox-owner-password"
	AdminPassword = "sandbox-admin-password"
	AgentPassword = "sandbox-agent-password"
)

// SessionsPath is the sandbox-only view of who is signed in.
const SessionsPath = "/_sandbox/sessions"

// Session is one entry of GET /_sandbox/sessions.
type Session struct {
	AgentID  string `json:"agent_id"`
	Email    string `json:"email"`
	Status   string `json:"status"`
	SignedIn bool   `json:"signed_in"`
}

// Outbox message kinds.
const (
	KindInvitation = "invitation"
	// KindTwoFactor is the message that would carry the QR code of a new
	// two-factor secret: the sandbox lists the secret itself.
	KindTwoFactor = "two_factor"
)

// keySpec is a new API key row.
type keySpec struct {
	agentID, secret, name, typ, role, validTo, whitelist, installID string
}

var sqlInsertKey = prepared(`INSERT INTO api_keys
	(hash, agent_id, name, type, role, valid_to_date, whitelist, installid, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)

// insertKey stores a key (its secret's hash only) and returns its id.
func insertKey(ctx context.Context, q querier, k keySpec) (int64, error) {
	if k.typ == "" {
		k.typ = liveagent.KeyTypeAPI
	}
	if k.whitelist == "" {
		k.whitelist = liveagent.WhitelistAny
	}
	res, err := q.ExecContext(ctx, sqlInsertKey, hashKey(k.secret), k.agentID, k.name, k.typ, k.role,
		k.validTo, k.whitelist, k.installID, nowString())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// keyRow is a stored key: the published fields and its agent's status.
type keyRow struct {
	liveagent.APIKey
	agentStatus string
}

// keyColumns selects a key in the order of scanKey.
const keyColumns = `k.id, k.name, k.type, k.agent_id, k.role, k.valid_to_date, k.whitelist, k.installid,
	ifnull(a.status, '')`

func scanKey(s scanner, extra ...any) (keyRow, error) {
	var k keyRow
	var id int64
	err := s.Scan(append([]any{&id, &k.Name, &k.Type, &k.UserID, &k.Role, &k.ValidToDate, &k.Whitelist,
		&k.InstallID, &k.agentStatus}, extra...)...)
	k.ID = liveagent.KeyID(strconv.FormatInt(id, 10))
	return k, err
}

var sqlKeyByID = prepared("SELECT " + keyColumns + " FROM api_keys k LEFT JOIN agents a ON a.id = k.agent_id WHERE k.id = ?")

// getKey loads one key by its id (a decimal number on the wire).
func getKey(ctx context.Context, q querier, id string) (keyRow, bool, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return keyRow{}, false, nil
	}
	k, err := scanKey(q.QueryRowContext(ctx, sqlKeyByID, n))
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	return k, err == nil, err
}

// agentColumnsA is agentColumns for a join where agents is aliased a.
const agentColumnsA = `a.seq, a.id, a.name, a.email, a.role, ifnull(a.role_id, ''), a.avatar_url, a.online_status,
	a.status, a.gender, a.last_pswd_change, a.twofactor_auth, a.voice_status, a.sip_phone_id, a.api_phone_id`

var sqlAgentByKey = prepared("SELECT " + agentColumnsA +
	", k.hash, k.valid_to_date, k.whitelist FROM api_keys k JOIN agents a ON a.id = k.agent_id WHERE k.hash = ?")

// keyUse is what authentication learns about a key besides its agent.
type keyUse struct {
	validTo, whitelist string
}

// agentByKey finds the agent owning an API key. The lookup is by hash; the
// stored hash is then compared in constant time, so timing reveals nothing
// about how much of a guess matched.
func agentByKey(ctx context.Context, q querier, key string) (agentRow, keyUse, bool, error) {
	h := hashKey(key)
	var stored string
	var use keyUse
	a, err := scanAgent(q.QueryRowContext(ctx, sqlAgentByKey, h), &stored, &use.validTo, &use.whitelist)
	if errors.Is(err, sql.ErrNoRows) {
		return a, use, false, nil
	}
	if err != nil {
		return a, use, false, err
	}
	if subtle.ConstantTimeCompare([]byte(stored), []byte(h)) != 1 {
		return a, use, false, nil
	}
	return a, use, true, nil
}

// checkKeyUse enforces a key's valid_to_date and whitelist (spec/api.md: 401
// for both) for a request from remote (the connection's address).
func checkKeyUse(use keyUse, remote string, now time.Time) error {
	if v := strings.TrimSpace(use.validTo); v != "" {
		until, err := time.ParseInLocation(timeLayout, v, time.UTC)
		if err != nil || !now.Before(until) {
			return errorf(http.StatusUnauthorized, liveagent.ErrAPIKeyExpired)
		}
	}
	if !whitelistAllows(use.whitelist, remote) {
		return errorf(http.StatusUnauthorized, "API key not allowed from this address (%s): it is outside the key's whitelist", remoteIP(remote))
	}
	return nil
}

func remoteIP(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}

// whitelistAllows reports whether a comma-separated list of IPs and CIDRs
// (or *) admits the address remote. An empty list admits everyone, as *.
func whitelistAllows(list, remote string) bool {
	if strings.TrimSpace(list) == "" {
		return true
	}
	addr, err := netip.ParseAddr(remoteIP(remote))
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		switch {
		case e == liveagent.WhitelistAny:
			return true
		case strings.Contains(e, "/"):
			if p, err := netip.ParsePrefix(e); err == nil && p.Contains(addr) {
				return true
			}
		default:
			if a, err := netip.ParseAddr(e); err == nil && a.Unmap() == addr {
				return true
			}
		}
	}
	return false
}

// validWhitelist checks a whitelist given on _login.
func validWhitelist(list string) error {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == liveagent.WhitelistAny {
			continue
		}
		if _, err := netip.ParsePrefix(e); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(e); err == nil {
			continue
		}
		return invalidField("whitelist", "%q is not an IP address, a CIDR or *", e)
	}
	return nil
}

// hashPassword stores a password as salt$sha256(salt+password). (A sandbox
// needs no slow hash; it must only never store the password itself.)
func hashPassword(password string) string {
	salt := randomHex(16)
	sum := sha256.Sum256([]byte(salt + password))
	return salt + "$" + hex.EncodeToString(sum[:])
}

func passwordMatches(stored, password string) bool {
	salt, want, found := strings.Cut(stored, "$")
	if !found {
		return false
	}
	sum := sha256.Sum256([]byte(salt + password))
	got := hex.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

var sqlSetPassword = prepared(`INSERT INTO agent_logins (agent_id, password_hash) VALUES (?, ?)
	ON CONFLICT (agent_id) DO UPDATE SET password_hash = excluded.password_hash`)

// setPassword gives an agent a password (creating its login row).
func setPassword(ctx context.Context, q querier, agentID, password string) error {
	_, err := q.ExecContext(ctx, sqlSetPassword, agentID, hashPassword(password))
	return err
}

var (
	sqlSetTOTP = prepared(`INSERT INTO agent_logins (agent_id, totp_secret) VALUES (?, ?)
	ON CONFLICT (agent_id) DO UPDATE SET totp_secret = excluded.totp_secret`)
	sqlInsertTwoFactorMail = prepared(`INSERT INTO outbox
		(agent_id, email, name, login_url, temporary_password, created_at, kind, totp_secret) VALUES (?, ?, ?, '', '', ?, ?, ?)`)
)

// enableTwoFactor gives an agent a new TOTP secret and "mails" it: the outbox
// lists it, so a test can compute the codes.
func enableTwoFactor(ctx context.Context, q querier, a liveagent.Agent) error {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "ladmin sandbox", AccountName: a.Email})
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, sqlSetTOTP, a.ID, key.Secret()); err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, sqlInsertTwoFactorMail, a.ID, a.Email, a.Name, nowString(), KindTwoFactor, key.Secret())
	return err
}

// disableTwoFactor forgets an agent's TOTP secret.
func disableTwoFactor(ctx context.Context, q querier, agentID string) error {
	_, err := q.ExecContext(ctx, "UPDATE agent_logins SET totp_secret = '' WHERE agent_id = ?", agentID)
	return err
}

// upgradeV1 runs migrateV1 and gives existing agents their logins.
func upgradeV1(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, migrateV1); err != nil {
		return err
	}
	for email, pw := range map[string]string{OwnerEmail: OwnerPassword, AdminEmail: AdminPassword, AgentEmail: AgentPassword} {
		var id string
		err := tx.QueryRowContext(ctx, "SELECT id FROM agents WHERE email_lower = ? ORDER BY seq LIMIT 1", email).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		if err := setPassword(ctx, tx, id, pw); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, "SELECT agent_id, temporary_password FROM outbox ORDER BY id")
	if err != nil {
		return err
	}
	invited := map[string]string{}
	for rows.Next() {
		var id, pw string
		if err := rows.Scan(&id, &pw); err != nil {
			rows.Close()
			return err
		}
		invited[id] = pw
	}
	rows.Close()
	for id, pw := range invited {
		if err := setPassword(ctx, tx, id, pw); err != nil {
			return err
		}
	}
	rows, err = tx.QueryContext(ctx, "SELECT "+agentColumns+" FROM agents WHERE twofactor_auth = 'Y'")
	if err != nil {
		return err
	}
	var twoFactor []liveagent.Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			rows.Close()
			return err
		}
		twoFactor = append(twoFactor, a.Agent)
	}
	rows.Close()
	for _, a := range twoFactor {
		if err := enableTwoFactor(ctx, tx, a); err != nil {
			return err
		}
	}
	return nil
}

// keyFields maps each ApiKey wire field to the SQL it is filtered and sorted by.
var keyFieldExprs = map[string]string{
	"id": "k.id", "name": "k.name", "type": "k.type", "userid": "k.agent_id", "role": "k.role",
	"valid_to_date": "k.valid_to_date", "whitelist": "k.whitelist", "installid": "k.installid",
}

// handleListAPIKeys lists keys: every key with apikeys.read, else only the
// caller's own (spec/sandbox.md). Deleted agents' keys are listed too: they
// are exactly the ones an access review looks for.
func (s *Server) handleListAPIKeys(w http.ResponseWriter, r *http.Request, caller member) error {
	lq, err := parseList(r.URL.Query(), keyList)
	if err != nil {
		return err
	}
	if d := rbac.Decide(rbac.Request{Actor: caller.subject(), Action: rbac.ReadAPIKeys}); !d.Allowed {
		lq.where = append(lq.where, "k.agent_id = ?")
		lq.args = append(lq.args, caller.ID)
	}
	out := []liveagent.APIKey{}
	var total int
	from := " FROM api_keys k LEFT JOIN agents a ON a.id = k.agent_id"
	err = s.read(r.Context(), func(tx handle) error {
		if err := tx.QueryRowContext(r.Context(), "SELECT COUNT(*)"+from+lq.whereSQL(), lq.args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(r.Context(), "SELECT "+keyColumns+from+lq.whereSQL()+
			" ORDER BY "+lq.orderBy+" LIMIT ? OFFSET ?", append(lq.args, lq.limit, lq.offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanKey(rows)
			if err != nil {
				return err
			}
			out = append(out, k.APIKey)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// keyOwner loads the agent a key belongs to, as the rules see it.
func keyOwner(ctx context.Context, q querier, k keyRow) (rbac.Subject, error) {
	m, found, err := loadMember(ctx, q, k.UserID)
	if err != nil {
		return rbac.Subject{}, err
	}
	if !found {
		// The foreign key makes this unreachable; an unknown owner is
		// treated as above everyone, so only its own key could reach it.
		return rbac.Subject{ID: k.UserID, Role: rbac.MustBuiltin(rbac.Owner)}, nil
	}
	return m.subject(), nil
}

func keyNotFound(id string) error { return notFound("no API key with id %q", id) }

func (s *Server) handleGetAPIKey(w http.ResponseWriter, r *http.Request, caller member) error {
	id := r.PathValue("apikeyId")
	k, found, err := getKey(r.Context(), s.pool(), id)
	if err != nil {
		return err
	}
	if !found {
		return keyNotFound(id)
	}
	owner, err := keyOwner(r.Context(), s.pool(), k)
	if err != nil {
		return err
	}
	if err := decide(rbac.Request{Actor: caller.subject(), Action: rbac.ReadAPIKeys, Target: &owner}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, k.APIKey)
	return nil
}

func (s *Server) handleDeleteAPIKey(w http.ResponseWriter, r *http.Request, caller member) error {
	ctx := r.Context()
	id := r.PathValue("apikeyId")
	err := s.write(ctx, func(tx handle) error {
		actor, err := actorIn(ctx, tx, caller)
		if err != nil {
			return err
		}
		k, found, err := getKey(ctx, tx, id)
		if err != nil {
			return err
		}
		if !found {
			return keyNotFound(id)
		}
		owner, err := keyOwner(ctx, tx, k)
		if err != nil {
			return err
		}
		if err := decide(rbac.Request{Actor: actor.subject(), Action: rbac.RevokeAPIKey, Target: &owner}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM api_keys WHERE id = ?", k.ID.String())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ok)
	return nil
}

var sqlSignOut = prepared(`INSERT INTO agent_logins (agent_id, signed_in) VALUES (?, 0)
	ON CONFLICT (agent_id) DO UPDATE SET signed_in = 0`)

// handleLogoutAgent ends an agent's sessions. A deleted agent can be signed
// out too: offboarding converges on agents deleted by hand.
func (s *Server) handleLogoutAgent(w http.ResponseWriter, r *http.Request, caller member) error {
	ctx := r.Context()
	id := r.PathValue("userId")
	err := s.write(ctx, func(tx handle) error {
		actor, target, err := actorAndTarget(ctx, tx, caller, id)
		if err != nil {
			return err
		}
		ts := target.subject()
		if err := decide(rbac.Request{Actor: actor.subject(), Action: rbac.SignOutAgent, Target: &ts}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, sqlSignOut, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ok)
	return nil
}

var sqlLoginByEmail = prepared(`SELECT ` + agentColumnsA + `, ifnull(l.password_hash, ''), ifnull(l.totp_secret, '')
	FROM agents a LEFT JOIN agent_logins l ON l.agent_id = a.id WHERE a.email_lower = ? AND a.status = 'A'`)

// wrongLogin is the one answer for an unknown email, a deleted agent and a
// wrong password, so the endpoint does not tell which emails exist.
var wrongLogin = errorf(http.StatusUnauthorized, "wrong login or password")

// handleLogin is POST /apikeys/_login: no key, an agent's email and password
// (and its current TOTP code when it has two-factor on) make a new key.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := s.login(w, r); err != nil {
		writeError(w, err)
	}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var body liveagent.APIKeyLogin
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	body.Login = strings.TrimSpace(body.Login)
	if body.Login == "" {
		return invalidField("login", "the agent's email is required")
	}
	if body.Password == "" {
		return invalidField("password", "a password is required")
	}
	if body.Type == "" {
		body.Type = liveagent.KeyTypeAPI
	}
	if !slices.Contains([]string{"A", "C", "P", "T", "W"}, body.Type) {
		return invalidField("type", "%q is not a key type (A, C, P, T or W)", body.Type)
	}
	if body.Whitelist == "" {
		body.Whitelist = liveagent.WhitelistAny
	}
	if err := validWhitelist(body.Whitelist); err != nil {
		return err
	}
	validTo := strings.TrimSpace(body.ValidToDate)
	if validTo != "" {
		t, err := time.ParseInLocation(timeLayout, validTo, time.UTC)
		if err != nil {
			return invalidField("valid_to_date", "%q is not a datetime YYYY-MM-DD HH:MM:SS", body.ValidToDate)
		}
		if !time.Now().Before(t) {
			return invalidField("valid_to_date", "%s is not in the future", validTo)
		}
	}
	if strings.IndexFunc(body.Name, unicode.IsControl) >= 0 || len(body.Name) > 255 {
		return invalidField("name", "must be at most 255 characters without control characters")
	}

	ctx := r.Context()
	var made liveagent.APIKey
	err := s.write(ctx, func(tx handle) error {
		var pwHash, secret string
		a, err := scanAgent(tx.QueryRowContext(ctx, sqlLoginByEmail, strings.ToLower(body.Login)), &pwHash, &secret)
		if errors.Is(err, sql.ErrNoRows) {
			passwordMatches("x$", body.Password) // the same work as a known email
			return wrongLogin
		}
		if err != nil {
			return err
		}
		if pwHash == "" || !passwordMatches(pwHash, body.Password) {
			return wrongLogin
		}
		if a.TwofactorAuth == "Y" {
			switch {
			case secret == "":
				return errorf(http.StatusUnauthorized, "two-factor authentication is on for %s but has no secret; turn it off and on again", a.Email)
			case strings.TrimSpace(body.TwoFactorToken) == "":
				return errorf(http.StatusUnauthorized, "a two-factor code is needed: send the current code of %s's authenticator in two_factor_token", a.Email)
			case !totp.Validate(strings.TrimSpace(body.TwoFactorToken), secret):
				return errorf(http.StatusUnauthorized, "the two-factor code is wrong or expired: send the current code in two_factor_token")
			}
		}
		m, err := withRole(ctx, tx, a)
		if err != nil {
			return err
		}
		key := "sbx_" + randomHex(40)
		id, err := insertKey(ctx, tx, keySpec{agentID: a.ID, secret: key, name: body.Name, typ: body.Type,
			role: a.Role, validTo: validTo, whitelist: body.Whitelist, installID: body.InstallID})
		if err != nil {
			return err
		}
		made = liveagent.APIKey{ID: liveagent.KeyID(strconv.FormatInt(id, 10)), Key: key, Name: body.Name,
			Type: body.Type, UserID: a.ID, Role: a.Role, ValidToDate: validTo, Whitelist: body.Whitelist,
			InstallID: body.InstallID, Privileges: privilegesOf(m.role)}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, made)
	return nil
}

// handleSessions lists, per agent, whether it is signed in (sandbox only,
// loopback only, no key: the test's view, like the outbox). ?email= narrows.
func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request) {
	if !isLoopbackClient(r) {
		writeError(w, errorf(http.StatusForbidden, "the sessions view answers only local clients"))
		return
	}
	query := `SELECT a.id, a.email, a.status, ifnull(l.signed_in, 1) FROM agents a
		LEFT JOIN agent_logins l ON l.agent_id = a.id`
	var args []any
	if email := r.URL.Query().Get("email"); email != "" {
		query += " WHERE a.email_lower = ?"
		args = append(args, strings.ToLower(email))
	}
	rows, err := s.db.QueryContext(r.Context(), query+" ORDER BY a.seq", args...)
	if err != nil {
		writeError(w, err)
		return
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var sess Session
		if err := rows.Scan(&sess.AgentID, &sess.Email, &sess.Status, &sess.SignedIn); err != nil {
			writeError(w, err)
			return
		}
		out = append(out, sess)
	}
	if err := rows.Err(); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// IssueKey makes a key for the agent with that email, as the LiveAgent
// panel would (the API has no such endpoint): tests and the demo use it to
// set up keys with an expiry or a whitelist. It returns the secret and id.
func (s *Server) IssueKey(email, name, validTo, whitelist string) (secret, id string, err error) {
	secret = "sbx_" + randomHex(40)
	err = s.write(context.Background(), func(tx handle) error {
		ctx := context.Background()
		var agentID, role string
		err := tx.QueryRowContext(ctx, "SELECT id, role FROM agents WHERE email_lower = ? ORDER BY status = 'A' DESC, seq DESC LIMIT 1",
			strings.ToLower(email)).Scan(&agentID, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("no agent with email %s", email)
		}
		if err != nil {
			return err
		}
		n, err := insertKey(ctx, tx, keySpec{agentID: agentID, secret: secret, name: name, role: role,
			validTo: validTo, whitelist: whitelist})
		id = strconv.FormatInt(n, 10)
		return err
	})
	return secret, id, err
}

// Tamper runs one SQL statement on the store, past every rule of the API:
// tests use it to hold data the API now refuses (a name with terminal
// escapes, an email with a zero-width space, stored before the rules or by
// another client), to check that ladmin shows it harmlessly.
func (s *Server) Tamper(query string, args ...any) error {
	return s.write(context.Background(), func(tx handle) error {
		_, err := tx.tx.ExecContext(context.Background(), query, args...)
		return err
	})
}
