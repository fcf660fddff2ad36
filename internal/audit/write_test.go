package audit

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"slices"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/text"
)

// sampleReport has errors and warnings from the policy and the baseline,
// and a message with characters every format must escape.
func sampleReport(t *testing.T) *Report {
	t.Helper()
	pol := mustParsePolicy(t, `owners: {max: 2}
allowed_email_domains: [acme.com]
require_two_factor: [admin]
forbidden_permissions_for_custom_roles: [billing.manage]
rules:
  - name: no gmail
    select: {email: '*@gmail.com'}
    expect: none
    severity: warning
  - name: seats
    expect: {max: 100}
`)
	base := mustParseBaseline(t, "roster dir/roster.json", `[
  {"id": "o1", "email": "owner@acme.com", "role": "owner", "role_id": "", "status": "A"},
  {"id": "zz", "email": "old@acme.com", "role": "agent", "role_id": "", "status": "A"}
]`)
	acct := fixture()
	acct.Agents = acct.Agents[:len(acct.Agents)-1]
	acct.Agents[7].Email = "bob,<b>&\"100%\"|\n@gmail.com"
	r, err := Evaluate(acct, pol, base)
	if err != nil {
		t.Fatal(err)
	}
	r.Tool = "1.2.3"
	return r
}

func cleanReport(t *testing.T) *Report {
	t.Helper()
	r, err := Evaluate(fixture(), mustParsePolicy(t, "owners: {min: 1}\nadmins: {max: 9}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func render(t *testing.T, format string, r *Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, r, WriteOptions{}); err != nil {
		t.Fatalf("Write %s: %v", format, err)
	}
	return buf.String()
}

func TestSampleReportShape(t *testing.T) {
	r := sampleReport(t)
	if r.Summary.Errors == 0 || r.Summary.Warnings == 0 {
		t.Fatalf("the sample needs errors and warnings: %+v", r.Summary)
	}
}

func TestWriteJSON(t *testing.T) {
	r := sampleReport(t)
	var got struct {
		Summary  map[string]any   `json:"summary"`
		Findings []map[string]any `json:"findings"`
	}
	out := render(t, FormatJSON, r)
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	if len(got.Findings) != len(r.Findings) {
		t.Errorf("%d findings, want %d", len(got.Findings), len(r.Findings))
	}
	for _, k := range []string{"passed", "errors", "warnings", "agents", "active_agents", "owners", "admins", "roles", "checks", "policy", "baseline"} {
		if _, ok := got.Summary[k]; !ok {
			t.Errorf("summary has no %q", k)
		}
	}
	for _, f := range got.Findings {
		for _, k := range []string{"rule", "severity", "message", "location"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %v has no %q", f, k)
			}
		}
		if a, ok := f["agent"].(map[string]any); ok {
			if _, ok := a["id"]; !ok || len(a) != 2 {
				t.Errorf("agent = %v, want exactly id and email", a)
			}
		}
	}
	if !strings.Contains(out, `<b>&`) {
		t.Error("JSON escapes HTML characters; keep messages readable")
	}

	clean := render(t, FormatJSON, cleanReport(t))
	if !strings.Contains(clean, `"findings": []`) {
		t.Errorf("a clean report must have findings []:\n%s", clean)
	}
	nilFindings := cleanReport(t)
	nilFindings.Findings = nil
	if !strings.Contains(render(t, FormatJSON, nilFindings), `"findings": []`) {
		t.Error("nil findings are not written as []")
	}
}

