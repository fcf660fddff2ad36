package rbac

import (
	"slices"
	"sort"
	"strings"
)

// A privilege is LiveAgent's own name for what an API key may do, as
// GET /api/privileges lists it ("agent.manage"). Keys on an account without
// the extensions of spec/api.md are known only by their privileges; this is
// the table of spec/rbac.md ("Keys that are not agents") that maps them onto
// our permission catalog, both ways.
var privilegeTable = []struct {
	privilege   string
	permissions Set
}{
	{"agent.read", MustSet(AgentsRead)},
	{"agent.own", MustSet(ProfileOwn)},
	{"agent.manage", MustSet(AgentsInvite, AgentsManage, AgentsRoles, AgentsPasswords, DepartmentsAssign)},
	{"api.read", MustSet(APIKeysRead)},
	{"api.delete", MustSet(APIKeysManage)},
	{"subscription.write", MustSet(BillingManage)},
	{"invoice.read", MustSet(BillingManage)},
	{"ticket.read_all", MustSet(TicketsAll)},
	{"ticket.read", MustSet(TicketsOwn)},
}

// expressible is every permission the table can express for a key.
var expressible = func() Set {
	var s Set
	for _, p := range privilegeTable {
		s |= p.permissions
	}
	return s
}()

// Expressible is the set of permissions that can be known for a key caller:
// the right-hand column of the mapping. Rules 2 and 3 compare only these.
func Expressible() Set { return expressible }

// PermissionsOfPrivileges maps LiveAgent privilege names onto our permissions
// (the union of the table's rows). Names the table does not list are
// returned apart, in their given order: they mean nothing to the rules.
func PermissionsOfPrivileges(privileges []string) (s Set, unmapped []string) {
	for _, name := range privileges {
		found := false
		for _, p := range privilegeTable {
			if p.privilege == name {
				s |= p.permissions
				found = true
			}
		}
		if !found {
			unmapped = append(unmapped, name)
		}
	}
	return s, unmapped
}

// PrivilegesOfPermissions is the reverse: a privilege is listed when s holds
// every permission it maps to (agent.manage needs all five). The names come
// sorted, so that the answer does not depend on the table's order.
func PrivilegesOfPermissions(s Set) []string {
	out := []string{}
	for _, p := range privilegeTable {
		if s.Covers(p.permissions) {
			out = append(out, p.privilege)
		}
	}
	sort.Strings(out)
	return out
}

// PrivilegeNames lists every privilege the table knows, sorted.
func PrivilegeNames() []string {
	out := make([]string, 0, len(privilegeTable))
	for _, p := range privilegeTable {
		out = append(out, p.privilege)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// KeySubject is the caller of an account without the extensions: an API key
// whose agent is unknown, holding what its privileges map to.
func KeySubject(privileges []string) Subject {
	set, _ := PermissionsOfPrivileges(privileges)
	known := append([]string(nil), privileges...)
	sort.Strings(known)
	name := "API key"
	if len(known) > 0 {
		name += " with " + strings.Join(known, ", ")
	}
	return Subject{Key: true, Role: Role{Name: name, Permissions: set}}
}
