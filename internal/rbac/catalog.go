// Package rbac holds the rules of who may do what in a help desk account:
// the permission catalog, the built-in roles, and Decide, which both the CLI
// (to refuse early, exit 4) and the sandbox server (to answer 403) call.
// It is pure: no I/O, no clock, no globals that change.
package rbac

import (
	"math/bits"
	"strings"
)

// Permission names, exactly as on the wire (GET /permissions, Role.permissions).
const (
	TicketsOwn          = "tickets.own"
	TicketsAll          = "tickets.all"
	KnowledgebaseManage = "knowledgebase.manage"
	ReportsOwn          = "reports.own"
	ReportsAll          = "reports.all"
	ProfileOwn          = "profile.own"
	AgentsRead          = "agents.read"
	AgentsInvite        = "agents.invite"
	AgentsManage        = "agents.manage"
	AgentsRoles         = "agents.roles"
	AgentsPasswords     = "agents.passwords"
	DepartmentsAssign   = "departments.assign"
	RolesManage         = "roles.manage"
	SettingsLanguage    = "settings.language"
	SettingsTickets     = "settings.tickets"
	SettingsPlugins     = "settings.plugins"
	SecurityBans        = "security.bans"
	AutomationTags      = "automation.tags"
	AutomationRules     = "automation.rules"
	ResponsesManage     = "responses.manage"
	APIKeysRead         = "apikeys.read"
	APIKeysManage       = "apikeys.manage"
	BillingManage       = "billing.manage"
)

// PermissionInfo is one entry of the catalog.
type PermissionInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// catalog is in the order of spec/rbac.md; a permission's index is its bit in a Set.
var catalog = []PermissionInfo{
	{TicketsOwn, "work tickets, chats, calls and messages assigned to you or your departments"},
	{TicketsAll, "access every ticket"},
	{KnowledgebaseManage, "write and edit knowledge-base articles"},
	{ReportsOwn, "see your own work report"},
	{ReportsAll, "see in-depth reports for every agent and the account"},
	{ProfileOwn, "edit your own profile (name, nickname, gender, password, two-factor, notifications, signature)"},
	{AgentsRead, "list and view agents"},
	{AgentsInvite, "create (invite) agents"},
	{AgentsManage, "edit and delete other agents, restore deleted ones"},
	{AgentsRoles, "change an agent's role"},
	{AgentsPasswords, "reset other agents' passwords"},
	{DepartmentsAssign, "assign agents to departments"},
	{RolesManage, "create, edit and delete custom roles"},
	{SettingsLanguage, "set the system language"},
	{SettingsTickets, "ticket filters and ticket fields"},
	{SettingsPlugins, "install plugins"},
	{SecurityBans, "banned IPs and ban history"},
	{AutomationTags, "automation through tags"},
	{AutomationRules, "rules, SLAs and time rules"},
	{ResponsesManage, "canned messages and predefined answers per department"},
	{APIKeysRead, "see every agent's API keys (anyone may see their own)"},
	{APIKeysManage, "revoke any agent's API keys (anyone may revoke their own)"},
	{BillingManage, "subscription plan, payments, invoices"},
}

var catalogIndex = func() map[string]int {
	m := make(map[string]int, len(catalog))
	for i, p := range catalog {
		m[p.Name] = i
	}
	return m
}()

// Catalog returns the permission catalog in its documented order.
func Catalog() []PermissionInfo {
	return append([]PermissionInfo(nil), catalog...)
}

// IsPermission reports whether name is in the catalog.
func IsPermission(name string) bool {
	_, ok := catalogIndex[name]
	return ok
}

// Set is a set of catalog permissions, one bit per catalog entry, so that
// "holds every permission of" is a single mask operation.
type Set uint64

// NewSet builds a set from permission names; unknown names are returned
// separately so callers can report them (422 on the server, exit 2 in the CLI).
func NewSet(names ...string) (s Set, unknown []string) {
	for _, n := range names {
		i, ok := catalogIndex[n]
		if !ok {
			unknown = append(unknown, n)
			continue
		}
		s |= 1 << i
	}
	return s, unknown
}

// MustSet is NewSet for names known at compile time.
func MustSet(names ...string) Set {
	s, unknown := NewSet(names...)
	if len(unknown) > 0 {
		panic("rbac: unknown permissions " + strings.Join(unknown, ", "))
	}
	return s
}

// Has reports whether the set holds the named permission.
func (s Set) Has(name string) bool {
	i, ok := catalogIndex[name]
	return ok && s&(1<<i) != 0
}

// Covers reports whether s holds every permission of other.
func (s Set) Covers(other Set) bool { return other&^s == 0 }

// Missing lists, in catalog order, the permissions of other that s lacks.
func (s Set) Missing(other Set) []string { return (other &^ s).Names() }

// With returns s plus the named permissions.
func (s Set) With(names ...string) Set { return s | MustSet(names...) }

// Without returns s minus the named permissions.
func (s Set) Without(names ...string) Set { return s &^ MustSet(names...) }

// Len is the number of permissions in the set.
func (s Set) Len() int { return bits.OnesCount64(uint64(s)) }

// Names lists the permissions in catalog order (never nil, so JSON shows []).
func (s Set) Names() []string {
	names := make([]string, 0, s.Len())
	for i, p := range catalog {
		if s&(1<<i) != 0 {
			names = append(names, p.Name)
		}
	}
	return names
}

// Suggest returns the candidate closest to name by edit distance, or "" when
// nothing is close enough to be a plausible typo.
func Suggest(name string, candidates []string) string {
	best, bestDist := "", -1
	lname := strings.ToLower(name)
	for _, c := range candidates {
		d := levenshtein(lname, strings.ToLower(c))
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	limit := len(name)/3 + 1
	if limit > 3 {
		limit = 3
	}
	if best == "" || bestDist > limit {
		return ""
	}
	return best
}

// PermissionNames lists every catalog permission name, in catalog order.
func PermissionNames() []string {
	names := make([]string, len(catalog))
	for i, p := range catalog {
		names[i] = p.Name
	}
	return names
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
