package audit

import (
	"fmt"
	"strings"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// checkBaseline reports every difference between the baseline roster and the
// account: agents added, deleted, restored, and role changes.
//
// Entries are matched to agents by id when the roster has one (so an agent
// deleted and invited again under the same email is one deletion and one
// addition), else by email, preferring the active agent. Roles are compared
// as role and role_id, so moving an agent between a built-in role and a
// custom role based on it is a change; a roster without a role_id field is
// compared on role (the base role) only.
func (ev *evaluator) checkBaseline(base *Baseline) {
	fileLoc := Location{File: base.File, Line: 1}
	for _, id := range []string{RuleBaselineAdded, RuleBaselineDeleted, RuleBaselineRestored, RuleBaselineRoleChanged} {
		ev.addBuiltinCheck(id, fileLoc)
	}
	byID := make(map[string]*view, len(ev.views))
	byEmail := make(map[string][]*view, len(ev.views))
	for i := range ev.views {
		v := &ev.views[i]
		byID[v.a.ID] = v
		byEmail[v.email] = append(byEmail[v.email], v)
	}
	matched := make(map[*view]bool, len(base.Entries))
	for _, e := range base.Entries {
		var cur *view
		if e.ID != "" {
			cur = byID[e.ID]
		} else {
			for _, v := range byEmail[strings.ToLower(e.Email)] {
				if cur == nil || (v.active && !cur.active) {
					cur = v
				}
			}
		}
		if cur != nil {
			matched[cur] = true
		}
		loc := Location{File: base.File, Line: e.Line}
		wasActive := e.Status != liveagent.StatusDeleted
		isActive := cur != nil && cur.active
		was := ev.baselineRoleName(e)
		switch {
		case wasActive && cur == nil:
			ev.find(Finding{Rule: RuleBaselineDeleted, Agent: &AgentRef{ID: e.ID, Email: e.Email}, Location: loc,
				Message: fmt.Sprintf("%s (%s in the baseline) is no longer in the account.", e.label(), was)})
		case wasActive && !isActive:
			ev.find(Finding{Rule: RuleBaselineDeleted, Agent: cur.ref(), Location: loc,
				Message: fmt.Sprintf("%s (%s in the baseline) has been deleted.", cur.a.Email, was)})
		case !wasActive && isActive:
			ev.find(Finding{Rule: RuleBaselineRestored, Agent: cur.ref(), Location: loc,
				Message: fmt.Sprintf("%s was deleted in the baseline and is active again, as %s.", cur.a.Email, cur.roleLabel())})
		case wasActive && isActive && !ev.sameRole(e, cur):
			ev.find(Finding{Rule: RuleBaselineRoleChanged, Agent: cur.ref(), Location: loc,
				Message: fmt.Sprintf("%s changed role from %s to %s.", cur.a.Email, was, cur.roleLabel())})
		}
	}
	for i := range ev.views {
		v := &ev.views[i]
		if v.active && !matched[v] {
			ev.find(Finding{Rule: RuleBaselineAdded, Agent: v.ref(), Location: fileLoc,
				Message: fmt.Sprintf("%s (%s) is active but not in the baseline.", v.a.Email, v.roleLabel())})
		}
	}
}

// recordedRole is the role a roster entry records, as an identity to
// compare with an agent's current one ("custom:<id>" or "builtin:<name>"),
// and how to show it. Rosters come in two shapes: the Agent objects of the
// API (role is the base role, role_id the custom role) and the rows of
// `agent export` (role is the role's name, role_id the custom role); a
// hand-written roster may name a custom role in role without a role_id.
// baseOnly is set when the roster has no role_id field and names a built-in:
// then only the base role can be compared.
func (ev *evaluator) recordedRole(e BaselineEntry) (identity, shown string, baseOnly bool) {
	if e.RoleID != "" {
		if r, ok := ev.roles.Lookup(e.RoleID); ok && !r.Builtin {
			return "custom:" + strings.ToLower(r.ID), roleLabel(r), false
		}
		if ev.roles.Blind() {
			// Custom roles cannot be listed: one no agent holds now may exist still.
			base := strings.ToLower(e.Role)
			if !rbac.IsBuiltin(base) {
				base = ""
			}
			return "custom:" + strings.ToLower(e.RoleID), liveagent.OpaqueRole(e.RoleID, base).Label(), false
		}
		shown := fmt.Sprintf("%s (custom role %s, which no longer exists)", e.Role, e.RoleID)
		if rbac.IsBuiltin(strings.ToLower(e.Role)) {
			shown = fmt.Sprintf("custom role %s (based on %s, which no longer exists)", e.RoleID, strings.ToLower(e.Role))
		}
		return "custom:" + strings.ToLower(e.RoleID), shown, false
	}
	role := strings.ToLower(e.Role)
	if rbac.IsBuiltin(role) {
		return "builtin:" + role, role, !e.HasRoleID
	}
	if r, ok := ev.roles.Lookup(e.Role); ok && !r.Builtin {
		return "custom:" + strings.ToLower(r.ID), roleLabel(r), false
	}
	return "missing:" + e.Role, fmt.Sprintf("%s (a custom role that no longer exists)", e.Role), false
}

// currentRole is an agent's role as an identity comparable with recordedRole.
func currentRole(a *liveagent.Agent) string {
	if a.RoleID != "" {
		return "custom:" + strings.ToLower(a.RoleID)
	}
	return "builtin:" + strings.ToLower(a.Role)
}

func (ev *evaluator) sameRole(e BaselineEntry, cur *view) bool {
	identity, _, baseOnly := ev.recordedRole(e)
	if baseOnly {
		return strings.EqualFold(e.Role, cur.base)
	}
	return identity == currentRole(cur.a)
}

// baselineRoleName shows the role an entry records, as roles are shown elsewhere.
func (ev *evaluator) baselineRoleName(e BaselineEntry) string {
	_, shown, _ := ev.recordedRole(e)
	return shown
}
