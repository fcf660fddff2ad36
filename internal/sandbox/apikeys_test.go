package sandbox

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ladmin/ladmin/internal/liveagent"
)

func (ts *testServer) keys(key string, params ...string) []liveagent.APIKey {
	ts.t.Helper()
	return decode[[]liveagent.APIKey](ts.t, ts.must(http.StatusOK, key, "GET", liveagent.PathAPIKeys+query(params...), nil))
}

func (ts *testServer) login(body liveagent.APIKeyLogin) response {
	ts.t.Helper()
	return ts.do("", "POST", liveagent.PathAPIKeyLogin, body)
}

func (ts *testServer) sessions() map[string]bool {
	ts.t.Helper()
	out := map[string]bool{}
	for _, s := range decode[[]Session](ts.t, ts.must(http.StatusOK, "", "GET", SessionsPath, nil)) {
		out[s.Email] = s.SignedIn
	}
	return out
}

func keyOf(t *testing.T, keys []liveagent.APIKey, userID string) liveagent.APIKey {
	t.Helper()
	for _, k := range keys {
		if k.UserID == userID {
			return k
		}
	}
	t.Fatalf("no key of %s in %+v", userID, keys)
	return liveagent.APIKey{}
}

func TestSeededKeysListedWithoutSecrets(t *testing.T) {
	ts := newTestServer(t, Options{})
	owner, admin, agent := ts.me(OwnerKey), ts.me(AdminKey), ts.me(AgentKey)

	r := ts.must(http.StatusOK, OwnerKey, "GET", liveagent.PathAPIKeys, nil)
	for _, secret := range []string{OwnerKey, AdminKey, AgentKey, `"key"`} {
		if strings.Contains(string(r.body), secret) {
			t.Fatalf("the list carries %s: %s", secret, r.body)
		}
	}
	if r.header.Get("X-Total-Count") != "3" {
		t.Errorf("X-Total-Count %q", r.header.Get("X-Total-Count"))
	}
	all := decode[[]liveagent.APIKey](t, r)
	if len(all) != 3 {
		t.Fatalf("owner sees %d keys, want 3: %+v", len(all), all)
	}
	for _, a := range []liveagent.Agent{owner, admin, agent} {
		k := keyOf(t, all, a.ID)
		if k.Role != a.Role || k.Type != "A" || k.Whitelist != "*" || !k.NeverExpires() || k.ID == "" || k.Name == "" {
			t.Errorf("seeded key of %s: %+v", a.Email, k)
		}
	}
	// An agent sees only its own; an admin (apikeys.read) sees all.
	if mine := ts.keys(AgentKey); len(mine) != 1 || mine[0].UserID != agent.ID {
		t.Errorf("agent sees %+v", mine)
	}
	if len(ts.keys(AdminKey)) != 3 {
		t.Error("admin does not see every key")
	}
	// A filter on another agent gives an agent nothing, not someone else's key.
	if got := ts.keys(AgentKey, "_filters", `{"userid":"`+owner.ID+`"}`); len(got) != 0 {
		t.Errorf("agent filtering on the owner sees %+v", got)
	}
	// Published list parameters: filters, sorting, windows.
	if got := ts.keys(OwnerKey, "_filters", `[["userid","=","`+admin.ID+`"]]`); len(got) != 1 || got[0].UserID != admin.ID {
		t.Errorf("userid filter: %+v", got)
	}
	desc := ts.keys(OwnerKey, "_sortField", "id", "_sortDir", "DESC")
	if len(desc) != 3 || desc[0].UserID != agent.ID {
		t.Errorf("sorted DESC: %+v", desc)
	}
	if page := ts.keys(OwnerKey, "_perPage", "2", "_page", "2"); len(page) != 1 || page[0].UserID != agent.ID {
		t.Errorf("page 2 of 2: %+v", page)
	}
	r = ts.must(http.StatusBadRequest, OwnerKey, "GET", liveagent.PathAPIKeys+query("_filters", `{"secret":"x"}`), nil)
	if !strings.Contains(r.message(), "is not an API key field") {
		t.Errorf("unknown filter field: %v", r)
	}
}

