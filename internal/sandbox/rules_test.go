package sandbox

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// The roles of the rules matrix: the built-ins, and custom roles below
// (support-lead: agent + reports.all), beside (billing-clerk: an owner
// without agents.*) and equal to (ops: admin's set) the admin.
var ruleLabels = []string{"owner", "admin", "agent", "support-lead", "billing-clerk", "ops"}

var customRuleRoles = []struct {
	name, base string
	perms      rbac.Set
}{
	{"support-lead", rbac.Agent, rbac.MustBuiltin(rbac.Agent).Permissions.With(rbac.ReportsAll)},
	{"billing-clerk", rbac.Owner, rbac.MustBuiltin(rbac.Owner).Permissions.Without(
		rbac.AgentsRead, rbac.AgentsInvite, rbac.AgentsManage, rbac.AgentsRoles, rbac.AgentsPasswords)},
	{"ops", rbac.Admin, rbac.MustBuiltin(rbac.Admin).Permissions},
}

// rulesFixture is a fresh sandbox with the custom roles defined.
type rulesFixture struct {
	ts    *testServer
	roles map[string]liveagent.Role // by label
	owner liveagent.Agent           // the seeded owner
	seq   int                       // numbers the agents it creates
}

func newRulesFixture(t *testing.T) *rulesFixture {
	f := &rulesFixture{ts: newTestServer(t, Options{}), roles: map[string]liveagent.Role{}}
	for _, b := range rbac.BuiltinNames() {
		f.roles[b] = builtinWire(b)
	}
	for _, c := range customRuleRoles {
		f.roles[c.name] = f.ts.createRole("", liveagent.RoleCreate{Name: c.name, Base: c.base, Permissions: c.perms.Names()})
	}
	f.owner = f.ts.me(OwnerKey)
	return f
}

// agentWith creates (as the seeded owner) an agent holding the role label.
func (f *rulesFixture) agentWith(label string) (liveagent.Agent, string) {
	f.seq++
	role, roleID := roleFields(f.roles[label])
	return f.ts.createAgent("", liveagent.AgentCreate{Name: label + " person",
		Email: fmt.Sprintf("%s.%d@example.com", label, f.seq), Role: role, RoleID: roleID})
}

func roleBody(r liveagent.Role) map[string]any {
	role, roleID := roleFields(r)
	return map[string]any{"role": role, "role_id": roleID}
}

// Expected outcomes, Y allowed and N denied (403), one row per actor and one
// column per role in ruleLabels order: the role given (create) or the
// target's role (update, delete, restore).
var grantGrid = map[string]string{
	"owner":         "YYYYYY",
	"admin":         "NYYYNY",
	"agent":         "NNNNNN",
	"support-lead":  "NNNNNN",
	"billing-clerk": "NNNNNN",
	"ops":           "NYYYNY",
}

// setRoleGrid is per actor, per target role (rows), the new role (columns).
// An admin reaches every target but owners (built-in or billing-clerk), and
// gives every role but those.
var setRoleGrid = func() map[string][]string {
	adminLike := []string{"NNNNNN", "NYYYNY", "NYYYNY", "NYYYNY", "NNNNNN", "NYYYNY"}
	none := []string{"NNNNNN", "NNNNNN", "NNNNNN", "NNNNNN", "NNNNNN", "NNNNNN"}
	return map[string][]string{
		"owner":         {"YYYYYY", "YYYYYY", "YYYYYY", "YYYYYY", "YYYYYY", "YYYYYY"},
		"admin":         adminLike,
		"ops":           adminLike,
		"agent":         none,
		"support-lead":  none,
		"billing-clerk": none,
	}
}()

// modelRole is the test's own view of a label's role, independent of the server.
func (f *rulesFixture) modelRole(label string) rbac.Role { return f.roles[label].RBAC() }

