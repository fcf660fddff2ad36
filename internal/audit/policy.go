// Package audit checks an account's agents and roles against a policy and a
// baseline roster and reports findings (docs/audit.md, spec/audit.md).
//
// It is pure apart from its inputs: ParsePolicy and ParseBaseline take file
// contents, Evaluate takes what the CLI read from the account, and the
// writers render a Report onto any io.Writer.
package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// Policy is a parsed policy file. Every key is optional; nil (or empty) means
// the key was not set and its check does not run.
type Policy struct {
	File string

	Owners *Bounds // owners: {min, max}
	Admins *Bounds // admins: {min, max}
	// AllowedEmailDomains are lowercased domains; "*.acme.com" also allows
	// any subdomain of acme.com.
	AllowedEmailDomains *List
	// PrivilegedAllowlist are lowercased emails or email globs.
	PrivilegedAllowlist *List
	// RequireTwoFactor are role names (built-in or custom), checked against
	// the account's roles by Evaluate.
	RequireTwoFactor *List
	// ForbiddenPermissions is forbidden_permissions_for_custom_roles.
	ForbiddenPermissions *List
	// APIKeys are the checks of the account's API keys (api_keys:).
	APIKeys *APIKeyPolicy
	Rules   []*Rule
	// OnUnknown is what a rule that cannot be evaluated is (audit.md, "Never
	// clean when blind"): SeverityError (default) stops the audit with exit
	// 8; SeverityWarning reports a warning finding per such rule.
	OnUnknown Severity
}

// Bounds is a {min, max} count; either may be unset.
type Bounds struct {
	Line     int // the line of the key (owners:, admins:, expect:)
	Min, Max *Bound
}

// Bound is one end of Bounds and the line it is written on.
type Bound struct {
	N    int
	Line int
}

// List is a list-valued key and the line of each item.
type List struct {
	Line  int
	Items []Item
}

// Item is one value of a list and its line.
type Item struct {
	Value string
	Line  int
}

// Values returns the item values.
func (l *List) Values() []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(l.Items))
	for i, it := range l.Items {
		out[i] = it.Value
	}
	return out
}

// Rule is one entry of rules: a selector and what is expected of the agents
// it selects.
type Rule struct {
	Name     string
	ID       string // "rules." + the name in kebab case: the finding's rule id
	Line     int
	Severity Severity
	Select   Selector
	Expect   Expectation
}

// Selector picks agents. Every condition set must hold (AND); a condition
// with several values holds when any of them does (OR). An empty selector
// picks every active agent.
type Selector struct {
	Departments []Item // names or ids
	Roles       []Item // built-in or custom role names (or ids)
	Emails      []Item // lowercased globs: *@contractor.com
	Status      string // active (default), deleted, all
	TwoFactor   *bool  // twofactor_auth is Y (true) or not (false)
}

// Expectation is what a rule requires of the number of selected agents:
// none (zero, one finding per selected agent) or count bounds (one finding).
type Expectation struct {
	Line int
	None bool
	Bounds
}

// The policy's keys, in the order the docs list them.
var (
	policyKeys    = []string{"owners", "admins", "allowed_email_domains", "privileged_allowlist", "require_two_factor", "forbidden_permissions_for_custom_roles", "api_keys", "rules", "on_unknown"}
	boundsKeys    = []string{"min", "max"}
	ruleKeys      = []string{"name", "select", "expect", "severity"}
	selectorKeys  = []string{"department", "role", "email", "status", "two_factor"}
	statusValues  = []string{"active", "deleted", "all"}
	severityNames = []string{string(SeverityError), string(SeverityWarning)}
)

