package rbac_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/ladmin/ladmin/internal/rbac"
)

// specCatalog is the permission table of spec/rbac.md, copied out by hand:
// name, meaning, and the ✓ marks of the agent, admin and owner columns.
// The other tests build their independent picture of the built-in roles from
// this table, never from the package.
var specCatalog = []struct {
	name, meaning       string
	agent, admin, owner bool
}{
	{"tickets.own", "work tickets, chats, calls and messages assigned to you or your departments", true, true, true},
	{"tickets.all", "access every ticket", false, true, true},
	{"knowledgebase.manage", "write and edit knowledge-base articles", true, true, true},
	{"reports.own", "see your own work report", true, true, true},
	{"reports.all", "see in-depth reports for every agent and the account", false, true, true},
	{"profile.own", "edit your own profile (name, nickname, gender, password, two-factor, notifications, signature)", true, true, true},
	{"agents.read", "list and view agents", true, true, true},
	{"agents.invite", "create (invite) agents", false, true, true},
	{"agents.manage", "edit and delete other agents, restore deleted ones", false, true, true},
	{"agents.roles", "change an agent's role", false, true, true},
	{"agents.passwords", "reset other agents' passwords", false, true, true},
	{"departments.assign", "assign agents to departments", false, true, true},
	{"roles.manage", "create, edit and delete custom roles", false, true, true},
	{"settings.language", "set the system language", false, true, true},
	{"settings.tickets", "ticket filters and ticket fields", false, true, true},
	{"settings.plugins", "install plugins", false, true, true},
	{"security.bans", "banned IPs and ban history", false, true, true},
	{"automation.tags", "automation through tags", false, true, true},
	{"automation.rules", "rules, SLAs and time rules", false, true, true},
	{"responses.manage", "canned messages and predefined answers per department", false, true, true},
	{"apikeys.read", "see every agent's API keys (anyone may see their own)", false, true, true},
	{"apikeys.manage", "revoke any agent's API keys (anyone may revoke their own)", false, true, true},
	{"billing.manage", "subscription plan, payments, invoices", false, false, true},
}

// specBuiltin lists, in catalog order, the permissions spec/rbac.md ticks for a built-in role.
func specBuiltin(role string) []string {
	var names []string
	for _, p := range specCatalog {
		if (role == "agent" && p.agent) || (role == "admin" && p.admin) || (role == "owner" && p.owner) {
			names = append(names, p.name)
		}
	}
	return names
}

func TestCatalogMatchesSpec(t *testing.T) {
	got := rbac.Catalog()
	if len(got) != 23 || len(specCatalog) != 23 {
		t.Fatalf("catalog has %d permissions, spec table %d; spec/rbac.md lists 23", len(got), len(specCatalog))
	}
	for i, p := range specCatalog {
		if got[i].Name != p.name {
			t.Errorf("catalog[%d] = %q, spec has %q there", i, got[i].Name, p.name)
		}
		if got[i].Description != p.meaning {
			t.Errorf("catalog[%d] (%s) description = %q, spec says %q", i, p.name, got[i].Description, p.meaning)
		}
		if !rbac.IsPermission(p.name) {
			t.Errorf("IsPermission(%q) = false", p.name)
		}
	}
	names := rbac.PermissionNames()
	for i, p := range specCatalog {
		if names[i] != p.name {
			t.Errorf("PermissionNames()[%d] = %q, want %q", i, names[i], p.name)
		}
	}
	for _, bad := range []string{"", "billing", "Tickets.own", "tickets.own ", "agents.*", "owner"} {
		if rbac.IsPermission(bad) {
			t.Errorf("IsPermission(%q) = true", bad)
		}
	}
	// The exported constants are the wire names.
	consts := []string{rbac.TicketsOwn, rbac.TicketsAll, rbac.KnowledgebaseManage, rbac.ReportsOwn,
		rbac.ReportsAll, rbac.ProfileOwn, rbac.AgentsRead, rbac.AgentsInvite, rbac.AgentsManage,
		rbac.AgentsRoles, rbac.AgentsPasswords, rbac.DepartmentsAssign, rbac.RolesManage,
		rbac.SettingsLanguage, rbac.SettingsTickets, rbac.SettingsPlugins, rbac.SecurityBans,
		rbac.AutomationTags, rbac.AutomationRules, rbac.ResponsesManage, rbac.APIKeysRead, rbac.APIKeysManage,
		rbac.BillingManage}
	for i, c := range consts {
		if c != specCatalog[i].name {
			t.Errorf("constant #%d = %q, want %q", i, c, specCatalog[i].name)
		}
	}
}

