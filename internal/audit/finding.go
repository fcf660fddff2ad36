package audit

import (
	"fmt"
	"strings"

	"github.com/ladmin/ladmin/internal/text"
)

// Severity is error (fails the audit: exit 1) or warning (reported only).
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding ids of the built-in checks. A rule of the policy's rules list has
// the id "rules." + its name in kebab case.
const (
	RuleOwnersMin               = "owners.min"
	RuleOwnersMax               = "owners.max"
	RuleAdminsMin               = "admins.min"
	RuleAdminsMax               = "admins.max"
	RuleEmailDomain             = "email.domain"
	RulePrivilegedAllowlist     = "privileged.allowlist"
	RuleTwoFactorRequired       = "two_factor.required"
	RuleCustomRoleForbiddenPerm = "custom_roles.forbidden_permission"
	RuleBaselineAdded           = "baseline.added"
	RuleBaselineDeleted         = "baseline.deleted"
	RuleBaselineRestored        = "baseline.restored"
	RuleBaselineRoleChanged     = "baseline.role_changed"
)

// builtinChecks describes each built-in finding id, for the docs, SARIF's
// rule list and JUnit's test names.
var builtinChecks = map[string]struct {
	severity    Severity
	description string
}{
	RuleOwnersMin:               {SeverityError, "The account has at least the minimum number of active owners."},
	RuleOwnersMax:               {SeverityError, "The account has at most the maximum number of active owners."},
	RuleAdminsMin:               {SeverityError, "The account has at least the minimum number of active admins."},
	RuleAdminsMax:               {SeverityError, "The account has at most the maximum number of active admins."},
	RuleEmailDomain:             {SeverityError, "Every active agent's email is in an allowed domain."},
	RulePrivilegedAllowlist:     {SeverityError, "Only allowlisted agents hold an owner or admin role, or a custom role based on one."},
	RuleTwoFactorRequired:       {SeverityError, "Holders of the listed roles have two-factor authentication enabled."},
	RuleCustomRoleForbiddenPerm: {SeverityError, "No custom role holds a forbidden permission."},
	RuleBaselineAdded:           {SeverityError, "No active agent exists that the baseline does not list."},
	RuleBaselineDeleted:         {SeverityWarning, "No agent active in the baseline has been deleted."},
	RuleBaselineRestored:        {SeverityError, "No agent deleted in the baseline has been restored."},
	RuleBaselineRoleChanged:     {SeverityError, "Every agent holds the role the baseline records."},
}

// AgentRef names the agent a finding is about.
type AgentRef struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

// RoleRef names the custom role a finding is about.
type RoleRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Finding is one violation of the policy or one difference from the baseline.
type Finding struct {
	Rule     string    `json:"rule"`
	Severity Severity  `json:"severity"`
	Agent    *AgentRef `json:"agent,omitempty"`
	Role     *RoleRef  `json:"role,omitempty"`
	Key      *KeyRef   `json:"key,omitempty"`
	Message  string    `json:"message"`
	// Location is the policy key or baseline entry the finding relates to.
	Location Location `json:"location"`
	// key tells apart findings of one rule about the same subject (a role
	// holding two forbidden permissions), for SARIF fingerprints.
	key string
}

// Check is one rule that was evaluated, whether or not it found anything:
// JUnit's test case, SARIF's reporting descriptor.
type Check struct {
	ID          string   `json:"id"`
	Severity    Severity `json:"severity"`
	Description string   `json:"description"`
	Location    Location `json:"location"`
}

// Summary counts what was audited and found.
type Summary struct {
	Passed       bool     `json:"passed"`
	Errors       int      `json:"errors"`
	Warnings     int      `json:"warnings"`
	Agents       int      `json:"agents"`        // every agent read, deleted ones included
	ActiveAgents int      `json:"active_agents"` // agents with status A
	Owners       int      `json:"owners"`        // active agents whose role makes them owners
	Admins       int      `json:"admins"`        // active agents whose role is admin or based on it
	Roles        int      `json:"roles"`
	Checks       []string `json:"checks"` // the rule ids evaluated
	Policy       string   `json:"policy,omitempty"`
	Baseline     string   `json:"baseline,omitempty"`
	Account      string   `json:"account,omitempty"`
}

// Report is the result of an audit: `{"summary": ..., "findings": [...]}` in JSON.
type Report struct {
	Summary  Summary   `json:"summary"`
	Findings []Finding `json:"findings"`
	// Checks are the rules evaluated, in evaluation order.
	Checks []Check `json:"-"`
	// Tool is the version written into SARIF (ladmin's build version).
	Tool string `json:"-"`
}

// Failed reports whether there is at least one error finding (exit 1).
func (r *Report) Failed() bool { return r.Summary.Errors > 0 }

// SummaryLine is the one line printed at the end of every report and on
// stdout when the report goes to a file.
func (r *Report) SummaryLine() string {
	s := r.Summary
	verdict := "passed"
	if !s.Passed {
		verdict = "FAILED"
	}
	var sources []string
	if s.Policy != "" {
		sources = append(sources, "policy "+s.Policy)
	}
	if s.Baseline != "" {
		sources = append(sources, "baseline "+s.Baseline)
	}
	return fmt.Sprintf("audit %s: %s, %s; %s checked, %s (%s)", verdict,
		text.Count(s.Errors, "error", "errors"), text.Count(s.Warnings, "warning", "warnings"),
		text.Count(s.ActiveAgents, "active agent", "active agents"), text.Count(len(s.Checks), "check", "checks"), strings.Join(sources, ", "))
}
