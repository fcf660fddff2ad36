package cmdutil

import (
	"fmt"
	"strings"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// ResolveRole finds a role by name or id, suggesting the nearest on a typo (exit 2).
func ResolveRole(roles *liveagent.RoleIndex, name string) (liveagent.Role, error) {
	if r, ok := roles.Lookup(name); ok {
		return r, nil
	}
	return liveagent.Role{}, Usagef("unknown role %q%s", name, suggestion(name, roles.Names(), "known roles"))
}

// FindRole finds the role a command acts on (`role show X`): a missing one
// is "not found" (exit 5), like a missing agent. A role given as a flag value
// (--role, --from) is input to check instead: see ResolveRole.
func FindRole(roles *liveagent.RoleIndex, name string) (liveagent.Role, error) {
	if r, ok := roles.Lookup(name); ok {
		return r, nil
	}
	return liveagent.Role{}, liveagent.NewError(liveagent.KindNotFound, "role %q not found%s", name,
		suggestion(name, roles.Names(), "known roles"))
}

// ResolveDepartments maps department names or ids to ids, suggesting the
// nearest name on a typo (exit 2).
func ResolveDepartments(depts *liveagent.DepartmentIndex, refs []string) ([]string, error) {
	ids := make([]string, 0, len(refs))
	for _, ref := range refs {
		d, ok := depts.Lookup(ref)
		if !ok {
			hint := ""
			if len(depts.Names()) > 0 {
				hint = suggestion(ref, depts.Names(), "departments")
			}
			return nil, Usagef("unknown department %q%s", ref, hint)
		}
		ids = append(ids, d.DepartmentID)
	}
	return ids, nil
}

// ResolvePermission checks a permission name against the catalog (exit 2).
func ResolvePermission(name string) error {
	if rbac.IsPermission(name) {
		return nil
	}
	return Usagef("unknown permission %q%s", name, suggestion(name, rbac.PermissionNames(), "see `ladmin permission list`"))
}

// suggestion is " (did you mean "x"?)" for a near miss, else a hint listing
// the valid names (or the given hint when it is a sentence of its own).
func suggestion(name string, valid []string, hint string) string {
	if s := rbac.Suggest(name, valid); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	if strings.HasPrefix(hint, "see ") {
		return " (" + hint + ")"
	}
	return " (" + hint + ": " + strings.Join(valid, ", ") + ")"
}

// OpaqueRoleError is the exit-8 refusal of what needs the permissions of a
// custom role seen only from outside (an account without the extensions):
// they cannot be seen, so the rules cannot be checked, and ladmin never
// guesses. lead says what was asked ("cannot give the role"), instead what
// to do.
func OpaqueRoleError(role liveagent.Role, lead, instead string) error {
	return &liveagent.Error{Kind: liveagent.KindUnsupported, Message: fmt.Sprintf(
		"%s: %s is a custom role whose permissions this account's API does not show (GET /roles is not part of LiveAgent's published API), so ladmin cannot check them; %s",
		lead, role.Label(), instead)}
}
