package output

import (
	"bytes"
	"fmt"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

type streamAgent struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Depts  []string `json:"departments"`
	Count  int      `json:"count"`
	Online bool     `json:"online"`
}

type streamSparse struct {
	Name  string         `json:"name"`
	Role  string         `json:"role,omitempty"`
	Extra map[string]any `json:"extra,omitempty"`
	Note  string         `json:"note,omitempty"`
}

type level string

// streamKinds has every kind of field the direct CSV path reads itself.
type streamKinds struct {
	Level   level    `json:"level"`
	Small   int8     `json:"small"`
	Big     uint64   `json:"big"`
	Tags    []string `json:"tags"`
	NoTag   string
	skipped string
	Hidden  string `json:"-"`
}

// streamOdd has fields the direct path must leave to the JSON round trip.
type streamOdd struct {
	Name  string     `json:"name"`
	When  time.Time  `json:"when"`
	Ratio float64    `json:"ratio"`
	Raw   []byte     `json:"raw"`
	Addr  netip.Addr `json:"addr"`
	Ptr   *string    `json:"ptr"`
	Str   int        `json:"str,string"`
}

// TestStreamedListsMatchTheWholeDocument: a list written element by element
// has exactly the bytes of the same list rendered at once, in every machine
// format, for fixed and varying keys, pointers, maps and awkward values.
func TestStreamedListsMatchTheWholeDocument(t *testing.T) {
	agents := []streamAgent{
		{ID: "a1", Name: "Ana <b>", Depts: []string{"support", "sales"}, Count: 1234, Online: true},
		{ID: "a2", Name: "Li Wei 李伟\nline two", Depts: []string{}, Count: 0},
		{ID: "0123", Name: "true", Depts: nil, Count: -7},
		{ID: "a4", Name: `quote " and , comma`, Depts: []string{"a;b"}},
	}
	lists := map[string]any{
		"structs":      agents,
		"pointers":     []*streamAgent{&agents[0], &agents[1]},
		"empty":        []streamAgent{},
		"one":          agents[:1],
		"varying keys": []streamSparse{{Name: "x"}, {Name: "y", Note: "later key"}, {Name: "z", Role: "admin", Extra: map[string]any{"k": 1, "a": []int{1, 2}}}},
		"maps":         []map[string]any{{"b": 1, "a": "x"}, {"c": nil}},
		"nested lists": [][]string{{"a", "b"}, {}},
		"kinds": []streamKinds{
			{Level: "=HYPERLINK(1)", Small: -100, Big: 1 << 63, Tags: []string{"+a", "b\xffc"}, NoTag: "bad \xff utf-8 \u2028", skipped: "x", Hidden: "y"},
			{Level: "@x", Tags: []string{}, NoTag: "-1"},
		},
		"odd": []streamOdd{{Name: "n", When: time.Date(2026, 12, 1, 0, 0, 0, 5, time.UTC), Ratio: 1e21, Raw: []byte("hi"), Addr: netip.MustParseAddr("::1"), Str: 7}, {}},
	}
	for name, list := range lists {
		for _, f := range []string{FormatJSON, FormatYAML, FormatCSV} {
			var whole, streamed bytes.Buffer
			wholeErr := render(&whole, Options{Format: f}, f, list, listRows(list), nil)
			ok, streamErr := streamList(&streamed, Options{Format: f}, f, list)
			if !ok {
				t.Fatalf("%s %s: not streamed", name, f)
			}
			if (wholeErr != nil) != (streamErr != nil) {
				t.Errorf("%s %s: errors differ: whole %v, streamed %v", name, f, wholeErr, streamErr)
				continue
			}
			if wholeErr == nil && whole.String() != streamed.String() {
				t.Errorf("%s %s: streamed output differs\nwhole:\n%s\nstreamed:\n%s", name, f, whole.String(), streamed.String())
			}
		}
	}
	for _, headers := range []bool{false, true} {
		var whole, streamed bytes.Buffer
		o := Options{Format: FormatCSV, NoHeaders: headers}
		_ = render(&whole, o, FormatCSV, agents, listRows(agents), nil)
		_, _ = streamList(&streamed, o, FormatCSV, agents)
		if whole.String() != streamed.String() {
			t.Errorf("csv no-headers=%v differs:\n%s\n%s", headers, whole.String(), streamed.String())
		}
	}
}

// TestDirectCSVIsTaken: the lists that export writes take the direct path,
// so the comparison above covers it, and the fields it cannot read exactly
// like encoding/json send the whole type through the round trip.
func TestDirectCSVIsTaken(t *testing.T) {
	for _, c := range []struct {
		v    any
		want bool
	}{
		{[]streamAgent{}, true},
		{[]streamKinds{}, true},
		{[]streamOdd{}, false},
		{[]streamSparse{}, false},
		{[]*streamAgent{}, false},
	} {
		typ := reflect.TypeOf(c.v).Elem()
		if _, got := directCSV(typ, fieldsOf(c.v)); got != c.want {
			t.Errorf("directCSV(%v) = %v, want %v", typ, got, c.want)
		}
	}
}

// TestStreamedTablesMatchTheRenderedOnes: off a terminal, a plain table
// written row by row from the list has the bytes of the one laid out from
// a grid of cells, with and without headers and wide columns; a table with
// wide characters, or on a terminal, is left to render.
func TestStreamedTablesMatchTheRenderedOnes(t *testing.T) {
	cols := []Column{
		{Header: "ID", Fit: Keep, Value: func(i any) string { return i.(streamAgent).ID }},
		{Header: "NAME", Value: func(i any) string { return i.(streamAgent).Name }},
		{Header: "COUNT", Wide: true, Value: func(i any) string { return fmt.Sprint(i.(streamAgent).Count) }},
	}
	plain := []streamAgent{
		{ID: "a1", Name: "Ana\tTab\nNew line \x1b[31m", Count: 1234},
		{ID: "a-long-identifier", Name: "", Count: -1},
		{ID: "", Name: "x", Count: 0},
	}
	for _, f := range []string{FormatTable, FormatWide} {
		for _, noHeaders := range []bool{false, true} {
			o := Options{Format: f, NoHeaders: noHeaders}
			var whole, streamed bytes.Buffer
			if err := render(&whole, o, f, plain, listRows(plain), cols); err != nil {
				t.Fatal(err)
			}
			ok, err := streamTable(&streamed, o, f, plain, cols)
			if !ok || err != nil {
				t.Fatalf("%s no-headers=%v: not streamed (%v)", f, noHeaders, err)
			}
			if whole.String() != streamed.String() {
				t.Errorf("%s no-headers=%v differs:\nwhole:\n%s\nstreamed:\n%s", f, noHeaders, whole.String(), streamed.String())
			}
		}
	}
	var sink bytes.Buffer
	wide := []streamAgent{{ID: "a1", Name: "Li Wei 李伟"}}
	if ok, _ := streamTable(&sink, Options{}, FormatTable, wide, cols); ok || sink.Len() > 0 {
		t.Errorf("a table with wide characters was streamed: %q", sink.String())
	}
	if ok, _ := streamTable(&sink, Options{Width: 80}, FormatTable, plain, cols); ok || sink.Len() > 0 {
		t.Errorf("a table on a terminal was streamed: %q", sink.String())
	}
	if ok, _ := streamTable(&sink, Options{}, FormatTable, []streamAgent{}, cols); ok || sink.Len() > 0 {
		t.Errorf("an empty table was streamed: %q", sink.String())
	}
}