// junit mirrors the JUnit XML schema for reading the report back.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Props    []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			File      string `xml:"file,attr"`
			Line      int    `xml:"line,attr"`
			Failures  []struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestWriteJUnit(t *testing.T) {
	r := sampleReport(t)
	out := render(t, FormatJUnit, r)
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration:\n%s", out)
	}
	var doc junitDoc
	dec := xml.NewDecoder(strings.NewReader(out))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("invalid XML: %v\n%s", err, out)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d suites", len(doc.Suites))
	}
	s := doc.Suites[0]
	if s.Tests != len(r.Checks) || doc.Tests != s.Tests || len(s.Cases) != len(r.Checks) || s.Errors != 0 {
		t.Errorf("tests %d/%d, cases %d, want %d", doc.Tests, s.Tests, len(s.Cases), len(r.Checks))
	}
	failedCases, failures := 0, 0
	for i, c := range s.Cases {
		check := r.Checks[i]
		if c.Name != check.ID || c.Classname == "" || c.File == "" || c.Line < 1 {
			t.Errorf("case %d = %+v, check %+v", i, c, check)
		}
		var wantErrors []string
		for _, f := range r.Findings {
			if f.Rule == check.ID && f.Severity == SeverityError {
				wantErrors = append(wantErrors, f.Message)
			}
			if f.Rule == check.ID && !strings.Contains(c.SystemOut, f.Message) {
				t.Errorf("case %s: system-out does not list %q", c.Name, f.Message)
			}
		}
		var gotErrors []string
		for _, f := range c.Failures {
			gotErrors = append(gotErrors, f.Message)
			if f.Type != check.ID || !strings.Contains(f.Text, f.Message) {
				t.Errorf("failure %+v", f)
			}
		}
		if !slices.Equal(gotErrors, wantErrors) {
			t.Errorf("case %s: failures %q, want one per error finding %q", c.Name, gotErrors, wantErrors)
		}
		if len(c.Failures) > 0 {
			failedCases++
		}
		failures += len(c.Failures)
	}
	if s.Failures != failedCases || doc.Failures != failedCases {
		t.Errorf("failures attribute %d/%d, want %d failed cases", doc.Failures, s.Failures, failedCases)
	}
	if failures != r.Summary.Errors {
		t.Errorf("%d failure elements, want %d (one per error finding)", failures, r.Summary.Errors)
	}
	// The warning rule's case has no failure.
	for _, c := range s.Cases {
		if c.Name == "rules.no-gmail" && (len(c.Failures) != 0 || !strings.Contains(c.SystemOut, "warning: ")) {
			t.Errorf("warning case = %+v", c)
		}
	}
	if len(s.Props) != 3 {
		t.Errorf("properties = %+v", s.Props)
	}

	var clean junitDoc
	if err := xml.Unmarshal([]byte(render(t, FormatJUnit, cleanReport(t))), &clean); err != nil {
		t.Fatal(err)
	}
	if clean.Tests != 2 || clean.Failures != 0 || len(clean.Suites[0].Cases) != 2 {
		t.Errorf("clean report: %+v", clean)
	}
}

