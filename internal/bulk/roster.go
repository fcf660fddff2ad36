package bulk

import (
	"sort"
	"strings"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// RosterAgent is one agent as `ladmin agent export` writes it, and as
// `agent import` and `audit --baseline` read it back. The json names are the
// contract (the CSV header and YAML keys are the same):
//
//   - email, name, gender: as in the API.
//   - role: the role's NAME, a built-in (owner, admin, agent) or a custom
//     role's name, so a person can edit it and import can resolve it in any
//     account. (The API's own `role` is the base role; for built-in roles the
//     two are the same.)
//   - departments: department names (";"-joined in CSV).
//   - id, role_id, status: as in the API, for audit baselines: the agent id,
//     the custom role's id ("" for built-ins), and A or X. Import reads them
//     back but never acts on them: it matches agents by email, skips rows
//     with status X, and resolves roles by name.
type RosterAgent struct {
	Email       string   `json:"email"`
	Name        string   `json:"name"`
	Role        string   `json:"role"`
	Gender      string   `json:"gender"`
	Departments []string `json:"departments"`
	ID          string   `json:"id"`
	RoleID      string   `json:"role_id"`
	Status      string   `json:"status"`
}

// Roster lists the account's agents for export, by email (active before
// deleted), keeping those include accepts (all when nil).
func Roster(acct *Account, include func(liveagent.Agent) bool) []RosterAgent {
	// Each email is lowercased once, not in every comparison: at 100,000
	// agents the sort did some three million ToLower calls.
	type keyed struct {
		email string
		agent RosterAgent
	}
	rows := make([]keyed, 0, len(acct.Agents))
	for _, a := range acct.Agents {
		if include != nil && !include(a) {
			continue
		}
		role := acct.Roles.Of(a)
		depts := acct.depts.NamesOf(acct.depts.IDsOf(a.ID))
		if depts == nil {
			depts = []string{}
		}
		rows = append(rows, keyed{email: strings.ToLower(a.Email), agent: RosterAgent{Email: a.Email, Name: a.Name,
			Role: role.Name, Gender: a.Gender, Departments: depts, ID: a.ID, RoleID: a.RoleID, Status: a.Status}})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].email != rows[j].email {
			return rows[i].email < rows[j].email
		}
		if rows[i].agent.Status != rows[j].agent.Status {
			return rows[i].agent.Status == liveagent.StatusActive
		}
		return rows[i].agent.ID < rows[j].agent.ID
	})
	out := make([]RosterAgent, len(rows))
	for i := range rows {
		out[i] = rows[i].agent
	}
	return out
}
