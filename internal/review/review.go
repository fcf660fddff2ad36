// Package review is the access review of spec/lifecycle.md ("Access
// reviews"): the file a reviewer fills in (Export), the decisions read back
// from it (Read), the check that the account has not moved since the export
// (Stale), and the evidence of what was decided and done (Evidence). It is
// pure: the CLI reads the account and applies the decisions through the bulk
// engine, like any other plan.
package review

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ladmin/ladmin/internal/bulk"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// Scopes of `review export --scope`.
const (
	ScopePrivileged = "privileged"
	ScopeAll        = "all"
)

// Row is one agent of a review file. The json names are the CSV header, in
// this order; decision and note are left empty for the reviewer.
type Row struct {
	ID             string `json:"id"`
	Email          string `json:"email"`
	Name           string `json:"name"`
	Role           string `json:"role"`
	RoleID         string `json:"role_id"`
	Status         string `json:"status"`
	Permissions    string `json:"permissions"` // beyond the agent role, ";"-joined
	TwofactorAuth  string `json:"twofactor_auth"`
	LastPswdChange string `json:"last_pswd_change"`
	Departments    string `json:"departments"` // names, ";"-joined
	APIKeys        string `json:"api_keys"`    // how many keys the agent holds; empty when unknown
	Decision       string `json:"decision"`
	Note           string `json:"note"`
}

// Columns are the review file's columns, in the order Export writes them.
var Columns = []string{"id", "email", "name", "role", "role_id", "status", "permissions", "twofactor_auth",
	"last_pswd_change", "departments", "api_keys", "decision", "note"}

// Beyond lists the permissions a role holds that the built-in agent role
// does not: what makes its holders privileged.
func Beyond(r rbac.Role) []string {
	return rbac.MustBuiltin(rbac.Agent).Permissions.Missing(r.Permissions)
}

// Privileged reports whether holders of r are in a privileged review: every
// owner, every admin, and every holder of a custom role with any permission
// the agent role lacks.
func Privileged(r rbac.Role) bool {
	return r.Base == rbac.Owner || r.Base == rbac.Admin || len(Beyond(r)) > 0
}

// UnknownPermissions fills the permissions column of a custom role whose
// definition the account's API does not show.
const UnknownPermissions = "unknown (custom role not visible through LiveAgent's published API)"

