package audit

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// fixture is a small account with every kind of role holder:
//
//	owner@acme.com   owner                      2FA Y
//	boss@acme.com    owner                      2FA N
//	cfo@acme.com     billing-admin (owner base, with billing.manage: an owner)
//	lite@acme.com    owner-lite (owner base, without billing.manage: neither owner nor admin)
//	admin@acme.com   admin                      2FA Y
//	lead@acme.com    support-lead (admin base)  2FA N, department support
//	ana@acme.com     agent                      department support
//	bob@gmail.com    tier2 (agent base)
//	gone@acme.com    admin, deleted
func fixture() Account {
	adminPerms := rbac.MustBuiltin(rbac.Admin).Permissions
	custom := []liveagent.Role{
		{ID: "r-billing", Name: "billing-admin", Base: rbac.Owner, Permissions: adminPerms.With(rbac.BillingManage).Names()},
		{ID: "r-lite", Name: "owner-lite", Base: rbac.Owner, Permissions: adminPerms.Names()},
		{ID: "r-lead", Name: "support-lead", Base: rbac.Admin, Permissions: adminPerms.Without(rbac.RolesManage).Names()},
		{ID: "r-tier2", Name: "tier2", Base: rbac.Agent, Permissions: rbac.MustBuiltin(rbac.Agent).Permissions.With(rbac.TicketsAll).Names()},
	}
	agent := func(id, email, role, roleID, tfa, status string) liveagent.Agent {
		return liveagent.Agent{ID: id, Email: email, Name: strings.Split(email, "@")[0], Role: role, RoleID: roleID, TwofactorAuth: tfa, Status: status}
	}
	return Account{
		URL: "http://127.0.0.1:8085",
		Agents: []liveagent.Agent{
			agent("o1", "owner@acme.com", "owner", "", "Y", "A"),
			agent("o2", "boss@acme.com", "owner", "", "N", "A"),
			agent("c1", "cfo@acme.com", "owner", "r-billing", "Y", "A"),
			agent("l1", "lite@acme.com", "owner", "r-lite", "N", "A"),
			agent("a1", "admin@acme.com", "admin", "", "Y", "A"),
			agent("a2", "lead@acme.com", "admin", "r-lead", "N", "A"),
			agent("g1", "ana@acme.com", "agent", "", "N", "A"),
			agent("g2", "bob@gmail.com", "agent", "r-tier2", "N", "A"),
			agent("d1", "gone@acme.com", "admin", "", "N", "X"),
		},
		Roles: liveagent.NewRoleIndex(custom),
		Departments: []liveagent.Department{
			{DepartmentID: "dep-sup", Name: "support", AgentIDs: []string{"a2", "g1"}},
			{DepartmentID: "dep-bil", Name: "billing", AgentIDs: []string{}},
		},
	}
}

func evaluate(t *testing.T, policy string) *Report {
	t.Helper()
	r, err := Evaluate(fixture(), mustParsePolicy(t, policy), nil)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return r
}

// brief renders findings as "rule severity subject line" for comparison.
func brief(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%s %s %s %d", f.Rule, f.Severity, agentText(f), f.Location.Line)
	}
	return out
}

func checkFindings(t *testing.T, r *Report, want ...string) {
	t.Helper()
	got := brief(r.Findings)
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n got  %q\n want %q", got, want)
		for _, f := range r.Findings {
			t.Logf("  %s", f.Message)
		}
	}
}

func TestSummaryCounts(t *testing.T) {
	r := evaluate(t, "owners: {min: 1}\n")
	s := r.Summary
	// Owners: owner, boss, cfo (billing-admin holds billing.manage); not lite.
	// Admins: admin, lead (support-lead is based on admin); not the deleted one.
	if s.Agents != 9 || s.ActiveAgents != 8 || s.Owners != 3 || s.Admins != 2 || s.Roles != 7 {
		t.Errorf("summary = %+v", s)
	}
	if !s.Passed || s.Errors != 0 || s.Policy != "policy.yaml" || s.Account == "" || !slices.Equal(s.Checks, []string{"owners.min"}) {
		t.Errorf("summary = %+v", s)
	}
	if r.Findings == nil {
		t.Error("Findings is nil, want an empty list")
	}
}

