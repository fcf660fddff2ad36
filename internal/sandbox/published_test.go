package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// The published face answers every extension endpoint exactly as an unknown
// path, and ignores departments in agent bodies (spec/sandbox.md, "Two faces").
func TestPublishedFace(t *testing.T) {
	ts := newTestServer(t, Options{API: APIPublished})
	unknown := ts.must(http.StatusNotFound, OwnerKey, "GET", "/no/such/path", nil)
	if unknown.message() != "Not found" {
		t.Fatalf("unknown path answered %v", unknown)
	}
	for _, ep := range liveagent.Extensions {
		path := strings.ReplaceAll(ep.Path, "{roleId}", "admin")
		for _, key := range []string{OwnerKey, "", "wrong-key"} {
			r := ts.do(key, ep.Method, path, map[string]any{"name": "X", "email": "x@example.com"})
			if r.status != unknown.status || string(r.body) != string(unknown.body) {
				t.Errorf("%s %s (key %q): got %v, want exactly %v", ep.Method, path, key, r, unknown)
			}
		}
	}

	// What is published works, with the same rules.
	agents := decode[[]liveagent.Agent](t, ts.must(200, OwnerKey, "GET", liveagent.PathAgents, nil))
	if len(agents) != 3 {
		t.Fatalf("agents: %d, want the 3 seeded", len(agents))
	}
	var agentID string
	for _, a := range agents {
		if a.Email == AgentEmail {
			agentID = a.ID
		}
	}
	ts.must(200, OwnerKey, "GET", liveagent.PathAPIPrivileges, nil)

	// departments is ignored: the agent's departments do not change, the name does.
	before := decode[[]liveagent.Department](t, ts.must(200, OwnerKey, "GET", liveagent.PathDepartments, nil))
	name := "Renamed"
	ts.must(200, OwnerKey, "PUT", liveagent.PathAgent(agentID), map[string]any{"name": name, "departments": []string{DeptBillingID}})
	after := decode[[]liveagent.Department](t, ts.must(200, OwnerKey, "GET", liveagent.PathDepartments, nil))
	if !slices.EqualFunc(before, after, func(a, b liveagent.Department) bool { return slices.Equal(a.AgentIDs, b.AgentIDs) }) {
		t.Errorf("departments changed on the published face: %+v -> %+v", before, after)
	}
	if got := decode[liveagent.Agent](t, ts.must(200, OwnerKey, "GET", liveagent.PathAgent(agentID), nil)); got.Name != name {
		t.Errorf("name = %q, want %q", got.Name, name)
	}
	// Role changes go through the published PUT, under the rules.
	ts.must(200, AdminKey, "PUT", liveagent.PathAgent(agentID), map[string]any{"role": "admin"})
	ts.must(403, AgentKey, "PUT", liveagent.PathAgent(agentID), map[string]any{"role": "agent"})
}

func TestUnknownAPIFace(t *testing.T) {
	if _, err := New(Options{DB: ":memory:", API: "partial"}); err == nil {
		t.Fatal("New accepted an unknown API face")
	}
}

// SetAPI switches the face on a running sandbox: what the extended face
// made stays, and is seen from outside on the published one.
func TestSetAPISwitchesFace(t *testing.T) {
	ts := newTestServer(t, Options{})
	ts.must(200, OwnerKey, "GET", liveagent.PathRoles, nil)
	if err := ts.srv.SetAPI(APIPublished); err != nil {
		t.Fatal(err)
	}
	ts.must(404, OwnerKey, "GET", liveagent.PathRoles, nil)
	ts.must(404, OwnerKey, "GET", liveagent.PathAgentMe, nil)
	if err := ts.srv.SetAPI(APIExtended); err != nil {
		t.Fatal(err)
	}
	ts.must(200, OwnerKey, "GET", liveagent.PathAgentMe, nil)
	if err := ts.srv.SetAPI("both"); err == nil {
		t.Error("SetAPI accepted an unknown face")
	}
}