// ParsePolicy parses a policy file strictly: an unknown key, a value of the
// wrong type, an unknown permission or a malformed glob is an *InvalidError
// naming FILE:LINE of each problem. Role and department names are checked
// later, against the account, by Evaluate.
func ParsePolicy(file string, data []byte) (*Policy, error) {
	p := &parser{diags: diags{file: file}}
	pol := &Policy{File: file}
	root, err := decodeYAML(data)
	if err != nil {
		p.yamlError(err)
		return nil, p.err()
	}
	if root == nil || (root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null") {
		p.add(1, "the policy checks nothing: set at least one of %s", strings.Join(policyKeys, ", "))
		return nil, p.err()
	}
	if root.Kind != yaml.MappingNode {
		p.add(root.Line, "a policy is a mapping of keys (%s), not %s", strings.Join(policyKeys, ", "), kindName(root))
		return nil, p.err()
	}
	p.mapping(root, "", policyKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "owners":
			pol.Owners = p.bounds(k, v, key)
		case "admins":
			pol.Admins = p.bounds(k, v, key)
		case "allowed_email_domains":
			pol.AllowedEmailDomains = p.list(k, v, key, p.domain)
		case "privileged_allowlist":
			pol.PrivilegedAllowlist = p.list(k, v, key, p.emailPattern)
		case "require_two_factor":
			pol.RequireTwoFactor = p.list(k, v, key, nonEmpty)
		case "forbidden_permissions_for_custom_roles":
			pol.ForbiddenPermissions = p.list(k, v, key, p.permission)
		case "api_keys":
			pol.APIKeys = p.apiKeys(k, v)
		case "rules":
			pol.Rules = p.rules(k, v)
		case "on_unknown":
			if sv, good := p.str(v, key); good {
				if !contains(severityNames, sv) {
					p.add(v.Line, "on_unknown: %q is not a severity (use error or warning)%s", sv, didYouMean(sv, severityNames))
				} else {
					pol.OnUnknown = Severity(sv)
				}
			}
		}
	})
	if len(p.found) == 0 && pol.empty() {
		p.add(root.Line, "the policy checks nothing: set at least one of %s", strings.Join(policyKeys, ", "))
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return pol, nil
}

func (pol *Policy) empty() bool {
	return pol.Owners == nil && pol.Admins == nil && pol.AllowedEmailDomains == nil &&
		pol.PrivilegedAllowlist == nil && pol.RequireTwoFactor == nil &&
		pol.ForbiddenPermissions == nil && pol.APIKeys == nil && len(pol.Rules) == 0
}

// UsesDepartments reports whether a rule selects by department, so the
// caller knows it must read the departments too.
func (pol *Policy) UsesDepartments() bool {
	if pol == nil {
		return false
	}
	for _, r := range pol.Rules {
		if len(r.Select.Departments) > 0 {
			return true
		}
	}
	return false
}

// decodeYAML returns the content of the single document in data (nil when
// empty). A second document is refused: it would be silently ignored.
func decodeYAML(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("yaml: line %d: a policy is one YAML document; remove the second one", max(extra.Line, 1))
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0], nil
	}
	return nil, nil
}

// parser walks YAML nodes, collecting every problem rather than the first.
type parser struct {
	diags
}

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) }) // compiled on first use, not at start-up

// yamlError reports a syntax error from the YAML library at its line.
func (p *parser) yamlError(err error) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine().FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		p.add(n, "invalid YAML: %s", m[2])
		return
	}
	p.add(1, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// mapping calls fn for each key of a mapping node, reporting unknown keys
// (with a suggestion), non-string keys and duplicates. where prefixes
// messages, e.g. "owners: ".
func (p *parser) mapping(n *yaml.Node, where string, keys []string, fn func(key string, k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			p.add(k.Line, "%sunsupported key: use plain keys (%s)", where, strings.Join(keys, ", "))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.add(k.Line, "%skey %q is set twice (first on line %d)", where, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		if !contains(keys, k.Value) {
			p.add(k.Line, "%sunknown key %q%s", where, k.Value, didYouMean(k.Value, keys))
			continue
		}
		fn(k.Value, k, v)
	}
}

// bounds parses {min: N, max: N}.
func (p *parser) bounds(k, v *yaml.Node, where string) *Bounds {
	if v.Kind != yaml.MappingNode {
		p.add(v.Line, "%s: expected a mapping such as {min: 1, max: 2}, got %s", where, kindName(v))
		return nil
	}
	b := &Bounds{Line: k.Line}
	ok := true
	p.mapping(v, where+": ", boundsKeys, func(key string, bk, bv *yaml.Node) {
		n, good := p.count(bv, where+"."+key)
		if !good {
			ok = false
			return
		}
		if key == "min" {
			b.Min = &Bound{N: n, Line: bk.Line}
		} else {
			b.Max = &Bound{N: n, Line: bk.Line}
		}
	})
	if !ok {
		return nil
	}
	if b.Min == nil && b.Max == nil {
		if len(v.Content) == 0 {
			p.add(v.Line, "%s: set min, max or both, e.g. {min: 1, max: 2}", where)
		}
		return nil
	}
	if b.Min != nil && b.Max != nil && b.Min.N > b.Max.N {
		p.add(b.Max.Line, "%s: max (%d) is less than min (%d)", where, b.Max.N, b.Min.N)
		return nil
	}
	return b
}

// count parses a non-negative integer.
func (p *parser) count(n *yaml.Node, where string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		p.add(n.Line, "%s: expected a whole number, got %s", where, kindName(n))
		return 0, false
	}
	var v int
	if err := n.Decode(&v); err != nil || v < 0 {
		p.add(n.Line, "%s: expected a whole number of 0 or more, got %s", where, n.Value)
		return 0, false
	}
	return v, true
}

// str parses a string scalar.
func (p *parser) str(n *yaml.Node, where string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.add(n.Line, "%s: expected a string, got %s", where, kindName(n))
		return "", false
	}
	return n.Value, true
}

