package rbac

import (
	"slices"
	"strings"
	"testing"
)

func TestPermissionsOfPrivileges(t *testing.T) {
	tests := []struct {
		privileges []string
		want       []string
		unmapped   []string
	}{
		{nil, []string{}, nil},
		{[]string{"agent.read"}, []string{AgentsRead}, nil},
		{[]string{"agent.own"}, []string{ProfileOwn}, nil},
		{[]string{"agent.manage"}, []string{AgentsInvite, AgentsManage, AgentsRoles, AgentsPasswords, DepartmentsAssign}, nil},
		{[]string{"api.read", "api.delete"}, []string{APIKeysRead, APIKeysManage}, nil},
		{[]string{"subscription.write"}, []string{BillingManage}, nil},
		{[]string{"invoice.read"}, []string{BillingManage}, nil},
		{[]string{"ticket.read_all", "ticket.read"}, []string{TicketsOwn, TicketsAll}, nil},
		{[]string{"chat.write", "agent.read", "api.write"}, []string{AgentsRead}, []string{"chat.write", "api.write"}},
	}
	for _, tt := range tests {
		got, unmapped := PermissionsOfPrivileges(tt.privileges)
		if !slices.Equal(got.Names(), tt.want) || !slices.Equal(unmapped, tt.unmapped) {
			t.Errorf("PermissionsOfPrivileges(%v) = %v, %v; want %v, %v", tt.privileges, got.Names(), unmapped, tt.want, tt.unmapped)
		}
	}
}

func TestPrivilegesOfPermissions(t *testing.T) {
	tests := []struct {
		set  Set
		want []string
	}{
		{MustBuiltin(Agent).Permissions, []string{"agent.own", "agent.read", "ticket.read"}},
		{MustBuiltin(Admin).Permissions, []string{"agent.manage", "agent.own", "agent.read", "api.delete", "api.read", "ticket.read", "ticket.read_all"}},
		{MustBuiltin(Owner).Permissions, []string{"agent.manage", "agent.own", "agent.read", "api.delete", "api.read", "invoice.read", "subscription.write", "ticket.read", "ticket.read_all"}},
		// agent.manage needs all five of its permissions.
		{MustBuiltin(Agent).Permissions.With(AgentsInvite), []string{"agent.own", "agent.read", "ticket.read"}},
		{MustSet(AgentsInvite, AgentsManage, AgentsRoles, AgentsPasswords, DepartmentsAssign), []string{"agent.manage"}},
		{0, []string{}},
	}
	for _, tt := range tests {
		if got := PrivilegesOfPermissions(tt.set); !slices.Equal(got, tt.want) {
			t.Errorf("PrivilegesOfPermissions(%v) = %v, want %v", tt.set.Names(), got, tt.want)
		}
	}
}

// Both ways: mapping a built-in role's privileges back gives exactly what the
// table can express of that role.
func TestPrivilegeMappingRoundTrip(t *testing.T) {
	for _, name := range BuiltinNames() {
		r := MustBuiltin(name)
		back, unmapped := PermissionsOfPrivileges(PrivilegesOfPermissions(r.Permissions))
		if len(unmapped) > 0 {
			t.Errorf("%s: unmapped %v", name, unmapped)
		}
		if want := r.Permissions & Expressible(); back != want {
			t.Errorf("%s: round trip = %v, want %v", name, back.Names(), want.Names())
		}
	}
	for _, p := range PrivilegeNames() {
		set, _ := PermissionsOfPrivileges([]string{p})
		if set == 0 || !slices.Contains(PrivilegesOfPermissions(set), p) {
			t.Errorf("privilege %s does not map back onto itself (%v)", p, set.Names())
		}
	}
}

func TestKeySubjectRules(t *testing.T) {
	adminKey := KeySubject(PrivilegesOfPermissions(MustBuiltin(Admin).Permissions))
	ownerKey := KeySubject(PrivilegesOfPermissions(MustBuiltin(Owner).Permissions))
	readKey := KeySubject([]string{"agent.read"})
	if !adminKey.Key || !strings.HasPrefix(adminKey.Role.Label(), "API key with agent.manage") {
		t.Fatalf("admin key subject = %+v, label %q", adminKey, adminKey.Role.Label())
	}
	subject := func(id, role string) *Subject {
		s := Subject{ID: id, Email: id + "@acme.com", Role: MustBuiltin(role)}
		return &s
	}
	role := func(name string) *Role { r := MustBuiltin(name); return &r }
	tests := []struct {
		name  string
		req   Request
		allow bool
		rule  int
	}{
		// An admin-level key can re-role and delete agents and admins: the
		// admin role's settings.* and the like are beyond what it can express.
		{"admin key deletes admin", Request{Actor: adminKey, Action: DeleteAgent, Target: subject("a1", Admin), ActiveOwners: 1}, true, 0},
		{"admin key promotes to admin", Request{Actor: adminKey, Action: SetRole, Target: subject("a2", Agent), Role: role(Admin)}, true, 0},
		{"admin key creates admin", Request{Actor: adminKey, Action: CreateAgent, Role: role(Admin)}, true, 0},
		{"admin key cannot reach owner", Request{Actor: adminKey, Action: DeleteAgent, Target: subject("o1", Owner), ActiveOwners: 2}, false, 3},
		{"admin key cannot give owner", Request{Actor: adminKey, Action: SetRole, Target: subject("a2", Agent), Role: role(Owner)}, false, 2},
		{"owner key gives owner", Request{Actor: ownerKey, Action: SetRole, Target: subject("a2", Agent), Role: role(Owner), ActiveOwners: 1}, true, 0},
		{"owner key deletes owner", Request{Actor: ownerKey, Action: DeleteAgent, Target: subject("o1", Owner), ActiveOwners: 2}, true, 0},
		// Rule 4 still holds.
		{"owner key cannot delete last owner", Request{Actor: ownerKey, Action: DeleteAgent, Target: subject("o1", Owner), ActiveOwners: 1}, false, 4},
		// Rule 1 still holds.
		{"read key cannot invite", Request{Actor: readKey, Action: CreateAgent, Role: role(Agent)}, false, 1},
		{"read key cannot delete", Request{Actor: readKey, Action: DeleteAgent, Target: subject("a3", Agent)}, false, 3},
		// Rule 5 is left to the account: a key has no agent id to compare.
		{"key with empty id is never self", Request{Actor: ownerKey, Action: DeleteAgent, Target: &Subject{ID: "", Role: MustBuiltin(Agent)}}, true, 0},
	}
	for _, tt := range tests {
		d := Decide(tt.req)
		if d.Allowed != tt.allow || d.Rule != tt.rule {
			t.Errorf("%s: got allowed=%v rule=%d (%s), want allowed=%v rule=%d", tt.name, d.Allowed, d.Rule, d.Reason, tt.allow, tt.rule)
		}
	}
	// The same admin-level permissions as an agent (not a key) are compared in full.
	asAgent := Subject{ID: "x", Role: Role{Name: "limited", Base: Admin, Permissions: adminKey.Role.Permissions}}
	if d := Decide(Request{Actor: asAgent, Action: DeleteAgent, Target: subject("a1", Admin), ActiveOwners: 1}); d.Allowed {
		t.Errorf("an agent with only the expressible permissions reached an admin: %+v", d)
	}
}
