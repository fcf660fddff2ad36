package liveagent

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:secret@acme.ladesk.com":          "https://user:xxxxx@acme.ladesk.com",
		"https://token@acme.ladesk.com/api/v3":         "https://xxxxx@acme.ladesk.com/api/v3",
		"https://acme.ladesk.com":                      "https://acme.ladesk.com",
		"http://u:p%40ss@127.0.0.1:8080/x?y=1":         "http://u:xxxxx@127.0.0.1:8080/x?y=1",
		`Get "https://u:s3cret@h/api": dial tcp: boom`: `Get "https://u:xxxxx@h/api": dial tcp: boom`,
		"https://u:sec ret@h":                          "https://u:xxxxx@h",
		"not a url":                                    "not a url",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientNeverShowsTheURLPassword(t *testing.T) {
	c, err := New(Config{URL: "http://user:s3cret@127.0.0.1:1", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.BaseURL(), "s3cret") {
		t.Errorf("BaseURL() = %q", c.BaseURL())
	}
	if _, err := CheckURL("ftp://user:s3cret@host"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("CheckURL error: %v", err)
	}
}

func TestValidEmailRefusesHiddenCharacters(t *testing.T) {
	for _, e := range []string{"owner\u200b@example.com", "owner\u202e@example.com", "own\u2028er@example.com",
		"own\u0085er@example.com", "own\ufeffer@example.com", "own\u00ader@example.com", "own\u2060er@example.com",
		"own\x00er@example.com", "own\xffer@example.com"} {
		if ValidEmail(e) {
			t.Errorf("ValidEmail(%q) = true", e)
		}
	}
	if !ValidEmail("owner@example.com") {
		t.Error("a plain address is refused")
	}
}

func TestNameProblem(t *testing.T) {
	for name, bad := range map[string]bool{
		"Ana Pérez": false, "می\u200cخواهم": false, "क्\u200dष": false, "王小明": false, "owner\u200b": false,
		"two\nlines": true, "esc\x1b[2J": true, "c1\u009b": true, "rlo\u202e": true, "lre\u202a": true,
		"iso\u2066": true, "pdi\u2069": true, "ls\u2028": true, "ps\u2029": true,
		strings.Repeat("a", 256): true, strings.Repeat("é", 255): false,
	} {
		if got := NameProblem(name) != ""; got != bad {
			t.Errorf("NameProblem(%.20q) = %q, want a problem: %v", name, NameProblem(name), bad)
		}
	}
}
