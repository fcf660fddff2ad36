package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// The outbox holds every invitee's temporary password, so it answers only
// loopback clients: a sandbox started with --addr 0.0.0.0 must not hand the
// passwords to the network.
func TestOutboxAnswersOnlyLocalClients(t *testing.T) {
	ts := newTestServer(t, Options{})
	ts.createAgent("", liveagent.AgentCreate{Name: "Dan", Email: "dan@example.com"})
	password := decode[[]Invitation](t, ts.must(http.StatusOK, "", "GET", OutboxPath, nil))[0].TemporaryPassword

	tests := []struct {
		remote string
		local  bool
	}{
		{"127.0.0.1:50000", true},
		{"127.8.9.10:50000", true},
		{"[::1]:50000", true},
		{"[::ffff:127.0.0.1]:50000", true},
		{"192.0.2.1:1234", false}, // httptest.NewRequest's default
		{"10.0.0.5:50000", false},
		{"[2001:db8::1]:50000", false},
		{"[::ffff:192.0.2.1]:50000", false},
		{"0.0.0.0:50000", false},
		{"", false},
		{"localhost:50000", false}, // not an address: never trusted
	}
	for _, path := range []string{OutboxPath, liveagent.APIPrefix + OutboxPath + "?email=dan@example.com"} {
		for _, tt := range tests {
			req := httptest.NewRequest("GET", path, nil)
			req.RemoteAddr = tt.remote
			// A header is the client's word, not the connection's address.
			req.Header.Set("X-Forwarded-For", "127.0.0.1")
			req.Header.Set("apikey", OwnerKey) // a key does not open it either
			rec := httptest.NewRecorder()
			ts.srv.Handler().ServeHTTP(rec, req)
			r := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
			switch {
			case tt.local && r.status != http.StatusOK:
				t.Errorf("%s from %q: %v, want 200", path, tt.remote, r)
			case !tt.local && (r.status != http.StatusForbidden || r.message() != "the outbox answers only local clients"):
				t.Errorf("%s from %q: %v, want 403 the outbox answers only local clients", path, tt.remote, r)
			case !tt.local && strings.Contains(string(r.body), password):
				t.Errorf("%s from %q: the answer holds a temporary password", path, tt.remote)
			case !tt.local && r.header.Get("Content-Type") != "application/json":
				t.Errorf("%s from %q: Content-Type %q", path, tt.remote, r.header.Get("Content-Type"))
			}
		}
	}
}
