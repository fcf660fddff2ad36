package audit

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func mustParsePolicy(t *testing.T, src string) *Policy {
	t.Helper()
	p, err := ParsePolicy("policy.yaml", []byte(src))
	if err != nil {
		t.Fatalf("ParsePolicy: %v", err)
	}
	return p
}

func diagnosticsOf(t *testing.T, err error) []Diagnostic {
	t.Helper()
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("error %v (%T) is not an *InvalidError", err, err)
	}
	return inv.Diagnostics
}

func TestParsePolicySample(t *testing.T) {
	data, err := os.ReadFile("../../testdata/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePolicy("testdata/policy.yaml", data)
	if err != nil {
		t.Fatalf("the sample policy does not parse: %v", err)
	}
	if p.Owners == nil || p.Owners.Min.N != 1 || p.Owners.Max.N != 2 || p.Owners.Min.Line != 4 {
		t.Errorf("owners = %+v", p.Owners)
	}
	if p.Admins == nil || p.Admins.Min != nil || p.Admins.Max.N != 5 || p.Admins.Max.Line != 5 {
		t.Errorf("admins = %+v", p.Admins)
	}
	if got := strings.Join(p.AllowedEmailDomains.Values(), ","); got != "example.com,acme.example" {
		t.Errorf("allowed_email_domains = %s", got)
	}
	if l := p.PrivilegedAllowlist; l.Line != 7 || len(l.Items) != 3 || l.Items[2].Line != 10 {
		t.Errorf("privileged_allowlist = %+v", l)
	}
	if got := strings.Join(p.RequireTwoFactor.Values(), ","); got != "owner,admin" {
		t.Errorf("require_two_factor = %s", got)
	}
	if got := strings.Join(p.ForbiddenPermissions.Values(), ","); got != "billing.manage" {
		t.Errorf("forbidden_permissions_for_custom_roles = %s", got)
	}
	if len(p.Rules) != 3 {
		t.Fatalf("rules = %d, want 3", len(p.Rules))
	}
	r := p.Rules[0]
	if r.ID != "rules.support-desk-has-no-admins" || r.Line != 14 || !r.Expect.None || r.Severity != SeverityError ||
		len(r.Select.Departments) != 1 || r.Select.Roles[0].Value != "admin" || r.Select.Status != "active" {
		t.Errorf("rules[0] = %+v", r)
	}
	if r := p.Rules[1]; len(r.Select.Roles) != 2 || r.Select.Emails[0].Value != "*@contractors.example.com" {
		t.Errorf("rules[1] = %+v", r)
	}
	if r := p.Rules[2]; r.Severity != SeverityWarning || r.Expect.None || r.Expect.Min.N != 1 || r.Expect.Max != nil {
		t.Errorf("rules[2] = %+v", r)
	}
	if !p.UsesDepartments() {
		t.Error("UsesDepartments = false")
	}
}

// TestParsePolicyInvalidSample: every problem of the sample is reported, each at its line.
func TestParsePolicyInvalidSample(t *testing.T) {
	data, err := os.ReadFile("../../testdata/policy-invalid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParsePolicy("testdata/policy-invalid.yaml", data)
	want := []string{
		`testdata/policy-invalid.yaml:3: unknown key "ownrs" (did you mean "owners"?)`,
		`testdata/policy-invalid.yaml:4: admins.max: expected a whole number, got the string "five"`,
		`testdata/policy-invalid.yaml:6: require_two_factor: expected a list, got the string "owner"`,
		`testdata/policy-invalid.yaml:7: forbidden_permissions_for_custom_roles: unknown permission "biling.manage" (did you mean "billing.manage"?)`,
		`testdata/policy-invalid.yaml:10: rule "support desk has no admins".select: unknown key "rol" (did you mean "role"?)`,
		`testdata/policy-invalid.yaml:11: rule "support desk has no admins".expect: "nobody" is not an expectation: use none, or {min: N, max: N}`,
	}
	d := diagnosticsOf(t, err)
	if len(d) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(d), len(want), err)
	}
	for i := range want {
		if d[i].String() != want[i] {
			t.Errorf("problem %d:\n got  %s\n want %s", i, d[i], want[i])
		}
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		want string // a substring of the message
	}{
		{"unknown key", "owners: {min: 1}\nadmin: {max: 2}\n", 2, `unknown key "admin" (did you mean "admins"?)`},
		{"unknown key far from any", "owners: {min: 1}\nzzzzzzzzzz: 1\n", 2, `unknown key "zzzzzzzzzz" (valid: owners, admins`},
		{"owners not a mapping", "owners: 1\n", 1, "owners: expected a mapping such as {min: 1, max: 2}, got the number 1"},
		{"bounds unknown key", "owners:\n  mn: 1\n", 2, `owners: unknown key "mn" (did you mean "min"?)`},
		{"negative count", "admins: {max: -1}\n", 1, "admins.max: expected a whole number of 0 or more, got -1"},
		{"float count", "admins: {max: 1.5}\n", 1, "admins.max: expected a whole number, got the number 1.5"},
		{"max below min", "owners:\n  min: 3\n  max: 2\n", 3, "owners: max (2) is less than min (3)"},
		{"empty bounds", "owners: {}\n", 1, "owners: set min, max or both"},
		{"list expected", "allowed_email_domains: acme.com\n", 1, `allowed_email_domains: expected a list, got the string "acme.com"`},
		{"empty list", "allowed_email_domains: []\n", 1, "allowed_email_domains: the list is empty"},
		{"number in list", "allowed_email_domains:\n  - acme.com\n  - 42\n", 3, "allowed_email_domains: expected a string, got the number 42"},
		{"domain with @", "allowed_email_domains: [bob@acme.com]\n", 1, `"bob@acme.com" is not an email domain`},
		{"allowlist not an email", "privileged_allowlist: [alice]\n", 1, `"alice" is not an email address or pattern`},
		{"allowlist bad glob", "privileged_allowlist: ['[*@acme.com']\n", 1, `"[*@acme.com" is not a valid pattern`},
		{"unknown permission", "forbidden_permissions_for_custom_roles:\n  - billing.manage\n  - agents.manag\n", 3, `unknown permission "agents.manag" (did you mean "agents.manage"?)`},
		{"unknown permission far", "forbidden_permissions_for_custom_roles: [launch.missiles]\n", 1, "(see `ladmin permission list`)"},
		{"rules not a list", "rules: {name: x}\n", 1, "rules: expected a list of rules"},
		{"rule not a mapping", "rules:\n  - just a string\n", 2, "rules[0]: expected a mapping with name, select and expect"},
		{"rule without name", "rules:\n  - select: {role: admin}\n    expect: none\n", 2, "rules[0]: missing name"},
		{"rule without expect", "rules:\n  - name: x\n    select: {role: admin}\n", 2, `rule "x": missing expect`},
		{"rule name without letters", "rules:\n  - name: '!!!'\n    expect: none\n", 2, "the name needs letters or digits"},
		{"duplicate rule id", "rules:\n  - name: No admins\n    expect: none\n  - name: no-admins\n    expect: none\n", 4, "another rule (line 2) has the same id rules.no-admins"},
		{"bad severity", "rules:\n  - name: x\n    expect: none\n    severity: fatal\n", 4, `"fatal" is not a severity`},
		{"bad status", "rules:\n  - name: x\n    select: {status: gone}\n    expect: none\n", 3, `"gone" is not a status`},
		{"two_factor not a bool", "rules:\n  - name: x\n    select: {two_factor: 'no'}\n    expect: none\n", 3, `two_factor: expected true or false, got the string "no"`},
		{"select not a mapping", "rules:\n  - name: x\n    select: admin\n    expect: none\n", 3, "select: expected a mapping"},
		{"expect bad word", "rules:\n  - name: x\n    expect: zero\n", 3, `"zero" is not an expectation`},
		{"expect bad type", "rules:\n  - name: x\n    expect: [1]\n", 3, "expect: expected none or {min: N, max: N}, got a list"},
		{"expect bounds bad", "rules:\n  - name: x\n    expect: {maxx: 1}\n", 3, `unknown key "maxx" (did you mean "max"?)`},
		{"selector email bad", "rules:\n  - name: x\n    select: {email: nobody}\n    expect: none\n", 3, `"nobody" is not an email address or pattern`},
		{"duplicate key", "owners: {min: 1}\nadmins: {max: 1}\nowners: {max: 3}\n", 3, `key "owners" is set twice (first on line 1)`},
		{"yaml syntax", "owners: {min: 1}\nadmins: [\n", 2, "invalid YAML"},
		{"yaml indentation", "owners:\n  min: 1\n max: 2\n", 2, "invalid YAML"},
		{"empty file", "", 1, "the policy checks nothing"},
		{"only comments", "# nothing here\n", 1, "the policy checks nothing"},
		{"empty mapping", "{}\n", 1, "the policy checks nothing"},
		{"top-level list", "- owners\n", 1, "a policy is a mapping of keys"},
		{"two documents", "owners: {min: 1}\n---\nadmins: {max: 1}\n", 2, "one YAML document"},
		{"merge key", "base: &b {min: 1}\nowners:\n  <<: *b\n", 1, `unknown key "base"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePolicy("p.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("ParsePolicy succeeded, want an error")
			}
			d := diagnosticsOf(t, err)
			for _, diag := range d {
				if diag.Line == tt.line && strings.Contains(diag.Message, tt.want) && diag.File == "p.yaml" {
					return
				}
			}
			t.Errorf("no problem at line %d containing %q; got:\n%v", tt.line, tt.want, err)
		})
	}
}

func TestParsePolicyNormalizes(t *testing.T) {
	p := mustParsePolicy(t, `
allowed_email_domains: ['@ACME.com', '*.Acme.EU']
privileged_allowlist: [Alice@ACME.com, '*@IT.acme.com']
rules:
  - name: "  Contractors: no admins!  "
    select:
      email: '*@Contractor.com'
      role: admin
      status: all
      two_factor: false
    expect: {min: 0, max: 0}
  - name: seats
    expect: {max: 500}
  - name: nobody deleted
    select: ~
    expect: none
`)
	if got := strings.Join(p.AllowedEmailDomains.Values(), ","); got != "acme.com,*.acme.eu" {
		t.Errorf("domains = %s", got)
	}
	if got := strings.Join(p.PrivilegedAllowlist.Values(), ","); got != "alice@acme.com,*@it.acme.com" {
		t.Errorf("allowlist = %s", got)
	}
	r := p.Rules[0]
	if r.Name != "Contractors: no admins!" || r.ID != "rules.contractors-no-admins" {
		t.Errorf("name %q id %q", r.Name, r.ID)
	}
	if r.Select.Emails[0].Value != "*@contractor.com" || r.Select.Status != "all" || r.Select.TwoFactor == nil || *r.Select.TwoFactor {
		t.Errorf("select = %+v", r.Select)
	}
	if r.Expect.None || r.Expect.Min.N != 0 || r.Expect.Max.N != 0 {
		t.Errorf("expect = %+v", r.Expect)
	}
	if s := p.Rules[1].Select; s.Status != "active" || len(s.Roles)+len(s.Emails)+len(s.Departments) != 0 {
		t.Errorf("an absent select should pick every active agent: %+v", s)
	}
	if s := p.Rules[2].Select; s.Status != "active" {
		t.Errorf("a null select should pick every active agent: %+v", s)
	}
	if p.UsesDepartments() {
		t.Error("UsesDepartments = true without a department selector")
	}
	var nilPolicy *Policy
	if nilPolicy.UsesDepartments() {
		t.Error("nil policy uses departments")
	}
}

func TestParsePolicyAliases(t *testing.T) {
	p := mustParsePolicy(t, `
rules:
  - name: a
    select: &admins {role: admin}
    expect: none
  - name: b
    select: *admins
    expect: {max: 1}
`)
	if p.Rules[1].Select.Roles[0].Value != "admin" {
		t.Errorf("alias not followed: %+v", p.Rules[1].Select)
	}
}

func TestParsePolicyReportsEveryProblem(t *testing.T) {
	_, err := ParsePolicy("p.yaml", []byte("owners: 1\nadmins: 2\nrules: 3\n"))
	d := diagnosticsOf(t, err)
	if len(d) != 3 || d[0].Line != 1 || d[1].Line != 2 || d[2].Line != 3 {
		t.Errorf("got %v", err)
	}
	var many strings.Builder
	for i := 0; i < 50; i++ {
		many.WriteString("k" + strings.Repeat("x", i) + ": 1\n")
	}
	_, err = ParsePolicy("p.yaml", []byte(many.String()))
	if d := diagnosticsOf(t, err); len(d) != maxDiagnostics {
		t.Errorf("got %d problems, want the first %d", len(d), maxDiagnostics)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"support desk has no admins": "support-desk-has-no-admins",
		"  Tier-2: max 5 (EU)  ":     "tier-2-max-5-eu",
		"Ünïcode only":               "n-code-only",
		"___":                        "",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