func TestGetAPIKey(t *testing.T) {
	ts := newTestServer(t, Options{})
	all := ts.keys(OwnerKey)
	adminKey := keyOf(t, all, ts.me(AdminKey).ID)
	agentKey := keyOf(t, all, ts.me(AgentKey).ID)

	got := decode[liveagent.APIKey](t, ts.must(http.StatusOK, AgentKey, "GET", liveagent.PathAPIKey(agentKey.ID.String()), nil))
	if !reflect.DeepEqual(got, agentKey) {
		t.Errorf("own key: %+v, want %+v", got, agentKey)
	}
	r := ts.must(http.StatusForbidden, AgentKey, "GET", liveagent.PathAPIKey(adminKey.ID.String()), nil)
	if !strings.Contains(r.message(), "apikeys.read") {
		t.Errorf("agent reading the admin's key: %v", r)
	}
	ts.must(http.StatusOK, AdminKey, "GET", liveagent.PathAPIKey(agentKey.ID.String()), nil)
	ts.must(http.StatusNotFound, OwnerKey, "GET", liveagent.PathAPIKey("999"), nil)
	ts.must(http.StatusNotFound, OwnerKey, "GET", liveagent.PathAPIKey("abc"), nil)
}

func TestLoginWithPassword(t *testing.T) {
	ts := newTestServer(t, Options{})
	owner := ts.me(OwnerKey)

	r := ts.login(liveagent.APIKeyLogin{Login: "OWNER@example.com", Password: OwnerPassword, Name: "ladmin on h",
		Whitelist: "127.0.0.1, ::1"})
	if r.status != http.StatusOK {
		t.Fatalf("login: %v", r)
	}
	made := decode[liveagent.APIKey](t, r)
	if made.Key == "" || made.ID == "" || made.UserID != owner.ID || made.Role != "owner" || made.Type != "A" ||
		made.Name != "ladmin on h" || made.Whitelist != "127.0.0.1, ::1" || !made.NeverExpires() || len(made.Privileges) == 0 {
		t.Fatalf("made %+v", made)
	}
	if me := ts.me(made.Key); me.ID != owner.ID {
		t.Errorf("the new key is %s's", me.Email)
	}
	// Shown once: get and list never carry it.
	r = ts.must(http.StatusOK, OwnerKey, "GET", liveagent.PathAPIKey(made.ID.String()), nil)
	if strings.Contains(string(r.body), made.Key) {
		t.Errorf("get shows the secret: %s", r.body)
	}
	// The database holds no secret either.
	var n int
	ts.srv.db.QueryRow("SELECT COUNT(*) FROM api_keys WHERE hash = ? OR hash = ?", made.Key, OwnerKey).Scan(&n)
	if n != 0 {
		t.Error("a secret is stored in clear")
	}

	for _, bad := range []liveagent.APIKeyLogin{
		{Login: OwnerEmail, Password: "wrong"},
		{Login: "nobody@example.com", Password: OwnerPassword},
		{Login: AdminEmail, Password: OwnerPassword},
	} {
		r := ts.login(bad)
		if r.status != http.StatusUnauthorized || r.message() != "wrong login or password" {
			t.Errorf("login %s: %v", bad.Login, r)
		}
	}
	for _, tt := range []struct {
		body  liveagent.APIKeyLogin
		field string
	}{
		{liveagent.APIKeyLogin{Password: "x"}, "login"},
		{liveagent.APIKeyLogin{Login: OwnerEmail}, "password"},
		{liveagent.APIKeyLogin{Login: OwnerEmail, Password: OwnerPassword, Type: "Z"}, "type"},
		{liveagent.APIKeyLogin{Login: OwnerEmail, Password: OwnerPassword, Whitelist: "10.0.0.0/33"}, "whitelist"},
		{liveagent.APIKeyLogin{Login: OwnerEmail, Password: OwnerPassword, ValidToDate: "tomorrow"}, "valid_to_date"},
		{liveagent.APIKeyLogin{Login: OwnerEmail, Password: OwnerPassword, ValidToDate: "2001-01-01 00:00:00"}, "valid_to_date"},
	} {
		r := ts.login(tt.body)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.message(), `"`+tt.field+`"`) {
			t.Errorf("login %+v: %v, want 422 naming %s", tt.body, r, tt.field)
		}
	}

	// An invited agent logs in with the password of its invitation.
	dan, _ := ts.createAgent("", liveagent.AgentCreate{Name: "Dan", Email: "dan@example.com"})
	inv := decode[[]Invitation](t, ts.must(http.StatusOK, "", "GET", OutboxPath+"?email=dan@example.com", nil))
	if len(inv) != 1 || inv[0].Kind != KindInvitation {
		t.Fatalf("outbox %+v", inv)
	}
	r = ts.login(liveagent.APIKeyLogin{Login: "dan@example.com", Password: inv[0].TemporaryPassword})
	if r.status != http.StatusOK || decode[liveagent.APIKey](t, r).UserID != dan.ID {
		t.Fatalf("invited agent's login: %v", r)
	}
}