// list parses a list of strings, each checked (and normalized) by check.
func (p *parser) list(k, v *yaml.Node, where string, check func(string) (string, error)) *List {
	items, ok := p.strings(v, where, false, check)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.add(v.Line, "%s: the list is empty; remove the key or add values", where)
		return nil
	}
	return &List{Line: k.Line, Items: items}
}

// strings parses a list of strings (or, with scalarOK, a single string).
func (p *parser) strings(v *yaml.Node, where string, scalarOK bool, check func(string) (string, error)) ([]Item, bool) {
	var nodes []*yaml.Node
	switch {
	case v.Kind == yaml.SequenceNode:
		nodes = v.Content
	case scalarOK && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str":
		nodes = []*yaml.Node{v}
	default:
		want := "a list"
		if scalarOK {
			want = "a string or a list"
		}
		p.add(v.Line, "%s: expected %s, got %s", where, want, kindName(v))
		return nil, false
	}
	ok := true
	items := make([]Item, 0, len(nodes))
	for _, n := range nodes {
		n = deref(n)
		s, good := p.str(n, where)
		if !good {
			ok = false
			continue
		}
		norm, err := check(s)
		if err != nil {
			p.add(n.Line, "%s: %s", where, err)
			ok = false
			continue
		}
		items = append(items, Item{Value: norm, Line: n.Line})
	}
	return items, ok
}

func nonEmpty(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty value")
	}
	return s, nil
}

// domain normalizes an email domain: acme.com, @acme.com, or *.acme.com for subdomains.
func (p *parser) domain(s string) (string, error) {
	d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
	rest := strings.TrimPrefix(d, "*.")
	if rest == "" || strings.ContainsAny(rest, "@*?[] \t") || strings.HasPrefix(rest, ".") || strings.HasSuffix(rest, ".") {
		return "", fmt.Errorf("%q is not an email domain: write acme.com, or *.acme.com for its subdomains", s)
	}
	return d, nil
}

// emailPattern normalizes an email or an email glob (*@acme.com).
func (p *parser) emailPattern(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if !strings.Contains(e, "@") {
		return "", fmt.Errorf("%q is not an email address or pattern such as bob@acme.com or *@acme.com", s)
	}
	if _, err := path.Match(e, ""); err != nil {
		return "", fmt.Errorf("%q is not a valid pattern: %v", s, err)
	}
	if liveagent.HasHiddenChars(e) {
		return "", fmt.Errorf("%q contains control or invisible characters, which would make it match an address other than the one it shows", s)
	}
	if !strings.ContainsAny(e, "*?[") && !liveagent.ValidEmail(e) {
		return "", fmt.Errorf("%q is not an email address or pattern such as bob@acme.com or *@acme.com", s)
	}
	return e, nil
}

// permission checks a name against the rbac catalog.
func (p *parser) permission(s string) (string, error) {
	name := strings.TrimSpace(s)
	if !rbac.IsPermission(name) {
		return "", fmt.Errorf("unknown permission %q%s", s, didYouMeanOr(name, rbac.PermissionNames(), " (see `ladmin permission list`)"))
	}
	return name, nil
}

func didYouMeanOr(name string, valid []string, otherwise string) string {
	if s := rbac.Suggest(name, valid); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return otherwise
}

