package audit

import (
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// blindAccount is fixture() as an account without the extensions sees it:
// built-in roles only, custom roles known by id and base from the agents.
func blindAccount(withCustom bool) Account {
	acct := fixture()
	if !withCustom {
		agents := acct.Agents[:0]
		for _, a := range acct.Agents {
			if a.RoleID == "" {
				agents = append(agents, a)
			}
		}
		acct.Agents = agents
	}
	acct.Roles = liveagent.NewBlindRoleIndex(acct.Agents)
	return acct
}

func mustPolicy(t *testing.T, src string) *Policy {
	t.Helper()
	pol, err := ParsePolicy("policy.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

func TestBlindRulesFail(t *testing.T) {
	pol := mustPolicy(t, "owners: {min: 1}\nforbidden_permissions_for_custom_roles: [billing.manage]\n")
	_, err := Evaluate(blindAccount(true), pol, nil)
	if liveagent.KindOf(err) != liveagent.KindUnsupported || !strings.Contains(err.Error(), "cannot evaluate rule custom_roles.forbidden_permission (policy.yaml:2)") {
		t.Fatalf("err = %v (kind %v)", err, liveagent.KindOf(err))
	}
	// Nobody holds a custom role: there is nothing it cannot see.
	r, err := Evaluate(blindAccount(false), pol, nil)
	if err != nil || !r.Summary.Passed {
		t.Fatalf("without custom roles: %v, %+v", err, r)
	}
}

func TestBlindRulesWarnWhenAsked(t *testing.T) {
	pol := mustPolicy(t, "forbidden_permissions_for_custom_roles: [billing.manage]\non_unknown: warning\n"+
		"rules:\n  - name: leads\n    select: {role: support-lead}\n    expect: none\n")
	r, err := Evaluate(blindAccount(true), pol, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, f := range r.Findings {
		if f.Severity != SeverityWarning || !strings.Contains(f.Message, "could not be evaluated") {
			t.Errorf("finding %+v", f)
		}
		rules = append(rules, f.Rule)
	}
	if strings.Join(rules, ",") != "custom_roles.forbidden_permission,rules.leads" {
		t.Errorf("warned rules %v", rules)
	}
	if !r.Summary.Passed || r.Summary.Warnings != 2 {
		t.Errorf("summary %+v", r.Summary)
	}
}

func TestBlindSelectors(t *testing.T) {
	// A custom role by id is seen from outside and evaluated.
	pol := mustPolicy(t, "rules:\n  - name: no leads\n    select: {role: 'custom:r-lead'}\n    expect: none\n")
	r, err := Evaluate(blindAccount(true), pol, nil)
	if err != nil || len(r.Findings) != 1 || r.Findings[0].Agent.Email != "lead@acme.com" {
		t.Fatalf("custom:<id> selector: %v, %+v", err, r)
	}
	// By name, with no custom role holders: it selects nobody.
	pol = mustPolicy(t, "rules:\n  - name: no leads\n    select: {role: support-lead}\n    expect: none\n")
	if r, err = Evaluate(blindAccount(false), pol, nil); err != nil || len(r.Findings) != 0 {
		t.Fatalf("unknown custom name without holders: %v, %+v", err, r)
	}
	// A typo of a built-in is still a typo (exit 2).
	pol = mustPolicy(t, "require_two_factor: [admn]\n")
	if _, err = Evaluate(blindAccount(true), pol, nil); err == nil || !strings.Contains(err.Error(), `did you mean "admin"`) {
		t.Fatalf("typo: %v", err)
	}
}

func TestOnUnknownIsChecked(t *testing.T) {
	if _, err := ParsePolicy("p.yaml", []byte("owners: {min: 1}\non_unknown: ignore\n")); err == nil || !strings.Contains(err.Error(), "p.yaml:2") {
		t.Fatalf("err = %v", err)
	}
}
