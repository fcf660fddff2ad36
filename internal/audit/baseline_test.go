package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

func mustParseBaseline(t *testing.T, file, src string) *Baseline {
	t.Helper()
	b, err := ParseBaseline(file, []byte(src))
	if err != nil {
		t.Fatalf("ParseBaseline: %v", err)
	}
	return b
}

func drift(t *testing.T, b *Baseline) *Report {
	t.Helper()
	r, err := Evaluate(fixture(), nil, b)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return r
}

// exportJSON is what `ladmin agent export -o json` would print for agents.
func exportJSON(t *testing.T, agents []liveagent.Agent) string {
	t.Helper()
	b, err := json.MarshalIndent(agents, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBaselineNoDrift(t *testing.T) {
	for _, indent := range []bool{true, false} {
		src := exportJSON(t, fixture().Agents)
		if !indent {
			b, _ := json.Marshal(fixture().Agents)
			src = string(b)
		}
		r := drift(t, mustParseBaseline(t, "roster.json", src))
		checkFindings(t, r)
		if !slices.Equal(r.Summary.Checks, []string{"baseline.added", "baseline.deleted", "baseline.restored", "baseline.role_changed"}) {
			t.Errorf("checks = %q", r.Summary.Checks)
		}
		if r.Summary.Baseline != "roster.json" || r.Summary.Policy != "" || !r.Summary.Passed {
			t.Errorf("summary = %+v", r.Summary)
		}
	}
}

func TestBaselineDrift(t *testing.T) {
	base := fixture().Agents
	// Then: bob was not there, ana had been deleted, gone@ was active, lead
	// held plain admin, boss was an agent, and someone since vanished.
	base = slices.DeleteFunc(base, func(a liveagent.Agent) bool { return a.ID == "g2" })
	for i := range base {
		switch base[i].ID {
		case "g1":
			base[i].Status = "X"
		case "d1":
			base[i].Status = "A"
		case "a2":
			base[i].RoleID = ""
		case "o2":
			base[i].Role = "agent"
		}
	}
	base = append(base, liveagent.Agent{ID: "v1", Email: "vanished@acme.com", Role: "agent", Status: "A"})
	src := exportJSON(t, base)
	r := drift(t, mustParseBaseline(t, "roster.json", src))
	line := func(id string) int {
		for i, l := range strings.Split(src, "\n") {
			if strings.Contains(l, `"id": "`+id+`"`) {
				return i // the object's "{" is on the line before its first field
			}
		}
		t.Fatalf("no %s in the export", id)
		return 0
	}
	checkFindings(t, r,
		fmt.Sprintf("baseline.role_changed error boss@acme.com %d", line("o2")),
		fmt.Sprintf("baseline.role_changed error lead@acme.com %d", line("a2")),
		fmt.Sprintf("baseline.restored error ana@acme.com %d", line("g1")),
		fmt.Sprintf("baseline.deleted warning gone@acme.com %d", line("d1")),
		fmt.Sprintf("baseline.deleted warning vanished@acme.com %d", line("v1")),
		"baseline.added error bob@gmail.com 1",
	)
	msgs := map[string]string{}
	for _, f := range r.Findings {
		msgs[f.Agent.Email] = f.Message
	}
	for email, want := range map[string]string{
		"boss@acme.com":     "boss@acme.com changed role from agent to owner.",
		"lead@acme.com":     "lead@acme.com changed role from admin to support-lead (custom, based on admin).",
		"ana@acme.com":      "ana@acme.com was deleted in the baseline and is active again, as agent.",
		"gone@acme.com":     "gone@acme.com (admin in the baseline) has been deleted.",
		"vanished@acme.com": "vanished@acme.com (agent in the baseline) is no longer in the account.",
		"bob@gmail.com":     "bob@gmail.com (tier2 (custom, based on agent)) is active but not in the baseline.",
	} {
		if msgs[email] != want {
			t.Errorf("%s: message %q, want %q", email, msgs[email], want)
		}
	}
	if r.Summary.Errors != 4 || r.Summary.Warnings != 2 || r.Summary.Passed {
		t.Errorf("summary = %+v", r.Summary)
	}
}

func TestBaselineCSV(t *testing.T) {
	// An export's columns, in any order, with extra ones; role_id is absent,
	// so only base roles are compared (lead's custom role is still "admin").
	src := "email,name,role,status,id\n" +
		"owner@acme.com,Owner,owner,A,o1\n" +
		"boss@acme.com,Boss,owner,A,o2\n" +
		"cfo@acme.com,CFO,owner,A,c1\n" +
		"lite@acme.com,Lite,owner,A,l1\n" +
		"admin@acme.com,Admin,admin,A,a1\n" +
		"lead@acme.com,Lead,admin,A,a2\n" +
		"ana@acme.com,Ana,admin,A,g1\n" +
		"\"bob@gmail.com\",\"Bob, B.\",agent,A,g2\n" +
		"gone@acme.com,Gone,admin,X,d1\n"
	r := drift(t, mustParseBaseline(t, "roster.csv", src))
	checkFindings(t, r, "baseline.role_changed error ana@acme.com 8")

	// With role_id, a move to a custom role based on the same built-in is a change.
	src = "id,email,role,role_id,status\n" +
		"a2,lead@acme.com,admin,,A\n"
	r = drift(t, mustParseBaseline(t, "roster.csv", src))
	if got := brief(r.Findings); got[0] != "baseline.role_changed error lead@acme.com 2" || len(got) != 8 {
		t.Errorf("findings = %q", got)
	}
}

func TestBaselineMatchesByEmailWithoutIDs(t *testing.T) {
	// A hand-written roster: no ids, custom roles by name, mixed-case emails.
	src := `
- {email: OWNER@acme.com, role: owner}
- {email: boss@acme.com, role: owner}
- {email: cfo@acme.com, role: billing-admin}
- {email: lite@acme.com, role: owner-lite}
- {email: admin@acme.com, role: admin}
- {email: lead@acme.com, role: admin}
- {email: ana@acme.com, role: agent}
- {email: bob@gmail.com, role: tier2}
- {email: gone@acme.com, role: admin, status: deleted}
- {email: old@acme.com, role: ghost-role}
`
	r := drift(t, mustParseBaseline(t, "roster.yaml", src))
	checkFindings(t, r,
		"baseline.deleted warning old@acme.com 11",
	)
	if got := r.Findings[0].Message; got != "old@acme.com (ghost-role (a custom role that no longer exists) in the baseline) is no longer in the account." {
		t.Errorf("message = %q", got)
	}
	src = "- {email: lead@acme.com, role: ghost-role}\n- {email: cfo@acme.com, role: owner, role_id: r-gone}\n"
	r = drift(t, mustParseBaseline(t, "roster.yml", src))
	msgs := []string{}
	for _, f := range r.Findings {
		if f.Rule == RuleBaselineRoleChanged {
			msgs = append(msgs, f.Message)
		}
	}
	want := []string{
		"lead@acme.com changed role from ghost-role (a custom role that no longer exists) to support-lead (custom, based on admin).",
		"cfo@acme.com changed role from custom role r-gone (based on owner, which no longer exists) to billing-admin (custom, based on owner).",
	}
	if !slices.Equal(msgs, want) {
		t.Errorf("messages:\n%q\nwant\n%q", msgs, want)
	}
}

func TestBaselineReinvitedAgent(t *testing.T) {
	// gone@ was deleted and invited again under a new id: by id, that is one
	// deletion (already deleted in the baseline: nothing) and one addition.
	acct := fixture()
	acct.Agents = append(acct.Agents, liveagent.Agent{ID: "d2", Email: "gone@acme.com", Role: "owner", Status: "A"})
	b := mustParseBaseline(t, "roster.json", exportJSON(t, fixture().Agents))
	r, err := Evaluate(acct, nil, b)
	if err != nil {
		t.Fatal(err)
	}
	checkFindings(t, r, "baseline.added error gone@acme.com 1")
	// Without ids the email matches the active agent: restored.
	r, err = Evaluate(acct, nil, mustParseBaseline(t, "r.csv", "email,role,status\ngone@acme.com,admin,X\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := brief(r.Findings); got[0] != "baseline.restored error gone@acme.com 2" {
		t.Errorf("findings = %q", got)
	}
}

func TestBaselineFormatsAndLines(t *testing.T) {
	tests := []struct {
		file, src string
		lines     []int
	}{
		{"r.json", `[{"id":"1","email":"a@x.com","role":"agent"},{"id":"2","email":"b@x.com","role":"agent"}]`, []int{1, 1}},
		{"r.json", "[\n  {\"id\": \"1\", \"email\": \"a@x.com\", \"role\": \"agent\"}\n  ,\n\n  {\"id\": \"2\", \"email\": \"b@x.com\", \"role\": \"agent\"}\n]\n", []int{2, 5}},
		{"r.json", "[]", nil},
		{"roster", "\n  [{\"email\": \"a@x.com\", \"role\": \"agent\", \"role_id\": null}]", []int{2}},
		{"r.csv", "\xef\xbb\xbfEmail,Role\na@x.com,agent\n\"b@x.com\",\"multi\nline\"\nc@x.com,agent\n", []int{2, 3, 5}},
		{"roster", "email,role\na@x.com,agent\n", []int{2}},
		{"r.yaml", "# roster\n- email: a@x.com\n  role: agent\n- {email: b@x.com, role: admin, id: 7}\n", []int{2, 4}},
		{"roster", "- {email: a@x.com, role: agent}\n", []int{1}},
	}
	for _, tt := range tests {
		b, err := ParseBaseline(tt.file, []byte(tt.src))
		if err != nil {
			t.Errorf("%s %q: %v", tt.file, tt.src, err)
			continue
		}
		var lines []int
		for _, e := range b.Entries {
			lines = append(lines, e.Line)
		}
		if !slices.Equal(lines, tt.lines) {
			t.Errorf("%s %q: lines %v, want %v", tt.file, tt.src, lines, tt.lines)
		}
	}
	b := mustParseBaseline(t, "r.json", `[{"id":"1","email":" a@x.com ","role":"Admin","status":"deleted","extra":{"x":1}}]`)
	if e := b.Entries[0]; e.Email != "a@x.com" || e.Role != "Admin" || e.Status != "X" || e.HasRoleID {
		t.Errorf("entry = %+v", e)
	}
	b = mustParseBaseline(t, "r.csv", "id,email,role,role_id\n1,a@x.com,admin,\n")
	if e := b.Entries[0]; !e.HasRoleID || e.Status != "A" {
		t.Errorf("entry = %+v", e)
	}
}

func TestBaselineErrors(t *testing.T) {
	tests := []struct {
		name, file, src string
		line            int
		want            string
	}{
		{"empty", "r.json", "", 1, "the baseline is empty"},
		{"blank", "roster", "  \n", 1, "the baseline is empty"},
		{"object not array", "r.json", `{"agents": []}`, 1, "a JSON baseline is an array of agents"},
		{"syntax", "r.json", "[\n {\"email\": \"a@x.com\",\n  \"role\": agent}\n]", 3, "invalid JSON"},
		{"truncated", "r.json", "[\n {\"email\": \"a@x.com\", \"role\": \"agent\"},\n", 2, "the file ends before the array is closed"},
		{"element not object", "r.json", "[\n {\"email\": \"a@x.com\", \"role\": \"agent\"},\n \"b@x.com\"\n]", 3, "expected an agent object"},
		{"field type", "r.json", "[\n {\"email\": \"a@x.com\", \"role\": 3}\n]", 2, `field "role": expected a string, got 3`},
		{"missing role", "r.json", "[\n {\"email\": \"a@x.com\"}\n]", 2, "agent a@x.com has no role"},
		{"no id or email", "r.json", "[\n {\"role\": \"agent\"}\n]", 2, "neither an id nor an email"},
		{"bad status", "r.json", "[\n {\"email\": \"a@x.com\", \"role\": \"agent\", \"status\": \"P\"}\n]", 2, `status "P": expected A (active) or X (deleted)`},
		{"duplicate id", "r.json", "[\n {\"id\": \"1\", \"email\": \"a@x.com\", \"role\": \"agent\"},\n {\"id\": \"1\", \"email\": \"b@x.com\", \"role\": \"agent\"}\n]", 3, "agent id 1 is listed twice (first on line 2)"},
		{"duplicate email", "r.csv", "email,role\na@x.com,agent\nA@X.com,admin\n", 3, "active agent A@X.com is listed twice (first on line 2)"},
		{"csv no role column", "r.csv", "id,email\n1,a@x.com\n", 1, `the CSV header has no "role" column`},
		{"csv quote", "r.csv", "email,role\n\"a@x.com,agent\n", 2, "invalid CSV"},
		{"yaml not a list", "r.yaml", "email: a@x.com\n", 1, "a YAML baseline is a list of agents"},
		{"yaml item", "r.yaml", "- {email: a@x.com, role: agent}\n- just text\n", 2, "expected an agent mapping"},
		{"yaml nested", "r.yaml", "- email: a@x.com\n  role: [agent]\n", 2, `field "role": expected a string, got a list`},
		{"yaml syntax", "r.yaml", "- {email: a@x.com\n", 1, "invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBaseline(tt.file, []byte(tt.src))
			if err == nil {
				t.Fatal("ParseBaseline succeeded")
			}
			for _, d := range diagnosticsOf(t, err) {
				if d.Line == tt.line && strings.Contains(d.Message, tt.want) && d.File == tt.file {
					return
				}
			}
			t.Errorf("no problem at line %d containing %q; got:\n%v", tt.line, tt.want, err)
		})
	}
}

func TestBaselineWithPolicy(t *testing.T) {
	r, err := Evaluate(fixture(), mustParsePolicy(t, "owners: {max: 1}\n"),
		mustParseBaseline(t, "roster.json", exportJSON(t, fixture().Agents[1:])))
	if err != nil {
		t.Fatal(err)
	}
	checkFindings(t, r, "owners.max error - 1", "baseline.added error owner@acme.com 1")
	if r.Findings[0].Location.File != "policy.yaml" || r.Findings[1].Location.File != "roster.json" {
		t.Errorf("locations: %+v %+v", r.Findings[0].Location, r.Findings[1].Location)
	}
	if len(r.Summary.Checks) != 5 || r.Summary.Policy == "" || r.Summary.Baseline == "" {
		t.Errorf("summary = %+v", r.Summary)
	}
}

// TestBaselineExportShape: `ladmin agent export` writes role as the role's
// name (a custom role's own name), role_id, and departments; a custom role
// renamed since is the same role (same id).
func TestBaselineExportShape(t *testing.T) {
	src := `[
  {"email": "owner@acme.com", "name": "o", "role": "owner", "gender": "X", "departments": [], "id": "o1", "role_id": "", "status": "A"},
  {"email": "boss@acme.com", "name": "b", "role": "owner", "gender": "X", "departments": [], "id": "o2", "role_id": "", "status": "A"},
  {"email": "cfo@acme.com", "name": "c", "role": "finance (old name)", "gender": "X", "departments": [], "id": "c1", "role_id": "r-billing", "status": "A"},
  {"email": "lite@acme.com", "name": "l", "role": "owner-lite", "gender": "X", "departments": [], "id": "l1", "role_id": "r-lite", "status": "A"},
  {"email": "admin@acme.com", "name": "a", "role": "admin", "gender": "X", "departments": [], "id": "a1", "role_id": "", "status": "A"},
  {"email": "lead@acme.com", "name": "l", "role": "support-lead", "gender": "X", "departments": ["support"], "id": "a2", "role_id": "r-lead", "status": "A"},
  {"email": "ana@acme.com", "name": "a", "role": "tier2", "gender": "X", "departments": ["support"], "id": "g1", "role_id": "r-tier2", "status": "A"},
  {"email": "bob@gmail.com", "name": "b", "role": "tier2", "gender": "X", "departments": [], "id": "g2", "role_id": "r-tier2", "status": "A"},
  {"email": "gone@acme.com", "name": "g", "role": "admin", "gender": "X", "departments": [], "id": "d1", "role_id": "", "status": "X"}
]`
	r := drift(t, mustParseBaseline(t, "roster.json", src))
	checkFindings(t, r, "baseline.role_changed error ana@acme.com 8")
	if got := r.Findings[0].Message; got != "ana@acme.com changed role from tier2 (custom, based on agent) to agent." {
		t.Errorf("message = %q", got)
	}
	// The same roster as CSV, as `agent export` writes it by default.
	csv := "email,name,gender,role,departments,id,role_id,status\n" +
		"lead@acme.com,l,X,support-lead,support;sales,a2,r-lead,A\n" +
		"ana@acme.com,a,X,agent,support,g1,,A\n"
	r = drift(t, mustParseBaseline(t, "roster.csv", csv))
	for _, f := range r.Findings {
		if f.Rule != RuleBaselineAdded {
			t.Errorf("unexpected %s: %s", f.Rule, f.Message)
		}
	}
}
