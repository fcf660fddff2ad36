package audit

import (
	"encoding/json"
	"encoding/xml"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

const keysPolicy = `api_keys:
  orphaned: error
  require_expiry: warning
  max_validity_days: 90
  require_whitelist: warning
`

// keysAccount: key 1 belongs to a deleted agent and is limited; key 2 to an
// unknown agent, expires soon, usable from anywhere; key 3 never expires
// and is limited; key 4 expires in a year; key 5 is expired (ignored but
// for orphaned: its agent is active); key 6 is fine.
func keysAccount() Account {
	acct := fixture()
	acct.Now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	acct.Keys = []liveagent.APIKey{
		{ID: "1", Name: "old laptop", UserID: "d1", ValidToDate: "2026-12-20 00:00:00", Whitelist: "10.0.0.0/8"},
		{ID: "2", Name: "ghost", UserID: "nobody", ValidToDate: "2026-12-20 00:00:00", Whitelist: "*"},
		{ID: "3", Name: "forever", UserID: "a1", ValidToDate: "", Whitelist: "192.0.2.7"},
		{ID: "4", Name: "long", UserID: "g1", ValidToDate: "2027-12-01 00:00:00", Whitelist: "192.0.2.0/24"},
		{ID: "5", Name: "expired", UserID: "g1", ValidToDate: "2026-01-01 00:00:00", Whitelist: "*"},
		{ID: "6", Name: "fine", UserID: "o1", ValidToDate: "2027-01-15 00:00:00", Whitelist: "192.0.2.1, 192.0.2.2"},
	}
	return acct
}

func keyFindings(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Rule, "api_keys.") {
			out = append(out, f.Rule+" "+f.Key.ID+" "+string(f.Severity))
		}
	}
	sort.Strings(out)
	return out
}

func TestAPIKeyRules(t *testing.T) {
	r, err := Evaluate(keysAccount(), mustParsePolicy(t, keysPolicy), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"api_keys.no_expiry 3 warning",
		"api_keys.no_whitelist 2 warning",
		"api_keys.orphaned 1 error",
		"api_keys.orphaned 2 error",
		"api_keys.validity 4 error",
	}
	if got := keyFindings(r); !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Summary.Passed {
		t.Error("orphaned keys are errors: the audit must fail")
	}
	for _, f := range r.Findings {
		if f.Rule == RuleAPIKeysOrphaned && f.Key.ID == "1" &&
			(f.Agent == nil || f.Agent.Email != "gone@acme.com" || !strings.Contains(f.Message, "deleted agent gone@acme.com")) {
			t.Errorf("orphaned key 1: %+v", f)
		}
		if f.Rule == RuleAPIKeysOrphaned && f.Key.ID == "2" && (f.Agent != nil || !strings.Contains(f.Message, "unknown agent (id nobody)")) {
			t.Errorf("orphaned key 2: %+v", f)
		}
	}

	// Without require_expiry, a key that never expires breaks max_validity_days.
	r, err = Evaluate(keysAccount(), mustParsePolicy(t, "api_keys: {max_validity_days: 90}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := keyFindings(r); !reflect.DeepEqual(got, []string{"api_keys.validity 3 error", "api_keys.validity 4 error"}) {
		t.Errorf("validity alone: %v", got)
	}
}

func TestAPIKeyPolicyErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"api_keys: yes\n", `policy.yaml:1: api_keys: expected a mapping of orphaned, require_expiry, max_validity_days, require_whitelist, got`},
		{"api_keys:\n  orphaned: eror\n", `policy.yaml:2: api_keys.orphaned: "eror" is not a severity: use error or warning (did you mean "error"?)`},
		{"api_keys:\n  max_validity_days: 0\n", `policy.yaml:2: api_keys.max_validity_days: expected a number of days of 1 or more, got 0`},
		{"api_keys:\n  max_validity: 9\n", `policy.yaml:2: api_keys: unknown key "max_validity"`},
		{"api_keys: {}\n", `policy.yaml:1: api_keys: set at least one of`},
	}
	for _, tt := range tests {
		_, err := ParsePolicy("policy.yaml", []byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.src, err, tt.want)
		}
	}
}

// TestAPIKeyFindingsOnceInEveryFormat: an orphaned key, a never-expiring
// key and a key usable from anywhere each appear exactly once per format.
func TestAPIKeyFindingsOnceInEveryFormat(t *testing.T) {
	acct := fixture()
	acct.Keys = []liveagent.APIKey{
		{ID: "71", Name: "orphan-key", UserID: "d1", ValidToDate: "2099-01-01 00:00:00", Whitelist: "10.1.2.3"},
		{ID: "72", Name: "forever-key", UserID: "a1", Whitelist: "10.1.2.3"},
		{ID: "73", Name: "anywhere-key", UserID: "g1", ValidToDate: "2099-01-01 00:00:00", Whitelist: "*"},
	}
	r, err := Evaluate(acct, mustParsePolicy(t, "api_keys: {orphaned: error, require_expiry: warning, require_whitelist: warning}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 3 {
		t.Fatalf("findings %+v", r.Findings)
	}
	for _, format := range Formats {
		out := render(t, format, r)
		for _, name := range []string{"orphan-key", "forever-key", "anywhere-key"} {
			if n := countFinding(t, format, out, name); n != 1 {
				t.Errorf("%s: the finding of %q appears %d times, want once:\n%s", format, name, n, out)
			}
		}
	}
	var doc struct {
		Findings []Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(render(t, FormatJSON, r)), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		if f.Key == nil || f.Key.ID == "" {
			t.Errorf("json finding without its key: %+v", f)
		}
	}
}

// countFinding counts the findings about the key named name in a report
// rendered in format, the way a reader of that format sees them.
func countFinding(t *testing.T, format, out, name string) int {
	t.Helper()
	lines := strings.Split(out, "\n")
	count := func(keep func(string) bool) int {
		n := 0
		for _, l := range lines {
			if keep(l) {
				n += strings.Count(l, name)
			}
		}
		return n
	}
	switch format {
	case FormatJSON, FormatSARIF:
		// Every finding (JSON) or result (SARIF) carries its key's name once
		// in its key object.
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatal(err)
		}
		n := 0
		var walk func(any)
		walk = func(x any) {
			switch x := x.(type) {
			case map[string]any:
				if k, ok := x["key"].(map[string]any); ok && k["name"] == name {
					n++
				}
				for _, c := range x {
					walk(c)
				}
			case []any:
				for _, c := range x {
					walk(c)
				}
			}
		}
		walk(v)
		return n
	case FormatJUnit:
		// An error finding is one <failure>; a warning is one "warning:"
		// line of its test case's system-out.
		var doc struct {
			Cases []struct {
				Failures []struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testsuite>testcase"`
		}
		if err := xml.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range doc.Cases {
			for _, f := range c.Failures {
				n += strings.Count(f.Message, name)
			}
			for _, l := range strings.Split(c.SystemOut, "\n") {
				if strings.HasPrefix(l, "warning: ") {
					n += strings.Count(l, name)
				}
			}
		}
		return n
	}
	return count(func(string) bool { return true })
}
