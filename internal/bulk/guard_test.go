package bulk

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
)

// The rows --failed writes are formula-guarded and read back unchanged, so
// the file can be imported again as it is.
func TestFailedRowsAreGuardedAndReadBack(t *testing.T) {
	in := "email,name\n" +
		"a@acme.example,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n" +
		"b@acme.example,+1 555\n" +
		"c@acme.example,'=quoted\n" +
		"d@acme.example,'Ohana\n"
	f, problems, fatal := Parse([]byte(in), ParseOptions{Name: "in.csv"})
	if fatal || len(problems) > 0 {
		t.Fatalf("parse: %v", problems)
	}
	var buf bytes.Buffer
	fw := NewFailedWriter(&buf, f)
	for i := range f.Records {
		fw.Add(Result{Step: &Step{Record: &f.Records[i]}, Outcome: OutcomeFailed, Err: errors.New("x")})
	}
	recs, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		if c := rec[1]; c[0] == '=' || c[0] == '+' {
			t.Errorf("--failed cell %q would run as a formula", c)
		}
	}
	back, problems, fatal := Parse(buf.Bytes(), ParseOptions{Name: "failed.csv"})
	if fatal || len(problems) > 0 {
		t.Fatalf("parse --failed: %v", problems)
	}
	for i, r := range back.Records {
		if r.Name != f.Records[i].Name {
			t.Errorf("row %d: %q came back as %q", i, f.Records[i].Name, r.Name)
		}
	}
	// The hand-written '=quoted cell reads as =quoted (a spreadsheet's own
	// guard), and 'Ohana, with no formula after the apostrophe, as it is.
	if f.Records[2].Name != "=quoted" || f.Records[3].Name != "'Ohana" {
		t.Errorf("read %q and %q", f.Records[2].Name, f.Records[3].Name)
	}
}

func TestScreenLines(t *testing.T) {
	var ps Problems
	for i := range 25 {
		ps = append(ps, Problem{File: "f.csv", Line: i + 2, Message: "bad \x1b[2J " + strings.Repeat("x", 1000)})
	}
	lines := ps.ScreenLines("all of them in r.csv")
	if len(lines) != MaxListed+1 || lines[MaxListed] != "... and 5 more (all of them in r.csv)" {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	for _, l := range lines {
		if strings.Contains(l, "\x1b") || len(l) > 600 {
			t.Errorf("line not safe or not cut: %.80q (%d bytes)", l, len(l))
		}
	}
}