func TestCatalogIsACopy(t *testing.T) {
	c := rbac.Catalog()
	c[0].Name = "mangled"
	if rbac.Catalog()[0].Name != "tickets.own" {
		t.Fatal("Catalog() exposes the package's own slice")
	}
	n := rbac.PermissionNames()
	n[0] = "mangled"
	if rbac.PermissionNames()[0] != "tickets.own" {
		t.Fatal("PermissionNames() exposes shared state")
	}
}

func TestBuiltinsMatchSpec(t *testing.T) {
	if got, want := rbac.BuiltinNames(), []string{"owner", "admin", "agent"}; !reflect.DeepEqual(got, want) {
		t.Errorf("BuiltinNames() = %v, want %v", got, want)
	}
	for _, name := range []string{"owner", "admin", "agent"} {
		r, ok := rbac.Builtin(name)
		if !ok {
			t.Fatalf("Builtin(%q) not found", name)
		}
		if r.ID != name || r.Name != name || r.Base != name || !r.Builtin {
			t.Errorf("Builtin(%q) = %+v: want id, name and base %q and Builtin", name, r, name)
		}
		if got, want := r.Permissions.Names(), specBuiltin(name); !reflect.DeepEqual(got, want) {
			t.Errorf("%s permissions:\n got  %v\n want %v (spec table)", name, got, want)
		}
		for _, p := range specCatalog {
			want := (name == "agent" && p.agent) || (name == "admin" && p.admin) || (name == "owner" && p.owner)
			if r.Has(p.name) != want {
				t.Errorf("%s.Has(%s) = %v, spec says %v", name, p.name, r.Has(p.name), want)
			}
		}
		if r.Label() != name {
			t.Errorf("Builtin(%q).Label() = %q", name, r.Label())
		}
		if !rbac.IsBuiltin(name) {
			t.Errorf("IsBuiltin(%q) = false", name)
		}
		if rbac.MustBuiltin(name).Permissions != r.Permissions {
			t.Errorf("MustBuiltin(%q) differs from Builtin", name)
		}
	}
	for _, bad := range []string{"", "Owner", "support-lead", "admn"} {
		if _, ok := rbac.Builtin(bad); ok || rbac.IsBuiltin(bad) {
			t.Errorf("%q reported as a built-in role", bad)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustBuiltin(\"boss\") did not panic")
			}
		}()
		rbac.MustBuiltin("boss")
	}()

	owner, admin, agent := rbac.MustBuiltin("owner"), rbac.MustBuiltin("admin"), rbac.MustBuiltin("agent")
	if !owner.Permissions.Covers(admin.Permissions) || !admin.Permissions.Covers(agent.Permissions) {
		t.Error("built-ins are not nested owner ⊇ admin ⊇ agent")
	}
	if got := owner.Permissions.Missing(admin.Permissions); len(got) != 0 {
		t.Errorf("owner misses %v of admin", got)
	}
	if got := admin.Permissions.Missing(owner.Permissions); !reflect.DeepEqual(got, []string{"billing.manage"}) {
		t.Errorf("admin misses %v of owner, spec says only billing.manage", got)
	}
	if !owner.IsOwner() || admin.IsOwner() || agent.IsOwner() {
		t.Error("IsOwner: only the owner built-in is an owner")
	}
}