func TestWriteSARIF(t *testing.T) {
	r := sampleReport(t)
	out := render(t, FormatSARIF, r)
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if doc["$schema"] != SARIFSchema || doc["version"] != "2.1.0" {
		t.Errorf("$schema %v version %v", doc["$schema"], doc["version"])
	}
	runs := doc["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("%d runs", len(runs))
	}
	run := runs[0].(map[string]any)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	if driver["name"] != "ladmin" || driver["version"] != "1.2.3" || driver["informationUri"] == "" {
		t.Errorf("driver = %v", driver)
	}
	var ruleIDs []string
	for _, x := range driver["rules"].([]any) {
		rule := x.(map[string]any)
		id := rule["id"].(string)
		if slices.Contains(ruleIDs, id) {
			t.Errorf("rule %s listed twice", id)
		}
		ruleIDs = append(ruleIDs, id)
		if rule["shortDescription"].(map[string]any)["text"] == "" || rule["name"] == "" {
			t.Errorf("rule %v", rule)
		}
		if lvl := rule["defaultConfiguration"].(map[string]any)["level"]; lvl != "error" && lvl != "warning" {
			t.Errorf("rule %s level %v", id, lvl)
		}
	}
	if len(ruleIDs) != len(r.Checks) {
		t.Errorf("rules %q, want every check", ruleIDs)
	}
	results := run["results"].([]any)
	if len(results) != len(r.Findings) {
		t.Fatalf("%d results, want %d", len(results), len(r.Findings))
	}
	fingerprints := map[string]bool{}
	for i, x := range results {
		res := x.(map[string]any)
		id := res["ruleId"].(string)
		idx := int(res["ruleIndex"].(float64))
		if idx < 0 || idx >= len(ruleIDs) || ruleIDs[idx] != id {
			t.Errorf("result %d: ruleIndex %d does not point at %s", i, idx, id)
		}
		if lvl := res["level"]; lvl != string(r.Findings[i].Severity) {
			t.Errorf("result %d level %v", i, lvl)
		}
		if res["message"].(map[string]any)["text"] != r.Findings[i].Message {
			t.Errorf("result %d message %v", i, res["message"])
		}
		locs, _ := res["locations"].([]any)
		if len(locs) == 0 {
			t.Fatalf("result %d has no location: code scanning would reject it", i)
		}
		phys := locs[0].(map[string]any)["physicalLocation"].(map[string]any)
		uri := phys["artifactLocation"].(map[string]any)["uri"].(string)
		line := phys["region"].(map[string]any)["startLine"].(float64)
		wantURI := "policy.yaml"
		if strings.HasPrefix(id, "baseline.") {
			wantURI = "roster%20dir/roster.json"
		}
		if uri != wantURI || line < 1 {
			t.Errorf("result %d (%s): uri %q line %v, want %q and a line", i, id, uri, line, wantURI)
		}
		fp := res["partialFingerprints"].(map[string]any)["ladminFinding/v1"].(string)
		if fingerprints[fp] {
			t.Errorf("result %d shares a fingerprint", i)
		}
		fingerprints[fp] = true
	}

	var clean map[string]any
	if err := json.Unmarshal([]byte(render(t, FormatSARIF, cleanReport(t))), &clean); err != nil {
		t.Fatal(err)
	}
	if res := clean["runs"].([]any)[0].(map[string]any)["results"]; res == nil || len(res.([]any)) != 0 {
		t.Errorf("a clean SARIF run must have results []: %v", res)
	}
}

func TestWriteGitHub(t *testing.T) {
	r := sampleReport(t)
	out := render(t, FormatGitHub, r)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(r.Findings)+1 {
		t.Fatalf("%d lines for %d findings:\n%s", len(lines), len(r.Findings), out)
	}
	for i, f := range r.Findings {
		want := "::error "
		if f.Severity == SeverityWarning {
			want = "::warning "
		}
		if !strings.HasPrefix(lines[i], want+"title="+f.Rule+",file=") || !strings.Contains(lines[i], ",line=") {
			t.Errorf("line %d = %q", i, lines[i])
		}
	}
	if !slices.Contains(lines, "::error title=owners.max,file=policy.yaml,line=1::The account has 3 active owners (boss@acme.com, cfo@acme.com, owner@acme.com); the policy allows at most 2.") {
		t.Errorf("no owners.max annotation:\n%s", out)
	}
	if !strings.Contains(out, "file=roster dir/roster.json,line=") {
		t.Errorf("baseline annotations do not point at the roster:\n%s", out)
	}
	// Newlines (text.Safe: \n) and % in a message are escaped, so one finding
	// stays one command.
	if !strings.Contains(out, `bob,<b>&"100%25"|\n@gmail.com`) {
		t.Errorf("message not escaped:\n%s", out)
	}
	if lines[len(lines)-1] != r.SummaryLine() {
		t.Errorf("last line %q, want the summary", lines[len(lines)-1])
	}
	if got := ghProperty("a:b,c%"); got != "a%3Ab%2Cc%25" {
		t.Errorf("ghProperty = %q", got)
	}
}

