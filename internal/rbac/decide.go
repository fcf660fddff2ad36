package rbac

import (
	"fmt"
	"strings"
)

// Action is something an actor asks to do.
type Action int

const (
	ReadAgents   Action = iota + 1 // list or view agents
	CreateAgent                    // invite a new agent with Request.Role
	UpdateAgent                    // change Request.Fields of Request.Target
	DeleteAgent                    // delete Request.Target
	RestoreAgent                   // undelete Request.Target (who gets its role back)
	SetRole                        // give Request.Target the role Request.Role
	CreateRole                     // define the custom role Request.Role
	UpdateRole                     // change custom role Request.OldRole into Request.Role
	DeleteRole                     // delete custom role Request.OldRole, moving holders to Request.Role if set
	ReadAPIKeys                    // see the API keys of Request.Target (nil: every agent's)
	RevokeAPIKey                   // revoke an API key of Request.Target
	SignOutAgent                   // end every session of Request.Target
)

var actionVerbs = map[Action]string{
	ReadAgents:   "read agents",
	CreateAgent:  "invite agents",
	UpdateAgent:  "edit agents",
	DeleteAgent:  "delete agents",
	RestoreAgent: "restore agents",
	SetRole:      "change agents' roles",
	CreateRole:   "create roles",
	UpdateRole:   "edit roles",
	DeleteRole:   "delete roles",
	ReadAPIKeys:  "see API keys",
	RevokeAPIKey: "revoke API keys",
	SignOutAgent: "sign agents out",
}