// rules parses the rules list.
func (p *parser) rules(k, v *yaml.Node) []*Rule {
	if v.Kind != yaml.SequenceNode {
		p.add(v.Line, "rules: expected a list of rules (- name: ..., select: ..., expect: ...), got %s", kindName(v))
		return nil
	}
	var rules []*Rule
	ids := map[string]int{}
	for i, n := range v.Content {
		n = deref(n)
		where := fmt.Sprintf("rules[%d]", i)
		if n.Kind != yaml.MappingNode {
			p.add(n.Line, "%s: expected a mapping with name, select and expect, got %s", where, kindName(n))
			continue
		}
		if name := scalarValue(n, "name"); name != "" {
			where = fmt.Sprintf("rule %q", strings.TrimSpace(name))
		}
		r := &Rule{Line: n.Line, Severity: SeverityError, Select: Selector{Status: "active"}}
		var hasName, hasExpect, ok = false, false, true
		before := len(p.found)
		p.mapping(n, where+": ", ruleKeys, func(key string, rk, rv *yaml.Node) {
			switch key {
			case "name":
				if s, good := p.str(rv, where+".name"); good {
					r.Name, hasName = strings.TrimSpace(s), true
				}
			case "severity":
				if s, good := p.str(rv, where+".severity"); good {
					if !contains(severityNames, s) {
						p.add(rv.Line, "%s.severity: %q is not a severity%s", where, s, didYouMean(s, severityNames))
					} else {
						r.Severity = Severity(s)
					}
				}
			case "select":
				r.Select = p.selector(rv, where+".select")
			case "expect":
				hasExpect = true
				r.Expect = p.expectation(rk, rv, where+".expect")
			}
		})
		if len(p.found) > before {
			ok = false
		}
		if hasName {
			r.ID = "rules." + slug(r.Name)
			if r.ID == "rules." {
				p.add(n.Line, "%s: the name needs letters or digits (it becomes the finding id)", where)
				ok = false
			} else if first, dup := ids[r.ID]; dup {
				p.add(n.Line, "%s: another rule (line %d) has the same id %s; rename one", where, first, r.ID)
				ok = false
			} else {
				ids[r.ID] = n.Line
			}
		} else if ok {
			p.add(n.Line, "%s: missing name (it becomes the finding id, e.g. rules.support-desk-has-no-admins)", where)
			ok = false
		}
		if !hasExpect && ok {
			p.add(n.Line, "%s: missing expect: use none, or {min: N, max: N}", where)
			ok = false
		}
		if ok {
			rules = append(rules, r)
		}
	}
	return rules
}

// selector parses select: {department, role, email, status, two_factor}.
func (p *parser) selector(v *yaml.Node, where string) Selector {
	s := Selector{Status: "active"}
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return s
	}
	if v.Kind != yaml.MappingNode {
		p.add(v.Line, "%s: expected a mapping such as {department: support, role: admin}, got %s", where, kindName(v))
		return s
	}
	p.mapping(v, where+": ", selectorKeys, func(key string, k, sv *yaml.Node) {
		w := where + "." + key
		switch key {
		case "department":
			s.Departments, _ = p.strings(sv, w, true, nonEmpty)
		case "role":
			s.Roles, _ = p.strings(sv, w, true, nonEmpty)
		case "email":
			s.Emails, _ = p.strings(sv, w, true, p.emailPattern)
		case "status":
			if st, ok := p.str(sv, w); ok {
				if !contains(statusValues, st) {
					p.add(sv.Line, "%s: %q is not a status%s", w, st, didYouMean(st, statusValues))
				} else {
					s.Status = st
				}
			}
		case "two_factor":
			if sv.Kind != yaml.ScalarNode || sv.ShortTag() != "!!bool" {
				p.add(sv.Line, "%s: expected true or false, got %s", w, kindName(sv))
				return
			}
			var b bool
			_ = sv.Decode(&b)
			s.TwoFactor = &b
		}
	})
	return s
}

// expectation parses expect: none | {min: N, max: N}.
func (p *parser) expectation(k, v *yaml.Node, where string) Expectation {
	e := Expectation{Line: k.Line}
	switch {
	case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str":
		if v.Value != "none" {
			p.add(v.Line, "%s: %q is not an expectation: use none, or {min: N, max: N}", where, v.Value)
			return e
		}
		e.None = true
	case v.Kind == yaml.MappingNode:
		if b := p.bounds(k, v, where); b != nil {
			e.Bounds = *b
		}
	default:
		p.add(v.Line, "%s: expected none or {min: N, max: N}, got %s", where, kindName(v))
	}
	return e
}

// slug turns a rule name into the kebab-case part of its id.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	return b.String()
}

// scalarValue is the string value of key in mapping n, or "".
func scalarValue(n *yaml.Node, key string) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			if v := deref(n.Content[i+1]); v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
				return v.Value
			}
		}
	}
	return ""
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// kindName describes a node's type for messages: "a list", "the string \"x\"".
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!int":
			return "the number " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		}
		return "the value " + n.Value
	}
	return "an unsupported value"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