func TestWriteMarkdown(t *testing.T) {
	r := sampleReport(t)
	out := render(t, FormatMarkdown, r)
	if !strings.HasPrefix(out, "## ladmin audit ❌ failed\n") {
		t.Errorf("heading:\n%s", out)
	}
	rows := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| ❌") || strings.HasPrefix(l, "| ⚠️") {
			rows++
			// Six pipes: five cells, none broken by an escaped | in a message.
			if n := strings.Count(l, "|") - strings.Count(l, `\|`); n != 6 {
				t.Errorf("row has %d cell borders: %s", n, l)
			}
		}
	}
	if rows != len(r.Findings) {
		t.Errorf("%d rows for %d findings:\n%s", rows, len(r.Findings), out)
	}
	if !strings.Contains(out, "&lt;b&gt;") {
		t.Error("HTML in a message is not escaped")
	}
	clean := render(t, FormatMarkdown, cleanReport(t))
	if !strings.HasPrefix(clean, "## ladmin audit ✅ passed") || !strings.Contains(clean, "No findings.") {
		t.Errorf("clean:\n%s", clean)
	}
}

func TestWriteTable(t *testing.T) {
	r := sampleReport(t)
	out := render(t, FormatTable, r)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "SEVERITY") || !strings.Contains(lines[0], "SOURCE") {
		t.Errorf("header = %q", lines[0])
	}
	if f := strings.Fields(lines[1]); f[0] != "error" || f[1] != "owners.max" || f[2] != "-" || f[len(f)-1] != "policy.yaml:1" {
		t.Errorf("first row = %q", lines[1])
	}
	if lines[len(lines)-1] != r.SummaryLine() || !strings.HasPrefix(r.SummaryLine(), "audit FAILED: ") {
		t.Errorf("last line = %q", lines[len(lines)-1])
	}
	var buf bytes.Buffer
	if err := Write(&buf, FormatTable, r, WriteOptions{NoHeaders: true}); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(buf.String(), "SEVERITY") {
		t.Error("--no-headers printed the header")
	}
	if n := strings.Count(buf.String(), "\n"); n != len(r.Findings)+2 {
		t.Errorf("%d lines for %d findings: a cell broke a line\n%s", n, len(r.Findings), buf.String())
	}
	clean := render(t, "", cleanReport(t))
	want := "No findings.\naudit passed: 0 errors, 0 warnings; 8 active agents checked, 2 checks (policy policy.yaml)\n"
	if clean != want {
		t.Errorf("clean table:\n%q\nwant\n%q", clean, want)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, "xml", cleanReport(t), WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "table, json, junit, sarif, github, markdown") || buf.Len() != 0 {
		t.Errorf("err = %v, wrote %q", err, buf.String())
	}
	if !IsMachineFormat(FormatSARIF) || IsMachineFormat(FormatGitHub) {
		t.Error("IsMachineFormat")
	}
}

func TestRuleName(t *testing.T) {
	for in, want := range map[string]string{"owners.max": "OwnersMax", "two_factor.required": "TwoFactorRequired", "rules.no-gmail-2": "RulesNoGmail2"} {
		if got := ruleName(in); got != want {
			t.Errorf("ruleName(%q) = %q", in, got)
		}
	}
}

