package bulk

import (
	"fmt"
	"strings"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/text"
)

// Unsupported lists the steps of a plan that an account with only
// LiveAgent's published API cannot take (spec/api.md): creating agents,
// assigning departments, and giving a custom role whose permissions cannot
// be seen (rule 2 could not be checked). Like any invalid plan it is refused
// whole, before anything is sent (exit 8); summary is the one sentence that
// says why and what to do instead. Nothing is returned on an account with
// the extensions.
func Unsupported(plan *Plan, acct *Account) (problems Problems, summary string) {
	if !acct.Published() {
		return nil, ""
	}
	p := &problemList{file: plan.File.Name}
	var creates, depts, opaque int
	for i := range plan.Steps {
		s := &plan.Steps[i]
		line := s.Record.Line
		switch {
		case s.Action == ActionCreate:
			creates++
			p.add(line, ColEmail, "would create %s, but %s", s.Record.Email, reason(liveagent.CapCreateAgents))
			continue
		case s.Action != ActionUpdate && s.Action != ActionRestore:
			continue
		}
		if s.Update == nil {
			continue
		}
		if s.Update.Departments != nil {
			depts++
			p.add(line, ColDepartments, "would change the departments of %s, but %s", s.Record.Email, reason(liveagent.CapDepartments))
		}
		if s.roleMoved() && s.role != nil && s.role.Opaque {
			opaque++
			p.add(line, ColRole, "would give %s the role %s, whose permissions this account's API does not show, so the rules cannot be checked; give it in LiveAgent itself",
				s.Record.Email, s.role.Name)
		}
	}
	if len(p.list) == 0 {
		return nil, ""
	}
	var parts []string
	if creates > 0 {
		parts = append(parts, text.Count(creates, "row creates an agent", "rows create agents"))
	}
	if depts > 0 {
		parts = append(parts, text.Count(depts, "row changes departments", "rows change departments"))
	}
	if opaque > 0 {
		parts = append(parts, text.Count(opaque, "row gives a custom role", "rows give custom roles"))
	}
	summary = fmt.Sprintf("%s: %s, which this account's API (LiveAgent's published API only) cannot do; ", plan.File.Name, strings.Join(parts, ", "))
	switch {
	case creates > 0:
		summary += "invite new agents in LiveAgent's Configuration > Agents (or ask LiveAgent support to enable the API for it) and import the other rows without them"
	case depts > 0:
		summary += "assign departments in LiveAgent's Configuration > Departments and import the file without its departments column"
	default:
		summary += "give those roles in LiveAgent itself"
	}
	return p.list.Sorted(), summary + "; nothing was changed"
}

// reason is the part of a capability's sentence after "but".
func reason(c liveagent.Capability) string {
	return fmt.Sprintf("this account's API cannot %s (%s is not part of LiveAgent's published API)", c.Does, c.Endpoint)
}
