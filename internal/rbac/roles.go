package rbac

import "fmt"

// Built-in role names, exactly as in the Agent's wire field `role`.
const (
	Owner = "owner"
	Admin = "admin"
	Agent = "agent"
)

// Role is a role as the rules see it: built-in or custom, with its permissions.
type Role struct {
	ID          string // built-ins use their name as id
	Name        string
	Base        string // the built-in role it derives from (a built-in's base is itself)
	Builtin     bool
	Permissions Set
}

var (
	agentSet = MustSet(TicketsOwn, KnowledgebaseManage, ReportsOwn, ProfileOwn, AgentsRead)
	adminSet = agentSet.With(TicketsAll, ReportsAll, AgentsInvite, AgentsManage, AgentsRoles,
		AgentsPasswords, DepartmentsAssign, RolesManage, SettingsLanguage, SettingsTickets,
		SettingsPlugins, SecurityBans, AutomationTags, AutomationRules, ResponsesManage,
		APIKeysRead, APIKeysManage)
	ownerSet = adminSet.With(BillingManage)
)

// BuiltinNames lists the built-in roles from most to least privileged.
func BuiltinNames() []string { return []string{Owner, Admin, Agent} }

// Builtin returns the built-in role of that name.
func Builtin(name string) (Role, bool) {
	var s Set
	switch name {
	case Owner:
		s = ownerSet
	case Admin:
		s = adminSet
	case Agent:
		s = agentSet
	default:
		return Role{}, false
	}
	return Role{ID: name, Name: name, Base: name, Builtin: true, Permissions: s}, true
}

// MustBuiltin is Builtin for the three names known at compile time.
func MustBuiltin(name string) Role {
	r, ok := Builtin(name)
	if !ok {
		panic(fmt.Sprintf("rbac: %q is not a built-in role", name))
	}
	return r
}

// IsBuiltin reports whether name is one of owner, admin, agent.
func IsBuiltin(name string) bool {
	_, ok := Builtin(name)
	return ok
}

// IsOwner reports whether holders of the role count as owners of the account
// for rule 4 ("the account keeps an owner"): a role based on owner that still
// holds billing.manage, the one permission only owners have.
func (r Role) IsOwner() bool {
	return r.Base == Owner && r.Permissions.Has(BillingManage)
}

// Has reports whether the role holds the named permission.
func (r Role) Has(permission string) bool { return r.Permissions.Has(permission) }

// Label names the role for messages: "owner", or "support-lead (custom, based on admin)".
func (r Role) Label() string {
	if r.Base == "" && r.Name != "" {
		return r.Name // a key caller: "API key with agent.manage, ..."
	}
	if r.Builtin || r.Name == "" {
		return r.Base
	}
	return fmt.Sprintf("%s (custom, based on %s)", r.Name, r.Base)
}