// On a terminal the severities and the verdict are colored, after the
// table is laid out: the alignment of the plain table is kept.
func TestWriteTableColor(t *testing.T) {
	r := sampleReport(t)
	var plain, colored bytes.Buffer
	if err := Write(&plain, FormatTable, r, WriteOptions{Width: 100}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&colored, FormatTable, r, WriteOptions{Width: 100, Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b") {
		t.Errorf("plain table has color codes:\n%s", plain.String())
	}
	got := colored.String()
	for _, want := range []string{"\x1b[31merror\x1b[0m ", "\x1b[1m\x1b[31maudit FAILED\x1b[0m"} {
		if !strings.Contains(got, want) {
			t.Errorf("colored table lacks %q:\n%q", want, got)
		}
	}
	strip := strings.NewReplacer("\x1b[31m", "", "\x1b[33m", "", "\x1b[32m", "", "\x1b[1m", "", "\x1b[0m", "")
	if strip.Replace(got) != plain.String() {
		t.Errorf("colors changed the layout:\n%s\nvs\n%s", strip.Replace(got), plain.String())
	}
}

// The compact table does not repeat the subject in the message, and names
// its source by the file's name.
func TestShortText(t *testing.T) {
	loc := Location{File: "ci/policy.yaml", Line: 7}
	for _, c := range []struct {
		f    Finding
		want string
	}{
		{Finding{Agent: &AgentRef{Email: "ann@acme.com"}, Message: "ann@acme.com holds admin but has not enabled two-factor authentication."},
			"holds admin but has not enabled two-factor authentication"},
		{Finding{Key: &KeyRef{ID: "12", Name: "ci"}, Agent: &AgentRef{Email: "ann@acme.com"}, Message: `API key 12 ("ci") of ann@acme.com never expires.`},
			`"ci" never expires`},
		{Finding{Key: &KeyRef{ID: "12", UserID: "x9"}, Message: "API key 12 belongs to an unknown agent (id x9); revoke it."},
			"belongs to an unknown agent (id x9); revoke it"},
		{Finding{Role: &RoleRef{Name: "billing"}, Message: `Custom role "billing" (based on agent) holds the forbidden permission billing.manage, and nobody holds it.`},
			"(based on agent) holds the forbidden permission billing.manage, and nobody holds it"},
		{Finding{Message: "The account has 3 active owners; the policy allows at most 2."},
			"The account has 3 active owners; the policy allows at most 2"},
	} {
		c.f.Location = loc
		if got := shortText(c.f); got != c.want {
			t.Errorf("shortText(%q) = %q, want %q", c.f.Message, got, c.want)
		}
		if got := shortSource(c.f); got != "policy.yaml:7" {
			t.Errorf("shortSource = %q", got)
		}
	}
}

// At 80 and 120 columns the table is compact: SEVERITY, SUBJECT, MESSAGE,
// no subject repeated in its message, one or two lines a finding (this
// sample's longest message, listing three owners, four at 80), no line wider than the
// terminal but for an email; narrower, messages go under their subjects.
// The colors keep the layout.
func TestWriteTableCompact(t *testing.T) {
	r := sampleReport(t)
	for _, width := range []int{80, 120, 50} {
		var buf bytes.Buffer
		if err := Write(&buf, FormatTable, r, WriteOptions{Width: width}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		wantHeader := []string{"SEVERITY", "SUBJECT", "MESSAGE"}
		if width == 50 {
			wantHeader = []string{"SEVERITY", "FINDING"}
		}
		if got := strings.Fields(lines[0]); !slices.Equal(got, wantHeader) {
			t.Errorf("width %d: header %q", width, lines[0])
		}
		var per []int // lines a finding
		for _, l := range lines[1:] {
			if l == "" {
				break
			}
			if strings.HasPrefix(l, "error ") || strings.HasPrefix(l, "warning ") {
				per = append(per, 0)
			}
			per[len(per)-1]++
			for _, f := range r.Findings {
				if e := f.Agent; e != nil && strings.Count(l, text.Safe(e.Email)) > 1 {
					t.Errorf("width %d: %s repeated: %q", width, e.Email, l)
				}
			}
			if len([]rune(l)) > width && !strings.Contains(l, "@") {
				t.Errorf("width %d: line of %d columns: %q", width, len([]rune(l)), l)
			}
		}
		if len(per) != len(r.Findings) {
			t.Errorf("width %d: %d findings shown, want %d\n%s", width, len(per), len(r.Findings), out)
		}
		most := map[int]int{80: 4, 120: 2, 50: 6}[width]
		for i, n := range per {
			if n > most {
				t.Errorf("width %d: finding %d takes %d lines, want at most %d\n%s", width, i, n, most, out)
			}
		}
		var colored bytes.Buffer
		if err := Write(&colored, FormatTable, r, WriteOptions{Width: width, Color: true}); err != nil {
			t.Fatal(err)
		}
		strip := strings.NewReplacer("\x1b[31m", "", "\x1b[33m", "", "\x1b[32m", "", "\x1b[1m", "", "\x1b[0m", "")
		if strip.Replace(colored.String()) != out || !strings.Contains(colored.String(), "\x1b[31merror\x1b[0m ") {
			t.Errorf("width %d: colors changed the layout:\n%s", width, colored.String())
		}
	}
}