func TestLoginWithTwoFactor(t *testing.T) {
	ts := newTestServer(t, Options{})
	agent := ts.me(AgentKey)
	// The agent turns two-factor on itself (a profile field); the outbox
	// lists the new secret.
	ts.must(http.StatusOK, AgentKey, "PUT", liveagent.PathAgent(agent.ID), map[string]string{"twofactor_auth": "Y"})
	var secret string
	for _, m := range decode[[]Invitation](t, ts.must(http.StatusOK, "", "GET", OutboxPath+"?email="+AgentEmail, nil)) {
		if m.Kind == KindTwoFactor {
			secret = m.TOTPSecret
		}
	}
	if secret == "" {
		t.Fatal("the outbox lists no two-factor secret")
	}

	r := ts.login(liveagent.APIKeyLogin{Login: AgentEmail, Password: AgentPassword})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.message(), "two-factor code is needed") {
		t.Fatalf("no code: %v", r)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	r = ts.login(liveagent.APIKeyLogin{Login: AgentEmail, Password: AgentPassword, TwoFactorToken: wrong})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.message(), "wrong or expired") {
		t.Fatalf("wrong code: %v", r)
	}
	// A right code with a wrong password is still the password's 401.
	r = ts.login(liveagent.APIKeyLogin{Login: AgentEmail, Password: "nope", TwoFactorToken: code})
	if r.status != http.StatusUnauthorized || r.message() != "wrong login or password" {
		t.Fatalf("wrong password: %v", r)
	}
	r = ts.login(liveagent.APIKeyLogin{Login: AgentEmail, Password: AgentPassword, TwoFactorToken: code})
	if r.status != http.StatusOK {
		t.Fatalf("right code: %v", r)
	}
	if ts.me(decode[liveagent.APIKey](t, r).Key).ID != agent.ID {
		t.Error("the key is not the agent's")
	}

	// Off again: no code needed.
	ts.must(http.StatusOK, AgentKey, "PUT", liveagent.PathAgent(agent.ID), map[string]string{"twofactor_auth": "N"})
	if r := ts.login(liveagent.APIKeyLogin{Login: AgentEmail, Password: AgentPassword}); r.status != http.StatusOK {
		t.Fatalf("two-factor off: %v", r)
	}
}

func TestKeyExpiryAndWhitelist(t *testing.T) {
	ts := newTestServer(t, Options{})
	past := time.Now().UTC().Add(-time.Second).Format(timeLayout)
	future := time.Now().UTC().Add(time.Hour).Format(timeLayout)

	expired, _, err := ts.srv.IssueKey(AdminEmail, "old", past, "")
	if err != nil {
		t.Fatal(err)
	}
	r := ts.must(http.StatusUnauthorized, expired, "GET", liveagent.PathPing, nil)
	if r.message() != "API key expired" {
		t.Errorf("expired key: %v", r)
	}
	valid, _, _ := ts.srv.IssueKey(AdminEmail, "fresh", future, "")
	ts.must(http.StatusOK, valid, "GET", liveagent.PathPing, nil)

	// The test's client connects from loopback.
	for _, tt := range []struct {
		whitelist string
		allowed   bool
	}{
		{"*", true}, {"127.0.0.1", true}, {"127.0.0.0/8,::1", true}, {"10.0.0.0/8", false},
		{"192.0.2.7, 2001:db8::/32", false},
	} {
		key, _, _ := ts.srv.IssueKey(AdminEmail, "w", "", tt.whitelist)
		r := ts.do(key, "GET", liveagent.PathPing, nil)
		switch {
		case tt.allowed && r.status != http.StatusOK:
			t.Errorf("whitelist %q: %v", tt.whitelist, r)
		case !tt.allowed && (r.status != http.StatusUnauthorized || !strings.Contains(r.message(), "whitelist")):
			t.Errorf("whitelist %q: %v, want 401", tt.whitelist, r)
		}
	}
}

