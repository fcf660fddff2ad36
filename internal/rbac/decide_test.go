package rbac_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/rbac"
)

// updateFieldSets are the UpdateAgent bodies tried: each profile field alone,
// non-profile fields, the three forbidden ones, a mix, and none (departments only).
var updateFieldSets = [][]string{
	{"name"}, {"gender"}, {"avatar_url"}, {"twofactor_auth"},
	{"email"}, {"sip_phone_id"},
	{"role"}, {"role_id"}, {"status"},
	{"name", "email"}, {"name", "gender"},
	{},
}

func ptr[T any](v T) *T { return &v }

// asDefinition turns a role into the definition of a custom role with the given id.
func asDefinition(r tRole, id string) *tRole {
	return &tRole{id: id, name: "new-" + r.name, base: r.base, perms: r.perms}
}

// allCases is the cross product: every actor role × action × target role
// (and self) × role given, built-in and custom, each with and without another owner.
func allCases() []tcase {
	var cs []tcase
	for _, a := range allRoles {
		cs = append(cs, tcase{action: rbac.ReadAgents, actor: a})
		for _, r := range allRoles {
			for _, d := range []bool{false, true} {
				cs = append(cs, tcase{action: rbac.CreateAgent, actor: a, role: ptr(r), depts: d})
			}
			cs = append(cs, tcase{action: rbac.CreateRole, actor: a, role: asDefinition(r, "r-new")})
		}
		for extra := 0; extra <= 1; extra++ {
			// Targets: every role held by someone else, and the actor itself.
			targets := []struct {
				self bool
				t    *tRole
			}{{self: true}}
			for _, t := range allRoles {
				targets = append(targets, struct {
					self bool
					t    *tRole
				}{t: ptr(t)})
			}
			for _, tg := range targets {
				base := tcase{actor: a, self: tg.self, target: tg.t, extraOwners: extra}
				for _, fs := range updateFieldSets {
					for _, d := range []bool{false, true} {
						c := base
						c.action, c.fields, c.depts = rbac.UpdateAgent, fs, d
						cs = append(cs, c)
					}
				}
				c := base
				c.action = rbac.DeleteAgent
				cs = append(cs, c)
				if !tg.self { // a deleted agent cannot restore itself
					c.action = rbac.RestoreAgent
					cs = append(cs, c)
				}
				for _, r := range allRoles {
					c := base
					c.action, c.role = rbac.SetRole, ptr(r)
					cs = append(cs, c)
				}
			}
			// Role changes: every role (built-ins included) as the one changed,
			// held or not by another agent (and by the actor when it is the actor's).
			for _, old := range allRoles {
				for _, holder := range []bool{false, true} {
					base := tcase{actor: a, old: ptr(old), holder: holder, extraOwners: extra}
					for _, def := range allRoles {
						c := base
						c.action, c.role = rbac.UpdateRole, asDefinition(def, old.id)
						cs = append(cs, c)
					}
					c := base
					c.action = rbac.DeleteRole
					cs = append(cs, c)
					for _, re := range allRoles {
						if re.id == old.id {
							continue
						}
						c := base
						c.action, c.role = rbac.DeleteRole, ptr(re)
						cs = append(cs, c)
					}
				}
			}
		}
	}
	return cs
}

func TestDecideCrossProduct(t *testing.T) {
	cases := allCases()
	allowed, denied := map[rbac.Action]int{}, map[rbac.Action]int{}
	byRule := map[int]int{}
	failures := 0
	for _, c := range cases {
		d := rbac.Decide(c.request())
		if msg := checkDecision(d, want(c)); msg != "" {
			failures++
			if failures <= 40 {
				t.Errorf("%v: %s", c, msg)
			}
			continue
		}
		if d.Allowed {
			allowed[c.action]++
		} else {
			denied[c.action]++
			byRule[d.Rule]++
		}
	}
	if failures > 40 {
		t.Errorf("... and %d more failures", failures-40)
	}
	t.Logf("%d cases; by rule: %v", len(cases), byRule)
	for a := rbac.ReadAgents; a <= rbac.DeleteRole; a++ {
		t.Logf("  %-22s allowed %5d  denied %5d", a, allowed[a], denied[a])
		if failures == 0 && (allowed[a] == 0 || denied[a] == 0) {
			t.Errorf("%s: the cross product never allows or never denies it", a)
		}
	}
	if failures == 0 {
		for rule := 0; rule <= 7; rule++ {
			if byRule[rule] == 0 {
				t.Errorf("no case is denied by rule %d", rule)
			}
		}
	}
}

