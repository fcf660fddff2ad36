package sandbox

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

func TestAuthentication(t *testing.T) {
	ts := newTestServer(t, Options{})
	gone, goneKey := ts.createAgent("", liveagent.AgentCreate{Name: "Gone", Email: "gone@example.com"})
	ts.must(http.StatusOK, OwnerKey, "DELETE", liveagent.PathAgent(gone.ID), nil)

	tests := []struct {
		name, key, method, path string
		want                    int
		wantMsg                 string
	}{
		{"ping with a key", AgentKey, "GET", liveagent.PathPing, http.StatusOK, ""},
		{"ping without a key", "", "GET", liveagent.PathPing, http.StatusUnauthorized, "missing API key"},
		{"unknown key", "not-a-key", "GET", liveagent.PathAgents, http.StatusUnauthorized, "invalid API key"},
		{"key of a deleted agent", goneKey, "GET", liveagent.PathAgentMe, http.StatusUnauthorized, "deleted"},
		{"mutation without a key", "", "POST", liveagent.PathAgents, http.StatusUnauthorized, "missing API key"},
		{"roles without a key", "", "GET", liveagent.PathRoles, http.StatusUnauthorized, "missing API key"},
		{"outbox needs no key", "", "GET", OutboxPath, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(tt.key, tt.method, tt.path, nil)
			if r.status != tt.want || !contains(r.message(), tt.wantMsg) {
				t.Fatalf("got %v, want %d with message containing %q", r, tt.want, tt.wantMsg)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
		})
	}
}

func TestPingAndMe(t *testing.T) {
	ts := newTestServer(t, Options{})
	if r := ts.must(http.StatusOK, AgentKey, "GET", liveagent.PathPing, nil); strings.TrimSpace(string(r.body)) != "{}" {
		t.Errorf("ping body %s, want {}", r.body)
	}
	for key, email := range map[string]string{OwnerKey: OwnerEmail, AdminKey: AdminEmail, AgentKey: AgentEmail} {
		if me := ts.me(key); me.Email != email {
			t.Errorf("me with %s: %s, want %s", key, me.Email, email)
		}
	}
}

