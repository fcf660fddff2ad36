package liveagent

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ladmin/ladmin/internal/rbac"
)

// Agent is the published LiveAgent v3 Agent object. Field names and codes are
// the wire contract (spec/api.md); a contract test freezes them.
type Agent struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	Role           string `json:"role"`    // owner, admin, agent (the base role for custom roles)
	RoleID         string `json:"role_id"` // custom role id, empty for built-ins
	AvatarURL      string `json:"avatar_url"`
	OnlineStatus   string `json:"online_status"` // F offline, N online, P paused, C mobile
	Status         string `json:"status"`        // A active, X deleted
	Gender         string `json:"gender"`        // M, F, X
	LastPswdChange string `json:"last_pswd_change"`
	TwofactorAuth  string `json:"twofactor_auth"` // Y, N
	VoiceStatus    string `json:"voice_status"`
	SipPhoneID     string `json:"sip_phone_id"`
	APIPhoneID     string `json:"api_phone_id"`
}

// Agent status codes.
const (
	StatusActive  = "A"
	StatusDeleted = "X"
)

// Gender codes.
var Genders = []string{"M", "F", "X"}

// ValidEmail reports whether email is what the API accepts: a bare address
// (no display name) of at most 254 bytes, with a dotted domain. The CLI,
// the bulk validator and the sandbox all ask this one function.
func ValidEmail(email string) bool {
	// Control and format characters (Cc, Cf) and line and paragraph separators
	// (Zl, Zp) make an address that looks like another one: owner\u200b@... is
	// not owner@... Go's mail parser lets some of them through.
	if HasHiddenChars(email) {
		return false
	}
	addr, err := mail.ParseAddress(email)
	_, domain, _ := strings.Cut(email, "@")
	return err == nil && addr.Address == email && len(email) <= 254 &&
		strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// HasHiddenChars reports whether s holds a control or format character
// (Unicode Cc, Cf), a line or paragraph separator (Zl, Zp) or invalid UTF-8:
// what no email address or email pattern may contain.
func HasHiddenChars(s string) bool {
	return !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
	}) >= 0
}

// MaxNameLength is the longest name the API accepts, in characters.
const MaxNameLength = 255

// NameProblem says what is wrong with an agent's name for the API ("" when
// nothing is): longer than MaxNameLength characters, a line break or other
// control character, a bidi embedding, override or isolate (U+202A-U+202E,
// U+2066-U+2069: they make a name read as another), or a line or paragraph
// separator. The zero-width joiners that Persian and Indic names need
// (U+200C, U+200D) are kept. The CLI, the bulk validator and the sandbox all
// ask this one function; the message names the character, not the name.
func NameProblem(name string) string {
	if !utf8.ValidString(name) {
		return "is not valid UTF-8"
	}
	if utf8.RuneCountInString(name) > MaxNameLength {
		return fmt.Sprintf("is longer than %d characters", MaxNameLength)
	}
	for _, r := range name {
		switch {
		case r == '\n' || r == '\r':
			return "contains a line break"
		case unicode.IsControl(r):
			return fmt.Sprintf("contains a control character (%U)", r)
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			return fmt.Sprintf("contains a bidi override or isolate (%U), which can make it read as another name", r)
		case r == 0x2028 || r == 0x2029:
			return fmt.Sprintf("contains a line or paragraph separator (%U)", r)
		}
	}
	return ""
}

// Active reports whether the agent is not deleted.
func (a Agent) Active() bool { return a.Status != StatusDeleted }

// AgentCreate is the body of POST /agents (extension).
type AgentCreate struct {
	Name        string   `json:"name"`
	Email       string   `json:"email"`
	Role        string   `json:"role,omitempty"`
	RoleID      string   `json:"role_id,omitempty"`
	Gender      string   `json:"gender,omitempty"`
	Departments []string `json:"departments,omitempty"` // department ids
}

// AgentUpdate is the body of PUT /agents/{id}: only non-nil fields are sent.
type AgentUpdate struct {
	Name        *string   `json:"name,omitempty"`
	Gender      *string   `json:"gender,omitempty"`
	AvatarURL   *string   `json:"avatar_url,omitempty"`
	Role        *string   `json:"role,omitempty"`
	RoleID      *string   `json:"role_id,omitempty"`
	Departments *[]string `json:"departments,omitempty"`
}

// Department is the published Department object.
type Department struct {
	DepartmentID string   `json:"department_id"`
	Name         string   `json:"name"`
	AgentIDs     []string `json:"agent_ids"`
	AgentCount   int      `json:"agent_count"`
	OnlineStatus string   `json:"online_status"`
}

// APIPrivilege is one entry of GET /api/privileges.
type APIPrivilege struct {
	Object     string   `json:"object"`
	Privileges []string `json:"privileges"`
}

// Role is the extension Role object.
type Role struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Base        string   `json:"base"`
	Builtin     bool     `json:"builtin"`
	Permissions []string `json:"permissions"`
	AgentCount  int      `json:"agent_count"`
	// Opaque marks a custom role seen only from outside (an account without
	// the extensions): its id and base are known, its permissions are not.
	Opaque bool `json:"opaque,omitempty"`
}

// RoleCreate is the body of POST /roles.
type RoleCreate struct {
	Name        string   `json:"name"`
	Base        string   `json:"base"`
	Permissions []string `json:"permissions"`
}

// RoleUpdate is the body of PUT /roles/{roleId}: only non-nil fields change.
type RoleUpdate struct {
	Name        *string   `json:"name,omitempty"`
	Permissions *[]string `json:"permissions,omitempty"`
}

// Permission is one entry of GET /permissions.
type Permission = rbac.PermissionInfo

// ErrorResponse is the body of every non-2xx answer.
type ErrorResponse struct {
	Message string `json:"message"`
}

// RBAC converts a wire role into the rules package's view. Unknown permission
// names (a newer server) are dropped: the rules only reason about the catalog.
//
// An opaque role's permissions cannot be seen: it is taken as its base
// built-in, which is what the local pre-checks can say of it; the account
// decides the rest (and giving such a role is refused before: exit 8).
func (r Role) RBAC() rbac.Role {
	if r.Opaque {
		perms := rbac.Set(0)
		if b, ok := rbac.Builtin(r.Base); ok {
			perms = b.Permissions
		}
		return rbac.Role{ID: r.ID, Name: r.Name, Base: r.Base, Permissions: perms}
	}
	set, _ := rbac.NewSet(r.Permissions...)
	return rbac.Role{ID: r.ID, Name: r.Name, Base: r.Base, Builtin: r.Builtin, Permissions: set}
}

// RoleFromRBAC converts the rules' view of a role into its wire form.
func RoleFromRBAC(r rbac.Role, agentCount int) Role {
	return Role{ID: r.ID, Name: r.Name, Base: r.Base, Builtin: r.Builtin,
		Permissions: r.Permissions.Names(), AgentCount: agentCount}
}