func (a Action) String() string {
	if v, ok := actionVerbs[a]; ok {
		return v
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Subject is an agent as the rules see it, or an API key whose agent is
// unknown (Key: an account without the extensions, see KeySubject).
type Subject struct {
	ID    string
	Email string
	Role  Role
	// Key is true when the caller is known only by its key's privileges: its
	// permissions are those the privilege mapping can express, so rules 2 and
	// 3 compare only those, and rule 5 (self) is left to the account.
	Key bool
}

func (s Subject) name() string {
	if s.Email != "" {
		return s.Email
	}
	return s.ID
}

// ProfileFields are the fields an agent may change on itself without agents.manage (rule 6).
// profile.own covers "name, nickname, gender, password, two-factor, notifications,
// signature"; of those the Agent wire object has name, gender and twofactor_auth.
var ProfileFields = []string{"name", "gender", "avatar_url", "twofactor_auth"}

// Request describes one action for Decide. Only the fields the action needs are read.
type Request struct {
	Actor  Subject
	Action Action

	// Target is the agent acted on (UpdateAgent, DeleteAgent, RestoreAgent, SetRole).
	Target *Subject
	// Role is the role being given (CreateAgent, SetRole, the reassignment of
	// DeleteRole) or the new definition of a role (CreateRole, UpdateRole).
	Role *Role
	// OldRole is the custom role as it is now (UpdateRole, DeleteRole).
	OldRole *Role
	// Fields names the Agent fields an UpdateAgent changes (wire names).
	Fields []string
	// Departments is true when the action assigns departments.
	Departments bool

	// ActiveOwners is the number of active owners in the account now (rule 4).
	ActiveOwners int
	// OwnersHoldingRole is how many active owners hold OldRole (UpdateRole, DeleteRole).
	OwnersHoldingRole int
	// ActorHoldsRole is true when the actor's own role is OldRole (UpdateRole, DeleteRole).
	ActorHoldsRole bool
}

// Decision is the answer: allowed, or denied by a numbered rule of spec/rbac.md
// with a one-sentence reason fit to show a person.
type Decision struct {
	Allowed bool
	Rule    int
	Reason  string
}

func allow() Decision { return Decision{Allowed: true} }

func deny(rule int, format string, args ...any) Decision {
	return Decision{Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// Decide applies the rules of spec/rbac.md to one request. Both the CLI and
// the sandbox call it, so the two can never disagree.
func Decide(req Request) Decision {
	actor := req.Actor.Role
	switch req.Action {
	case ReadAgents:
		if !actor.Has(AgentsRead) {
			return deny(0, "your role (%s) cannot list or view agents", actor.Label())
		}
		return allow()

	case CreateAgent:
		if !actor.Has(AgentsInvite) {
			return deny(1, "only owners and admins can invite agents (your role: %s)", actor.Label())
		}
		if d := checkGrant(req, req.Role); !d.Allowed {
			return d
		}
		return checkDepartments(actor, req.Departments)

	case UpdateAgent:
		return decideUpdate(req)

	case DeleteAgent:
		t := mustTarget(req)
		if isSelf(req) {
			return deny(5, "you cannot delete your own account; another owner or admin must do it")
		}
		if d := checkReach(req, AgentsManage, "delete"); !d.Allowed {
			return d
		}
		if t.Role.IsOwner() && req.ActiveOwners <= 1 {
			return deny(4, "the account must keep an owner: %s is its last active owner", t.name())
		}
		return allow()

	case RestoreAgent:
		t := mustTarget(req)
		if !actor.Has(AgentsManage) {
			return deny(3, "only owners and admins can restore agents (your role: %s)", actor.Label())
		}
		// Restoring gives the target its role back, so it is a grant (rule 2).
		return checkGrant(req, &t.Role)

	case SetRole:
		t := mustTarget(req)
		if isSelf(req) {
			return deny(5, "you cannot change your own role; another owner or admin must do it")
		}
		if d := checkReach(req, AgentsRoles, "change the role of"); !d.Allowed {
			return d
		}
		if d := checkGrant(req, req.Role); !d.Allowed {
			return d
		}
		if t.Role.IsOwner() && !req.Role.IsOwner() && req.ActiveOwners <= 1 {
			return deny(4, "the account must keep an owner: %s is its last active owner and cannot be given the role %s",
				t.name(), req.Role.Label())
		}
		return allow()

	case CreateRole:
		if !actor.Has(RolesManage) {
			return deny(7, "only owners and admins can manage custom roles (your role: %s)", actor.Label())
		}
		return checkDefine(actor, req.Role)

	case UpdateRole, DeleteRole:
		return decideRoleChange(req)

	case ReadAPIKeys:
		// Anyone may see their own keys; others' need apikeys.read.
		if req.Target != nil && isSelf(req) {
			return allow()
		}
		if !actor.Has(APIKeysRead) {
			return deny(0, "seeing other agents' API keys needs %s, which your role (%s) does not hold", APIKeysRead, actor.Label())
		}
		return allow()

	case RevokeAPIKey:
		if isSelf(req) {
			return allow()
		}
		return checkReach(req, APIKeysManage, "revoke the API keys of")

	case SignOutAgent:
		if isSelf(req) {
			return allow()
		}
		return checkReach(req, AgentsManage, "sign out")
	}
	return deny(0, "unknown action %s", req.Action)
}

func decideUpdate(req Request) Decision {
	actor := req.Actor.Role
	for _, f := range req.Fields {
		switch f {
		case "role", "role_id":
			return deny(6, "the role cannot be changed by an update; use set-role")
		case "status":
			return deny(6, "the status cannot be changed by an update; use delete or restore")
		}
	}
	if isSelf(req) && !actor.Has(AgentsManage) {
		if !actor.Has(ProfileOwn) {
			return deny(6, "your role (%s) cannot edit its own profile", actor.Label())
		}
		for _, f := range req.Fields {
			if !isProfileField(f) {
				return deny(6, "you may change only your own profile fields (%s), not %s",
					strings.Join(ProfileFields, ", "), f)
			}
		}
		if req.Departments {
			return checkDepartments(actor, true)
		}
		return allow()
	}
	if d := checkReach(req, AgentsManage, "edit"); !d.Allowed {
		return d
	}
	return checkDepartments(actor, req.Departments)
}

func decideRoleChange(req Request) Decision {
	actor := req.Actor.Role
	old := req.OldRole
	if old == nil {
		panic("rbac: " + req.Action.String() + " needs OldRole")
	}
	if !actor.Has(RolesManage) {
		return deny(7, "only owners and admins can manage custom roles (your role: %s)", actor.Label())
	}
	if old.Builtin {
		return deny(7, "the built-in role %s cannot be changed or deleted", old.Base)
	}
	if req.ActorHoldsRole {
		return deny(5, "you cannot change or delete the role you hold yourself; another owner or admin must do it")
	}
	// Changing a role changes every holder, so the actor must be above the role
	// as it is (rule 3) and as it will be (rule 2).
	if missing := actor.Permissions.Missing(old.Permissions); len(missing) > 0 {
		return deny(7, "you cannot change the role %s: it holds %s, which your role (%s) does not",
			old.Name, strings.Join(missing, ", "), actor.Label())
	}
	if req.Action == UpdateRole {
		if d := checkDefine(actor, req.Role); !d.Allowed {
			return d
		}
		if old.IsOwner() && !req.Role.IsOwner() && req.OwnersHoldingRole > 0 && req.ActiveOwners-req.OwnersHoldingRole < 1 {
			return deny(4, "the account must keep an owner: role %s is held by its last active owners", old.Name)
		}
		return allow()
	}
	// DeleteRole: holders, if any, move to req.Role.
	if req.Role != nil {
		if d := checkGrant(req, req.Role); !d.Allowed {
			return d
		}
		if old.IsOwner() && !req.Role.IsOwner() && req.OwnersHoldingRole > 0 && req.ActiveOwners-req.OwnersHoldingRole < 1 {
			return deny(4, "the account must keep an owner: role %s is held by its last active owners", old.Name)
		}
	}
	return allow()
}

// visible is what of s the rules can compare for this actor: everything for
// an agent, only what the privilege mapping expresses for a key.
func visible(actor Subject, s Set) Set {
	if actor.Key {
		return s & expressible
	}
	return s
}

// checkGrant is rule 2: the actor must hold every permission of the role given.
func checkGrant(req Request, given *Role) Decision {
	actor := req.Actor.Role
	if given == nil {
		panic("rbac: a grant needs Role")
	}
	if missing := actor.Permissions.Missing(visible(req.Actor, given.Permissions)); len(missing) > 0 {
		return deny(2, "you cannot give the role %s: it holds %s, which your role (%s) does not",
			given.Label(), strings.Join(missing, ", "), actor.Label())
	}
	if given.Base == Owner && !actor.Has(BillingManage) {
		// Its holders show as "owner" on the wire: giving it is making an owner.
		return deny(2, "only owners can give the role %s, which is based on owner (your role: %s)",
			given.Label(), actor.Label())
	}
	return allow()
}

// checkDefine is rules 7 and 2 for a role definition.
func checkDefine(actor Role, def *Role) Decision {
	if def == nil {
		panic("rbac: a role definition needs Role")
	}
	if missing := actor.Permissions.Missing(def.Permissions); len(missing) > 0 {
		return deny(7, "you cannot define a role holding %s, which your role (%s) does not",
			strings.Join(missing, ", "), actor.Label())
	}
	if def.Base == Owner && !actor.Has(BillingManage) {
		return deny(7, "only owners can define roles based on owner (your role: %s)", actor.Label())
	}
	return allow()
}

// checkReach is rule 3: the actor needs the permission and must hold every
// permission the target holds now.
func checkReach(req Request, permission, verb string) Decision {
	actor, t := req.Actor.Role, mustTarget(req)
	if !actor.Has(permission) {
		what := map[string]string{
			"delete":             "delete agents",
			"edit":               "edit other agents",
			"change the role of": "change agents' roles",
			"sign out":           "sign other agents out",
		}[verb]
		if permission == APIKeysManage {
			return deny(3, "revoking other agents' API keys needs %s, which your role (%s) does not hold", APIKeysManage, actor.Label())
		}
		return deny(3, "only owners and admins can %s (your role: %s)", what, actor.Label())
	}
	if missing := actor.Permissions.Missing(visible(req.Actor, t.Role.Permissions)); len(missing) > 0 {
		return deny(3, "you cannot %s %s (role %s): they hold %s, which your role (%s) does not",
			verb, t.name(), t.Role.Label(), strings.Join(missing, ", "), actor.Label())
	}
	return allow()
}

func checkDepartments(actor Role, assigns bool) Decision {
	if assigns && !actor.Has(DepartmentsAssign) {
		return deny(3, "assigning departments needs departments.assign, which your role (%s) does not hold", actor.Label())
	}
	return allow()
}

func mustTarget(req Request) Subject {
	if req.Target == nil {
		panic("rbac: " + req.Action.String() + " needs a Target")
	}
	return *req.Target
}

func isSelf(req Request) bool {
	return req.Target != nil && req.Target.ID != "" && req.Target.ID == req.Actor.ID
}

func isProfileField(f string) bool {
	for _, p := range ProfileFields {
		if p == f {
			return true
		}
	}
	return false
}
