package rbac_test

import (
	"testing"

	"github.com/ladmin/ladmin/internal/rbac"
)

// TestDecideAPIKeysAndSignOut covers the actions of API keys and sessions for
// every built-in actor x target: own keys and own sessions are always
// allowed; others' keys need apikeys.read to see and apikeys.manage plus rule
// 3 to revoke; signing someone else out needs agents.manage plus rule 3.
func TestDecideAPIKeysAndSignOut(t *testing.T) {
	roles := []string{rbac.Agent, rbac.Admin, rbac.Owner}
	rank := map[string]int{rbac.Agent: 0, rbac.Admin: 1, rbac.Owner: 2}
	for _, a := range roles {
		ar, _ := rbac.Builtin(a)
		actor := rbac.Subject{ID: "me", Email: "me@x.co", Role: ar}
		self := actor
		for _, action := range []rbac.Action{rbac.ReadAPIKeys, rbac.RevokeAPIKey, rbac.SignOutAgent} {
			if d := rbac.Decide(rbac.Request{Actor: actor, Action: action, Target: &self}); !d.Allowed {
				t.Errorf("%s %s on itself: denied (%s)", a, action, d.Reason)
			}
		}
		all := rbac.Decide(rbac.Request{Actor: actor, Action: rbac.ReadAPIKeys})
		if want := a != rbac.Agent; all.Allowed != want {
			t.Errorf("%s reads every key: allowed %v, want %v (%s)", a, all.Allowed, want, all.Reason)
		}
		for _, tr := range roles {
			trr, _ := rbac.Builtin(tr)
			target := rbac.Subject{ID: "them", Email: "them@x.co", Role: trr}
			// An admin or owner may reach anyone not above it; an agent no one.
			reach := a != rbac.Agent && rank[a] >= rank[tr]
			cases := []struct {
				action rbac.Action
				want   bool
			}{
				{rbac.ReadAPIKeys, a != rbac.Agent},
				{rbac.RevokeAPIKey, reach},
				{rbac.SignOutAgent, reach},
			}
			for _, c := range cases {
				d := rbac.Decide(rbac.Request{Actor: actor, Action: c.action, Target: &target})
				if d.Allowed != c.want {
					t.Errorf("%s %s of %s: allowed %v, want %v (%s)", a, c.action, tr, d.Allowed, c.want, d.Reason)
				}
				if !d.Allowed && d.Reason == "" {
					t.Errorf("%s %s of %s: denied without a reason", a, c.action, tr)
				}
			}
		}
	}
	// The sentence names the rule's permission.
	ag, _ := rbac.Builtin(rbac.Agent)
	ad, _ := rbac.Builtin(rbac.Admin)
	ow, _ := rbac.Builtin(rbac.Owner)
	d := rbac.Decide(rbac.Request{Actor: rbac.Subject{ID: "a", Role: ag}, Action: rbac.RevokeAPIKey, Target: &rbac.Subject{ID: "b", Role: ad}})
	if d.Rule != 3 || d.Reason != "revoking other agents' API keys needs apikeys.manage, which your role (agent) does not hold" {
		t.Errorf("agent revoking: %+v", d)
	}
	d = rbac.Decide(rbac.Request{Actor: rbac.Subject{ID: "a", Role: ad}, Action: rbac.RevokeAPIKey, Target: &rbac.Subject{ID: "b", Email: "o@x.co", Role: ow}})
	if d.Rule != 3 || d.Reason != "you cannot revoke the API keys of o@x.co (role owner): they hold billing.manage, which your role (admin) does not" {
		t.Errorf("admin revoking an owner's key: %+v", d)
	}
}
