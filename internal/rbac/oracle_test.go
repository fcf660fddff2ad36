package rbac_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/rbac"
)

// This file is the tests' own reading of spec/rbac.md: a role model built from
// the spec's ✓ table (specCatalog) and an oracle that lists which numbered
// rules a request breaks. It deliberately uses none of the package's
// helpers (no Set, Covers, Missing, IsOwner): only plain string slices.

// tRole is a role as the spec describes it: name, base built-in, permission names.
type tRole struct {
	id, name, base string
	builtin        bool
	perms          []string
}

func (r tRole) holds(p string) bool { return slices.Contains(r.perms, p) }

// covers: r holds every permission of o.
func (r tRole) covers(o tRole) bool {
	for _, p := range o.perms {
		if !r.holds(p) {
			return false
		}
	}
	return true
}

// isOwner: spec rule 4 speaks of owners; on the wire an agent is an owner when
// its role (the base, for custom roles) is "owner". A custom role based on owner
// that no longer holds billing.manage is "a custom role without billing.manage",
// which rule 4 says the last owner cannot be moved to, so it does not count.
func (r tRole) isOwner() bool { return r.base == "owner" && r.holds("billing.manage") }

func (r tRole) String() string { return r.name }

// rbac converts the test's role to the package's.
func (r tRole) rbac() rbac.Role {
	s, unknown := rbac.NewSet(r.perms...)
	if len(unknown) > 0 {
		panic(fmt.Sprintf("test role %s has unknown permissions %v", r.name, unknown))
	}
	return rbac.Role{ID: r.id, Name: r.name, Base: r.base, Builtin: r.builtin, Permissions: s}
}

func permsOf(builtin string) []string { return specBuiltin(builtin) }