// TestDecideOracleHasTeeth makes sure the cross product would notice a package
// that allowed everything or denied everything, i.e. that the oracle is not vacuous.
func TestDecideOracleHasTeeth(t *testing.T) {
	var allowAll, denyAll int
	for _, c := range allCases() {
		v := want(c)
		if checkDecision(rbac.Decision{Allowed: true}, v) != "" {
			allowAll++
		}
		if checkDecision(rbac.Decision{Rule: 1, Reason: "no"}, v) != "" {
			denyAll++
		}
	}
	if allowAll == 0 || denyAll == 0 {
		t.Fatalf("oracle does not separate: allow-all fails %d cases, deny-all fails %d", allowAll, denyAll)
	}
}

// named is one of the cases spec/rbac.md names, written out by hand.
type named struct {
	name    string
	c       tcase
	allowed bool
	rule    int
	reason  []string // substrings the reason must contain
}

func namedCases() []named {
	deny := func(name string, c tcase, rule int, reason ...string) named {
		return named{name: name, c: c, rule: rule, reason: reason}
	}
	allow := func(name string, c tcase) named { return named{name: name, c: c, allowed: true} }
	role := ptr[tRole]
	// A custom role based on owner that is exactly the owner set: what the last
	// owners may hold when the test edits "their role".
	tCoOwner := tRole{id: "r-co-owner", name: "co-owner", base: "owner", perms: permsOf("owner")}

	return []named{
		// Reading.
		allow("agent reads agents", tcase{action: rbac.ReadAgents, actor: tAgent}),
		deny("a role without agents.read cannot read agents", tcase{action: rbac.ReadAgents, actor: tHollow}, 0, "cannot list or view agents", "hollow (custom, based on agent)"),

		// Rule 1.
		deny("agent cannot invite", tcase{action: rbac.CreateAgent, actor: tAgent, role: role(tAgent)}, 1,
			"only owners and admins can invite agents (your role: agent)"),
		deny("support-lead cannot invite", tcase{action: rbac.CreateAgent, actor: tSupportLead, role: role(tAgent)}, 1,
			"only owners and admins can invite agents (your role: support-lead (custom, based on agent))"),
		deny("billing-clerk (an owner without agents.invite) cannot invite", tcase{action: rbac.CreateAgent, actor: tBillingClerk, role: role(tAgent)}, 1,
			"only owners and admins can invite agents"),
		allow("admin invites an agent", tcase{action: rbac.CreateAgent, actor: tAdmin, role: role(tAgent)}),
		allow("admin invites an admin", tcase{action: rbac.CreateAgent, actor: tAdmin, role: role(tAdmin)}),
		allow("admin invites an agent into departments", tcase{action: rbac.CreateAgent, actor: tAdmin, role: role(tAgent), depts: true}),
		deny("manager-lite cannot invite", tcase{action: rbac.CreateAgent, actor: tManagerLite, role: role(tAgent)}, 1, "only owners and admins can invite agents"),

		// Rule 2.
		deny("admin cannot create an owner", tcase{action: rbac.CreateAgent, actor: tAdmin, role: role(tOwner)}, 2,
			"you cannot give the role owner", "billing.manage", "your role (admin)"),
		allow("owner creates an owner", tcase{action: rbac.CreateAgent, actor: tOwner, role: role(tOwner)}),
		deny("admin cannot create a billing-clerk", tcase{action: rbac.CreateAgent, actor: tAdmin, role: role(tBillingClerk)}, 2, "billing.manage"),
		deny("admin cannot create a finance-admin", tcase{action: rbac.CreateAgent, actor: tAdmin, role: role(tFinanceAdmin)}, 2, "finance-admin (custom, based on admin)", "billing.manage"),
		allow("owner creates a finance-admin", tcase{action: rbac.CreateAgent, actor: tOwner, role: role(tFinanceAdmin)}),
		deny("admin cannot promote an agent to owner", tcase{action: rbac.SetRole, actor: tAdmin, target: role(tAgent), role: role(tOwner), extraOwners: 1}, 2, "billing.manage"),
		deny("only an owner assigns a role with billing.manage", tcase{action: rbac.SetRole, actor: tAdmin, target: role(tAgent), role: role(tFinanceAdmin), extraOwners: 1}, 2, "billing.manage"),
		deny("ops (= admin) cannot assign billing-clerk", tcase{action: rbac.SetRole, actor: tOps, target: role(tAgent), role: role(tBillingClerk), extraOwners: 1}, 2, "billing.manage"),
		allow("owner assigns billing-clerk", tcase{action: rbac.SetRole, actor: tOwner, target: role(tAgent), role: role(tBillingClerk)}),
		allow("owner promotes an admin to owner", tcase{action: rbac.SetRole, actor: tOwner, target: role(tAdmin), role: role(tOwner)}),
		allow("admin gives support-lead", tcase{action: rbac.SetRole, actor: tAdmin, target: role(tAgent), role: role(tSupportLead), extraOwners: 1}),
		allow("admin makes an agent an admin", tcase{action: rbac.SetRole, actor: tAdmin, target: role(tAgent), role: role(tAdmin), extraOwners: 1}),
		deny("admin cannot restore an owner", tcase{action: rbac.RestoreAgent, actor: tAdmin, target: role(tOwner), extraOwners: 1}, 2, "billing.manage"),
		allow("owner restores an owner", tcase{action: rbac.RestoreAgent, actor: tOwner, target: role(tOwner)}),
		allow("admin restores an agent", tcase{action: rbac.RestoreAgent, actor: tAdmin, target: role(tAgent), extraOwners: 1}),
		deny("agent cannot restore", tcase{action: rbac.RestoreAgent, actor: tAgent, target: role(tAgent), extraOwners: 1}, 3, "restore agents", "your role: agent"),

		// Rule 3.
		deny("admin cannot delete an owner", tcase{action: rbac.DeleteAgent, actor: tAdmin, target: role(tOwner), extraOwners: 1}, 3,
			"you cannot delete target@example.com (role owner)", "billing.manage"),
		deny("admin cannot demote an owner", tcase{action: rbac.SetRole, actor: tAdmin, target: role(tOwner), role: role(tAdmin), extraOwners: 1}, 3,
			"you cannot change the role of target@example.com (role owner)", "billing.manage"),
		deny("admin cannot edit an owner", tcase{action: rbac.UpdateAgent, actor: tAdmin, target: role(tOwner), fields: []string{"name"}, extraOwners: 1}, 3, "billing.manage"),
		deny("admin cannot delete a billing-clerk", tcase{action: rbac.DeleteAgent, actor: tAdmin, target: role(tBillingClerk), extraOwners: 1}, 3, "billing-clerk (custom, based on owner)"),
		allow("ops deletes an admin", tcase{action: rbac.DeleteAgent, actor: tOps, target: role(tAdmin), extraOwners: 1}),
		allow("admin deletes an ops", tcase{action: rbac.DeleteAgent, actor: tAdmin, target: role(tOps), extraOwners: 1}),
		allow("admin deletes a support-lead", tcase{action: rbac.DeleteAgent, actor: tAdmin, target: role(tSupportLead), extraOwners: 1}),
		allow("owner deletes another owner", tcase{action: rbac.DeleteAgent, actor: tOwner, target: role(tOwner)}),
		allow("finance-admin deletes an owner who is not the last", tcase{action: rbac.DeleteAgent, actor: tFinanceAdmin, target: role(tOwner), extraOwners: 1}),
		deny("agent cannot delete", tcase{action: rbac.DeleteAgent, actor: tAgent, target: role(tAgent), extraOwners: 1}, 3, "only owners and admins can delete agents (your role: agent)"),
		deny("support-lead cannot change roles", tcase{action: rbac.SetRole, actor: tSupportLead, target: role(tAgent), role: role(tAgent), extraOwners: 1}, 3, "change agents' roles"),
		deny("billing-clerk cannot change roles", tcase{action: rbac.SetRole, actor: tBillingClerk, target: role(tAgent), role: role(tAgent)}, 3, "change agents' roles"),
		allow("manager-lite sets the agent role", tcase{action: rbac.SetRole, actor: tManagerLite, target: role(tAgent), role: role(tAgent), extraOwners: 1}),
		deny("manager-lite cannot reach a support-lead (reports.all)", tcase{action: rbac.SetRole, actor: tManagerLite, target: role(tSupportLead), role: role(tAgent), extraOwners: 1}, 3, "reports.all"),
		deny("manager-lite cannot make support-lead (reports.all)", tcase{action: rbac.SetRole, actor: tManagerLite, target: role(tAgent), role: role(tSupportLead), extraOwners: 1}, 2, "reports.all"),
		deny("manager-lite cannot assign departments", tcase{action: rbac.UpdateAgent, actor: tManagerLite, target: role(tAgent), fields: []string{}, depts: true, extraOwners: 1}, 3, "departments.assign"),
		allow("admin assigns departments", tcase{action: rbac.UpdateAgent, actor: tAdmin, target: role(tAgent), fields: []string{}, depts: true, extraOwners: 1}),

		// Rule 4.
		deny("the last owner cannot be deleted", tcase{action: rbac.DeleteAgent, actor: tFinanceAdmin, target: role(tOwner)}, 4,
			"the account must keep an owner", "target@example.com is its last active owner"),
		deny("the last owner cannot be demoted to admin", tcase{action: rbac.SetRole, actor: tFinanceAdmin, target: role(tOwner), role: role(tAdmin)}, 4,
			"the account must keep an owner", "cannot be given the role admin"),
		deny("the last owner cannot be moved to finance-admin (based on admin)", tcase{action: rbac.SetRole, actor: tFinanceAdmin, target: role(tOwner), role: role(tFinanceAdmin)}, 4,
			"the account must keep an owner"),
		deny("the last owner cannot be moved to a custom role without billing.manage", tcase{action: rbac.SetRole, actor: tFinanceAdmin, target: role(tOwner), role: role(tOwnerLite)}, 4,
			"owner-lite (custom, based on owner)"),
		allow("the last owner may be moved to a custom owner role with billing.manage", tcase{action: rbac.SetRole, actor: tFinanceAdmin, target: role(tOwner), role: role(tBillingClerk)}),
		allow("an owner who is not the last may be demoted", tcase{action: rbac.SetRole, actor: tOwner, target: role(tOwner), role: role(tAgent)}),
		allow("an owner who is not the last may be deleted", tcase{action: rbac.DeleteAgent, actor: tFinanceAdmin, target: role(tBillingClerk), extraOwners: 1}),
		deny("the last owner (a billing-clerk) cannot be deleted", tcase{action: rbac.DeleteAgent, actor: tFinanceAdmin, target: role(tBillingClerk)}, 4, "last active owner"),
		allow("owner-lite is not an owner, so it is never the last one", tcase{action: rbac.DeleteAgent, actor: tFinanceAdmin, target: role(tOwnerLite)}),
		deny("removing billing.manage from the role of the last owners", tcase{action: rbac.UpdateRole, actor: tFinanceAdmin, old: role(tCoOwner), holder: true,
			role: &tRole{id: tCoOwner.id, name: "co-owner", base: "owner", perms: minus(permsOf("owner"), "billing.manage")}}, 4,
			"the account must keep an owner", "role co-owner is held by its last active owners"),
		deny("rebasing the role of the last owners on admin", tcase{action: rbac.UpdateRole, actor: tFinanceAdmin, old: role(tCoOwner), holder: true,
			role: &tRole{id: tCoOwner.id, name: "co-owner", base: "admin", perms: permsOf("owner")}}, 4, "the account must keep an owner"),
		allow("removing billing.manage from an owner role while another owner remains", tcase{action: rbac.UpdateRole, actor: tFinanceAdmin, old: role(tCoOwner), holder: true, extraOwners: 1,
			role: &tRole{id: tCoOwner.id, name: "co-owner", base: "owner", perms: minus(permsOf("owner"), "billing.manage")}}),
		allow("removing billing.manage from an owner role nobody holds", tcase{action: rbac.UpdateRole, actor: tFinanceAdmin, old: role(tCoOwner),
			role: &tRole{id: tCoOwner.id, name: "co-owner", base: "owner", perms: minus(permsOf("owner"), "billing.manage")}}),
		deny("deleting the role of the last owners, moving them to admin", tcase{action: rbac.DeleteRole, actor: tFinanceAdmin, old: role(tCoOwner), holder: true, role: role(tAdmin)}, 4,
			"the account must keep an owner"),
		allow("deleting the role of the last owners, moving them to owner", tcase{action: rbac.DeleteRole, actor: tFinanceAdmin, old: role(tCoOwner), holder: true, role: role(tOwner)}),

		// Rule 5.
		deny("owner cannot delete itself", tcase{action: rbac.DeleteAgent, actor: tOwner, self: true, extraOwners: 1}, 5, "you cannot delete your own account"),
		deny("admin cannot delete itself", tcase{action: rbac.DeleteAgent, actor: tAdmin, self: true, extraOwners: 1}, 5, "you cannot delete your own account"),
		deny("agent cannot delete itself", tcase{action: rbac.DeleteAgent, actor: tAgent, self: true, extraOwners: 1}, 5, "you cannot delete your own account"),
		deny("owner cannot change its own role", tcase{action: rbac.SetRole, actor: tOwner, self: true, role: role(tAdmin), extraOwners: 1}, 5, "you cannot change your own role"),
		deny("owner cannot re-give itself owner", tcase{action: rbac.SetRole, actor: tOwner, self: true, role: role(tOwner), extraOwners: 1}, 5, "you cannot change your own role"),
		deny("admin cannot change its own role", tcase{action: rbac.SetRole, actor: tAdmin, self: true, role: role(tAgent), extraOwners: 1}, 5, "you cannot change your own role"),
		deny("nobody edits the role they hold", tcase{action: rbac.UpdateRole, actor: tOps, old: role(tOps), role: asDefinition(tAdmin, tOps.id), extraOwners: 1}, 5, "the role you hold yourself"),
		deny("nobody deletes the role they hold", tcase{action: rbac.DeleteRole, actor: tOps, old: role(tOps), role: role(tAdmin), extraOwners: 1}, 5, "the role you hold yourself"),

		// Rule 6.
		allow("agent edits its own name", tcase{action: rbac.UpdateAgent, actor: tAgent, self: true, fields: []string{"name"}, extraOwners: 1}),
		allow("agent edits its own gender and name", tcase{action: rbac.UpdateAgent, actor: tAgent, self: true, fields: []string{"name", "gender"}, extraOwners: 1}),
		allow("agent turns on its own two-factor", tcase{action: rbac.UpdateAgent, actor: tAgent, self: true, fields: []string{"twofactor_auth"}, extraOwners: 1}),
		deny("agent cannot change its own email", tcase{action: rbac.UpdateAgent, actor: tAgent, self: true, fields: []string{"name", "email"}, extraOwners: 1}, 6, "only your own profile fields", "not email"),
		deny("agent cannot change its own role", tcase{action: rbac.UpdateAgent, actor: tAgent, self: true, fields: []string{"role"}, extraOwners: 1}, 6, "role cannot be changed by an update"),
		deny("agent cannot change its own role_id", tcase{action: rbac.UpdateAgent, actor: tAgent, self: true, fields: []string{"role_id"}, extraOwners: 1}, 6, "role cannot be changed by an update"),
		deny("agent cannot change its own status", tcase{action: rbac.UpdateAgent, actor: tAgent, self: true, fields: []string{"status"}, extraOwners: 1}, 6, "status cannot be changed by an update"),
		deny("agent cannot assign itself departments", tcase{action: rbac.UpdateAgent, actor: tAgent, self: true, fields: []string{}, depts: true, extraOwners: 1}, 3, "departments.assign"),
		deny("agent cannot edit another agent", tcase{action: rbac.UpdateAgent, actor: tAgent, target: role(tAgent), fields: []string{"name"}, extraOwners: 1}, 3, "only owners and admins can edit other agents (your role: agent)"),
		deny("a role without profile.own cannot edit itself", tcase{action: rbac.UpdateAgent, actor: tHollow, self: true, fields: []string{"name"}, extraOwners: 1}, 6, "cannot edit its own profile"),
		deny("even an owner changes roles with set-role, not an update", tcase{action: rbac.UpdateAgent, actor: tOwner, target: role(tAgent), fields: []string{"role"}}, 6, "use set-role"),
		allow("admin edits another agent's email", tcase{action: rbac.UpdateAgent, actor: tAdmin, target: role(tAgent), fields: []string{"email"}, extraOwners: 1}),
		allow("admin edits its own email", tcase{action: rbac.UpdateAgent, actor: tAdmin, self: true, fields: []string{"email"}, extraOwners: 1}),

		// Rule 7.
		deny("admin cannot define a role holding billing.manage", tcase{action: rbac.CreateRole, actor: tAdmin, role: asDefinition(tFinanceAdmin, "r-new")}, 7,
			"you cannot define a role holding billing.manage, which your role (admin) does not"),
		deny("admin cannot add billing.manage to a role", tcase{action: rbac.UpdateRole, actor: tAdmin, old: role(tSupportLead), holder: true,
			role: &tRole{id: tSupportLead.id, name: "support-lead", base: "agent", perms: plus(tSupportLead.perms, "billing.manage")}, extraOwners: 1}, 7, "billing.manage"),
		allow("owner defines finance-admin", tcase{action: rbac.CreateRole, actor: tOwner, role: asDefinition(tFinanceAdmin, "r-new")}),
		allow("admin defines support-lead", tcase{action: rbac.CreateRole, actor: tAdmin, role: asDefinition(tSupportLead, "r-new")}),
		allow("billing-clerk defines a role holding billing.manage", tcase{action: rbac.CreateRole, actor: tBillingClerk, role: asDefinition(tBillingClerk, "r-new")}),
		deny("billing-clerk cannot define a role with agents.manage", tcase{action: rbac.CreateRole, actor: tBillingClerk, role: asDefinition(tFinanceAdmin, "r-new")}, 7, "agents.invite, agents.manage, agents.roles"),
		deny("agent cannot define roles", tcase{action: rbac.CreateRole, actor: tAgent, role: asDefinition(tAgent, "r-new")}, 7,
			"only owners and admins can manage custom roles (your role: agent)"),
		deny("built-in roles cannot be edited", tcase{action: rbac.UpdateRole, actor: tOwner, old: role(tAgent), role: asDefinition(tSupportLead, "agent"), extraOwners: 1}, 7,
			"the built-in role agent cannot be changed or deleted"),
		deny("built-in roles cannot be deleted", tcase{action: rbac.DeleteRole, actor: tOwner, old: role(tAdmin), role: role(tAgent), extraOwners: 1}, 7,
			"the built-in role admin cannot be changed or deleted"),
		deny("admin cannot edit a role above it", tcase{action: rbac.UpdateRole, actor: tAdmin, old: role(tBillingClerk), role: asDefinition(tAgent, tBillingClerk.id), extraOwners: 1}, 7,
			"you cannot change the role billing-clerk: it holds billing.manage"),
		deny("admin cannot delete a role above it", tcase{action: rbac.DeleteRole, actor: tAdmin, old: role(tFinanceAdmin), extraOwners: 1}, 7, "billing.manage"),
		allow("admin edits support-lead", tcase{action: rbac.UpdateRole, actor: tAdmin, old: role(tSupportLead), holder: true, role: asDefinition(tAgent, tSupportLead.id), extraOwners: 1}),
		allow("admin deletes support-lead without reassignment (409 is the server's if it is in use)", tcase{action: rbac.DeleteRole, actor: tAdmin, old: role(tSupportLead), extraOwners: 1}),
		allow("admin deletes support-lead, moving its holders to agent", tcase{action: rbac.DeleteRole, actor: tAdmin, old: role(tSupportLead), holder: true, role: role(tAgent), extraOwners: 1}),
		deny("admin cannot reassign holders to owner", tcase{action: rbac.DeleteRole, actor: tAdmin, old: role(tSupportLead), holder: true, role: role(tOwner), extraOwners: 1}, 2, "billing.manage"),
	}
}