func TestRoleIsOwnerAndLabel(t *testing.T) {
	owner := rbac.MustBuiltin("owner")
	cases := []struct {
		role    rbac.Role
		isOwner bool
		label   string
	}{
		{rbac.Role{ID: "r1", Name: "billing-clerk", Base: "owner", Permissions: owner.Permissions.Without("agents.invite", "agents.manage", "agents.roles")}, true, "billing-clerk (custom, based on owner)"},
		{rbac.Role{ID: "r2", Name: "owner-lite", Base: "owner", Permissions: owner.Permissions.Without("billing.manage")}, false, "owner-lite (custom, based on owner)"},
		{rbac.Role{ID: "r3", Name: "finance-admin", Base: "admin", Permissions: owner.Permissions}, false, "finance-admin (custom, based on admin)"},
		{rbac.Role{ID: "r4", Name: "support-lead", Base: "agent", Permissions: rbac.MustBuiltin("agent").Permissions.With("reports.all")}, false, "support-lead (custom, based on agent)"},
		{rbac.Role{Base: "admin"}, false, "admin"},
	}
	for _, c := range cases {
		if got := c.role.IsOwner(); got != c.isOwner {
			t.Errorf("%s: IsOwner() = %v, want %v", c.label, got, c.isOwner)
		}
		if got := c.role.Label(); got != c.label {
			t.Errorf("Label() = %q, want %q", got, c.label)
		}
	}
}

func TestSetOperations(t *testing.T) {
	s, unknown := rbac.NewSet("billing.manage", "nope", "tickets.own", "agents.invte", "tickets.own")
	if !reflect.DeepEqual(unknown, []string{"nope", "agents.invte"}) {
		t.Errorf("NewSet unknown = %v, want [nope agents.invte] in input order", unknown)
	}
	if got := s.Names(); !reflect.DeepEqual(got, []string{"tickets.own", "billing.manage"}) {
		t.Errorf("Names() = %v, want catalog order [tickets.own billing.manage]", got)
	}
	if s.Len() != 2 {
		t.Errorf("Len() = %d, want 2 (duplicates count once)", s.Len())
	}
	if !s.Has("billing.manage") || s.Has("tickets.all") || s.Has("nope") {
		t.Error("Has is wrong")
	}

	empty, unknown := rbac.NewSet()
	if empty != 0 || unknown != nil {
		t.Errorf("NewSet() = %v, %v", empty, unknown)
	}
	if n := empty.Names(); n == nil || len(n) != 0 {
		t.Errorf("empty Names() = %#v, want a non-nil empty slice", n)
	}
	if m := empty.Missing(empty); m == nil || len(m) != 0 {
		t.Errorf("Missing of nothing = %#v, want a non-nil empty slice", m)
	}

	all, unknown := rbac.NewSet(rbac.PermissionNames()...)
	if len(unknown) != 0 || all.Len() != 23 || !reflect.DeepEqual(all.Names(), rbac.PermissionNames()) {
		t.Errorf("full set: len %d, unknown %v", all.Len(), unknown)
	}
	if all != rbac.MustBuiltin("owner").Permissions {
		t.Error("the owner holds the whole catalog")
	}

	a := rbac.MustSet("tickets.own", "reports.own")
	b := rbac.MustSet("tickets.own", "reports.own", "reports.all", "billing.manage")
	if !b.Covers(a) || a.Covers(b) || !a.Covers(a) || !a.Covers(empty) || empty.Covers(a) || !empty.Covers(empty) {
		t.Error("Covers is wrong")
	}
	if got := a.Missing(b); !reflect.DeepEqual(got, []string{"reports.all", "billing.manage"}) {
		t.Errorf("Missing = %v, want [reports.all billing.manage]", got)
	}
	if got := b.Missing(a); len(got) != 0 {
		t.Errorf("Missing = %v, want none", got)
	}

	w := a.With("billing.manage", "tickets.own")
	if !reflect.DeepEqual(w.Names(), []string{"tickets.own", "reports.own", "billing.manage"}) {
		t.Errorf("With = %v", w.Names())
	}
	if a.Names()[0] != "tickets.own" || a.Len() != 2 {
		t.Error("With changed its receiver")
	}
	wo := b.Without("reports.all", "agents.read")
	if !reflect.DeepEqual(wo.Names(), []string{"tickets.own", "reports.own", "billing.manage"}) {
		t.Errorf("Without = %v", wo.Names())
	}
	if a.With() != a || a.Without() != a {
		t.Error("With()/Without() with no names must not change the set")
	}

	for name, f := range map[string]func(){
		"MustSet":  func() { rbac.MustSet("tickets.own", "tickets.mine") },
		"With":     func() { a.With("bogus") },
		"Without":  func() { a.Without("bogus") },
		"MustSet2": func() { rbac.MustSet("") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with an unknown name did not panic", name)
				}
			}()
			f()
		}()
	}
}