func plus(ps []string, add ...string) []string {
	out := slices.Clone(ps)
	for _, a := range add {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func minus(ps []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(ps), func(p string) bool { return slices.Contains(drop, p) })
}

var (
	tOwner = tRole{id: "owner", name: "owner", base: "owner", builtin: true, perms: permsOf("owner")}
	tAdmin = tRole{id: "admin", name: "admin", base: "admin", builtin: true, perms: permsOf("admin")}
	tAgent = tRole{id: "agent", name: "agent", base: "agent", builtin: true, perms: permsOf("agent")}

	// Below the admin: an agent that also sees every report.
	tSupportLead = tRole{id: "r-support-lead", name: "support-lead", base: "agent", perms: plus(permsOf("agent"), "reports.all")}
	// Equal to the admin.
	tOps = tRole{id: "r-ops", name: "ops", base: "admin", perms: permsOf("admin")}
	// Above the admin, still an owner, but cannot touch agents.
	tBillingClerk = tRole{id: "r-billing-clerk", name: "billing-clerk", base: "owner",
		perms: minus(permsOf("owner"), "agents.invite", "agents.manage", "agents.roles")}
	// Above the admin: every owner permission, but based on admin (not an owner on the wire).
	tFinanceAdmin = tRole{id: "r-finance-admin", name: "finance-admin", base: "admin", perms: plus(permsOf("admin"), "billing.manage")}
	// Based on owner but without billing.manage: rule 4's "custom role without billing.manage".
	tOwnerLite = tRole{id: "r-owner-lite", name: "owner-lite", base: "owner", perms: minus(permsOf("owner"), "billing.manage")}
	// Holds nothing at all, not even agents.read or profile.own.
	tHollow = tRole{id: "r-hollow", name: "hollow", base: "agent", perms: nil}
	// Manages agents and their roles but cannot invite, assign departments or manage roles.
	tManagerLite = tRole{id: "r-manager-lite", name: "manager-lite", base: "admin",
		perms: plus(permsOf("agent"), "agents.manage", "agents.roles")}

	allRoles = []tRole{tOwner, tAdmin, tAgent, tSupportLead, tOps, tBillingClerk, tFinanceAdmin, tOwnerLite, tHollow, tManagerLite}
)

// Profile fields (rule 6): the spec's profile.own is "name, nickname, gender,
// password, two-factor, notifications, signature"; of those, the Agent wire
// object (spec/api.md) has name, gender and twofactor_auth. avatar_url is the
// profile picture (rule 6 says "name, gender, ..."). Everything else is not.
var specProfileFields = []string{"name", "gender", "avatar_url", "twofactor_auth"}

// violation is one rule the request breaks. rules lists the rule numbers that
// name it correctly: where two rules of the spec say the same thing (an agent
// editing someone else breaks both 3 and 6) either is right. Rule 0 is used
// only for a permission that no numbered rule talks about (agents.read).
type violation struct {
	rules []int
	why   string
}

// tcase is one request in the tests' own terms.
type tcase struct {
	action rbac.Action
	actor  tRole
	self   bool   // the target is the actor itself
	target *tRole // the target's current role (UpdateAgent, DeleteAgent, RestoreAgent, SetRole)
	role   *tRole // role given (CreateAgent, SetRole, DeleteRole reassignment) or new definition (CreateRole, UpdateRole)
	old    *tRole // the custom role as it is (UpdateRole, DeleteRole)
	fields []string
	depts  bool

	// The account around the request, from which the counts are derived.
	extraOwners int  // active built-in owners besides actor and target
	holder      bool // (UpdateRole, DeleteRole) another active agent holds old
}

func (c tcase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s by %s", c.action, c.actor.name)
	if c.self {
		b.WriteString(" on self")
	} else if c.target != nil {
		fmt.Fprintf(&b, " on %s", c.target.name)
	}
	if c.old != nil {
		fmt.Fprintf(&b, " role %s", c.old.name)
		if c.holder {
			b.WriteString(" (held by another)")
		}
	}
	if c.role != nil {
		fmt.Fprintf(&b, " -> %s", c.role.name)
	} else if c.action == rbac.DeleteRole {
		b.WriteString(" (no reassignment)")
	}
	if c.fields != nil {
		fmt.Fprintf(&b, " fields %v", c.fields)
	}
	if c.depts {
		b.WriteString(" +departments")
	}
	fmt.Fprintf(&b, " [extra owners %d]", c.extraOwners)
	return b.String()
}

// targetRole is the role the target holds now (the actor's own when self).
func (c tcase) targetRole() tRole {
	if c.self {
		return c.actor
	}
	return *c.target
}

// activeOwners counts the active owners of the account the case describes.
func (c tcase) activeOwners() int {
	n := c.extraOwners
	if c.actor.isOwner() {
		n++
	}
	if c.action == rbac.RestoreAgent { // the target is deleted: not active
		return n
	}
	if c.target != nil && !c.self && c.target.isOwner() {
		n++
	}
	if c.old != nil && c.holder && c.old.isOwner() {
		n++
	}
	return n
}

func (c tcase) actorHoldsOld() bool { return c.old != nil && c.actor.id == c.old.id }

func (c tcase) ownersHoldingOld() int {
	if c.old == nil || !c.old.isOwner() {
		return 0
	}
	n := 0
	if c.actorHoldsOld() {
		n++
	}
	if c.holder {
		n++
	}
	return n
}

// request builds the package's Request from the case, the way a caller must.
func (c tcase) request() rbac.Request {
	actor := rbac.Subject{ID: "u-actor", Email: "actor@example.com", Role: c.actor.rbac()}
	req := rbac.Request{
		Actor:             actor,
		Action:            c.action,
		Fields:            c.fields,
		Departments:       c.depts,
		ActiveOwners:      c.activeOwners(),
		OwnersHoldingRole: c.ownersHoldingOld(),
		ActorHoldsRole:    c.actorHoldsOld(),
	}
	if c.self {
		t := actor
		req.Target = &t
	} else if c.target != nil {
		req.Target = &rbac.Subject{ID: "u-target", Email: "target@example.com", Role: c.target.rbac()}
	}
	if c.role != nil {
		r := c.role.rbac()
		req.Role = &r
	}
	if c.old != nil {
		r := c.old.rbac()
		req.OldRole = &r
	}
	return req
}

// want lists every rule of spec/rbac.md the case breaks; none means allowed.
// It is written from the spec's text, rule by rule.
func want(c tcase) []violation {
	var v []violation
	add := func(why string, rules ...int) { v = append(v, violation{rules, why}) }
	a := c.actor
	lastOwnerLost := func(owner bool, becomesOwner bool, losing int) bool {
		// Rule 4: the change takes `losing` owners away; it is refused when
		// no active owner would remain.
		return owner && !becomesOwner && losing > 0 && c.activeOwners()-losing < 1
	}

	// A role based on owner shows as "owner" on the wire, so giving or
	// defining one is creating an owner: "only an owner can create an owner".
	ownerBased := func(r tRole) bool { return r.base == "owner" && !a.holds("billing.manage") }

	switch c.action {
	case rbac.ReadAgents:
		if !a.holds("agents.read") {
			add("agents.read is needed to list and view agents", 0)
		}

	case rbac.CreateAgent:
		// Rule 1: creating an agent needs agents.invite.
		if !a.holds("agents.invite") {
			add("only owners and admins invite", 1)
		}
		// Rule 2: every permission of the role given must be held by the actor.
		if !a.covers(*c.role) {
			add("no escalation", 2)
		}
		if ownerBased(*c.role) {
			add("only an owner can create an owner", 2)
		}
		// departments.assign: no numbered rule names it; the package files it
		// under rule 3 (an action on an agent needing a permission).
		if c.depts && !a.holds("departments.assign") {
			add("assigning departments needs departments.assign", 3)
		}

	case rbac.UpdateAgent:
		t := c.targetRole()
		// role, role_id and status are never changed by an update: rule 6 for
		// those without agents.manage; for everyone else they have their own
		// actions (SetRole, DeleteAgent, RestoreAgent) where rules 2-5 are
		// checked, and an update cannot be allowed to side-step them.
		for _, f := range c.fields {
			if f == "role" || f == "role_id" || f == "status" {
				add("never role, role_id or status by an update", 6)
			}
		}
		if c.self && !a.holds("agents.manage") {
			// Rule 6: only itself, only profile fields (profile.own).
			if !a.holds("profile.own") {
				add("editing your own profile needs profile.own", 6)
			}
			for _, f := range c.fields {
				if !slices.Contains(specProfileFields, f) && f != "role" && f != "role_id" && f != "status" {
					add("only profile fields: "+f, 6)
				}
			}
			if c.depts && !a.holds("departments.assign") {
				add("departments are not a profile field", 3, 6)
			}
		} else {
			// Rule 3 (and rule 6 for an agent editing someone else).
			if !a.holds("agents.manage") {
				add("editing other agents needs agents.manage", 3, 6)
			}
			if !a.covers(t) {
				add("no reaching up", 3)
			}
			if c.depts && !a.holds("departments.assign") {
				add("assigning departments needs departments.assign", 3)
			}
		}

	case rbac.DeleteAgent:
		t := c.targetRole()
		if c.self {
			add("no self-lockout", 5)
		}
		if !a.holds("agents.manage") {
			add("deleting needs agents.manage", 3)
		}
		if !a.covers(t) {
			add("no reaching up", 3)
		}
		if lastOwnerLost(t.isOwner(), false, 1) {
			add("the last owner cannot be deleted", 4)
		}

	case rbac.RestoreAgent:
		t := c.targetRole()
		// agents.manage: "edit and delete other agents, restore deleted ones" (rule 3's permission).
		if !a.holds("agents.manage") {
			add("restoring needs agents.manage", 3)
		}
		// Restoring gives the agent its role back: a grant (rule 2) of a role
		// the target holds (rule 3).
		if !a.covers(t) {
			add("cannot give back a role you do not hold", 2, 3)
		}
		if ownerBased(t) {
			add("only an owner can restore an owner", 2)
		}

	case rbac.SetRole:
		t := c.targetRole()
		if c.self {
			add("no self-lockout", 5)
		}
		if !a.holds("agents.roles") {
			add("role changes need agents.roles", 3)
		}
		if !a.covers(t) {
			add("no reaching up", 3)
		}
		if !a.covers(*c.role) {
			add("no escalation", 2)
		}
		if ownerBased(*c.role) {
			add("only an owner can promote someone to owner", 2)
		}
		if lastOwnerLost(t.isOwner(), c.role.isOwner(), 1) {
			add("the last owner cannot be demoted or moved to a role without billing.manage", 4)
		}

	case rbac.CreateRole:
		if !a.holds("roles.manage") {
			add("custom roles need roles.manage", 7)
		}
		if !a.covers(*c.role) {
			add("rule 2 applies to a role's permission set", 7, 2)
		}
		if ownerBased(*c.role) {
			add("only an owner can define a role based on owner", 7, 2)
		}

	case rbac.UpdateRole, rbac.DeleteRole:
		old := *c.old
		if !a.holds("roles.manage") {
			add("custom roles need roles.manage", 7)
		}
		if old.builtin {
			add("built-in roles cannot be edited or deleted", 7)
		}
		// Rule 5: editing or deleting the role you hold changes your own role.
		if c.actorHoldsOld() {
			add("no self-lockout", 5)
		}
		// Every holder changes, so the actor must be above the role as it is.
		if !a.covers(old) {
			add("no reaching up to a role's holders", 7, 3)
		}
		if c.action == rbac.UpdateRole {
			if !a.covers(*c.role) {
				add("rule 2 applies to a role's permission set", 7, 2)
			}
			if ownerBased(*c.role) {
				add("only an owner can define a role based on owner", 7, 2)
			}
			if lastOwnerLost(old.isOwner(), c.role.isOwner(), c.ownersHoldingOld()) {
				add("the role of the last owners cannot lose billing.manage or its owner base", 4)
			}
		} else if c.role != nil {
			// Reassignment gives the holders the new role.
			if !a.covers(*c.role) {
				add("no escalation on reassignment", 2)
			}
			if ownerBased(*c.role) {
				add("only an owner can move agents to a role based on owner", 2)
			}
			if lastOwnerLost(old.isOwner(), c.role.isOwner(), c.ownersHoldingOld()) {
				add("reassigning the last owners to a non-owner role", 4)
			}
		}
		// Deleting a role still held by active agents without reassignment is a
		// 409 conflict for the server, not a rule: Decide does not see holders.

	default:
		panic("unknown action")
	}
	return v
}

// checkDecision compares a Decision with the oracle's violations and checks the
// form of the reason. It returns a description of what is wrong, or "".
func checkDecision(d rbac.Decision, v []violation) string {
	if len(v) == 0 {
		if !d.Allowed {
			return fmt.Sprintf("denied (rule %d: %q), want allowed", d.Rule, d.Reason)
		}
		if d.Rule != 0 || d.Reason != "" {
			return fmt.Sprintf("allowed but carries rule %d, reason %q", d.Rule, d.Reason)
		}
		return ""
	}
	var ok []int
	for _, x := range v {
		ok = append(ok, x.rules...)
	}
	if d.Allowed {
		return fmt.Sprintf("allowed, want denied (%v)", v)
	}
	if !slices.Contains(ok, d.Rule) {
		return fmt.Sprintf("denied by rule %d (%q), want one of rules %v (%v)", d.Rule, d.Reason, ok, v)
	}
	if msg := reasonProblem(d.Reason); msg != "" {
		return msg
	}
	return ""
}

// reasonProblem checks a denial's reason is one sentence fit for a person.
func reasonProblem(r string) string {
	switch {
	case strings.TrimSpace(r) == "":
		return "empty reason"
	case strings.TrimSpace(r) != r:
		return fmt.Sprintf("reason %q has surrounding space", r)
	case strings.ContainsAny(r, "\n\r\t"):
		return fmt.Sprintf("reason %q is more than one line", r)
	case strings.HasSuffix(r, "."):
		return fmt.Sprintf("reason %q ends with a period (messages are wrapped by callers)", r)
	case strings.Contains(r, ". "):
		return fmt.Sprintf("reason %q is more than one sentence", r)
	case strings.Contains(r, "%!"):
		return fmt.Sprintf("reason %q has a formatting error", r)
	case r[0] >= 'A' && r[0] <= 'Z':
		return fmt.Sprintf("reason %q starts with a capital (it is printed after a prefix)", r)
	}
	return ""
}

func TestOracleRolesAreWhatTheyClaim(t *testing.T) {
	// Sanity of the test's own fixtures, so the oracle is not built on sand.
	if !tAdmin.covers(tSupportLead) || tSupportLead.covers(tAdmin) {
		t.Error("support-lead should be below admin")
	}
	if !tAdmin.covers(tOps) || !tOps.covers(tAdmin) {
		t.Error("ops should equal admin")
	}
	if tAdmin.covers(tBillingClerk) || !tBillingClerk.holds("billing.manage") || !tBillingClerk.isOwner() {
		t.Error("billing-clerk should be above admin and an owner")
	}
	if tAdmin.covers(tFinanceAdmin) || !tFinanceAdmin.covers(tOwner) || tFinanceAdmin.isOwner() {
		t.Error("finance-admin should hold everything an owner holds, based on admin")
	}
	if tOwnerLite.isOwner() || !tOwner.covers(tOwnerLite) {
		t.Error("owner-lite should be below owner and not an owner")
	}
	seen := map[string]bool{}
	for _, r := range allRoles {
		if seen[r.id] {
			t.Errorf("duplicate role id %s", r.id)
		}
		seen[r.id] = true
		if got := r.rbac().Permissions.Len(); got != len(r.perms) {
			t.Errorf("%s: %d permissions in the package's set, %d in the test's", r.name, got, len(r.perms))
		}
	}
}
