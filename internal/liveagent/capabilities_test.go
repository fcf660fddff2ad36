package liveagent

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/rbac"
)

// fakeAccount answers GET /roles with 200 or 404 (its face), GET /roles/x
// with 404 (no such role), and counts the requests per path.
type fakeAccount struct {
	mu        sync.Mutex
	published bool
	requests  map[string]int
}

func (f *fakeAccount) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests[r.Method+" "+r.URL.Path]++
	published := f.published
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case published && (r.Method != "GET" || r.URL.Path != "/api/v3/agents" && r.URL.Path != "/api/v3/api/privileges"):
		w.WriteHeader(404)
		w.Write([]byte(`{"message":"Not found"}`))
	case r.URL.Path == "/api/v3/roles":
		w.Write([]byte(`[{"id":"owner","name":"owner","base":"owner","builtin":true,"permissions":["billing.manage"]}]`))
	case r.URL.Path == "/api/v3/api/privileges":
		w.Write([]byte(`[{"object":"agent","privileges":["read","manage"]}]`))
	case r.URL.Path == "/api/v3/agents":
		w.Write([]byte(`[]`))
	default:
		w.WriteHeader(404)
		w.Write([]byte(`{"message":"role not found"}`))
	}
}

func (f *fakeAccount) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[key]
}

func (f *fakeAccount) setPublished(p bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.published = p
}

// memStore is a CapabilityStore in memory.
type memStore struct {
	api   string
	at    time.Time
	saves int
}

func (m *memStore) LoadAPI() (string, time.Time, bool) { return m.api, m.at, m.api != "" }
func (m *memStore) SaveAPI(api string, at time.Time)   { m.api, m.at = api, at; m.saves++ }

