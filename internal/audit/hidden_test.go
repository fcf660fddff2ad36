package audit

import (
	"strings"
	"testing"
)

// Emails in a policy or a baseline (from a pull request) are untrusted: one
// with an invisible or control character would match, or pass for, another.
func TestHiddenCharactersInPolicyAndBaselineEmails(t *testing.T) {
	for _, doc := range []string{
		"privileged_allowlist: [\"boss\u200b@acme.com\"]\n",
		"privileged_allowlist: [\"boss\u202e@acme.com\"]\n",
		"rules:\n  - name: r\n    select: {email: \"*\u2060@acme.com\"}\n    expect: {max: 0}\n",
	} {
		_, err := ParsePolicy("policy.yaml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), "invisible") {
			t.Errorf("policy %q: %v", doc, err)
		}
	}
	if _, err := ParsePolicy("policy.yaml", []byte("privileged_allowlist: [boss@acme.com, \"*@acme.com\"]\n")); err != nil {
		t.Errorf("a plain allowlist: %v", err)
	}
	for _, doc := range []string{
		"email,role\nowner\u200b@acme.com,owner\n",
		"email,role\n\"ana\x1b[2J@acme.com\",agent\n",
		`[{"email": "ana\u202e@acme.com", "role": "agent"}]`,
	} {
		name := "roster.csv"
		if strings.HasPrefix(doc, "[") {
			name = "roster.json"
		}
		_, err := ParseBaseline(name, []byte(doc))
		if err == nil || !strings.Contains(err.Error(), "not a valid email") {
			t.Errorf("baseline %q: %v", doc, err)
		}
	}
	// A baseline exported by ladmin (formula cells guarded) reads back unchanged.
	b, err := ParseBaseline("roster.csv", []byte("email,name,role\nana@acme.com,'=Ana,agent\n"))
	if err != nil || len(b.Entries) != 1 || b.Entries[0].Name != "=Ana" {
		t.Errorf("guarded baseline: %+v %v", b, err)
	}
}