func TestOwnersAndAdmins(t *testing.T) {
	tests := []struct {
		policy string
		want   []string
		msg    string
	}{
		{"owners: {min: 1, max: 3}\n", nil, ""},
		{"owners: {min: 4}\n", []string{"owners.min error - 1"}, "The account has 3 active owners (boss@acme.com, cfo@acme.com, owner@acme.com); the policy requires at least 4."},
		{"owners:\n  min: 1\n  max: 2\n", []string{"owners.max error - 3"}, "The account has 3 active owners (boss@acme.com, cfo@acme.com, owner@acme.com); the policy allows at most 2."},
		{"admins: {max: 2}\n", nil, ""},
		{"admins: {max: 1}\n", []string{"admins.max error - 1"}, "The account has 2 active admins (admin@acme.com, lead@acme.com); the policy allows at most 1."},
		{"admins: {min: 3}\n", []string{"admins.min error - 1"}, ""},
	}
	for _, tt := range tests {
		r := evaluate(t, tt.policy)
		checkFindings(t, r, tt.want...)
		if tt.msg != "" && len(r.Findings) > 0 && r.Findings[0].Message != tt.msg {
			t.Errorf("message = %q\n want %q", r.Findings[0].Message, tt.msg)
		}
		if len(r.Findings) > 0 && r.Findings[0].Agent != nil {
			t.Error("a count finding names an agent")
		}
	}
}