func TestWhitelistAllows(t *testing.T) {
	for _, tt := range []struct {
		list, remote string
		want         bool
	}{
		{"", "1.2.3.4:5", true},
		{"*", "1.2.3.4:5", true},
		{"1.2.3.4", "1.2.3.4:5", true},
		{"1.2.3.5", "1.2.3.4:5", false},
		{"1.2.3.0/24", "1.2.3.4:5", true},
		{"1.2.3.0/24", "[::ffff:1.2.3.4]:5", true},
		{"::1", "[::1]:5", true},
		{"10.0.0.0/8, 1.2.3.4", "1.2.3.4:5", true},
		{"garbage", "1.2.3.4:5", false},
		{"1.2.3.4", "not-an-address", false},
	} {
		if got := whitelistAllows(tt.list, tt.remote); got != tt.want {
			t.Errorf("whitelistAllows(%q, %q) = %v", tt.list, tt.remote, got)
		}
	}
}

func TestDeletedAgentsKeysRefusedUntilRestored(t *testing.T) {
	ts := newTestServer(t, Options{})
	dan, danKey := ts.createAgent("", liveagent.AgentCreate{Name: "Dan", Email: "dan@example.com"})
	ts.must(http.StatusOK, OwnerKey, "DELETE", liveagent.PathAgent(dan.ID), nil)
	ts.must(http.StatusUnauthorized, danKey, "GET", liveagent.PathPing, nil)
	// Its keys are still there (deleting does not revoke): that is what an
	// access review looks for.
	if got := ts.keys(OwnerKey, "_filters", `{"userid":"`+dan.ID+`"}`); len(got) != 1 {
		t.Fatalf("deleted agent's keys: %+v", got)
	}
	// Nor can it log in.
	inv := decode[[]Invitation](t, ts.must(http.StatusOK, "", "GET", OutboxPath+"?email=dan@example.com", nil))
	if r := ts.login(liveagent.APIKeyLogin{Login: "dan@example.com", Password: inv[0].TemporaryPassword}); r.status != http.StatusUnauthorized {
		t.Errorf("deleted agent logs in: %v", r)
	}
	ts.must(http.StatusOK, OwnerKey, "POST", liveagent.PathAgentUndelete, map[string]string{"id": dan.ID})
	ts.must(http.StatusOK, danKey, "GET", liveagent.PathPing, nil)
}

