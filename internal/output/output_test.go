package output

import (
	"bytes"
	"strings"
	"testing"
)

type agent struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Email       string   `json:"email"`
	Departments []string `json:"departments"`
	Logins      int      `json:"logins"`
	TwoFactor   bool     `json:"twofactor"`
	Note        string   `json:"note,omitempty"`
}

var agentColumns = []Column{
	{Header: "ID", Value: func(a any) string { return a.(agent).ID }},
	{Header: "NAME", Value: func(a any) string { return a.(agent).Name }},
	{Header: "EMAIL", Value: func(a any) string { return a.(agent).Email }},
	{Header: "DEPARTMENTS", Wide: true, Value: func(a any) string { return strings.Join(a.(agent).Departments, ",") }},
}

var (
	ann = agent{ID: "a1", Name: "Ann", Email: "ann@acme.com", Departments: []string{"d1", "d2"}, Logins: 3, TwoFactor: true}
	bob = agent{ID: "b22", Name: "Bob Builder", Email: "bob@acme.com", Note: "true"}
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr []string // substrings; nil means no error
	}{
		{name: "default is table", opts: Options{}},
		{name: "every format", opts: Options{Format: "wide"}},
		{name: "jq with table", opts: Options{Format: "table", JQ: ".[].id"}},
		{name: "jq with csv", opts: Options{Format: "csv", JQ: "length"}},
		{name: "formats are lowercase", opts: Options{Format: "JSON"}, wantErr: []string{`"JSON"`}},
		{name: "unknown format", opts: Options{Format: "xml"},
			wantErr: []string{`"xml"`, "table, wide, json, yaml, csv"}},
		{name: "jq syntax error", opts: Options{JQ: ".["}, wantErr: []string{"invalid jq expression", `".["`}},
		{name: "jq unknown function", opts: Options{JQ: "nosuchfn(1)"}, wantErr: []string{"invalid jq expression", "nosuchfn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.opts)
			checkErr(t, err, tt.wantErr)
		})
	}
}

