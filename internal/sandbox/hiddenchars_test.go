package sandbox

import (
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// TestHiddenCharactersRefused: emails with control or format characters and
// names with controls, bidi overrides or isolates, or line and paragraph
// separators are refused with 422 naming the field (sandbox.md
// "Hardening"); the joiners Persian and Indic names need are kept.
func TestHiddenCharactersRefused(t *testing.T) {
	ts := newTestServer(t, Options{})
	for i, tc := range []struct {
		name, email, field string
	}{
		{"Owner", "owner\u200b@example.com", "email"},
		{"Owner", "owner\u202e@example.com", "email"},
		{"Owner", "own\u2028er@example.com", "email"},
		{"Owner", "own\u0085er@example.com", "email"},
		{"Owner", "own\ufeffer@example.com", "email"},
		{"Evil \u202egpj.exe", "b1@example.com", "name"},
		{"Iso \u2066late\u2069", "b2@example.com", "name"},
		{"Embed \u202a", "b3@example.com", "name"},
		{"Para\u2029graph", "b4@example.com", "name"},
		{"Esc \x1b[2J", "b5@example.com", "name"},
		{"C1 \u009b", "b6@example.com", "name"},
	} {
		r := ts.do(OwnerKey, "POST", liveagent.PathAgents, liveagent.AgentCreate{Name: tc.name, Email: tc.email})
		if r.status != 422 || !strings.Contains(string(r.body), `field \"`+tc.field+`\"`) {
			t.Errorf("%d: create %q <%q>: %v, want 422 naming %s", i, tc.name, tc.email, r, tc.field)
		}
	}
	for i, name := range []string{"می\u200cخواهم", "क्\u200dष"} {
		r := ts.do(OwnerKey, "POST", liveagent.PathAgents, liveagent.AgentCreate{Name: name, Email: "j" + string(rune('a'+i)) + "@example.com"})
		if r.status != 201 {
			t.Errorf("create %q: %v, want 201 (joiners are kept)", name, r)
		}
	}
	// An update is held to the same rule.
	me := ts.me(AgentKey)
	bad := "Renamed \u202e"
	r := ts.do(OwnerKey, "PUT", liveagent.PathAgent(me.ID), liveagent.AgentUpdate{Name: &bad})
	if r.status != 422 || !strings.Contains(string(r.body), "name") {
		t.Errorf("update to %q: %v, want 422", bad, r)
	}
}
