package audit

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

// Account is everything the audit reads from the account, read once.
type Account struct {
	URL string
	// Agents are every agent, deleted ones included (status A and X), so that
	// drift from a baseline can tell a deleted agent from one never seen.
	Agents []liveagent.Agent
	Roles  *liveagent.RoleIndex
	// Departments are needed only when Policy.UsesDepartments.
	Departments []liveagent.Department
	// Keys are every API key of the account, read only when
	// Policy.UsesAPIKeys (and only by a caller that may see them all).
	Keys []liveagent.APIKey
	// Now is when key validity is measured from (zero: the current time);
	// Location is the zone of the account's datetimes (nil: UTC).
	Now      time.Time
	Location *time.Location
}

// Evaluate checks the account against the policy and the baseline (either
// may be nil, not both). A role or department the policy names that the
// account does not have is an *InvalidError (exit 2), like a typo in a key.
//
// Who counts as what:
//   - an owner is an active agent whose effective role (its custom role when
//     role_id is set) is an owner role in the sense of rbac.Role.IsOwner:
//     based on owner and holding billing.manage;
//   - an admin is an active agent whose effective role is based on admin: the
//     built-in admin, or a custom role based on admin;
//   - a privileged agent (privileged_allowlist) is an active agent whose role
//     is based on owner or admin, whatever permissions it holds.
//
// A built-in role name in require_two_factor or a rule's selector matches
// that role and every custom role based on it; a custom role name matches
// that custom role only. Deleted agents are only looked at by the baseline
// and by rules whose selector asks for status deleted or all.
func Evaluate(acct Account, pol *Policy, base *Baseline) (*Report, error) {
	if pol == nil && base == nil {
		return nil, fmt.Errorf("audit: nothing to check: no policy and no baseline")
	}
	roles := acct.Roles
	if roles == nil {
		roles = liveagent.NewRoleIndex(nil)
	}
	ev := &evaluator{acct: acct, roles: roles, report: &Report{Findings: []Finding{}}}
	ev.index()
	if pol != nil {
		rp, err := ev.resolve(pol)
		if err != nil {
			return nil, err
		}
		ev.checkPolicy(pol, rp)
		if err := ev.reportBlind(pol); err != nil {
			return nil, err
		}
		ev.report.Summary.Policy = pol.File
	}
	if base != nil {
		ev.checkBaseline(base)
		ev.report.Summary.Baseline = base.File
	}
	s := &ev.report.Summary
	s.Account = acct.URL
	s.Agents = len(acct.Agents)
	s.Roles = len(roles.List())
	s.Checks = make([]string, len(ev.report.Checks))
	for i, c := range ev.report.Checks {
		s.Checks[i] = c.ID
	}
	for _, f := range ev.report.Findings {
		if f.Severity == SeverityError {
			s.Errors++
		} else {
			s.Warnings++
		}
	}
	s.Passed = s.Errors == 0
	return ev.report, nil
}

// view is an agent with what the checks ask of it worked out once.
type view struct {
	a      *liveagent.Agent
	role   *liveagent.Role // shared by every holder
	email  string          // lowercased
	active bool
	owner  bool
	base   string // the built-in the role derives from
}

func (v *view) privileged() bool {
	return v.active && (v.base == rbac.Owner || v.base == rbac.Admin)
}

func (v *view) ref() *AgentRef { return &AgentRef{ID: v.a.ID, Email: v.a.Email} }

// roleLabel names the agent's role: "admin" or "support-lead (custom, based on admin)".
func (v *view) roleLabel() string { return roleLabel(*v.role) }

func roleLabel(r liveagent.Role) string {
	if r.Opaque {
		return r.Label() // custom:<id> (based on <role>)
	}
	if r.Builtin || r.Name == "" {
		return r.Base
	}
	return fmt.Sprintf("%s (custom, based on %s)", r.Name, r.Base)
}

type evaluator struct {
	acct   Account
	roles  *liveagent.RoleIndex
	views  []view // sorted by email, then id
	report *Report
	// blind lists the rules that could not be evaluated (reportBlind).
	blind []blindRule
}

// blindRule is a rule the account did not let the audit evaluate.
type blindRule struct {
	id   string
	line int
	why  string
}