func TestDecideNamedCases(t *testing.T) {
	for _, n := range namedCases() {
		t.Run(n.name, func(t *testing.T) {
			d := rbac.Decide(n.c.request())
			if d.Allowed != n.allowed {
				t.Fatalf("%v: Allowed = %v (rule %d, %q), want %v", n.c, d.Allowed, d.Rule, d.Reason, n.allowed)
			}
			if !n.allowed {
				if d.Rule != n.rule {
					t.Errorf("rule = %d, want %d (reason %q)", d.Rule, n.rule, d.Reason)
				}
				for _, s := range n.reason {
					if !strings.Contains(d.Reason, s) {
						t.Errorf("reason %q does not contain %q", d.Reason, s)
					}
				}
			}
			// The hand-written expectation and the oracle must agree too.
			if msg := checkDecision(d, want(n.c)); msg != "" {
				t.Errorf("oracle disagrees: %s", msg)
			}
		})
	}
}

// TestDecideIsSelfByID: "self" is the same agent id, not the same role.
func TestDecideIsSelfByID(t *testing.T) {
	owner := rbac.MustBuiltin("owner")
	a := rbac.Subject{ID: "1", Email: "a@example.com", Role: owner}
	b := rbac.Subject{ID: "2", Email: "b@example.com", Role: owner}
	if d := rbac.Decide(rbac.Request{Actor: a, Action: rbac.DeleteAgent, Target: &b, ActiveOwners: 2}); !d.Allowed {
		t.Errorf("owner deleting another owner: %+v", d)
	}
	if d := rbac.Decide(rbac.Request{Actor: a, Action: rbac.DeleteAgent, Target: &a, ActiveOwners: 2}); d.Allowed || d.Rule != 5 {
		t.Errorf("owner deleting itself: %+v", d)
	}
	// The reason names the target by email, or by id when it has none.
	b.Email = ""
	d := rbac.Decide(rbac.Request{Actor: rbac.Subject{ID: "3", Role: rbac.MustBuiltin("admin")}, Action: rbac.DeleteAgent, Target: &b, ActiveOwners: 2})
	if d.Allowed || !strings.Contains(d.Reason, "you cannot delete 2 (role owner)") {
		t.Errorf("reason %q should name the target by id", d.Reason)
	}
}