func newFake(t *testing.T, published bool) (*fakeAccount, string) {
	f := &fakeAccount{published: published, requests: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func TestCapabilityLearnedOnceAndRemembered(t *testing.T) {
	ctx := context.Background()
	for _, published := range []bool{false, true} {
		acct, url := newFake(t, published)
		now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		store := &memStore{}
		c, _ := New(Config{URL: url, APIKey: "k", Capabilities: store, Now: func() time.Time { return now }})
		want := APIExtended
		if published {
			want = APIPublished
		}
		if api, err := c.API(ctx); err != nil || api != want {
			t.Fatalf("API = %q, %v; want %q", api, err, want)
		}
		if store.api != want || !store.at.Equal(now) {
			t.Errorf("stored %q at %v", store.api, store.at)
		}
		// The probe's roles serve the next Roles call: no second GET /roles.
		if _, err := c.Roles(ctx); err != nil {
			t.Fatal(err)
		}
		if n := acct.count("GET /api/v3/roles"); n != 1 {
			t.Errorf("published=%v: %d GET /roles, want 1 (the probe)", published, n)
		}
		// A new client (a new command) within the day: no probe at all.
		c2, _ := New(Config{URL: url, APIKey: "k", Capabilities: store, Now: func() time.Time { return now.Add(23 * time.Hour) }})
		if api, _ := c2.API(ctx); api != want {
			t.Errorf("remembered API = %q", api)
		}
		if n := acct.count("GET /api/v3/roles"); n != 1 {
			t.Errorf("a remembered record was probed again (%d GET /roles)", n)
		}
		// A day later it is probed again.
		c3, _ := New(Config{URL: url, APIKey: "k", Capabilities: store, Now: func() time.Time { return now.Add(25 * time.Hour) }})
		if _, err := c3.API(ctx); err != nil {
			t.Fatal(err)
		}
		if n := acct.count("GET /api/v3/roles"); n != 2 {
			t.Errorf("a day-old record was not probed again (%d GET /roles)", n)
		}
		if !store.at.Equal(now.Add(25 * time.Hour)) {
			t.Errorf("the new probe was not remembered: %v", store.at)
		}
	}
}

func TestCapabilityRefreshAndOverride(t *testing.T) {
	ctx := context.Background()
	acct, url := newFake(t, true)
	store := &memStore{api: APIExtended, at: time.Now()}
	c, _ := New(Config{URL: url, APIKey: "k", Capabilities: store})
	if api, _ := c.API(ctx); api != APIExtended {
		t.Fatalf("fresh record not used: %q", api)
	}
	if api, err := c.RefreshAPI(ctx); err != nil || api != APIPublished || store.api != APIPublished {
		t.Fatalf("RefreshAPI = %q, %v (stored %q)", api, err, store.api)
	}
	// An override wins without a request.
	before := acct.count("GET /api/v3/roles")
	o, _ := New(Config{URL: url, APIKey: "k", API: APIExtended, Capabilities: &memStore{}})
	if api, _ := o.API(ctx); api != APIExtended || !o.APIOverridden() {
		t.Errorf("override: %q", api)
	}
	if acct.count("GET /api/v3/roles") != before {
		t.Error("an override probed the account")
	}
	if _, err := New(Config{URL: url, APIKey: "k", API: "partial"}); KindOf(err) != KindInvalid {
		t.Errorf("unknown API accepted: %v", err)
	}
}

// A stale record (the extensions went away) is found out by the first
// extension call that answers 404: the account is probed again, and the call
// is exit 8, not a bare "not found"; a real 404 stays one.
func TestStaleRecordReprobes(t *testing.T) {
	ctx := context.Background()
	acct, url := newFake(t, false)
	store := &memStore{api: APIExtended, at: time.Now()}
	c, _ := New(Config{URL: url, APIKey: "k", Capabilities: store})

	_, err := c.GetRole(ctx, "admn")
	if KindOf(err) != KindNotFound {
		t.Fatalf("a real 404 on an extended account: %v (kind %v), want not found", err, KindOf(err))
	}
	if n := acct.count("GET /api/v3/roles"); n != 1 {
		t.Errorf("%d probes after a 404, want 1", n)
	}

	acct.setPublished(true)
	_, err = c.GetRole(ctx, "admin")
	if KindOf(err) != KindUnsupported {
		t.Fatalf("extensions gone: %v (kind %v), want unsupported", err, KindOf(err))
	}
	if store.api != APIPublished {
		t.Errorf("the re-probe was not remembered: %q", store.api)
	}
	// Now known: refused before anything is sent.
	sent := acct.count("POST /api/v3/agents")
	if _, err := c.CreateAgent(ctx, AgentCreate{Name: "A", Email: "a@acme.com"}); KindOf(err) != KindUnsupported {
		t.Errorf("create on a published account: %v", err)
	}
	if acct.count("POST /api/v3/agents") != sent {
		t.Error("the create was sent")
	}
	dept := []string{"d1"}
	if _, err := c.UpdateAgent(ctx, "a1", AgentUpdate{Departments: &dept}); KindOf(err) != KindUnsupported {
		t.Errorf("departments on a published account: %v", err)
	}
	if acct.count("PUT /api/v3/agents/a1") != 0 {
		t.Error("the departments were sent")
	}
	// The session is the key's.
	s, err := c.Session(ctx)
	if err != nil || !s.Key || len(s.Privileges) != 2 || !s.Actor().Role.Has("agents.manage") {
		t.Errorf("session %+v, %v", s, err)
	}
}

func TestBlindRoleIndex(t *testing.T) {
	agents := []Agent{
		{ID: "o", Role: "owner", Status: StatusActive},
		{ID: "a", Role: "admin", RoleID: "r7", Status: StatusActive},
		{ID: "b", Role: "admin", RoleID: "r7", Status: StatusActive},
		{ID: "c", Role: "agent", RoleID: "r9", Status: StatusDeleted},
		{ID: "d", Role: "agent", Status: StatusActive},
	}
	ix := NewBlindRoleIndex(nil).Count(agents)
	if !ix.Blind() {
		t.Fatal("not blind")
	}
	r := ix.Of(agents[1])
	if !r.Opaque || r.ID != "r7" || r.Name != "custom:r7" || r.Base != "admin" || r.Label() != "custom:r7 (based on admin)" {
		t.Errorf("Of = %+v (%s)", r, r.Label())
	}
	if r.RBAC().Permissions != rbac.MustBuiltin("admin").Permissions {
		t.Errorf("an opaque role is judged as its base: %v", r.RBAC().Permissions.Names())
	}
	for _, ref := range []string{"custom:r7", "CUSTOM:R7", "r7"} {
		if got, ok := ix.Lookup(ref); !ok || got.ID != "r7" || got.Base != "admin" {
			t.Errorf("Lookup(%q) = %+v, %v", ref, got, ok)
		}
	}
	// Unseen: an opaque role of unknown base, so set-role can refuse it by name.
	if got, ok := ix.Lookup("custom:r1"); !ok || !got.Opaque || got.Base != "" {
		t.Errorf("Lookup(custom:r1) = %+v, %v", got, ok)
	}
	counts := map[string]int{}
	for _, role := range ix.List() {
		counts[role.Name] = role.AgentCount
	}
	want := map[string]int{"owner": 1, "admin": 0, "agent": 1, "custom:r7": 2, "custom:r9": 0}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("count of %s = %d, want %d (all %v)", k, counts[k], v, counts)
		}
	}
	// An index with the extensions is not blind: custom:<id> finds only real roles.
	full := NewRoleIndex([]Role{{ID: "r7", Name: "lead", Base: "admin", Permissions: []string{"agents.read"}}})
	if got, ok := full.Lookup("custom:r7"); !ok || got.Name != "lead" || got.Opaque {
		t.Errorf("extended Lookup(custom:r7) = %+v, %v", got, ok)
	}
	if _, ok := full.Lookup("custom:r1"); ok {
		t.Error("extended index made up a role")
	}
}

func TestConcurrentFirstCallsProbeOnce(t *testing.T) {
	acct, url := newFake(t, false)
	c, _ := New(Config{URL: url, APIKey: "k", Capabilities: &memStore{}})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if api, err := c.API(context.Background()); err != nil || api != APIExtended {
				t.Errorf("API = %q, %v", api, err)
			}
		}()
	}
	wg.Wait()
	if n := acct.count("GET /api/v3/roles"); n != 1 {
		t.Errorf("%d probes, want 1", n)
	}
}

// Told "extended" on an account that is not: the 404 still becomes exit 8
// with a word about the setting, never a bare "not found".
func TestWrongOverrideSaysSo(t *testing.T) {
	_, url := newFake(t, true)
	c, _ := New(Config{URL: url, APIKey: "k", API: APIExtended})
	_, err := c.CreateAgent(context.Background(), AgentCreate{Name: "A", Email: "a@acme.com"})
	if KindOf(err) != KindUnsupported || !strings.Contains(err.Error(), "config set api auto") {
		t.Fatalf("err = %v (kind %v)", err, KindOf(err))
	}
}
