package sandbox

import (
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

func TestRolesCRUD(t *testing.T) {
	ts := newTestServer(t, Options{})
	perms := []string{rbac.TicketsOwn, rbac.AgentsRead, rbac.ReportsAll}
	lead := ts.createRole(AdminKey, liveagent.RoleCreate{Name: "Support Lead", Base: "agent", Permissions: perms})
	if !regexp.MustCompile(`^r_[0-9a-f]{6}$`).MatchString(lead.ID) || lead.Builtin || lead.Base != "agent" || lead.AgentCount != 0 {
		t.Errorf("created %+v", lead)
	}
	// Permissions come back in catalog order.
	if want := []string{rbac.TicketsOwn, rbac.ReportsAll, rbac.AgentsRead}; !slices.Equal(lead.Permissions, want) {
		t.Errorf("permissions %v, want %v", lead.Permissions, want)
	}

	roles := decode[[]liveagent.Role](t, ts.must(200, AgentKey, "GET", liveagent.PathRoles, nil))
	var names []string
	for _, r := range roles {
		names = append(names, r.ID)
	}
	if !slices.Equal(names, []string{"owner", "admin", "agent", lead.ID}) {
		t.Errorf("roles %v", names)
	}
	if roles[0].AgentCount != 1 || roles[2].AgentCount != 1 || !roles[0].Builtin {
		t.Errorf("built-in counts: %+v", roles[:3])
	}

	a, _ := ts.createAgent(AdminKey, liveagent.AgentCreate{Name: "Lea", Email: "lea@example.com", RoleID: lead.ID})
	got := decode[liveagent.Role](t, ts.must(200, AgentKey, "GET", liveagent.PathRole(lead.ID), nil))
	if got.AgentCount != 1 || got.Name != "Support Lead" {
		t.Errorf("GET role: %+v", got)
	}

	upd := decode[liveagent.Role](t, ts.must(200, AdminKey, "PUT", liveagent.PathRole(lead.ID),
		map[string]any{"name": "Lead", "permissions": []string{rbac.TicketsOwn, rbac.TicketsAll}}))
	if upd.Name != "Lead" || !slices.Equal(upd.Permissions, []string{rbac.TicketsOwn, rbac.TicketsAll}) || upd.AgentCount != 1 {
		t.Errorf("PUT role: %+v", upd)
	}
	renamed := decode[liveagent.Role](t, ts.must(200, AdminKey, "PUT", liveagent.PathRole(lead.ID), map[string]any{"name": "lead"}))
	if !slices.Equal(renamed.Permissions, []string{rbac.TicketsOwn, rbac.TicketsAll}) {
		t.Errorf("a rename changed the permissions: %+v", renamed)
	}

	// In use: 409, then reassign to a built-in moves the holder.
	r := ts.do(AdminKey, "DELETE", liveagent.PathRole(lead.ID), nil)
	if r.status != 409 || r.message() != "role lead is still assigned to 1 active agents; reassign them first (reassign_to)" {
		t.Errorf("delete in use: %v", r)
	}
	ts.must(200, AdminKey, "DELETE", liveagent.PathRole(lead.ID)+"?reassign_to=agent", nil)
	moved := decode[liveagent.Agent](t, ts.must(200, AdminKey, "GET", liveagent.PathAgent(a.ID), nil))
	if moved.Role != "agent" || moved.RoleID != "" {
		t.Errorf("holder not moved: %+v", moved)
	}
	ts.must(404, AdminKey, "GET", liveagent.PathRole(lead.ID), nil)
	ts.must(404, AdminKey, "PUT", liveagent.PathRole(lead.ID), map[string]any{"name": "x"})
	ts.must(404, AdminKey, "DELETE", liveagent.PathRole(lead.ID), nil)
}

func TestDeleteRoleReassignToCustom(t *testing.T) {
	ts := newTestServer(t, Options{})
	from := ts.createRole("", liveagent.RoleCreate{Name: "from", Base: "admin", Permissions: []string{rbac.AgentsRead}})
	to := ts.createRole("", liveagent.RoleCreate{Name: "to", Base: "admin", Permissions: []string{rbac.AgentsRead, rbac.TicketsAll}})
	active, _ := ts.createAgent("", liveagent.AgentCreate{Name: "A", Email: "a@example.com", RoleID: from.ID})
	gone, _ := ts.createAgent("", liveagent.AgentCreate{Name: "G", Email: "g@example.com", RoleID: from.ID})
	ts.must(200, OwnerKey, "DELETE", liveagent.PathAgent(gone.ID), nil)

	ts.must(422, OwnerKey, "DELETE", liveagent.PathRole(from.ID)+"?reassign_to=nope", nil)
	ts.must(422, OwnerKey, "DELETE", liveagent.PathRole(from.ID)+"?reassign_to="+from.ID, nil)
	ts.must(200, OwnerKey, "DELETE", liveagent.PathRole(from.ID)+"?reassign_to="+to.ID, nil)
	for _, id := range []string{active.ID, gone.ID} {
		a := decode[liveagent.Agent](t, ts.must(200, OwnerKey, "GET", liveagent.PathAgent(id), nil))
		if a.RoleID != to.ID || a.Role != "admin" {
			t.Errorf("agent %s not moved (active and deleted holders move): %+v", id, a)
		}
	}
}

func TestDeleteRoleHeldOnlyByDeletedAgents(t *testing.T) {
	ts := newTestServer(t, Options{})
	co := ts.createRole("", liveagent.RoleCreate{Name: "co-owner", Base: "owner", Permissions: []string{rbac.BillingManage}})
	gone, _ := ts.createAgent("", liveagent.AgentCreate{Name: "G", Email: "g@example.com", RoleID: co.ID})
	ts.must(200, OwnerKey, "DELETE", liveagent.PathAgent(gone.ID), nil)
	ts.must(200, OwnerKey, "DELETE", liveagent.PathRole(co.ID), nil)
	// Not the role's base (owner): that would be more than it held.
	a := decode[liveagent.Agent](t, ts.must(200, OwnerKey, "GET", liveagent.PathAgent(gone.ID), nil))
	if a.Role != "agent" || a.RoleID != "" {
		t.Errorf("deleted holder of a deleted role: %+v, want the built-in agent", a)
	}
}

func TestRoleErrors(t *testing.T) {
	ts := newTestServer(t, Options{})
	existing := ts.createRole("", liveagent.RoleCreate{Name: "Night Shift", Base: "agent", Permissions: []string{rbac.TicketsOwn}})
	other := ts.createRole("", liveagent.RoleCreate{Name: "Day Shift", Base: "agent"})

	tests := []struct {
		name, key, method, path string
		body                    any
		want                    int
		wantMsg                 string
	}{
		{"bad base", OwnerKey, "POST", liveagent.PathRoles, map[string]any{"name": "x", "base": "boss"}, 422, `field "base": "boss"`},
		{"unknown permission", OwnerKey, "POST", liveagent.PathRoles, map[string]any{"name": "x", "base": "agent", "permissions": []string{"agents.reed"}}, 422, `field "permissions": unknown permission "agents.reed" (did you mean "agents.read"?)`},
		{"empty name", OwnerKey, "POST", liveagent.PathRoles, map[string]any{"name": " ", "base": "agent"}, 422, `field "name"`},
		{"duplicate name, other case", OwnerKey, "POST", liveagent.PathRoles, map[string]any{"name": "night SHIFT", "base": "agent"}, 409, "already exists"},
		{"built-in name", OwnerKey, "POST", liveagent.PathRoles, map[string]any{"name": "Admin", "base": "agent"}, 409, "built-in"},
		{"rename onto another", OwnerKey, "PUT", liveagent.PathRole(other.ID), map[string]any{"name": "night shift"}, 409, "already exists"},
		{"unknown permission on update", OwnerKey, "PUT", liveagent.PathRole(existing.ID), map[string]any{"permissions": []string{"nope"}}, 422, `unknown permission "nope"`},
		{"malformed", OwnerKey, "POST", liveagent.PathRoles, `{"name":`, 400, ""},
		{"agent creates a role", AgentKey, "POST", liveagent.PathRoles, map[string]any{"name": "x", "base": "agent"}, 403, "only owners and admins can manage custom roles"},
		{"admin defines billing", AdminKey, "POST", liveagent.PathRoles, map[string]any{"name": "x", "base": "agent", "permissions": []string{rbac.BillingManage}}, 403, "billing.manage"},
		{"edit a built-in", OwnerKey, "PUT", liveagent.PathRole("admin"), map[string]any{"name": "boss"}, 403, "built-in role admin cannot be changed"},
		{"delete a built-in", OwnerKey, "DELETE", liveagent.PathRole("agent"), nil, 403, "built-in role agent"},
		{"unknown role", OwnerKey, "GET", liveagent.PathRole("r_ffffff"), nil, 404, "r_ffffff"},
		{"422 before 403", AgentKey, "POST", liveagent.PathRoles, map[string]any{"name": "x", "base": "boss"}, 422, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(tt.key, tt.method, tt.path, tt.body)
			if r.status != tt.want || !contains(r.message(), tt.wantMsg) {
				t.Fatalf("got %v, want %d with message containing %q", r, tt.want, tt.wantMsg)
			}
		})
	}
}