func TestDecideUnknownAction(t *testing.T) {
	d := rbac.Decide(rbac.Request{Actor: rbac.Subject{Role: rbac.MustBuiltin("owner")}, Action: rbac.Action(99)})
	if d.Allowed || d.Reason == "" {
		t.Errorf("unknown action: %+v", d)
	}
	if got := rbac.Action(99).String(); got != "action(99)" {
		t.Errorf("String() = %q", got)
	}
	for a := rbac.ReadAgents; a <= rbac.DeleteRole; a++ {
		if s := a.String(); s == "" || strings.HasPrefix(s, "action(") {
			t.Errorf("action %d has no verb: %q", int(a), s)
		}
	}
}

// TestDecideMissingInputsPanic: a request without what its action needs is a
// programming error of the caller, not a decision.
func TestDecideMissingInputsPanic(t *testing.T) {
	owner := rbac.Subject{ID: "1", Role: rbac.MustBuiltin("owner")}
	other := &rbac.Subject{ID: "2", Role: rbac.MustBuiltin("agent")}
	for _, req := range []rbac.Request{
		{Actor: owner, Action: rbac.CreateAgent},
		{Actor: owner, Action: rbac.DeleteAgent},
		{Actor: owner, Action: rbac.RestoreAgent},
		{Actor: owner, Action: rbac.SetRole, Target: other},
		{Actor: owner, Action: rbac.UpdateAgent, Fields: []string{"name"}},
		{Actor: owner, Action: rbac.CreateRole},
		{Actor: owner, Action: rbac.UpdateRole},
		{Actor: owner, Action: rbac.DeleteRole},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s without its inputs did not panic", req.Action)
				}
			}()
			rbac.Decide(req)
		}()
	}
}

func ExampleDecide() {
	agent := rbac.Subject{ID: "7", Email: "ann@example.com", Role: rbac.MustBuiltin("agent")}
	newRole := rbac.MustBuiltin("agent")
	d := rbac.Decide(rbac.Request{Actor: agent, Action: rbac.CreateAgent, Role: &newRole})
	fmt.Println(d.Allowed, d.Rule, d.Reason)
	// Output: false 1 only owners and admins can invite agents (your role: agent)
}
