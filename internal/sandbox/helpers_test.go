package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// childEnv, when set to a database path, makes the test binary run a sandbox
// on 127.0.0.1:0 instead of the tests (see TestDurabilityAfterKill).
const childEnv = "LADMIN_SANDBOX_CHILD"

func TestMain(m *testing.M) {
	if db := os.Getenv(childEnv); db != "" {
		os.Exit(runChild(db))
	}
	os.Exit(m.Run())
}

func runChild(db string) int {
	srv, err := New(Options{DB: db})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Serve(ctx, "127.0.0.1:0", os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// testServer is a sandbox on an httptest server, spoken to with raw HTTP.
type testServer struct {
	t   testing.TB
	srv *Server
	url string
}

func newTestServer(t testing.TB, opts Options) *testServer {
	t.Helper()
	if opts.DB == "" {
		opts.DB = ":memory:"
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &testServer{t: t, srv: srv, url: hs.URL}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(r.body)) }

// message is the ErrorResponse message of the body, or "".
func (r response) message() string {
	var e liveagent.ErrorResponse
	json.Unmarshal(r.body, &e)
	return e.Message
}

// do sends one request. path is relative to /api/v3 unless it starts with
// /_sandbox; body is sent raw when a string, else as JSON (nil: no body).
func (ts *testServer) do(key, method, path string, body any) response {
	ts.t.Helper()
	r, err := ts.try(key, method, path, body)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// try is do without failing on a transport error (dropped connections).
func (ts *testServer) try(key, method, path string, body any) (response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(data)
	}
	full := ts.url + liveagent.APIPrefix + path
	if strings.HasPrefix(path, "/_sandbox/") {
		full = ts.url + path
	}
	req, err := http.NewRequest(method, full, rd)
	if err != nil {
		return response{}, err
	}
	if key != "" {
		req.Header.Set("apikey", key)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// must sends a request and fails the test unless the status is want.
func (ts *testServer) must(want int, key, method, path string, body any) response {
	ts.t.Helper()
	r := ts.do(key, method, path, body)
	if r.status != want {
		ts.t.Fatalf("%s %s: got %v, want status %d", method, path, r, want)
	}
	return r
}

func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, r.body, err)
	}
	return v
}

// createAgent creates an agent as the owner (unless key is given) and
// returns it with a fresh API key of its own.
func (ts *testServer) createAgent(key string, body liveagent.AgentCreate) (liveagent.Agent, string) {
	ts.t.Helper()
	if key == "" {
		key = OwnerKey
	}
	a := decode[liveagent.Agent](ts.t, ts.must(http.StatusCreated, key, "POST", liveagent.PathAgents, body))
	return a, ts.key(a.ID)
}

func (ts *testServer) key(agentID string) string {
	ts.t.Helper()
	k, err := ts.srv.issueKey(agentID)
	if err != nil {
		ts.t.Fatal(err)
	}
	return k
}

func (ts *testServer) createRole(key string, body liveagent.RoleCreate) liveagent.Role {
	ts.t.Helper()
	if key == "" {
		key = OwnerKey
	}
	return decode[liveagent.Role](ts.t, ts.must(http.StatusCreated, key, "POST", liveagent.PathRoles, body))
}

func (ts *testServer) me(key string) liveagent.Agent {
	ts.t.Helper()
	return decode[liveagent.Agent](ts.t, ts.must(http.StatusOK, key, "GET", liveagent.PathAgentMe, nil))
}

// list lists agents with the given query parameters (name, value pairs).
func (ts *testServer) list(key string, params ...string) []liveagent.Agent {
	ts.t.Helper()
	return decode[[]liveagent.Agent](ts.t, ts.must(http.StatusOK, key, "GET", liveagent.PathAgents+query(params...), nil))
}

// allAgents lists every agent, deleted ones too, in creation order.
func (ts *testServer) allAgents() []liveagent.Agent {
	ts.t.Helper()
	return ts.list(OwnerKey, "_perPage", "1000", "_filters", `[["status","in",["A","X"]]]`)
}

func query(params ...string) string {
	if len(params) == 0 {
		return ""
	}
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	return "?" + v.Encode()
}

func ids(agents []liveagent.Agent) []string {
	out := make([]string, len(agents))
	for i, a := range agents {
		out[i] = a.ID
	}
	return out
}

// roleBody is the role/role_id pair that gives a role on create or update.
func roleFields(r liveagent.Role) (role, roleID string) {
	if r.Builtin {
		return r.ID, ""
	}
	return r.Base, r.ID
}

func builtinWire(name string) liveagent.Role {
	return liveagent.RoleFromRBAC(rbac.MustBuiltin(name), 0)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