func TestRevokeAPIKeyRules(t *testing.T) {
	ts := newTestServer(t, Options{})
	owner, admin, agent := ts.me(OwnerKey), ts.me(AdminKey), ts.me(AgentKey)
	issue := func(email string) (secret, id string) {
		s, id, err := ts.srv.IssueKey(email, "k", "", "")
		if err != nil {
			t.Fatal(err)
		}
		return s, id
	}
	_, ownerKeyID := issue(OwnerEmail)
	_, adminKeyID := issue(AdminEmail)
	agentSecret, agentKeyID := issue(AgentEmail)
	_ = owner

	cases := []struct {
		name   string
		caller string
		id     string
		status int
		msg    string
	}{
		{"agent revokes the admin's key", AgentKey, adminKeyID, 403, "apikeys.manage"},
		{"admin revokes the owner's key", AdminKey, ownerKeyID, 403, "you cannot revoke the API keys of owner@example.com"},
		{"unknown key", OwnerKey, "424242", 404, "no API key"},
		{"admin revokes the agent's key", AdminKey, agentKeyID, 200, ""},
		{"again: gone", AdminKey, agentKeyID, 404, ""},
		{"owner revokes the admin's key", OwnerKey, adminKeyID, 200, ""},
	}
	for _, c := range cases {
		r := ts.do(c.caller, "DELETE", liveagent.PathAPIKey(c.id), nil)
		if r.status != c.status || !strings.Contains(r.message(), c.msg) {
			t.Errorf("%s: %v, want %d %q", c.name, r, c.status, c.msg)
		}
	}
	ts.must(http.StatusUnauthorized, agentSecret, "GET", liveagent.PathPing, nil)
	// Anyone may revoke its own key, the one it is calling with included.
	own := keyOf(t, ts.keys(AgentKey), agent.ID)
	ts.must(http.StatusOK, AgentKey, "DELETE", liveagent.PathAPIKey(own.ID.String()), nil)
	ts.must(http.StatusUnauthorized, AgentKey, "GET", liveagent.PathPing, nil)
	// A deleted agent's key can still be revoked (offboarding's leftovers).
	dan, _ := ts.createAgent(AdminKey, liveagent.AgentCreate{Name: "Dan", Email: "dan@example.com"})
	ts.must(http.StatusOK, AdminKey, "DELETE", liveagent.PathAgent(dan.ID), nil)
	danKey := keyOf(t, ts.keys(AdminKey), dan.ID)
	ts.must(http.StatusOK, AdminKey, "DELETE", liveagent.PathAPIKey(danKey.ID.String()), nil)
	if slices.ContainsFunc(ts.keys(OwnerKey), func(k liveagent.APIKey) bool {
		return k.UserID == dan.ID || k.UserID == admin.ID && k.ID.String() == adminKeyID
	}) {
		t.Error("revoked keys are still listed")
	}
}

func TestLogoutAndSessions(t *testing.T) {
	ts := newTestServer(t, Options{})
	owner, admin, agent := ts.me(OwnerKey), ts.me(AdminKey), ts.me(AgentKey)
	dan, _ := ts.createAgent("", liveagent.AgentCreate{Name: "Dan", Email: "dan@example.com"})
	for email, in := range ts.sessions() {
		if !in {
			t.Errorf("%s starts signed out", email)
		}
	}
	ts.must(http.StatusForbidden, AgentKey, "POST", liveagent.PathAgentLogout(admin.ID), nil)
	r := ts.must(http.StatusForbidden, AdminKey, "POST", liveagent.PathAgentLogout(owner.ID), nil)
	if !strings.Contains(r.message(), "sign out owner@example.com") {
		t.Errorf("admin signs the owner out: %v", r)
	}
	ts.must(http.StatusNotFound, AdminKey, "POST", liveagent.PathAgentLogout("nobody"), nil)
	ts.must(http.StatusOK, AdminKey, "POST", liveagent.PathAgentLogout(agent.ID), nil)
	ts.must(http.StatusOK, AdminKey, "POST", liveagent.PathAgentLogout(agent.ID), nil) // harmless twice
	ts.must(http.StatusOK, AdminKey, "POST", liveagent.PathAgentLogout(admin.ID), nil) // itself
	// A deleted agent can be signed out too.
	ts.must(http.StatusOK, OwnerKey, "DELETE", liveagent.PathAgent(dan.ID), nil)
	ts.must(http.StatusOK, OwnerKey, "POST", liveagent.PathAgentLogout(dan.ID), nil)
	got := ts.sessions()
	want := map[string]bool{OwnerEmail: true, AdminEmail: false, AgentEmail: false, "dan@example.com": false}
	for email, in := range want {
		if got[email] != in {
			t.Errorf("%s signed in: %v, want %v", email, got[email], in)
		}
	}
	// Signing out ends sessions, not keys.
	ts.must(http.StatusOK, AgentKey, "GET", liveagent.PathPing, nil)

	// Loopback only.
	req, _ := http.NewRequest("GET", SessionsPath, nil)
	req.RemoteAddr = "192.0.2.1:1234"
	rec := &recorder{header: http.Header{}}
	ts.srv.Handler().ServeHTTP(rec, req)
	if rec.status != http.StatusForbidden {
		t.Errorf("sessions from afar: %d", rec.status)
	}
}