// Every subset of a small slice of the catalog: Names round-trips through NewSet,
// and Covers / Missing agree with a plain subset check.
func TestSetAlgebraExhaustive(t *testing.T) {
	pick := []string{"tickets.own", "agents.invite", "agents.manage", "roles.manage", "billing.manage"}
	sets := make([]rbac.Set, 0, 32)
	lists := make([][]string, 0, 32)
	for mask := 0; mask < 1<<len(pick); mask++ {
		var names []string
		for i, p := range pick {
			if mask&(1<<i) != 0 {
				names = append(names, p)
			}
		}
		s := rbac.MustSet(names...)
		if got := s.Names(); !slices.Equal(got, names) && !(len(got) == 0 && len(names) == 0) {
			t.Fatalf("Names() = %v, want %v", got, names)
		}
		sets, lists = append(sets, s), append(lists, names)
	}
	for i, a := range sets {
		for j, b := range sets {
			var missing []string
			for _, p := range lists[j] {
				if !slices.Contains(lists[i], p) {
					missing = append(missing, p)
				}
			}
			if got := a.Covers(b); got != (len(missing) == 0) {
				t.Errorf("%v.Covers(%v) = %v", lists[i], lists[j], got)
			}
			if got := a.Missing(b); !slices.Equal(got, missing) && !(len(got) == 0 && len(missing) == 0) {
				t.Errorf("%v.Missing(%v) = %v, want %v", lists[i], lists[j], got, missing)
			}
		}
	}
}

func TestSuggest(t *testing.T) {
	roles := rbac.BuiltinNames()
	perms := rbac.PermissionNames()
	cases := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"admn", roles, "admin"},
		{"ADMIN", roles, "admin"},
		{"onwer", roles, "owner"},
		{"agnet", roles, "agent"},
		{"owner", roles, "owner"},
		{"agents.invte", perms, "agents.invite"},
		{"agent.invite", perms, "agents.invite"},
		{"billing.mange", perms, "billing.manage"},
		{"tickets.al", perms, "tickets.all"},
		{"Reports.All", perms, "reports.all"},
		{"superuser", roles, ""},
		{"xyz", roles, ""},
		{"kubernetes.cluster", perms, ""},
		{"refund-everyone", perms, ""},
		{"admin", nil, ""},
		{"", nil, ""},
	}
	for _, c := range cases {
		if got := rbac.Suggest(c.name, c.candidates); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	// The same input and candidates in any order give the same answer (ties break by name).
	if a, b := rbac.Suggest("agentx", []string{"agents", "agenty"}), rbac.Suggest("agentx", []string{"agenty", "agents"}); a != b || a != "agents" {
		t.Errorf("tie-break depends on order: %q vs %q", a, b)
	}
}

func FuzzSuggest(f *testing.F) {
	for _, s := range []string{"admn", "agents.invte", "", "ö", "billing.manage", "ownerownerowner", "\xff"} {
		f.Add(s)
	}
	cands := append(rbac.BuiltinNames(), rbac.PermissionNames()...)
	f.Fuzz(func(t *testing.T, name string) {
		got := rbac.Suggest(name, cands)
		if got != "" && !slices.Contains(cands, got) {
			t.Fatalf("Suggest(%q) = %q, not a candidate", name, got)
		}
		for _, c := range cands {
			if c == name && got != c {
				t.Fatalf("Suggest(%q) = %q, want the exact match", name, got)
			}
		}
		// Whatever Suggest proposes must be a proposal for a typo, so it must
		// suggest the same thing back for its own answer.
		if got != "" && rbac.Suggest(got, cands) != got {
			t.Fatalf("Suggest(%q) = %q but Suggest(%q) = %q", name, got, got, rbac.Suggest(got, cands))
		}
	})
}