func (ev *evaluator) index() {
	// Roles are few and agents many: work each role out once.
	type facts struct {
		role  *liveagent.Role
		owner bool
	}
	cache := map[string]facts{}
	ev.views = make([]view, len(ev.acct.Agents))
	s := &ev.report.Summary
	for i := range ev.acct.Agents {
		a := &ev.acct.Agents[i]
		r := ev.roles.Of(*a)
		fx, ok := cache[r.ID]
		if !ok {
			fx = facts{role: &r, owner: r.RBAC().IsOwner()}
			cache[r.ID] = fx
		}
		v := view{a: a, role: fx.role, email: strings.ToLower(a.Email), active: a.Active(), owner: fx.owner, base: r.Base}
		if !r.Builtin && r.Base == "" {
			v.base = a.Role
		}
		ev.views[i] = v
		if v.active {
			s.ActiveAgents++
			if v.owner {
				s.Owners++
			}
			if v.base == rbac.Admin {
				s.Admins++
			}
		}
	}
	sort.SliceStable(ev.views, func(i, j int) bool {
		if ev.views[i].email != ev.views[j].email {
			return ev.views[i].email < ev.views[j].email
		}
		return ev.views[i].a.ID < ev.views[j].a.ID
	})
}

func (ev *evaluator) addCheck(id string, sev Severity, desc string, loc Location) {
	ev.report.Checks = append(ev.report.Checks, Check{ID: id, Severity: sev, Description: desc, Location: loc})
}

func (ev *evaluator) addBuiltinCheck(id string, loc Location) {
	c := builtinChecks[id]
	ev.addCheck(id, c.severity, c.description, loc)
}

func (ev *evaluator) find(f Finding) {
	if f.Severity == "" {
		f.Severity = builtinChecks[f.Rule].severity
	}
	ev.report.Findings = append(ev.report.Findings, f)
}

// roleMatch is a resolved role name of the policy.
type roleMatch struct {
	role liveagent.Role
	line int
}

func (m roleMatch) matches(v *view) bool {
	if m.role.Builtin {
		return v.base == m.role.ID
	}
	return strings.EqualFold(v.role.ID, m.role.ID)
}

// resolvedRule is a rule with its role and department names looked up.
type resolvedRule struct {
	*Rule
	roles   []roleMatch
	members map[string]bool // agent ids of the selected departments; nil when not selecting by department
}

type resolvedPolicy struct {
	twoFactor []roleMatch
	rules     []resolvedRule
}