func TestRulesMatrix(t *testing.T) {
	for _, actorLabel := range ruleLabels {
		for ti, targetLabel := range ruleLabels {
			for _, action := range []string{"create", "update", "delete", "restore"} {
				want := grantGrid[actorLabel][ti] == 'Y'
				t.Run(fmt.Sprintf("%s_%s_%s", actorLabel, action, targetLabel), func(t *testing.T) {
					t.Parallel()
					runRuleCase(t, actorLabel, action, targetLabel, "", want)
				})
			}
			for ni, newLabel := range ruleLabels {
				want := setRoleGrid[actorLabel][ti][ni] == 'Y'
				t.Run(fmt.Sprintf("%s_set-role_%s_to_%s", actorLabel, targetLabel, newLabel), func(t *testing.T) {
					t.Parallel()
					runRuleCase(t, actorLabel, "set-role", targetLabel, newLabel, want)
				})
			}
		}
	}
}

// runRuleCase sets up a fresh account with an actor and (except for create)
// a target, performs the action over raw HTTP, and checks the status. A 403
// must carry rbac's own reason for the same request, built from the test's
// model of the roles, so the server provably fills the request faithfully.
func runRuleCase(t *testing.T, actorLabel, action, targetLabel, newLabel string, wantAllowed bool) {
	f := newRulesFixture(t)
	actor, key := f.agentWith(actorLabel)
	actorSubject := rbac.Subject{ID: actor.ID, Email: actor.Email, Role: f.modelRole(actorLabel)}
	owners := 1
	if f.modelRole(actorLabel).IsOwner() {
		owners++
	}

	var r response
	var req rbac.Request
	wantStatus := http.StatusOK
	if action == "create" {
		role := f.modelRole(targetLabel)
		body := roleBody(f.roles[targetLabel])
		body["name"], body["email"] = "New", "new@example.com"
		r = f.ts.do(key, "POST", liveagent.PathAgents, body)
		req = rbac.Request{Actor: actorSubject, Action: rbac.CreateAgent, Role: &role}
		wantStatus = http.StatusCreated
	} else {
		target, _ := f.agentWith(targetLabel)
		ts := rbac.Subject{ID: target.ID, Email: target.Email, Role: f.modelRole(targetLabel)}
		if ts.Role.IsOwner() {
			owners++
		}
		path := liveagent.PathAgent(target.ID)
		switch action {
		case "update":
			r = f.ts.do(key, "PUT", path, map[string]any{"name": "Renamed"})
			req = rbac.Request{Actor: actorSubject, Action: rbac.UpdateAgent, Target: &ts, Fields: []string{"name"}}
		case "delete":
			r = f.ts.do(key, "DELETE", path, nil)
			req = rbac.Request{Actor: actorSubject, Action: rbac.DeleteAgent, Target: &ts, ActiveOwners: owners}
		case "restore":
			f.ts.must(200, OwnerKey, "DELETE", path, nil)
			r = f.ts.do(key, "POST", liveagent.PathAgentUndelete, map[string]any{"id": target.ID})
			req = rbac.Request{Actor: actorSubject, Action: rbac.RestoreAgent, Target: &ts}
		case "set-role":
			r = f.ts.do(key, "PUT", path, roleBody(f.roles[newLabel]))
			role := f.modelRole(newLabel)
			req = rbac.Request{Actor: actorSubject, Action: rbac.SetRole, Target: &ts, Role: &role, ActiveOwners: owners}
			if newLabel == targetLabel {
				// Giving the role it has is no role change, just an (empty) edit.
				req = rbac.Request{Actor: actorSubject, Action: rbac.UpdateAgent, Target: &ts}
			}
		}
	}

	d := rbac.Decide(req)
	if d.Allowed != wantAllowed {
		t.Fatalf("the grid says allowed=%v but rbac.Decide says %+v: fix the grid or the rules", wantAllowed, d)
	}
	if !wantAllowed {
		wantStatus = http.StatusForbidden
	}
	if r.status != wantStatus {
		t.Fatalf("got %v, want %d", r, wantStatus)
	}
	if !wantAllowed && r.message() != d.Reason {
		t.Errorf("message %q, want rbac's reason %q", r.message(), d.Reason)
	}
}