// Export lists the active agents in scope as review rows, by email. keys
// counts each agent's API keys; nil means they could not be read, and the
// column stays empty.
func Export(acct *bulk.Account, scope string, keys map[string]int) []Row {
	rows := []Row{}
	for _, a := range acct.Agents {
		if !a.Active() {
			continue
		}
		role := acct.Roles.Of(a)
		r := role.RBAC()
		// A custom role seen only from outside may hold anything: it is
		// reviewed, never assumed harmless.
		if scope == ScopePrivileged && !Privileged(r) && !role.Opaque {
			continue
		}
		perms := strings.Join(Beyond(r), ";")
		if role.Opaque {
			perms = UnknownPermissions
		}
		row := Row{ID: a.ID, Email: a.Email, Name: a.Name, Role: role.Name, RoleID: a.RoleID, Status: a.Status,
			Permissions: perms, TwofactorAuth: a.TwofactorAuth, LastPswdChange: a.LastPswdChange,
			Departments: strings.Join(acct.DepartmentNames(acct.DepartmentsOf(a.ID)), ";")}
		if keys != nil {
			row.APIKeys = strconv.Itoa(keys[a.ID])
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool { return strings.ToLower(rows[i].Email) < strings.ToLower(rows[j].Email) })
	return rows
}

// Kind is what a reviewer decided for one agent.
type Kind string

// The decisions of a review file.
const (
	Keep     Kind = "keep"
	Offboard Kind = "offboard"
	SetRole  Kind = "role"
)

// Decision is one row read back from a filled-in review file.
type Decision struct {
	Line int
	// As exported: what the staleness check compares with the account.
	ID, Email, Role, RoleID, Status string
	Kind                            Kind
	NewRole                         string // the role named by role:NAME
	Note                            string
	// Defaulted is true when the cell was empty and --default keep filled it.
	Defaulted bool
}

// ParseDecision reads a decision cell: keep, offboard or role:NAME.
func ParseDecision(cell string) (Kind, string, error) {
	v := strings.TrimSpace(cell)
	switch strings.ToLower(v) {
	case string(Keep):
		return Keep, "", nil
	case string(Offboard):
		return Offboard, "", nil
	}
	if strings.HasPrefix(strings.ToLower(v), "role:") {
		name := strings.TrimSpace(v[len("role:"):])
		if name == "" {
			return "", "", fmt.Errorf("decision %q names no role: write role:NAME, e.g. role:agent", v)
		}
		return SetRole, name, nil
	}
	return "", "", fmt.Errorf("unknown decision %q: use keep, offboard or role:NAME (role:agent removes the privilege and keeps the person)", v)
}

// Read takes the decisions out of a parsed review file (read by the import
// reader, so spreadsheets' BOM, CRLF and ";" delimiters are fine). Every
// problem is reported with its line; defaultKeep fills empty decisions.
func Read(f *bulk.File, roles *liveagent.RoleIndex, defaultKeep bool) ([]Decision, bulk.Problems) {
	var problems bulk.Problems
	add := func(line int, col, format string, args ...any) {
		problems = append(problems, bulk.Problem{File: f.Name, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
	}
	col := map[string]int{}
	for i, name := range f.Columns {
		col[strings.ToLower(strings.TrimSpace(name))] = i
	}
	for _, need := range []string{"id", "email", "role", "role_id", "status", "decision"} {
		if _, ok := col[need]; !ok {
			add(1, "", "missing column %q: a review file is what `ladmin review export` writes, with the decision column filled in", need)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	cell := func(r bulk.Record, name string) string {
		i, ok := col[name]
		if !ok || i >= len(r.Raw) {
			return ""
		}
		return strings.TrimSpace(r.Raw[i])
	}
	seen := map[string]int{}
	var out []Decision
	for _, r := range f.Records {
		d := Decision{Line: r.Line, ID: cell(r, "id"), Email: cell(r, "email"), Role: cell(r, "role"),
			RoleID: cell(r, "role_id"), Status: cell(r, "status"), Note: cell(r, "note")}
		if d.ID == "" {
			add(r.Line, "id", "missing id: keep the id column as exported, it ties the row to the agent")
			continue
		}
		if prev, dup := seen[d.ID]; dup {
			add(r.Line, "id", "agent %s is already decided on line %d", d.ID, prev)
			continue
		}
		seen[d.ID] = r.Line
		raw := cell(r, "decision")
		if raw == "" {
			if !defaultKeep {
				add(r.Line, "decision", "no decision for %s: write keep, offboard or role:NAME (or pass --default keep)", d.Email)
				continue
			}
			d.Kind, d.Defaulted = Keep, true
			out = append(out, d)
			continue
		}
		kind, role, err := ParseDecision(raw)
		if err != nil {
			add(r.Line, "decision", "%s", err.Error())
			continue
		}
		d.Kind = kind
		if kind == SetRole {
			known, ok := roles.Lookup(role)
			if !ok {
				msg := fmt.Sprintf("unknown role %q", role)
				if s := rbac.Suggest(role, roles.Names()); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				add(r.Line, "decision", "%s", msg)
				continue
			}
			d.NewRole = known.Name
		}
		out = append(out, d)
	}
	return out, problems.Sorted()
}

// StaleRow is a decision whose agent changed since the export.
type StaleRow struct {
	Decision Decision
	Changes  []string // "role admin -> owner", "deleted", ...
}

// Stale compares every decision's exported columns with the account now:
// any difference in id, email, role, role_id or status means the reviewer
// decided on something that is no longer there.
func Stale(decisions []Decision, acct *bulk.Account) []StaleRow {
	byID := make(map[string]*liveagent.Agent, len(acct.Agents))
	for i := range acct.Agents {
		byID[acct.Agents[i].ID] = &acct.Agents[i]
	}
	var out []StaleRow
	for _, d := range decisions {
		a := byID[d.ID]
		if a == nil {
			out = append(out, StaleRow{Decision: d, Changes: []string{"the agent no longer exists"}})
			continue
		}
		var changes []string
		if !strings.EqualFold(a.Email, d.Email) {
			changes = append(changes, fmt.Sprintf("email %s -> %s", d.Email, a.Email))
		}
		if now := acct.Roles.RoleName(*a); now != d.Role {
			changes = append(changes, fmt.Sprintf("role %s -> %s", d.Role, now))
		}
		if a.RoleID != d.RoleID {
			changes = append(changes, fmt.Sprintf("role_id %q -> %q", d.RoleID, a.RoleID))
		}
		if a.Status != d.Status {
			changes = append(changes, fmt.Sprintf("status %s -> %s", d.Status, a.Status))
		}
		if len(changes) > 0 {
			out = append(out, StaleRow{Decision: d, Changes: changes})
		}
	}
	return out
}