func TestOwnersNoneLeft(t *testing.T) {
	acct := fixture()
	for i := range acct.Agents {
		if acct.Agents[i].Role == rbac.Owner && acct.Agents[i].RoleID == "" {
			acct.Agents[i].Role = rbac.Agent
		}
	}
	acct.Agents = slices.DeleteFunc(acct.Agents, func(a liveagent.Agent) bool { return a.ID == "c1" })
	r, err := Evaluate(acct, mustParsePolicy(t, "owners: {min: 1}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkFindings(t, r, "owners.min error - 1")
	if got := r.Findings[0].Message; got != "The account has 0 active owners; the policy requires at least 1." {
		t.Errorf("message = %q", got)
	}
	if r.Summary.Passed || r.Summary.Errors != 1 || !r.Failed() {
		t.Errorf("summary = %+v", r.Summary)
	}
}

func TestAllowedEmailDomains(t *testing.T) {
	r := evaluate(t, "allowed_email_domains: [acme.com]\n")
	checkFindings(t, r, "email.domain error bob@gmail.com 1")
	if got := r.Findings[0].Message; got != "bob@gmail.com is not in an allowed email domain (acme.com)." {
		t.Errorf("message = %q", got)
	}
	if a := r.Findings[0].Agent; a.ID != "g2" || a.Email != "bob@gmail.com" {
		t.Errorf("agent = %+v", a)
	}
	// The deleted gone@acme.com is not checked; subdomain patterns do not cover the domain itself.
	r = evaluate(t, "allowed_email_domains: ['*.acme.com', gmail.com]\n")
	if len(r.Findings) != 7 {
		t.Errorf("*.acme.com allowed acme.com itself: %q", brief(r.Findings))
	}
	for _, tt := range []struct {
		email string
		ok    bool
	}{{"a@eu.acme.com", true}, {"a@acme.com", false}, {"a@notacme.com", false}, {"a@x.eu.acme.com", true}, {"no-at", false}} {
		if got := domainAllowed(tt.email, []string{"*.acme.com"}); got != tt.ok {
			t.Errorf("domainAllowed(%q) = %v", tt.email, got)
		}
	}
}

func TestPrivilegedAllowlist(t *testing.T) {
	r := evaluate(t, "privileged_allowlist:\n  - owner@acme.com\n  - admin@acme.com\n")
	checkFindings(t, r,
		"privileged.allowlist error boss@acme.com 1",
		"privileged.allowlist error cfo@acme.com 1",
		"privileged.allowlist error lead@acme.com 1",
		"privileged.allowlist error lite@acme.com 1",
	)
	if got := r.Findings[2].Message; got != "lead@acme.com holds the privileged role support-lead (custom, based on admin) but is not in the privileged allowlist." {
		t.Errorf("message = %q", got)
	}
	checkFindings(t, evaluate(t, "privileged_allowlist: ['*@acme.com']\n"))
	checkFindings(t, evaluate(t, "privileged_allowlist: ['OWNER@acme.com', '*@acme.com']\n"))
}

func TestRequireTwoFactor(t *testing.T) {
	// owner covers owner-based custom roles (billing-admin has 2FA, owner-lite does not).
	checkFindings(t, evaluate(t, "require_two_factor: [owner]\n"),
		"two_factor.required error boss@acme.com 1",
		"two_factor.required error lite@acme.com 1")
	// admin covers support-lead; the finding points at the role's line.
	r := evaluate(t, "require_two_factor:\n  - owner\n  - admin\n")
	checkFindings(t, r,
		"two_factor.required error boss@acme.com 2",
		"two_factor.required error lead@acme.com 3",
		"two_factor.required error lite@acme.com 2")
	if got := r.Findings[1].Message; got != "lead@acme.com holds support-lead (custom, based on admin) but has not enabled two-factor authentication." {
		t.Errorf("message = %q", got)
	}
	// A custom role name covers that role only, and is found case-insensitively.
	checkFindings(t, evaluate(t, "require_two_factor: [Support-Lead, tier2]\n"),
		"two_factor.required error bob@gmail.com 1",
		"two_factor.required error lead@acme.com 1")
	// The deleted admin is not checked.
	checkFindings(t, evaluate(t, "require_two_factor: [agent]\n"),
		"two_factor.required error ana@acme.com 1",
		"two_factor.required error bob@gmail.com 1")
}

func TestForbiddenPermissionsForCustomRoles(t *testing.T) {
	r := evaluate(t, "forbidden_permissions_for_custom_roles:\n  - roles.manage\n  - billing.manage\n")
	checkFindings(t, r,
		"custom_roles.forbidden_permission error role billing-admin 2",
		"custom_roles.forbidden_permission error role billing-admin 3",
		"custom_roles.forbidden_permission error role owner-lite 2",
	)
	f := r.Findings[1]
	if f.Role == nil || f.Role.ID != "r-billing" || f.Agent != nil {
		t.Errorf("finding = %+v", f)
	}
	if f.Message != `Custom role "billing-admin" (based on owner) holds the forbidden permission billing.manage, and 1 active agent holds the role.` {
		t.Errorf("message = %q", f.Message)
	}
	// Built-in roles are never reported, though owner holds billing.manage.
	checkFindings(t, evaluate(t, "forbidden_permissions_for_custom_roles: [tickets.own]\n"),
		"custom_roles.forbidden_permission error role billing-admin 1",
		"custom_roles.forbidden_permission error role owner-lite 1",
		"custom_roles.forbidden_permission error role support-lead 1",
		"custom_roles.forbidden_permission error role tier2 1",
	)
	if fingerprint(r.Findings[0]) == fingerprint(r.Findings[1]) {
		t.Error("two permissions of one role share a fingerprint")
	}
}

func TestRules(t *testing.T) {
	tests := []struct {
		name   string
		policy string
		want   []string
	}{
		{"none by department and role", `
rules:
  - name: support desk has no admins
    select: {department: support, role: admin}
    expect: none
`, []string{"rules.support-desk-has-no-admins error lead@acme.com 3"}},
		{"department by id, several roles", `
rules:
  - name: x
    select: {department: [DEP-SUP], role: [agent, owner]}
    expect: none
`, []string{"rules.x error ana@acme.com 3"}},
		{"empty department", `
rules:
  - name: billing is staffed
    select: {department: billing}
    expect: {min: 1}
    severity: warning
`, []string{"rules.billing-is-staffed warning - 3"}},
		{"email glob", `
rules:
  - name: no gmail
    select: {email: '*@GMAIL.com'}
    expect: none
`, []string{"rules.no-gmail error bob@gmail.com 3"}},
		{"two factor selector", `
rules:
  - name: privileged without 2fa
    select: {role: [owner, admin], two_factor: false}
    expect: {max: 2}
`, []string{"rules.privileged-without-2fa error - 3"}},
		{"two factor true", `
rules:
  - name: with 2fa
    select: {two_factor: true}
    expect: {min: 3, max: 3}
`, nil},
		{"deleted agents", `
rules:
  - name: no deleted admins
    select: {status: deleted, role: admin}
    expect: none
`, []string{"rules.no-deleted-admins error gone@acme.com 3"}},
		{"status all", `
rules:
  - name: seats
    select: {status: all}
    expect: {max: 8}
`, []string{"rules.seats error - 3"}},
		{"every active agent", `
rules:
  - name: seats
    expect: {max: 8}
`, nil},
		{"custom role by name", `
rules:
  - name: tier2 only at acme
    select: {role: tier2, email: '*@gmail.com'}
    expect: none
`, []string{"rules.tier2-only-at-acme error bob@gmail.com 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, evaluate(t, tt.policy), tt.want...)
		})
	}

	r := evaluate(t, `
rules:
  - name: few owners
    select: {role: owner}
    expect: {max: 1}
  - name: support desk has no admins
    select: {department: support, role: admin}
    expect: none
    severity: warning
`)
	if got := r.Findings[0].Message; got != `Rule "few owners" selects 4 agents (boss@acme.com, cfo@acme.com, lite@acme.com, owner@acme.com); it expects at most 1.` {
		t.Errorf("message = %q", got)
	}
	if got := r.Findings[1].Message; got != `lead@acme.com (support-lead (custom, based on admin)) matches rule "support desk has no admins", which expects no agents.` {
		t.Errorf("message = %q", got)
	}
	if r.Summary.Errors != 1 || r.Summary.Warnings != 1 || r.Summary.Passed {
		t.Errorf("summary = %+v", r.Summary)
	}
	if c := r.Checks[1]; c.ID != "rules.support-desk-has-no-admins" || c.Severity != SeverityWarning || c.Location.Line != 6 ||
		c.Description != `Rule "support desk has no admins": no agent matches.` {
		t.Errorf("check = %+v", c)
	}
}

func TestWarningsDoNotFail(t *testing.T) {
	r := evaluate(t, "rules:\n  - name: no gmail\n    select: {email: '*@gmail.com'}\n    expect: none\n    severity: warning\n")
	if !r.Summary.Passed || r.Failed() || r.Summary.Warnings != 1 {
		t.Errorf("summary = %+v", r.Summary)
	}
}

func TestUnknownNamesInPolicy(t *testing.T) {
	pol := mustParsePolicy(t, `require_two_factor:
  - owner
  - admn
rules:
  - name: x
    select: {role: support-leed, department: suport}
    expect: none
  - name: y
    select: {department: marketing}
    expect: none
`)
	_, err := Evaluate(fixture(), pol, nil)
	d := diagnosticsOf(t, err)
	want := []string{
		`policy.yaml:3: require_two_factor: unknown role "admn" (did you mean "admin"?)`,
		`policy.yaml:6: rule "x": unknown role "support-leed" (did you mean "support-lead"?)`,
		`policy.yaml:6: rule "x": unknown department "suport" (did you mean "support"?)`,
		`policy.yaml:9: rule "y": unknown department "marketing" (valid: support, billing)`,
	}
	got := make([]string, len(d))
	for i := range d {
		got[i] = d[i].String()
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestEvaluateNeedsSomething(t *testing.T) {
	if _, err := Evaluate(fixture(), nil, nil); err == nil {
		t.Error("Evaluate with no policy and no baseline succeeded")
	}
}

func TestEvaluateOrderIsStable(t *testing.T) {
	pol := "owners: {max: 1}\nadmins: {max: 0}\nallowed_email_domains: [acme.com]\nprivileged_allowlist: [owner@acme.com]\nrequire_two_factor: [owner]\nforbidden_permissions_for_custom_roles: [billing.manage]\nrules:\n  - name: x\n    expect: {max: 1}\n"
	r := evaluate(t, pol)
	wantChecks := []string{"owners.max", "admins.max", "email.domain", "privileged.allowlist", "two_factor.required", "custom_roles.forbidden_permission", "rules.x"}
	if !slices.Equal(r.Summary.Checks, wantChecks) {
		t.Errorf("checks = %q", r.Summary.Checks)
	}
	acct := fixture()
	slices.Reverse(acct.Agents)
	r2, err := Evaluate(acct, mustParsePolicy(t, pol), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(brief(r.Findings), brief(r2.Findings)) {
		t.Errorf("the order of agents from the server changed the report:\n%q\n%q", brief(r.Findings), brief(r2.Findings))
	}
}

func TestEvaluateWithoutRolesExtension(t *testing.T) {
	acct := fixture()
	acct.Roles = nil
	acct.Agents = acct.Agents[:2]
	r, err := Evaluate(acct, mustParsePolicy(t, "owners: {min: 2}\nrequire_two_factor: [owner]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkFindings(t, r, "two_factor.required error boss@acme.com 2")
}

func TestBuiltinChecksDescribed(t *testing.T) {
	for id, c := range builtinChecks {
		if c.description == "" || (c.severity != SeverityError && c.severity != SeverityWarning) || !strings.HasSuffix(c.description, ".") {
			t.Errorf("%s: %+v", id, c)
		}
	}
}