func TestPrintList(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		items any
		want  string
	}{
		// Empty lists: machine formats always print a list, tables nothing.
		{name: "json nil slice", opts: Options{Format: "json"}, items: []agent(nil), want: "[]\n"},
		{name: "json empty slice", opts: Options{Format: "json"}, items: []agent{}, want: "[]\n"},
		{name: "json untyped nil", opts: Options{Format: "json"}, items: nil, want: "[]\n"},
		{name: "yaml nil slice", opts: Options{Format: "yaml"}, items: []agent(nil), want: "[]\n"},
		{name: "table empty", opts: Options{}, items: []agent{}, want: ""},
		{name: "csv empty has header", opts: Options{Format: "csv"}, items: []agent{},
			want: "id,name,email,departments,logins,twofactor\n"},
		{name: "csv empty no headers", opts: Options{Format: "csv", NoHeaders: true}, items: []agent{}, want: ""},
		{name: "jq empty", opts: Options{Format: "json", JQ: "."}, items: []agent(nil), want: "[]\n"},

		{name: "json uses json tags", opts: Options{Format: "json"}, items: []agent{bob},
			want: `[
  {
    "id": "b22",
    "name": "Bob Builder",
    "email": "bob@acme.com",
    "departments": null,
    "logins": 0,
    "twofactor": false,
    "note": "true"
  }
]
`},
		{name: "json does not escape html", opts: Options{Format: "json"}, items: []map[string]string{{"name": "<A&B>"}},
			want: "[\n  {\n    \"name\": \"<A&B>\"\n  }\n]\n"},
		{name: "yaml keeps json names and order", opts: Options{Format: "yaml"}, items: []agent{ann, bob},
			want: `- id: a1
  name: Ann
  email: ann@acme.com
  departments:
    - d1
    - d2
  logins: 3
  twofactor: true
- id: b22
  name: Bob Builder
  email: bob@acme.com
  departments: null
  logins: 0
  twofactor: false
  note: "true"
`},
		{name: "yaml empty nested list", opts: Options{Format: "yaml"}, items: []agent{{ID: "x", Departments: []string{}}},
			want: "- id: x\n  name: \"\"\n  email: \"\"\n  departments: []\n  logins: 0\n  twofactor: false\n"},

		{name: "csv field order and values", opts: Options{Format: "csv"}, items: []agent{ann, bob},
			want: "id,name,email,departments,logins,twofactor,note\n" +
				"a1,Ann,ann@acme.com,d1;d2,3,true,\n" +
				"b22,Bob Builder,bob@acme.com,,0,false,true\n"},
		{name: "csv quoting", opts: Options{Format: "csv"}, items: []agent{{ID: "q", Name: "Doe, \"Jo\"\nJr"}},
			want: "id,name,email,departments,logins,twofactor\n" +
				"q,\"Doe, \"\"Jo\"\"\nJr\",,,0,false\n"},
		{name: "csv no headers", opts: Options{Format: "csv", NoHeaders: true}, items: []agent{ann},
			want: "a1,Ann,ann@acme.com,d1;d2,3,true\n"},
		{name: "csv maps", opts: Options{Format: "csv"},
			items: []map[string]any{{"b": 1.5, "a": "x", "c": map[string]any{"z": 1, "y": []int{1, 2}}}},
			want:  "a,b,c\nx,1.5,\"{\"\"y\"\":[1,2],\"\"z\"\":1}\"\n"},

		{name: "table", opts: Options{}, items: []agent{ann, bob},
			want: "ID    NAME          EMAIL\n" +
				"a1    Ann           ann@acme.com\n" +
				"b22   Bob Builder   bob@acme.com\n"},
		{name: "wide adds wide columns", opts: Options{Format: "wide"}, items: []agent{ann, bob},
			want: "ID    NAME          EMAIL          DEPARTMENTS\n" +
				"a1    Ann           ann@acme.com   d1,d2\n" +
				"b22   Bob Builder   bob@acme.com\n"},
		{name: "table no headers", opts: Options{NoHeaders: true}, items: []agent{ann, bob},
			want: "a1    Ann           ann@acme.com\n" +
				"b22   Bob Builder   bob@acme.com\n"},
		{name: "table aligns by display width", opts: Options{},
			items: []agent{{ID: "1", Name: "山田太郎", Email: "y@x"}, {ID: "2", Name: "Иван", Email: "i@x"}, {ID: "3", Name: "Bo", Email: "b@x"}},
			want: "ID   NAME       EMAIL\n" +
				"1    山田太郎   y@x\n" +
				"2    Иван       i@x\n" +
				"3    Bo         b@x\n"},

		{name: "jq strings raw", opts: Options{JQ: ".[].name"}, items: []agent{ann, bob},
			want: "Ann\nBob Builder\n"},
		{name: "jq objects compact", opts: Options{Format: "csv", JQ: ".[] | {id, departments}"}, items: []agent{ann},
			want: `{"departments":["d1","d2"],"id":"a1"}` + "\n"},
		{name: "jq numbers and bools", opts: Options{JQ: ".[0].logins, .[0].twofactor, length"}, items: []agent{ann, bob},
			want: "3\ntrue\n2\n"},
		{name: "jq halt", opts: Options{JQ: ".[].id, halt"}, items: []agent{ann},
			want: "a1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := PrintList(&out, tt.opts, tt.items, agentColumns); err != nil {
				t.Fatalf("PrintList: %v", err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s\n(got %q)", got, tt.want, got)
			}
		})
	}
}

func TestPrintListErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		items   any
		wantErr []string
	}{
		{name: "bad format", opts: Options{Format: "xml"}, items: []agent{ann}, wantErr: []string{`unknown output format "xml"`}},
		{name: "not a slice", opts: Options{}, items: ann, wantErr: []string{"needs a slice"}},
		{name: "jq runtime error", opts: Options{JQ: `error("boom")`}, items: []agent{ann}, wantErr: []string{"jq:", "boom"}},
		{name: "jq type error", opts: Options{JQ: ".[] | .name + 1"}, items: []agent{ann}, wantErr: []string{"jq:", "cannot add"}},
		{name: "csv of scalars", opts: Options{Format: "csv"}, items: []string{"a"}, wantErr: []string{"csv needs objects"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := PrintList(&out, tt.opts, tt.items, agentColumns)
			checkErr(t, err, tt.wantErr)
			if out.Len() != 0 {
				t.Errorf("wrote %q despite the error", out.String())
			}
		})
	}
}

func TestPrintObject(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		item any
		want string
	}{
		{name: "json is an object, not a list", opts: Options{Format: "json"}, item: ann,
			want: "{\n  \"id\": \"a1\",\n  \"name\": \"Ann\",\n  \"email\": \"ann@acme.com\",\n" +
				"  \"departments\": [\n    \"d1\",\n    \"d2\"\n  ],\n  \"logins\": 3,\n  \"twofactor\": true\n}\n"},
		{name: "yaml", opts: Options{Format: "yaml"}, item: bob,
			want: "id: b22\nname: Bob Builder\nemail: bob@acme.com\ndepartments: null\nlogins: 0\ntwofactor: false\nnote: \"true\"\n"},
		{name: "table is one row", opts: Options{}, item: ann,
			want: "ID   NAME   EMAIL\na1   Ann    ann@acme.com\n"},
		{name: "csv", opts: Options{Format: "csv"}, item: ann,
			want: "id,name,email,departments,logins,twofactor\na1,Ann,ann@acme.com,d1;d2,3,true\n"},
		{name: "jq sees the object", opts: Options{JQ: ".email"}, item: ann, want: "ann@acme.com\n"},
		{name: "json needs no columns", opts: Options{Format: "json"}, item: map[string]int{"n": 1}, want: "{\n  \"n\": 1\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := PrintObject(&out, tt.opts, tt.item, agentColumns); err != nil {
				t.Fatalf("PrintObject: %v", err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s\n(got %q)", got, tt.want, got)
			}
		})
	}
}

func TestPrintKeyValues(t *testing.T) {
	var out bytes.Buffer
	err := PrintKeyValues(&out, [][2]string{
		{"ID", "a1"},
		{"Name", "山田太郎"},
		{"Departments", ""},
		{"Email", "ann@acme.com"},
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := "ID:           a1\n" +
		"Name:         山田太郎\n" +
		"Departments:\n" +
		"Email:        ann@acme.com\n"
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestTable(t *testing.T) {
	long := strings.Repeat("very-long-cell-", 20)
	tests := []struct {
		name      string
		header    []string
		rows      [][]string
		noHeaders bool
		want      string
	}{
		{name: "headers as given", header: []string{"last_login", "ID"}, rows: [][]string{{"x", "1"}},
			want: "last_login   ID\nx            1\n"},
		{name: "long cells are not wrapped", header: []string{"A", "B"}, rows: [][]string{{long, "b"}},
			want: "A" + strings.Repeat(" ", len(long)+2) + "B\n" + long + "   b\n"},
		{name: "empty trailing cells leave no blanks", header: []string{"A", "B"}, rows: [][]string{{"a", ""}, {"", "b"}},
			want: "A   B\na\n    b\n"},
		{name: "no rows prints nothing", header: []string{"A"}, rows: nil, want: ""},
		{name: "no headers", header: []string{"A", "B"}, rows: [][]string{{"1", "2"}}, noHeaders: true, want: "1   2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Table(&out, tt.header, tt.rows, TableOptions{NoHeaders: tt.noHeaders}); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s\n(got %q)", got, tt.want, got)
			}
		})
	}
}

func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	for _, s := range want {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

func TestPrintObjectTableWithoutColumns(t *testing.T) {
	var out bytes.Buffer
	if err := PrintObject(&out, Options{}, ann, nil); err != nil || out.Len() != 0 {
		t.Errorf("PrintObject without columns = %q, %v; want nothing", out.String(), err)
	}
}