type recorder struct {
	header http.Header
	status int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(code int)        { r.status = code }

func TestAgentColumnsAMatchesAgentColumns(t *testing.T) {
	plain := strings.Fields(strings.NewReplacer(",", " ").Replace(agentColumns))
	aliased := strings.Fields(strings.NewReplacer(",", " ", "a.", "").Replace(agentColumnsA))
	if !slices.Equal(plain, aliased) {
		t.Fatalf("agentColumnsA drifted from agentColumns:\n%v\n%v", plain, aliased)
	}
}

// A database made by the previous schema (keys as bare hashes) is upgraded:
// its keys keep working and get ids, seeded agents get their passwords.
func TestUpgradeFromSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := openDB(path)
	if err != nil {
		t.Fatal(err)
	}
	v1 := strings.Replace(schema, schemaV2, `CREATE TABLE api_keys (
	hash       TEXT PRIMARY KEY,
	agent_id   TEXT NOT NULL REFERENCES agents(id),
	created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX api_keys_agent ON api_keys(agent_id);
`, 1)
	ctx := context.Background()
	mustExec := func(db *sql.DB, q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(db, v1)
	mustExec(db, `INSERT INTO agents (id, name, email, email_lower, role, last_pswd_change, twofactor_auth)
		VALUES ('o1', 'O', ?, ?, 'owner', '2020-01-01 00:00:00', 'Y')`, OwnerEmail, OwnerEmail)
	mustExec(db, `INSERT INTO api_keys (hash, agent_id, created_at) VALUES (?, 'o1', '2020-01-01 00:00:00')`, hashKey(OwnerKey))
	mustExec(db, "PRAGMA user_version = 1")
	db.Close()

	srv, err := New(Options{DB: path})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := &testServer{t: t, srv: srv}
	hs := newHTTPTest(t, srv)
	ts.url = hs
	keys := ts.keys(OwnerKey)
	if len(keys) != 1 || keys[0].ID == "" || keys[0].UserID != "o1" || keys[0].Role != "owner" || !keys[0].NeverExpires() {
		t.Fatalf("keys after the upgrade: %+v", keys)
	}
	var secret string
	for _, m := range decode[[]Invitation](t, ts.must(http.StatusOK, "", "GET", OutboxPath, nil)) {
		secret = m.TOTPSecret
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	if r := ts.login(liveagent.APIKeyLogin{Login: OwnerEmail, Password: OwnerPassword, TwoFactorToken: code}); r.status != http.StatusOK {
		t.Fatalf("login after the upgrade: %v", r)
	}
}

func newHTTPTest(t *testing.T, srv *Server) string {
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

// The key endpoints are published: the published face answers them as the
// extended one does.
func TestAPIKeyEndpointsOnThePublishedFace(t *testing.T) {
	ts := newTestServer(t, Options{API: APIPublished})
	agent := keyOf(t, ts.keys(OwnerKey), ts.keys(AgentKey)[0].UserID)
	ts.must(http.StatusOK, OwnerKey, "GET", liveagent.PathAPIKey(agent.ID.String()), nil)
	r := ts.login(liveagent.APIKeyLogin{Login: AdminEmail, Password: AdminPassword})
	if r.status != http.StatusOK {
		t.Fatalf("login: %v", r)
	}
	made := decode[liveagent.APIKey](t, r)
	ts.must(http.StatusOK, made.Key, "POST", liveagent.PathAgentLogout(agent.UserID), nil)
	ts.must(http.StatusOK, made.Key, "DELETE", liveagent.PathAPIKey(made.ID.String()), nil)
	ts.must(http.StatusUnauthorized, made.Key, "GET", liveagent.PathPing, nil)
	if ts.sessions()[AgentEmail] {
		t.Error("the agent is still signed in")
	}
}

// A revoked key's id is never given to a new key: a profile that saved it
// must not come to revoke someone else's key.
func TestKeyIDsNeverReused(t *testing.T) {
	ts := newTestServer(t, Options{})
	_, id, _ := ts.srv.IssueKey(AdminEmail, "a", "", "")
	ts.must(http.StatusOK, OwnerKey, "DELETE", liveagent.PathAPIKey(id), nil)
	_, next, _ := ts.srv.IssueKey(AdminEmail, "b", "", "")
	if next == id {
		t.Fatalf("id %s was reused", id)
	}
}