// resolve looks the policy's role and department names up in the account.
func (ev *evaluator) resolve(pol *Policy) (*resolvedPolicy, error) {
	d := &diags{file: pol.File}
	rp := &resolvedPolicy{}
	roleNames := ev.roles.Names()
	holders, _ := ev.opaqueHolders()
	lookupRole := func(it Item, where, ruleID string) (roleMatch, bool) {
		r, ok := ev.roles.Lookup(it.Value)
		if !ok && ev.roles.Blind() && rbac.Suggest(it.Value, rbac.BuiltinNames()) == "" {
			// A custom role by name, on an account that cannot list them:
			// nobody can hold it when nobody holds a custom role; otherwise
			// who holds it cannot be told.
			if holders > 0 {
				ev.blind = append(ev.blind, blindRule{id: ruleID, line: it.Line,
					why: fmt.Sprintf("it names the role %q, and this account's API cannot tell which custom role that is (%s custom roles)", it.Value, holdText(holders))})
			}
			// A match no agent's role can satisfy, so the selector stays narrow.
			return roleMatch{role: liveagent.Role{ID: "\x00unresolved:" + it.Value}, line: it.Line}, true
		}
		if !ok {
			d.add(it.Line, "%s: unknown role %q%s", where, it.Value, didYouMean(it.Value, roleNames))
			return roleMatch{}, false
		}
		return roleMatch{role: r, line: it.Line}, true
	}
	if pol.RequireTwoFactor != nil {
		for _, it := range pol.RequireTwoFactor.Items {
			if m, ok := lookupRole(it, "require_two_factor", RuleTwoFactorRequired); ok {
				rp.twoFactor = append(rp.twoFactor, m)
			}
		}
	}
	depts := liveagent.NewDepartmentIndex(ev.acct.Departments)
	for _, r := range pol.Rules {
		rr := resolvedRule{Rule: r}
		where := fmt.Sprintf("rule %q", r.Name)
		for _, it := range r.Select.Roles {
			if m, ok := lookupRole(it, where, r.ID); ok {
				rr.roles = append(rr.roles, m)
			}
		}
		if len(r.Select.Departments) > 0 {
			rr.members = map[string]bool{}
			for _, it := range r.Select.Departments {
				dep, ok := depts.Lookup(it.Value)
				if !ok {
					d.add(it.Line, "%s: unknown department %q%s", where, it.Value, didYouMean(it.Value, depts.Names()))
					continue
				}
				for _, id := range dep.AgentIDs {
					rr.members[id] = true
				}
			}
		}
		rp.rules = append(rp.rules, rr)
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return rp, nil
}

func (ev *evaluator) checkPolicy(pol *Policy, rp *resolvedPolicy) {
	loc := func(line int) Location { return Location{File: pol.File, Line: line} }
	ev.checkCount(pol.Owners, "owner", RuleOwnersMin, RuleOwnersMax, pol.File, func(v *view) bool { return v.owner })
	ev.checkCount(pol.Admins, "admin", RuleAdminsMin, RuleAdminsMax, pol.File, func(v *view) bool { return v.base == rbac.Admin })

	if l := pol.AllowedEmailDomains; l != nil {
		ev.addBuiltinCheck(RuleEmailDomain, loc(l.Line))
		allowed := strings.Join(l.Values(), ", ")
		for i := range ev.views {
			v := &ev.views[i]
			if !v.active || domainAllowed(v.email, l.Values()) {
				continue
			}
			ev.find(Finding{Rule: RuleEmailDomain, Agent: v.ref(), Location: loc(l.Line),
				Message: fmt.Sprintf("%s is not in an allowed email domain (%s).", v.a.Email, allowed)})
		}
	}

	if l := pol.PrivilegedAllowlist; l != nil {
		ev.addBuiltinCheck(RulePrivilegedAllowlist, loc(l.Line))
		for i := range ev.views {
			v := &ev.views[i]
			if !v.privileged() || emailMatches(v.email, l.Values()) {
				continue
			}
			ev.find(Finding{Rule: RulePrivilegedAllowlist, Agent: v.ref(), Location: loc(l.Line),
				Message: fmt.Sprintf("%s holds the privileged role %s but is not in the privileged allowlist.", v.a.Email, v.roleLabel())})
		}
	}

	if l := pol.RequireTwoFactor; l != nil {
		ev.addBuiltinCheck(RuleTwoFactorRequired, loc(l.Line))
		for i := range ev.views {
			v := &ev.views[i]
			if !v.active || strings.EqualFold(v.a.TwofactorAuth, "Y") {
				continue
			}
			for _, m := range rp.twoFactor {
				if m.matches(v) {
					ev.find(Finding{Rule: RuleTwoFactorRequired, Agent: v.ref(), Location: loc(m.line),
						Message: fmt.Sprintf("%s holds %s but has not enabled two-factor authentication.", v.a.Email, v.roleLabel())})
					break
				}
			}
		}
	}

	if l := pol.ForbiddenPermissions; l != nil {
		ev.addBuiltinCheck(RuleCustomRoleForbiddenPerm, loc(l.Line))
		holders := map[string]int{}
		for i := range ev.views {
			if v := &ev.views[i]; v.active && !v.role.Builtin {
				holders[strings.ToLower(v.role.ID)]++
			}
		}
		if n, names := ev.opaqueHolders(); n > 0 {
			ev.blind = append(ev.blind, blindRule{id: RuleCustomRoleForbiddenPerm, line: l.Line,
				why: fmt.Sprintf("%s custom roles (%s) whose permissions this account's API does not show",
					holdText(n), names)})
		}
		for _, r := range ev.roles.List() {
			if r.Builtin || r.Opaque {
				continue
			}
			for _, it := range l.Items {
				if !containsFold(r.Permissions, it.Value) {
					continue
				}
				ev.find(Finding{Rule: RuleCustomRoleForbiddenPerm, Role: &RoleRef{ID: r.ID, Name: r.Name}, Location: loc(it.Line), key: it.Value,
					Message: fmt.Sprintf("Custom role %q (based on %s) holds the forbidden permission %s, and %s.",
						r.Name, r.Base, it.Value, holdersText(holders[strings.ToLower(r.ID)]))})
			}
		}
	}

	ev.checkAPIKeys(pol)

	for _, rr := range rp.rules {
		ev.checkRule(rr, loc(rr.Line))
	}
}

// opaqueHolders counts the active agents holding a custom role seen only
// from outside, and names those roles.
func (ev *evaluator) opaqueHolders() (int, string) {
	n := 0
	var names []string
	seen := map[string]bool{}
	for i := range ev.views {
		v := &ev.views[i]
		if !v.active || !v.role.Opaque {
			continue
		}
		n++
		if !seen[v.role.ID] {
			seen[v.role.ID] = true
			names = append(names, v.role.Name)
		}
	}
	sort.Strings(names)
	return n, strings.Join(names, ", ")
}

func holdText(n int) string {
	if n == 1 {
		return "1 active agent holds"
	}
	return fmt.Sprintf("%d active agents hold", n)
}

// reportBlind makes the rules that could not be evaluated fail the audit
// (exit 8, naming the rule), or, when the policy says on_unknown: warning,
// one warning finding each. An audit never passes by omission.
func (ev *evaluator) reportBlind(pol *Policy) error {
	if len(ev.blind) == 0 {
		return nil
	}
	sort.SliceStable(ev.blind, func(i, j int) bool { return ev.blind[i].line < ev.blind[j].line })
	if pol.OnUnknown == SeverityWarning {
		for _, b := range ev.blind {
			ev.find(Finding{Rule: b.id, Severity: SeverityWarning, Location: Location{File: pol.File, Line: b.line},
				Message: fmt.Sprintf("Rule %s could not be evaluated: %s (LiveAgent's published API only); check it in LiveAgent itself.", b.id, b.why)})
		}
		return nil
	}
	b := ev.blind[0]
	more := ""
	if len(ev.blind) > 1 {
		ids := make([]string, 0, len(ev.blind)-1)
		for _, o := range ev.blind[1:] {
			ids = append(ids, o.id)
		}
		more = fmt.Sprintf(" (nor %s)", strings.Join(ids, ", "))
	}
	return &liveagent.Error{Kind: liveagent.KindUnsupported, Message: fmt.Sprintf(
		"cannot evaluate rule %s (%s:%d)%s: %s, since this account has only LiveAgent's published API (GET /roles is not part of it); the audit did not pass. Check those roles in LiveAgent's Configuration > Roles, or set on_unknown: warning in the policy to report such rules as warnings",
		b.id, pol.File, b.line, more, b.why)}
}

func holdersText(n int) string {
	switch n {
	case 0:
		return "no active agent holds the role"
	case 1:
		return "1 active agent holds the role"
	}
	return fmt.Sprintf("%d active agents hold the role", n)
}

// checkCount checks {min, max} of the agents for which is returns true.
func (ev *evaluator) checkCount(b *Bounds, noun, minID, maxID, file string, is func(*view) bool) {
	if b == nil {
		return
	}
	var who []string
	for i := range ev.views {
		if v := &ev.views[i]; v.active && is(v) {
			who = append(who, v.a.Email)
		}
	}
	n := len(who)
	if b.Min != nil {
		loc := Location{file, b.Min.Line}
		ev.addBuiltinCheck(minID, loc)
		if n < b.Min.N {
			ev.find(Finding{Rule: minID, Location: loc,
				Message: fmt.Sprintf("The account has %s%s; the policy requires at least %d.", text.Count(n, "active "+noun, "active "+noun+"s"), listed(who), b.Min.N)})
		}
	}
	if b.Max != nil {
		loc := Location{file, b.Max.Line}
		ev.addBuiltinCheck(maxID, loc)
		if n > b.Max.N {
			ev.find(Finding{Rule: maxID, Location: loc,
				Message: fmt.Sprintf("The account has %s%s; the policy allows at most %d.", text.Count(n, "active "+noun, "active "+noun+"s"), listed(who), b.Max.N)})
		}
	}
}

// listed is " (a, b, c and 4 more)" for up to five emails, "" for none.
func listed(emails []string) string {
	const show = 5
	switch {
	case len(emails) == 0:
		return ""
	case len(emails) <= show:
		return " (" + strings.Join(emails, ", ") + ")"
	}
	return fmt.Sprintf(" (%s and %d more)", strings.Join(emails[:show], ", "), len(emails)-show)
}

func (ev *evaluator) checkRule(rr resolvedRule, loc Location) {
	desc := fmt.Sprintf("Rule %q: %s.", rr.Name, rr.Expect.describe())
	ev.addCheck(rr.ID, rr.Severity, desc, loc)
	var selected []*view
	for i := range ev.views {
		if v := &ev.views[i]; rr.selects(v) {
			selected = append(selected, v)
		}
	}
	if rr.Expect.None {
		for _, v := range selected {
			ev.find(Finding{Rule: rr.ID, Severity: rr.Severity, Agent: v.ref(), Location: loc,
				Message: fmt.Sprintf("%s (%s) matches rule %q, which expects no agents.", v.a.Email, v.roleLabel(), rr.Name)})
		}
		return
	}
	n := len(selected)
	who := make([]string, n)
	for i, v := range selected {
		who[i] = v.a.Email
	}
	if b := rr.Expect.Min; b != nil && n < b.N {
		ev.find(Finding{Rule: rr.ID, Severity: rr.Severity, Location: loc,
			Message: fmt.Sprintf("Rule %q selects %s%s; it expects at least %d.", rr.Name, text.Count(n, "agent", "agents"), listed(who), b.N)})
	}
	if b := rr.Expect.Max; b != nil && n > b.N {
		ev.find(Finding{Rule: rr.ID, Severity: rr.Severity, Location: loc,
			Message: fmt.Sprintf("Rule %q selects %s%s; it expects at most %d.", rr.Name, text.Count(n, "agent", "agents"), listed(who), b.N)})
	}
}

func (e Expectation) describe() string {
	switch {
	case e.None:
		return "no agent matches"
	case e.Min != nil && e.Max != nil:
		return fmt.Sprintf("between %d and %d agents match", e.Min.N, e.Max.N)
	case e.Min != nil:
		return fmt.Sprintf("at least %d agents match", e.Min.N)
	case e.Max != nil:
		return fmt.Sprintf("at most %d agents match", e.Max.N)
	}
	return "any number of agents match"
}

// selects reports whether every condition of the rule's selector holds for v.
func (rr resolvedRule) selects(v *view) bool {
	s := rr.Select
	switch s.Status {
	case "active", "":
		if !v.active {
			return false
		}
	case "deleted":
		if v.active {
			return false
		}
	}
	if rr.members != nil && !rr.members[v.a.ID] {
		return false
	}
	if len(rr.roles) > 0 {
		ok := false
		for _, m := range rr.roles {
			if m.matches(v) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(s.Emails) > 0 {
		ok := false
		for _, it := range s.Emails {
			if m, _ := path.Match(it.Value, v.email); m {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if s.TwoFactor != nil && *s.TwoFactor != strings.EqualFold(v.a.TwofactorAuth, "Y") {
		return false
	}
	return true
}

// domainAllowed reports whether email's domain is one of domains ("*.x" allows subdomains of x).
func domainAllowed(email string, domains []string) bool {
	at := strings.LastIndex(email, "@")
	if at < 0 {
		return false
	}
	dom := email[at+1:]
	for _, d := range domains {
		if rest, ok := strings.CutPrefix(d, "*."); ok {
			if strings.HasSuffix(dom, "."+rest) {
				return true
			}
		} else if dom == d {
			return true
		}
	}
	return false
}

// emailMatches reports whether email (lowercased) is, or matches a glob of, the list.
func emailMatches(email string, patterns []string) bool {
	for _, p := range patterns {
		if p == email {
			return true
		}
		if ok, _ := path.Match(p, email); ok {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