// TestRulesCases are the named cases of spec/rbac.md, with the sentence the
// person sees: self-lockout, the last owner, role definitions, departments.
func TestRulesCases(t *testing.T) {
	allPerms := rbac.MustBuiltin(rbac.Owner).Permissions.Names()
	type ruleCase struct {
		name    string
		do      func(f *rulesFixture) response
		want    int
		wantMsg string
	}
	tests := []ruleCase{
		{"agent invites", func(f *rulesFixture) response {
			return f.ts.do(AgentKey, "POST", liveagent.PathAgents, map[string]any{"name": "N", "email": "n@example.com"})
		}, 403, "only owners and admins can invite agents (your role: agent)"},
		{"billing-clerk invites", func(f *rulesFixture) response {
			_, key := f.agentWith("billing-clerk")
			return f.ts.do(key, "POST", liveagent.PathAgents, map[string]any{"name": "N", "email": "n@example.com"})
		}, 403, "only owners and admins can invite agents (your role: billing-clerk (custom, based on owner))"},
		{"admin creates an owner", func(f *rulesFixture) response {
			return f.ts.do(AdminKey, "POST", liveagent.PathAgents, map[string]any{"name": "N", "email": "n@example.com", "role": "owner"})
		}, 403, "you cannot give the role owner: it holds billing.manage"},
		{"admin deletes the owner", func(f *rulesFixture) response {
			return f.ts.do(AdminKey, "DELETE", liveagent.PathAgent(f.owner.ID), nil)
		}, 403, "you cannot delete owner@example.com"},
		{"admin demotes the owner", func(f *rulesFixture) response {
			return f.ts.do(AdminKey, "PUT", liveagent.PathAgent(f.owner.ID), map[string]any{"role": "agent"})
		}, 403, "you cannot change the role of owner@example.com"},
		{"owner deletes itself", func(f *rulesFixture) response {
			f.agentWith("owner") // not the last owner: rule 5 alone
			return f.ts.do(OwnerKey, "DELETE", liveagent.PathAgent(f.owner.ID), nil)
		}, 403, "you cannot delete your own account"},
		{"owner changes its own role", func(f *rulesFixture) response {
			f.agentWith("owner")
			return f.ts.do(OwnerKey, "PUT", liveagent.PathAgent(f.owner.ID), map[string]any{"role": "admin"})
		}, 403, "you cannot change your own role"},
		{"owner deletes another owner", func(f *rulesFixture) response {
			o2, _ := f.agentWith("owner")
			return f.ts.do(OwnerKey, "DELETE", liveagent.PathAgent(o2.ID), nil)
		}, 200, ""},
		{"second owner deletes the first", func(f *rulesFixture) response {
			_, key := f.agentWith("owner")
			return f.ts.do(key, "DELETE", liveagent.PathAgent(f.owner.ID), nil)
		}, 200, ""},
		{"the last owner cannot be deleted", func(f *rulesFixture) response {
			key := f.superKey()
			return f.ts.do(key, "DELETE", liveagent.PathAgent(f.owner.ID), nil)
		}, 403, "the account must keep an owner: owner@example.com is its last active owner"},
		{"the last owner cannot be demoted", func(f *rulesFixture) response {
			return f.ts.do(f.superKey(), "PUT", liveagent.PathAgent(f.owner.ID), map[string]any{"role": "admin"})
		}, 403, "the account must keep an owner"},
		{"the last owner cannot get a custom role without billing", func(f *rulesFixture) response {
			return f.ts.do(f.superKey(), "PUT", liveagent.PathAgent(f.owner.ID), roleBody(f.roles["ops"]))
		}, 403, "the account must keep an owner"},
		{"the last owner may move to an owner-based role with billing", func(f *rulesFixture) response {
			return f.ts.do(f.superKey(), "PUT", liveagent.PathAgent(f.owner.ID), roleBody(f.roles["billing-clerk"]))
		}, 200, ""},
		{"the last owners' role cannot lose billing", func(f *rulesFixture) response {
			key := f.coOwnerIsLast()
			return f.ts.do(key, "PUT", liveagent.PathRole(f.roles["co-owner"].ID), map[string]any{"permissions": []string{rbac.AgentsRead}})
		}, 403, "the account must keep an owner: role co-owner is held by its last active owners"},
		{"the last owners' role cannot be deleted onto admin", func(f *rulesFixture) response {
			key := f.coOwnerIsLast()
			return f.ts.do(key, "DELETE", liveagent.PathRole(f.roles["co-owner"].ID)+"?reassign_to=admin", nil)
		}, 403, "the account must keep an owner"},
		{"the last owners' role can be deleted onto owner", func(f *rulesFixture) response {
			key := f.coOwnerIsLast()
			return f.ts.do(key, "DELETE", liveagent.PathRole(f.roles["co-owner"].ID)+"?reassign_to=owner", nil)
		}, 200, ""},
		{"nobody edits the role they hold", func(f *rulesFixture) response {
			_, key := f.agentWith("ops")
			return f.ts.do(key, "PUT", liveagent.PathRole(f.roles["ops"].ID), map[string]any{"name": "ops2"})
		}, 403, "you cannot change or delete the role you hold yourself"},
		{"admin edits a role above it", func(f *rulesFixture) response {
			return f.ts.do(AdminKey, "PUT", liveagent.PathRole(f.roles["billing-clerk"].ID), map[string]any{"name": "bc"})
		}, 403, "you cannot change the role billing-clerk: it holds billing.manage"},
		{"admin edits a role equal to it", func(f *rulesFixture) response {
			return f.ts.do(AdminKey, "PUT", liveagent.PathRole(f.roles["ops"].ID), map[string]any{"name": "ops2"})
		}, 200, ""},
		{"admin widens a role below it", func(f *rulesFixture) response {
			return f.ts.do(AdminKey, "PUT", liveagent.PathRole(f.roles["support-lead"].ID),
				map[string]any{"permissions": []string{rbac.AgentsRead, rbac.TicketsAll}})
		}, 200, ""},
		{"admin cannot widen a role to billing", func(f *rulesFixture) response {
			return f.ts.do(AdminKey, "PUT", liveagent.PathRole(f.roles["support-lead"].ID),
				map[string]any{"permissions": []string{rbac.BillingManage}})
		}, 403, "you cannot define a role holding billing.manage"},
		{"admin deletes a role below it", func(f *rulesFixture) response {
			return f.ts.do(AdminKey, "DELETE", liveagent.PathRole(f.roles["support-lead"].ID), nil)
		}, 200, ""},
		{"admin cannot move holders onto owner", func(f *rulesFixture) response {
			f.agentWith("support-lead")
			return f.ts.do(AdminKey, "DELETE", liveagent.PathRole(f.roles["support-lead"].ID)+"?reassign_to=owner", nil)
		}, 403, "you cannot give the role owner"},
		{"403 before 409: agent deletes a role in use", func(f *rulesFixture) response {
			f.agentWith("support-lead")
			return f.ts.do(AgentKey, "DELETE", liveagent.PathRole(f.roles["support-lead"].ID), nil)
		}, 403, "only owners and admins can manage custom roles"},
		{"billing-clerk may define billing roles", func(f *rulesFixture) response {
			_, key := f.agentWith("billing-clerk")
			return f.ts.do(key, "POST", liveagent.PathRoles, map[string]any{"name": "payer", "base": "owner", "permissions": []string{rbac.BillingManage}})
		}, 201, ""},
		{"owner defines a role with everything", func(f *rulesFixture) response {
			return f.ts.do(OwnerKey, "POST", liveagent.PathRoles, map[string]any{"name": "all", "base": "owner", "permissions": allPerms})
		}, 201, ""},
		{"agent edits its own profile", func(f *rulesFixture) response {
			return f.ts.do(AgentKey, "PUT", liveagent.PathAgent(f.ts.me(AgentKey).ID), map[string]any{"name": "Aggie", "gender": "F"})
		}, 200, ""},
		{"support-lead edits another agent", func(f *rulesFixture) response {
			_, key := f.agentWith("support-lead")
			return f.ts.do(key, "PUT", liveagent.PathAgent(f.ts.me(AgentKey).ID), map[string]any{"name": "x"})
		}, 403, "only owners and admins can edit other agents"},
		{"inviter without departments.assign invites", func(f *rulesFixture) response {
			return f.ts.do(f.inviterKey(), "POST", liveagent.PathAgents, map[string]any{"name": "N", "email": "n@example.com"})
		}, 201, ""},
		{"inviter without departments.assign assigns one", func(f *rulesFixture) response {
			return f.ts.do(f.inviterKey(), "POST", liveagent.PathAgents, map[string]any{"name": "N", "email": "n@example.com", "departments": []string{DeptSalesID}})
		}, 403, "assigning departments needs departments.assign"},
		{"409 after 403: agent re-invites the owner", func(f *rulesFixture) response {
			return f.ts.do(AgentKey, "POST", liveagent.PathAgents, map[string]any{"name": "O", "email": OwnerEmail})
		}, 403, ""},
		{"409 for the admin", func(f *rulesFixture) response {
			return f.ts.do(AdminKey, "POST", liveagent.PathAgents, map[string]any{"name": "O", "email": OwnerEmail})
		}, 409, "already exists"},
	}
	for _, self := range ruleLabels {
		tests = append(tests,
			ruleCase{self + " edits its own name", func(f *rulesFixture) response {
				a, key := f.agentWith(self)
				return f.ts.do(key, "PUT", liveagent.PathAgent(a.ID), map[string]any{"name": "Me"})
			}, 200, ""},
			ruleCase{self + " deletes itself", func(f *rulesFixture) response {
				a, key := f.agentWith(self)
				return f.ts.do(key, "DELETE", liveagent.PathAgent(a.ID), nil)
			}, 403, "you cannot delete your own account"},
			ruleCase{self + " changes its own role", func(f *rulesFixture) response {
				a, key := f.agentWith(self)
				to := "agent"
				if self == "agent" {
					to = "admin"
				}
				return f.ts.do(key, "PUT", liveagent.PathAgent(a.ID), map[string]any{"role": to, "role_id": ""})
			}, 403, "you cannot change your own role"},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newRulesFixture(t)
			r := tt.do(f)
			if r.status != tt.want || !contains(r.message(), tt.wantMsg) {
				t.Fatalf("got %v, want %d with message containing %q", r, tt.want, tt.wantMsg)
			}
		})
	}
}