func TestPermissionsAndPrivileges(t *testing.T) {
	ts := newTestServer(t, Options{})
	perms := decode[[]liveagent.Permission](t, ts.must(200, AgentKey, "GET", liveagent.PathPermissions, nil))
	if !slices.Equal(perms, rbac.Catalog()) {
		t.Errorf("permissions %v, want the catalog", perms)
	}

	flat := func(privs []liveagent.APIPrivilege) []string {
		out := []string{}
		for _, p := range privs {
			for _, v := range p.Privileges {
				out = append(out, p.Object+"."+v)
			}
		}
		return out
	}
	privs := decode[[]liveagent.APIPrivilege](t, ts.must(200, AgentKey, "GET", liveagent.PathAPIPrivileges, nil))
	if got, want := flat(privs), []string{"agent.own", "agent.read", "ticket.read"}; !slices.Equal(got, want) {
		t.Errorf("agent privileges %v, want %v", got, want)
	}
	privs = decode[[]liveagent.APIPrivilege](t, ts.must(200, AdminKey, "GET", liveagent.PathAPIPrivileges, nil))
	if got, want := flat(privs), []string{"agent.manage", "agent.own", "agent.read", "api.delete", "api.read", "ticket.read", "ticket.read_all"}; !slices.Equal(got, want) {
		t.Errorf("admin privileges %v, want %v", got, want)
	}
	privs = decode[[]liveagent.APIPrivilege](t, ts.must(200, OwnerKey, "GET", liveagent.PathAPIPrivileges, nil))
	if got, want := flat(privs), []string{"agent.manage", "agent.own", "agent.read", "api.delete", "api.read",
		"invoice.read", "subscription.write", "ticket.read", "ticket.read_all"}; !slices.Equal(got, want) {
		t.Errorf("owner privileges %v, want %v", got, want)
	}

	// A custom role's own permissions, not its base's; agents.invite alone
	// is not agent.manage.
	clerk := ts.createRole("", liveagent.RoleCreate{Name: "clerk", Base: "owner", Permissions: []string{rbac.BillingManage, rbac.AgentsInvite}})
	_, key := ts.createAgent("", liveagent.AgentCreate{Name: "C", Email: "c@example.com", RoleID: clerk.ID})
	privs = decode[[]liveagent.APIPrivilege](t, ts.must(200, key, "GET", liveagent.PathAPIPrivileges, nil))
	if got, want := flat(privs), []string{"invoice.read", "subscription.write"}; !slices.Equal(got, want) {
		t.Errorf("clerk privileges %v, want %v", got, want)
	}
	// Without agents.read it cannot list agents, but can still see itself and roles.
	ts.must(403, key, "GET", liveagent.PathAgents, nil)
	ts.must(403, key, "GET", liveagent.PathDepartments, nil)
	ts.must(200, key, "GET", liveagent.PathAgentMe, nil)
	ts.must(200, key, "GET", liveagent.PathRoles, nil)
	ts.must(http.StatusOK, key, "GET", liveagent.PathPing, nil)
}