func TestCreateAgentDefaults(t *testing.T) {
	ts := newTestServer(t, Options{})
	r := ts.must(http.StatusCreated, AdminKey, "POST", liveagent.PathAgents,
		liveagent.AgentCreate{Name: " Bob Builder ", Email: "Bob@Example.com"})

	// Every Agent field of the wire contract is present, even when empty.
	var raw map[string]any
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"id", "name", "email", "role", "role_id", "avatar_url", "online_status", "status",
		"gender", "last_pswd_change", "twofactor_auth", "voice_status", "sip_phone_id", "api_phone_id"} {
		if _, present := raw[f]; !present {
			t.Errorf("field %q missing from %s", f, r.body)
		}
	}

	a := decode[liveagent.Agent](t, r)
	if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(a.ID) {
		t.Errorf("id %q is not 8 lowercase hex digits", a.ID)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`).MatchString(a.LastPswdChange) {
		t.Errorf("last_pswd_change %q is not YYYY-MM-DD HH:MM:SS", a.LastPswdChange)
	}
	want := liveagent.Agent{ID: a.ID, Name: "Bob Builder", Email: "Bob@Example.com", Role: "agent",
		OnlineStatus: "F", Status: "A", Gender: "X", LastPswdChange: a.LastPswdChange, TwofactorAuth: "N", VoiceStatus: "F"}
	if a != want {
		t.Errorf("created\n%+v\nwant\n%+v", a, want)
	}
	if got := decode[liveagent.Agent](t, ts.must(http.StatusOK, AgentKey, "GET", liveagent.PathAgent(a.ID), nil)); got != a {
		t.Errorf("GET returns %+v, want %+v", got, a)
	}

	// The invitation went to the outbox, with login details.
	box := decode[[]Invitation](t, ts.must(http.StatusOK, "", "GET", OutboxPath, nil))
	if len(box) != 1 || box[0].AgentID != a.ID || box[0].Email != a.Email || box[0].Name != a.Name ||
		len(box[0].TemporaryPassword) < 12 || !strings.HasPrefix(box[0].LoginURL, ts.url) {
		t.Errorf("outbox %+v does not hold the invitation of %+v", box, a)
	}
}

func TestCreateAgentRolesAndDepartments(t *testing.T) {
	ts := newTestServer(t, Options{})
	lead := ts.createRole("", liveagent.RoleCreate{Name: "support-lead", Base: "agent",
		Permissions: append(rbac.MustBuiltin("agent").Permissions.Names(), rbac.ReportsAll)})

	tests := []struct {
		name       string
		body       liveagent.AgentCreate
		wantRole   string
		wantRoleID string
	}{
		{"built-in by role", liveagent.AgentCreate{Role: "admin"}, "admin", ""},
		{"custom by role_id", liveagent.AgentCreate{RoleID: lead.ID}, "agent", lead.ID},
		{"custom by both", liveagent.AgentCreate{Role: "agent", RoleID: lead.ID}, "agent", lead.ID},
		{"built-in by its id", liveagent.AgentCreate{RoleID: "admin"}, "admin", ""},
		{"default", liveagent.AgentCreate{}, "agent", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.body.Name, tt.body.Email = "New", "new"+string(rune('a'+i))+"@example.com"
			tt.body.Departments = []string{DeptSalesID, DeptBillingID, DeptSalesID}
			a, _ := ts.createAgent("", tt.body)
			if a.Role != tt.wantRole || a.RoleID != tt.wantRoleID {
				t.Errorf("role %q role_id %q, want %q %q", a.Role, a.RoleID, tt.wantRole, tt.wantRoleID)
			}
			for _, d := range []string{DeptSalesID, DeptBillingID} {
				dept := decode[liveagent.Department](t, ts.must(http.StatusOK, OwnerKey, "GET", liveagent.PathDepartment(d), nil))
				if !slices.Contains(dept.AgentIDs, a.ID) {
					t.Errorf("department %s does not list %s: %v", d, a.ID, dept.AgentIDs)
				}
			}
		})
	}
}

func TestCreateAgentErrors(t *testing.T) {
	ts := newTestServer(t, Options{})
	deleted, _ := ts.createAgent("", liveagent.AgentCreate{Name: "Del", Email: "del@example.com"})
	ts.must(http.StatusOK, OwnerKey, "DELETE", liveagent.PathAgent(deleted.ID), nil)

	tests := []struct {
		name    string
		body    any
		want    int
		wantMsg string
	}{
		{"bad email", map[string]any{"name": "Bob", "email": "bob@"}, 422, `field "email": "bob@" is not a valid email address`},
		{"email with display name", map[string]any{"name": "Bob", "email": "Bob <bob@example.com>"}, 422, `field "email"`},
		{"missing email", map[string]any{"name": "Bob"}, 422, `field "email"`},
		{"missing name", map[string]any{"email": "bob@example.com"}, 422, `field "name"`},
		{"bad gender", map[string]any{"name": "Bob", "email": "bob@example.com", "gender": "Q"}, 422, `field "gender"`},
		{"unknown role", map[string]any{"name": "Bob", "email": "bob@example.com", "role": "boss"}, 422, `field "role": "boss"`},
		{"unknown role_id", map[string]any{"name": "Bob", "email": "bob@example.com", "role_id": "r_000000"}, 422, `field "role_id"`},
		{"role and role_id disagree", map[string]any{"name": "Bob", "email": "bob@example.com", "role": "admin", "role_id": "agent"}, 422, `field "role"`},
		{"unknown department", map[string]any{"name": "Bob", "email": "bob@example.com", "departments": []string{"nope"}}, 422, `field "departments": no department with id "nope"`},
		{"department name for id", map[string]any{"name": "Bob", "email": "bob@example.com", "departments": []string{"support"}}, 422, DeptSupportID},
		{"wrong type", map[string]any{"name": 42, "email": "bob@example.com"}, 422, `field "name"`},
		{"malformed JSON", `{"name": "Bob",`, 400, "not valid JSON"},
		{"not an object", `["Bob"]`, 400, "JSON object"},
		{"empty body", ``, 400, "empty"},
		{"body over 1 MiB", `{"name": "` + strings.Repeat("x", 1<<20) + `"}`, 413, "1 MiB"},
		{"active email, other case", map[string]any{"name": "Olivia", "email": "OWNER@example.COM"}, 409, "an agent with email OWNER@example.COM already exists"},
		{"deleted email", map[string]any{"name": "Del", "email": "Del@example.com"}, 409, "ladmin agent restore Del@example.com"},
		{"unknown fields are ignored", map[string]any{"name": "Zed", "email": "zed@example.com", "shoe_size": 44}, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(OwnerKey, "POST", liveagent.PathAgents, tt.body)
			if r.status != tt.want || !contains(r.message(), tt.wantMsg) {
				t.Fatalf("got %v, want %d with message containing %q", r, tt.want, tt.wantMsg)
			}
		})
	}

	// A 422 is never hidden behind a 403: the agent key sees it too.
	if r := ts.do(AgentKey, "POST", liveagent.PathAgents, map[string]any{"name": "B", "email": "b@"}); r.status != 422 {
		t.Errorf("agent key with a bad email: %v, want 422", r)
	}
	if got := len(decode[[]Invitation](t, ts.must(200, "", "GET", OutboxPath, nil))); got != 2 {
		t.Errorf("outbox holds %d invitations, want 2 (one per successful create)", got)
	}
}

func TestGetAgentNotFound(t *testing.T) {
	ts := newTestServer(t, Options{})
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		r := ts.do(OwnerKey, m, liveagent.PathAgent("deadbeef"), map[string]any{"name": "X"})
		if r.status != 404 || !contains(r.message(), "deadbeef") {
			t.Errorf("%s unknown agent: %v, want 404 naming it", m, r)
		}
	}
}

func TestUpdateAgent(t *testing.T) {
	ts := newTestServer(t, Options{})
	ops := ts.createRole("", liveagent.RoleCreate{Name: "ops", Base: "admin", Permissions: rbac.MustBuiltin("admin").Permissions.Names()})
	bob, bobKey := ts.createAgent("", liveagent.AgentCreate{Name: "Bob", Email: "bob@example.com"})
	path := liveagent.PathAgent(bob.ID)

	tests := []struct {
		name  string
		key   string
		body  any
		want  int
		check func(t *testing.T, a liveagent.Agent)
	}{
		{"profile fields", AdminKey, map[string]any{"name": "Robert", "gender": "M", "avatar_url": "https://example.com/b.png"}, 200,
			func(t *testing.T, a liveagent.Agent) {
				if a.Name != "Robert" || a.Gender != "M" || a.AvatarURL != "https://example.com/b.png" {
					t.Errorf("not updated: %+v", a)
				}
			}},
		{"read-only fields are ignored", AdminKey, map[string]any{"id": "ffffffff", "last_pswd_change": "2001-01-01 00:00:00",
			"status": "A", "email": "bob@example.com"}, 200,
			func(t *testing.T, a liveagent.Agent) {
				if a.ID != bob.ID || a.Status != "A" || a.Email != "bob@example.com" || a.LastPswdChange != bob.LastPswdChange {
					t.Errorf("read-only field changed: %+v", a)
				}
			}},
		{"self, own profile", bobKey, map[string]any{"name": "Bobby"}, 200, nil},
		{"self, the whole object back unchanged", bobKey, bob, 200, nil},
		{"self, departments", bobKey, map[string]any{"departments": []string{DeptSupportID}}, 403, nil},
		{"set role by name", AdminKey, map[string]any{"role": "admin"}, 200,
			func(t *testing.T, a liveagent.Agent) {
				if a.Role != "admin" || a.RoleID != "" {
					t.Errorf("role not set: %+v", a)
				}
			}},
		{"set custom role", OwnerKey, map[string]any{"role_id": ops.ID}, 200,
			func(t *testing.T, a liveagent.Agent) {
				if a.Role != "admin" || a.RoleID != ops.ID {
					t.Errorf("role not set: %+v", a)
				}
			}},
		{"role alone equal to the base keeps the custom role", OwnerKey, map[string]any{"role": "admin", "name": "Bob"}, 200,
			func(t *testing.T, a liveagent.Agent) {
				if a.RoleID != ops.ID {
					t.Errorf("custom role lost: %+v", a)
				}
			}},
		{"role_id empty means the built-in", OwnerKey, map[string]any{"role": "agent", "role_id": ""}, 200,
			func(t *testing.T, a liveagent.Agent) {
				if a.Role != "agent" || a.RoleID != "" {
					t.Errorf("role not set: %+v", a)
				}
			}},
		{"departments", AdminKey, map[string]any{"departments": []string{DeptBillingID}}, 200, nil},
		{"bad gender", AdminKey, map[string]any{"gender": "male"}, 422, nil},
		{"bad avatar", AdminKey, map[string]any{"avatar_url": "javascript:alert(1)"}, 422, nil},
		{"empty name", AdminKey, map[string]any{"name": "  "}, 422, nil},
		{"unknown role", AdminKey, map[string]any{"role": "boss"}, 422, nil},
		{"unknown department", AdminKey, map[string]any{"departments": []string{"x"}}, 422, nil},
		{"agent edits another", AgentKey, map[string]any{"name": "Hacked"}, 403, nil},
		{"agent sets own role", bobKey, map[string]any{"role": "admin"}, 403, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(tt.key, "PUT", path, tt.body)
			if r.status != tt.want {
				t.Fatalf("got %v, want %d", r, tt.want)
			}
			if tt.check != nil {
				tt.check(t, decode[liveagent.Agent](t, r))
			}
		})
	}

	dept := decode[liveagent.Department](t, ts.must(200, OwnerKey, "GET", liveagent.PathDepartment(DeptBillingID), nil))
	if !slices.Contains(dept.AgentIDs, bob.ID) {
		t.Errorf("billing does not list bob after the update: %v", dept.AgentIDs)
	}
	ts.must(200, OwnerKey, "DELETE", path, nil)
	if r := ts.do(OwnerKey, "PUT", path, map[string]any{"name": "Ghost"}); r.status != 404 || !contains(r.message(), "restore") {
		t.Errorf("update of a deleted agent: %v, want 404 saying to restore it", r)
	}
}

func TestDeleteAndRestore(t *testing.T) {
	ts := newTestServer(t, Options{})
	first, _ := ts.createAgent("", liveagent.AgentCreate{Name: "Carol", Email: "carol@example.com", Departments: []string{DeptSalesID}})
	path := liveagent.PathAgent(first.ID)

	if r := ts.must(200, AdminKey, "DELETE", path, nil); strings.TrimSpace(string(r.body)) != "{}" {
		t.Errorf("delete body %s, want {}", r.body)
	}
	if a := decode[liveagent.Agent](t, ts.must(200, OwnerKey, "GET", path, nil)); a.Status != "X" {
		t.Errorf("deleted agent has status %q, want X (the record stays)", a.Status)
	}
	if r := ts.do(AdminKey, "DELETE", path, nil); r.status != 404 || !contains(r.message(), "already deleted") {
		t.Errorf("second delete: %v, want 404 already deleted", r)
	}
	if slices.Contains(ids(ts.list(OwnerKey, "_perPage", "1000")), first.ID) {
		t.Error("a deleted agent is listed without a status filter")
	}
	if got := ids(ts.list(OwnerKey, "_filters", `{"status":"X"}`)); !slices.Equal(got, []string{first.ID}) {
		t.Errorf("status X filter lists %v, want [%s]", got, first.ID)
	}
	dept := decode[liveagent.Department](t, ts.must(200, OwnerKey, "GET", liveagent.PathDepartment(DeptSalesID), nil))
	if dept.AgentCount != 0 || len(dept.AgentIDs) != 0 {
		t.Errorf("a department counts a deleted agent: %+v", dept)
	}

	// Restore by id; a restore of an active agent is a conflict.
	a := decode[liveagent.Agent](t, ts.must(200, AdminKey, "POST", liveagent.PathAgentUndelete, map[string]any{"id": first.ID}))
	if a.Status != "A" {
		t.Errorf("restored agent has status %q", a.Status)
	}
	if r := ts.do(AdminKey, "POST", liveagent.PathAgentUndelete, map[string]any{"id": first.ID}); r.status != 409 {
		t.Errorf("restore of an active agent: %v, want 409", r)
	}
	dept = decode[liveagent.Department](t, ts.must(200, OwnerKey, "GET", liveagent.PathDepartment(DeptSalesID), nil))
	if dept.AgentCount != 1 {
		t.Errorf("restored agent is not back in its department: %+v", dept)
	}

	// Delete it again, create a new Carol, delete her too: restore by email
	// brings back the most recently deleted.
	ts.must(200, AdminKey, "DELETE", path, nil)
	ts.must(409, AdminKey, "POST", liveagent.PathAgents, liveagent.AgentCreate{Name: "Carol", Email: "CAROL@example.com"})
	ts.must(200, AdminKey, "POST", liveagent.PathAgentUndelete, map[string]any{"email": "Carol@Example.com"})
	second, _ := ts.createAgent("", liveagent.AgentCreate{Name: "Carol 2", Email: "carol2@example.com"})
	ts.must(200, AdminKey, "DELETE", path, nil)
	ts.must(200, AdminKey, "DELETE", liveagent.PathAgent(second.ID), nil)
	got := decode[liveagent.Agent](t, ts.must(200, AdminKey, "POST", liveagent.PathAgentUndelete, map[string]any{"email": "carol@example.com"}))
	if got.ID != first.ID {
		t.Errorf("restore by email brought back %s, want %s", got.ID, first.ID)
	}

	tests := []struct {
		name string
		key  string
		body any
		want int
	}{
		{"neither id nor email", AdminKey, map[string]any{"name": "x"}, 422},
		{"unknown id", AdminKey, map[string]any{"id": "00000000"}, 404},
		{"unknown email", AdminKey, map[string]any{"email": "nobody@example.com"}, 404},
		{"agent cannot restore", AgentKey, map[string]any{"id": second.ID}, 403},
		{"malformed", AdminKey, `{`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := ts.do(tt.key, "POST", liveagent.PathAgentUndelete, tt.body); r.status != tt.want {
				t.Errorf("got %v, want %d", r, tt.want)
			}
		})
	}

	// An active agent took the email meanwhile: 409. The API refuses to
	// create it, so the row is changed directly, as the LiveAgent panel could.
	third, _ := ts.createAgent("", liveagent.AgentCreate{Name: "Carol 3", Email: "carol3@example.com"})
	if _, err := ts.srv.db.Exec("UPDATE agents SET email = 'Carol2@example.com', email_lower = 'carol2@example.com' WHERE id = ?", third.ID); err != nil {
		t.Fatal(err)
	}
	r := ts.do(AdminKey, "POST", liveagent.PathAgentUndelete, map[string]any{"id": second.ID})
	if r.status != 409 || !contains(r.message(), third.ID) {
		t.Errorf("restore onto a taken email: %v, want 409 naming %s", r, third.ID)
	}
}

func TestDepartments(t *testing.T) {
	ts := newTestServer(t, Options{SeedAgents: 6})
	depts := decode[[]liveagent.Department](t, ts.must(200, AgentKey, "GET", liveagent.PathDepartments, nil))
	var names []string
	for _, d := range depts {
		names = append(names, d.Name)
		if d.DepartmentID == d.Name {
			t.Errorf("department %s has its name as id", d.Name)
		}
		if d.AgentCount != len(d.AgentIDs) || d.OnlineStatus != "F" {
			t.Errorf("department %+v is inconsistent", d)
		}
	}
	if !slices.Equal(names, []string{"support", "sales", "billing"}) {
		t.Errorf("departments %v, want support, sales, billing", names)
	}
	support := decode[liveagent.Department](t, ts.must(200, AgentKey, "GET", liveagent.PathDepartment(DeptSupportID), nil))
	agent := ts.me(AgentKey)
	if support.Name != "support" || !slices.Contains(support.AgentIDs, agent.ID) || support.AgentCount != 3 {
		t.Errorf("support is %+v; want the seeded agent and 2 generated ones", support)
	}
	if r := ts.do(AgentKey, "GET", liveagent.PathDepartment("support"), nil); r.status != 404 {
		t.Errorf("department by name: %v, want 404", r)
	}
}

func TestUnknownRoutesAnswerJSON(t *testing.T) {
	ts := newTestServer(t, Options{})
	tests := []struct {
		method, path string
		want         int
		allow        string
	}{
		{"GET", "/nope", 404, ""},
		{"PATCH", liveagent.PathAgents, 405, "GET"},
		{"POST", liveagent.PathPing, 405, "GET"},
		{"DELETE", liveagent.PathRoles, 405, "GET"},
	}
	for _, tt := range tests {
		r := ts.do(OwnerKey, tt.method, tt.path, nil)
		if r.status != tt.want || r.message() == "" || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %v, want %d with a JSON message", tt.method, tt.path, r, tt.want)
		}
		if tt.allow != "" && !slices.Contains(r.header.Values("Allow"), tt.allow) {
			t.Errorf("%s %s: Allow %v, want it to contain %s", tt.method, tt.path, r.header.Values("Allow"), tt.allow)
		}
	}
	if r := ts.do("", "GET", "/../../elsewhere", nil); r.status != 404 {
		t.Errorf("outside the API: %v", r)
	}
}

func TestOutboxAtBothPaths(t *testing.T) {
	ts := newTestServer(t, Options{})
	ts.createAgent("", liveagent.AgentCreate{Name: "Dan", Email: "dan@example.com"})
	ts.createAgent("", liveagent.AgentCreate{Name: "Eve", Email: "eve@example.com"})
	root := decode[[]Invitation](t, ts.must(200, "", "GET", OutboxPath, nil))
	r, err := http.Get(ts.url + liveagent.APIPrefix + OutboxPath + "?email=EVE@example.com")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var eve []Invitation
	if err := json.NewDecoder(r.Body).Decode(&eve); err != nil {
		t.Fatal(err)
	}
	if len(root) != 2 || len(eve) != 1 || eve[0].Email != "eve@example.com" || eve[0] != root[1] {
		t.Errorf("outbox %+v, filtered under /api/v3 %+v", root, eve)
	}
}

// DELETE keeps the record, memberships included: a deleted agent is not
// listed in its departments (agent_ids lists active agents only), and a
// restore, by id or by email, puts it back in every one of them.
func TestDeleteAndRestoreKeepDepartments(t *testing.T) {
	ts := newTestServer(t, Options{})
	agentID := ts.me(AgentKey).ID // seeded in support
	carol, _ := ts.createAgent("", liveagent.AgentCreate{Name: "Carol", Email: "carol@example.com",
		Departments: []string{DeptSupportID, DeptBillingID}})
	memberships := func() map[string][]string {
		t.Helper()
		m := map[string][]string{}
		for _, d := range decode[[]liveagent.Department](t, ts.must(200, OwnerKey, "GET", liveagent.PathDepartments, nil)) {
			if d.AgentCount != len(d.AgentIDs) {
				t.Errorf("department %s: agent_count %d, agent_ids %v", d.Name, d.AgentCount, d.AgentIDs)
			}
			m[d.DepartmentID] = d.AgentIDs
			one := decode[liveagent.Department](t, ts.must(200, OwnerKey, "GET", liveagent.PathDepartment(d.DepartmentID), nil))
			if !slices.Equal(one.AgentIDs, d.AgentIDs) {
				t.Errorf("department %s: GET one lists %v, the list %v", d.Name, one.AgentIDs, d.AgentIDs)
			}
		}
		return m
	}
	want := map[string][]string{
		DeptSupportID: {agentID, carol.ID},
		DeptSalesID:   {},
		DeptBillingID: {carol.ID},
	}
	if got := memberships(); !maps.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("before delete: %v, want %v", got, want)
	}
	for _, restore := range []map[string]any{{"id": carol.ID}, {"email": "CAROL@example.com"}, {"id": carol.ID, "name": "Carol", "status": "X"}} {
		ts.must(200, AdminKey, "DELETE", liveagent.PathAgent(carol.ID), nil)
		hidden := map[string][]string{DeptSupportID: {agentID}, DeptSalesID: {}, DeptBillingID: {}}
		if got := memberships(); !maps.EqualFunc(got, hidden, slices.Equal) {
			t.Errorf("deleted: %v, want %v", got, hidden)
		}
		ts.must(200, AdminKey, "POST", liveagent.PathAgentUndelete, restore)
		if got := memberships(); !maps.EqualFunc(got, want, slices.Equal) {
			t.Errorf("restored with %v: %v, want %v", restore, got, want)
		}
	}
}