// superKey is the key of an agent whose custom role holds every permission
// but is based on admin, so it does not count as an owner: the one kind of
// actor that can reach the last owner, for rule 4 to stop.
func (f *rulesFixture) superKey() string {
	super := f.ts.createRole("", liveagent.RoleCreate{Name: "super", Base: "admin",
		Permissions: rbac.MustBuiltin(rbac.Owner).Permissions.Names()})
	f.roles["super"] = super
	_, key := f.agentWith("super")
	return key
}

// coOwnerIsLast makes the seeded owner hold a custom owner role "co-owner" as
// the account's only owner, and returns a super key to act on that role.
func (f *rulesFixture) coOwnerIsLast() string {
	co := f.ts.createRole("", liveagent.RoleCreate{Name: "co-owner", Base: "owner",
		Permissions: rbac.MustBuiltin(rbac.Owner).Permissions.Names()})
	f.roles["co-owner"] = co
	o2, key2 := f.agentWith("owner")
	f.ts.must(200, key2, "PUT", liveagent.PathAgent(f.owner.ID), roleBody(co))
	f.ts.must(200, OwnerKey, "DELETE", liveagent.PathAgent(o2.ID), nil)
	return f.superKey()
}

// inviterKey is an agent-based custom role with agents.invite only.
func (f *rulesFixture) inviterKey() string {
	f.roles["inviter"] = f.ts.createRole("", liveagent.RoleCreate{Name: "inviter", Base: "agent",
		Permissions: rbac.MustBuiltin(rbac.Agent).Permissions.With(rbac.AgentsInvite).Names()})
	_, key := f.agentWith("inviter")
	return key
}
