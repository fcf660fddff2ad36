package sandbox

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// TestUpdateAgentStatusEmailTwoFactor covers the Agent fields of a PUT that
// are neither profile basics nor the role: status (never changed by an
// update), email (an edit, unique among active agents) and twofactor_auth (a
// profile field). None of them is silently dropped.
func TestUpdateAgentStatusEmailTwoFactor(t *testing.T) {
	ts := newTestServer(t, Options{})
	bob, bobKey := ts.createAgent("", liveagent.AgentCreate{Name: "Bob", Email: "bob@example.com"})
	gone, _ := ts.createAgent("", liveagent.AgentCreate{Name: "Gone", Email: "gone@example.com"})
	ts.must(http.StatusOK, OwnerKey, "DELETE", liveagent.PathAgent(gone.ID), nil)
	path := liveagent.PathAgent(bob.ID)
	const statusRule = "the status cannot be changed by an update; use delete or restore"

	tests := []struct {
		name      string
		key       string
		body      any
		want      int
		wantMsg   string
		wantEmail string // the email stored afterwards
		want2FA   string // the twofactor_auth stored afterwards
	}{
		// status
		{"status changed by the owner", OwnerKey, map[string]any{"status": "X"}, 403, statusRule, "bob@example.com", "N"},
		{"status changed by an admin", AdminKey, map[string]any{"status": "X", "name": "Bob"}, 403, statusRule, "bob@example.com", "N"},
		{"status changed by itself", bobKey, map[string]any{"status": "X"}, 403, statusRule, "bob@example.com", "N"},
		{"status unchanged is ignored", AdminKey, map[string]any{"status": "A"}, 200, "", "bob@example.com", "N"},
		{"status not a code", AdminKey, map[string]any{"status": "deleted"}, 422, `field "status"`, "bob@example.com", "N"},
		{"status null is absent", AdminKey, map[string]any{"status": nil}, 200, "", "bob@example.com", "N"},

		// twofactor_auth
		{"two-factor on, by an admin", AdminKey, map[string]any{"twofactor_auth": "Y"}, 200, "", "bob@example.com", "Y"},
		{"two-factor off, by itself", bobKey, map[string]any{"twofactor_auth": "N"}, 200, "", "bob@example.com", "N"},
		{"two-factor on, by itself", bobKey, map[string]any{"twofactor_auth": "Y"}, 200, "", "bob@example.com", "Y"},
		{"two-factor of another, by an agent", AgentKey, map[string]any{"twofactor_auth": "N"}, 403, "only owners and admins can edit other agents", "bob@example.com", "Y"},
		{"two-factor not a code", AdminKey, map[string]any{"twofactor_auth": "yes"}, 422, `field "twofactor_auth": "yes"`, "bob@example.com", "Y"},
		{"two-factor empty", AdminKey, map[string]any{"twofactor_auth": ""}, 422, `field "twofactor_auth"`, "bob@example.com", "Y"},

		// email
		{"email changed by an admin", AdminKey, map[string]any{"email": " robert@example.com "}, 200, "", "robert@example.com", "Y"},
		{"email unchanged is ignored, even for itself", bobKey, map[string]any{"email": "robert@example.com", "name": "Robert"}, 200, "", "robert@example.com", "Y"},
		{"email changed by itself", bobKey, map[string]any{"email": "bobby@example.com"}, 403,
			"you may change only your own profile fields (name, gender, avatar_url, twofactor_auth), not email", "robert@example.com", "Y"},
		{"email of another, by an agent", AgentKey, map[string]any{"email": "x@example.com"}, 403, "only owners and admins can edit other agents", "robert@example.com", "Y"},
		{"email bad", AdminKey, map[string]any{"email": "bob@"}, 422, `field "email": "bob@" is not a valid email address`, "robert@example.com", "Y"},
		{"email empty", AdminKey, map[string]any{"email": ""}, 422, `field "email"`, "robert@example.com", "Y"},
		{"email with display name", AdminKey, map[string]any{"email": "Bob <bob@example.com>"}, 422, `field "email"`, "robert@example.com", "Y"},
		{"email wrong type", AdminKey, map[string]any{"email": 7}, 422, `field "email"`, "robert@example.com", "Y"},
		{"name wrong type (a field of the embedded update)", AdminKey, map[string]any{"name": 7}, 422, `field "name"`, "robert@example.com", "Y"},
		{"departments wrong type", AdminKey, map[string]any{"departments": "support"}, 422, `field "departments"`, "robert@example.com", "Y"},
		{"email of an active agent, other case", AdminKey, map[string]any{"email": "AGENT@example.com"}, 409,
			"an agent with email AGENT@example.com already exists", "robert@example.com", "Y"},
		{"a 422 comes before the 403", AgentKey, map[string]any{"email": "nope"}, 422, `field "email"`, "robert@example.com", "Y"},
		{"a 403 comes before the 409", AgentKey, map[string]any{"email": "owner@example.com"}, 403, "only owners and admins", "robert@example.com", "Y"},
		{"email of a deleted agent is free", AdminKey, map[string]any{"email": "Gone@example.com"}, 200, "", "Gone@example.com", "Y"},
		{"its own email in another case", AdminKey, map[string]any{"email": "gone@example.com"}, 200, "", "gone@example.com", "Y"},

		// A refused request changes nothing, even fields that alone would pass.
		{"all or nothing", AdminKey, map[string]any{"twofactor_auth": "N", "email": "new@example.com", "status": "X"}, 403, statusRule, "gone@example.com", "Y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(tt.key, "PUT", path, tt.body)
			if r.status != tt.want || !contains(r.message(), tt.wantMsg) {
				t.Fatalf("got %v, want %d with message containing %q", r, tt.want, tt.wantMsg)
			}
			a := decode[liveagent.Agent](t, ts.must(http.StatusOK, OwnerKey, "GET", path, nil))
			if a.Status != "A" || a.Email != tt.wantEmail || a.TwofactorAuth != tt.want2FA {
				t.Errorf("stored: status %q email %q twofactor_auth %q; want A %q %q", a.Status, a.Email, a.TwofactorAuth, tt.wantEmail, tt.want2FA)
			}
			if r.status == http.StatusOK {
				if got := decode[liveagent.Agent](t, r); got != a {
					t.Errorf("PUT answered %+v, GET %+v", got, a)
				}
			}
		})
	}

	// The new email is the agent's: it finds it, and the old one is free.
	if got := ts.list(OwnerKey, "_filters", `{"email":"gone@example.com"}`); len(got) != 1 || got[0].ID != bob.ID {
		t.Errorf("filter by the new email lists %v, want [%s]", ids(got), bob.ID)
	}
	ts.createAgent("", liveagent.AgentCreate{Name: "New Bob", Email: "bob@example.com"})
	// The deleted agent whose email was taken cannot be restored meanwhile.
	if r := ts.do(AdminKey, "POST", liveagent.PathAgentUndelete, map[string]any{"id": gone.ID}); r.status != 409 || !contains(r.message(), bob.ID) {
		t.Errorf("restore onto an email taken by an update: %v, want 409 naming %s", r, bob.ID)
	}

	// A whole object sent back, as a generated client does, changes nothing
	// it does not mean to: its own profile, with the same status and email.
	me := ts.me(bobKey)
	me.Name, me.TwofactorAuth = "Bob Again", "N"
	got := decode[liveagent.Agent](t, ts.must(http.StatusOK, bobKey, "PUT", path, me))
	if got != me {
		t.Errorf("whole object back: %+v, want %+v", got, me)
	}
}

// The body the sandbox decodes is flat; it must still take every field the
// client's AgentUpdate sends, or a new one would be silently ignored.
func TestUpdateBodyCoversClientFields(t *testing.T) {
	tags := func(typ reflect.Type) []string {
		var names []string
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			names = append(names, name)
		}
		return names
	}
	ours := tags(reflect.TypeFor[agentUpdateBody]())
	for _, f := range tags(reflect.TypeFor[liveagent.AgentUpdate]()) {
		if !slices.Contains(ours, f) {
			t.Errorf("liveagent.AgentUpdate sends %q, which PUT /agents/{id} does not decode", f)
		}
	}
}
