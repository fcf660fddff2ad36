package output

import (
	"bytes"
	"strings"
	"testing"
)

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{
		"":             0,
		"Ann":          3,
		"山田太郎":         8,
		"Łukasz Żółć":  11,
		"e\u0301":      1, // e + combining acute
		"ｆｕｌｌ":         8, // fullwidth Latin
		"two\nlines!":  6,
		"नमस्ते":       4, // Devanagari: the virama and vowel signs take no column
		"a\u200db":     2, // zero-width joiner
		"😀":            2,
		"Ana Pérez 王芳": 14,
	} {
		if got := DisplayWidth(s); got != want {
			t.Errorf("DisplayWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestTruncateWidth(t *testing.T) {
	tests := []struct {
		s    string
		w    int
		want string
	}{
		{"Olivia Owner", 20, "Olivia Owner"},
		{"Olivia Owner", 12, "Olivia Owner"},
		{"Olivia Owner", 7, "Olivia…"},
		{"山田太郎", 5, "山田…"}, // a wide character is never split
		{"山田太郎", 6, "山田…"},
		{"山田太郎", 7, "山田太…"},
		{"abc", 1, "…"},
	}
	for _, tt := range tests {
		got := TruncateWidth(tt.s, tt.w)
		if got != tt.want {
			t.Errorf("TruncateWidth(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
		}
		if DisplayWidth(got) > tt.w {
			t.Errorf("TruncateWidth(%q, %d) = %q is %d wide", tt.s, tt.w, got, DisplayWidth(got))
		}
	}
}

func TestWrapWidth(t *testing.T) {
	tests := []struct {
		s    string
		w    int
		want []string
	}{
		{"short", 10, []string{"short"}},
		{"edit your own profile (name, nickname)", 15, []string{"edit your own", "profile (name,", "nickname)"}},
		// An email stays whole even if it is wider than the column.
		{"maximiliana.featherstonehaugh@example.com holds admin", 20,
			[]string{"maximiliana.featherstonehaugh@example.com", "holds admin"}},
		// East Asian text breaks between characters.
		{"中国香港特别行政区客户支持部门经理", 10, []string{"中国香港特", "别行政区客", "户支持部门", "经理"}},
		{"one\ntwo three", 5, []string{"one", "two", "three"}},
	}
	for _, tt := range tests {
		got := WrapWidth(tt.s, tt.w)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("WrapWidth(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
		}
	}
}

// fitTable at a width: Keep columns whole, the others cut or wrapped, the
// table within the width; off a terminal nothing changes.
func TestFitTable(t *testing.T) {
	header := []string{"ID", "NAME", "EMAIL", "NOTE"}
	rows := [][]string{
		{"a1b2c3d4", "Maximiliana Alexandrina Bartholomew", "max@example.com", "joined in spring to lead the support desk in Europe"},
		{"e5f6a7b8", "山田太郎", "yamada@example.com", "on leave"},
	}
	fits := []Fit{Keep, Truncate, Keep, Wrap}
	var buf bytes.Buffer
	if err := Table(&buf, header, rows, TableOptions{Width: 60, Fits: fits}); err != nil {
		t.Fatal(err)
	}
	// Prose keeps a readable width; the name gives way.
	want := `ID         NAME        EMAIL                NOTE
a1b2c3d4   Maximili…   max@example.com      joined in spring
                                            to lead the
                                            support desk in
                                            Europe
e5f6a7b8   山田太郎    yamada@example.com   on leave
`
	if buf.String() != want {
		t.Errorf("width 60:\n%s\nwant:\n%s", buf.String(), want)
	}
	for line := range strings.Lines(buf.String()) {
		if DisplayWidth(strings.TrimSuffix(line, "\n")) > 60 {
			t.Errorf("line wider than 60: %q", line)
		}
	}

	buf.Reset()
	if err := Table(&buf, header, rows, TableOptions{Fits: fits}); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, cell := range row {
			if !strings.Contains(buf.String(), cell) {
				t.Errorf("off a terminal, %q is not whole:\n%s", cell, buf.String())
			}
		}
	}
}

// Prose breaks inside a word only when that makes the table fit, and a
// detail view never breaks its values.
func TestFitTableBreaksWordsOnlyToFit(t *testing.T) {
	header := []string{"ID", "MESSAGE"}
	rows := [][]string{{"a1", "maximiliana.featherstonehaugh@example.com holds admin"}}
	var buf bytes.Buffer
	if err := Table(&buf, header, rows, TableOptions{Width: 30, Fits: []Fit{Keep, Wrap}}); err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(buf.String()) {
		if w := DisplayWidth(strings.TrimSuffix(line, "\n")); w > 30 {
			t.Errorf("line of %d columns at width 30: %q", w, line)
		}
	}
	buf.Reset()
	if err := PrintKeyValues(&buf, [][2]string{{"Email", "maximiliana.featherstonehaugh@example.com"}}, 30); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "maximiliana.featherstonehaugh@example.com") {
		t.Errorf("a detail view broke an email:\n%s", buf.String())
	}
}

// -o wide at a terminal: a long header is no floor, the wide-only columns
// go (rightmost first, a note naming them) before any column is cut below
// a comfortable width, and a date is never cut.
func TestFitTableWide(t *testing.T) {
	header := []string{"ID", "NAME", "EMAIL", "STATUS", "ONLINE", "PASSWORD CHANGED", "DEPARTMENTS"}
	extra := []bool{false, false, false, false, true, true, true}
	fits := []Fit{Keep, Truncate, Keep, Truncate, Truncate, Truncate, Truncate}
	rows := [][]string{
		{"a1b2c3d4", "Maximiliana Alexandrina Bartholomew", "max@example.com", "active", "offline", "2026-01-01 00:00", "support"},
		{"e5f6a7b8", "山田太郎", "yamada@example.com", "active", "online", "2026-02-03 04:05", "billing"},
	}
	cases := []struct {
		width int
		want  string
		note  string
	}{
		// Everything whole: 8+35+18+6+7+16+11 and 6 gaps of 3 = 119.
		{120, `ID         NAME                                  EMAIL                STATUS   ONLINE    PASSWORD CHANGED   DEPARTMENTS
a1b2c3d4   Maximiliana Alexandrina Bartholomew   max@example.com      active   offline   2026-01-01 00:00   support
e5f6a7b8   山田太郎                              yamada@example.com   active   online    2026-02-03 04:05   billing
`, ""},
		// DEPARTMENTS goes before the name is cut below 16 columns.
		{90, `ID         NAME                   EMAIL                STATUS   ONLINE    PASSWORD CHANGED
a1b2c3d4   Maximiliana Alexand…   max@example.com      active   offline   2026-01-01 00:00
e5f6a7b8   山田太郎               yamada@example.com   active   online    2026-02-03 04:05
`, "not shown at 90 columns: DEPARTMENTS (pipe to less -S to see all)"},
		{60, `ID         NAME                  EMAIL                STATUS
a1b2c3d4   Maximiliana Alexan…   max@example.com      active
e5f6a7b8   山田太郎              yamada@example.com   active
`, "not shown at 60 columns: ONLINE, PASSWORD CHANGED, DEPARTMENTS (pipe to less -S to see all)"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		var note string
		err := Table(&buf, header, rows, TableOptions{Width: c.width, Fits: fits, Extra: extra, Note: func(s string) { note = s }})
		if err != nil {
			t.Fatal(err)
		}
		if buf.String() != c.want || note != c.note {
			t.Errorf("width %d:\n%s(note %q)\nwant:\n%s(note %q)", c.width, buf.String(), note, c.want, c.note)
		}
		for line := range strings.Lines(buf.String()) {
			if w := DisplayWidth(strings.TrimSuffix(line, "\n")); w > c.width {
				t.Errorf("width %d: line of %d columns: %q", c.width, w, line)
			}
		}
	}
}

// A header wider than its values is cut like a value: it does not make a
// table overflow.
func TestFitTableHeaderIsNoFloor(t *testing.T) {
	var buf bytes.Buffer
	rows := [][]string{{"support-lead-europe", "agent", "built-in", "1", "23"}}
	header := []string{"NAME", "BASE", "TYPE", "AGENTS", "PERMISSIONS"}
	if err := Table(&buf, header, rows, TableOptions{Width: 56, Fits: []Fit{Keep}}); err != nil {
		t.Fatal(err)
	}
	want := "NAME                  BASE    TYPE       AGENTS   PERMI…\nsupport-lead-europe   agent   built-in   1        23\n"
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// When the ids and emails alone are wider than the terminal, only they
// make the rows overflow: every other column is left out. Off a terminal,
// and in a detail view, nothing is left out.
func TestFitTableOverflowsOnlyByKeepColumns(t *testing.T) {
	header := []string{"ID", "NAME", "EMAIL", "ROLE"}
	rows := [][]string{{"a1b2c3d4", "Maximiliana", "maximiliana.featherstonehaugh@example.com", "admin"}}
	var buf bytes.Buffer
	var note string
	opts := TableOptions{Width: 40, Fits: []Fit{Keep, Truncate, Keep, Wrap}, Note: func(s string) { note = s }}
	if err := Table(&buf, header, rows, opts); err != nil {
		t.Fatal(err)
	}
	want := "ID         EMAIL\na1b2c3d4   maximiliana.featherstonehaugh@example.com\n"
	if buf.String() != want || note != "not shown at 40 columns: NAME, ROLE (pipe to less -S to see all)" {
		t.Errorf("got:\n%s(note %q)\nwant:\n%s", buf.String(), note, want)
	}
	buf.Reset()
	note = ""
	opts.Width = 0
	if err := Table(&buf, header, rows, opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Maximiliana") || !strings.Contains(buf.String(), "admin") || note != "" {
		t.Errorf("off a terminal:\n%s(note %q)", buf.String(), note)
	}
	buf.Reset()
	if err := PrintKeyValues(&buf, [][2]string{{"Email", rows[0][2]}, {"Role", "admin"}}, 20); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Role:") {
		t.Errorf("a detail view left a row out:\n%s", buf.String())
	}
}

// An extra column left out goes with its header, even an id's.
func TestFitTableDropsExtraKeepColumn(t *testing.T) {
	header := []string{"ID", "NAME", "AGENT ID"}
	rows := [][]string{{"1", "sandbox owner key", "a1b2c3d4"}}
	var buf bytes.Buffer
	opts := TableOptions{Width: 24, Fits: []Fit{Keep, Truncate, Keep}, Extra: []bool{false, false, true}}
	if err := Table(&buf, header, rows, opts); err != nil {
		t.Fatal(err)
	}
	if want := "ID   NAME\n1    sandbox owner key\n"; buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}
