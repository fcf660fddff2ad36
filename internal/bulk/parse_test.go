package bulk

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// testAccount is a small account like the sandbox's seed: the three
// built-in roles, departments support, sales and billing, and an owner.
func testAccount(agents ...liveagent.Agent) *Account {
	owner := liveagent.Agent{ID: "o1", Name: "Olivia Owner", Email: "owner@example.com", Role: rbac.Owner, Status: "A", Gender: "X"}
	depts := []liveagent.Department{
		{DepartmentID: "d-sup", Name: "support", AgentIDs: []string{}},
		{DepartmentID: "d-sal", Name: "sales", AgentIDs: []string{}},
		{DepartmentID: "d-bil", Name: "billing", AgentIDs: []string{}},
	}
	for i := range agents {
		if agents[i].Status == "" {
			agents[i].Status = "A"
		}
	}
	return NewAccount(owner, liveagent.NewRoleIndex(nil), depts, append([]liveagent.Agent{owner}, agents...))
}

// check parses and validates the way `agent import` does before it sends
// anything, and returns every problem.
func check(t *testing.T, data []byte, name string, format Format, acct *Account) (*File, Problems) {
	t.Helper()
	f, problems, fatal := Parse(data, ParseOptions{Name: name, Format: format})
	if fatal {
		return f, append(problems, ValidateLocal(f)...).Sorted()
	}
	_, more := MakePlan(f, acct, PlanOptions{})
	return f, append(problems, more...).Sorted()
}

// TestMalformedCorpus runs every file of testdata/import against its .want:
// the exact problem lines, with FILE standing for the file's name.
func TestMalformedCorpus(t *testing.T) {
	inputs, err := filepath.Glob("../../testdata/import/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range inputs {
		if strings.HasSuffix(path, ".want") {
			continue
		}
		n++
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wantData, err := os.ReadFile(path + ".want")
			if err != nil {
				t.Fatalf("every corpus file needs a .want: %v", err)
			}
			_, problems := check(t, data, "FILE", FormatFromPath(path), testAccount())
			got := strings.Join(problems.Lines(), "\n")
			want := strings.TrimSpace(string(wantData))
			if got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}
	if n < 15 {
		t.Errorf("only %d corpus files found", n)
	}
}

func TestMessyButValidCSV(t *testing.T) {
	data, err := os.ReadFile("../../testdata/import/messy_ok.csv")
	if err != nil {
		t.Fatal(err)
	}
	f, problems, fatal := Parse(data, ParseOptions{Name: "messy_ok.csv"})
	if fatal || len(problems) > 0 {
		t.Fatalf("fatal=%v problems=%v", fatal, problems.Lines())
	}
	type row struct {
		Line                      int
		Email, Name, Role, Gender string
		Departments               []string
	}
	var got []row
	for _, r := range f.Records {
		got = append(got, row{r.Line, r.Email, r.Name, r.Role, r.Gender, r.Departments})
	}
	want := []row{
		{2, "ana@acme.example", `Pérez, Ana "La Jefa"`, "admin", "F", []string{"support", "sales"}},
		// Line 2's quoted departments span line 3; line 4 is blank.
		{5, "li.wei@acme.example", "李伟", "agent", "M", []string{"billing"}},
		{6, "ivan@acme.example", "Иван Петров", "", "", nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records:\n%+v\nwant:\n%+v", got, want)
	}
	if f.Columns[0] != "EMAIL" || len(f.Columns) != 6 {
		t.Errorf("columns keep the input's spelling: %q", f.Columns)
	}
}

// Names in any script come through byte for byte, in every format.
func TestNamesSurviveByteForByte(t *testing.T) {
	names := []string{"Десислава Колева", "Małgorzata Wiśniewska", "Niño Dela Cruz-Mañalac", "José Ñúñez", "王芳", "陈静 (Chen Jing)",
		"e\u0301 decomposed", "Zoë 👩‍💻"}
	for _, format := range []Format{FormatCSV, FormatJSON, FormatNDJSON, FormatYAML} {
		var b strings.Builder
		switch format {
		case FormatCSV:
			b.WriteString("email,name\n")
			for i, n := range names {
				b.WriteString("a" + string(rune('a'+i)) + "@acme.example,\"" + n + "\"\n")
			}
		case FormatJSON:
			b.WriteString("[")
			for i, n := range names {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(`{"email":"a` + string(rune('a'+i)) + `@acme.example","name":"` + n + `"}`)
			}
			b.WriteString("]")
		case FormatNDJSON:
			for i, n := range names {
				b.WriteString(`{"email":"a` + string(rune('a'+i)) + `@acme.example","name":"` + n + "\"}\n")
			}
		case FormatYAML:
			for i, n := range names {
				b.WriteString("- email: a" + string(rune('a'+i)) + "@acme.example\n  name: \"" + n + "\"\n")
			}
		}
		f, problems, fatal := Parse([]byte(b.String()), ParseOptions{Name: "x", Format: format})
		if fatal || len(problems) > 0 {
			t.Fatalf("%s: %v", format, problems.Lines())
		}
		for i, r := range f.Records {
			if r.Name != names[i] {
				t.Errorf("%s: name %q became %q", format, names[i], r.Name)
			}
		}
	}
}

func TestLineNumbersOfEveryFormat(t *testing.T) {
	cases := []struct {
		format Format
		data   string
		lines  []int
	}{
		{FormatCSV, "email,name\r\na@acme.example,\"A\r\nstill A?\"\r\n\r\nb@acme.example,B\r\n", []int{2, 5}},
		{FormatJSON, "[\n  {\"email\": \"a@acme.example\",\n   \"name\": \"A\"},\n\n  {\"email\": \"b@acme.example\", \"name\": \"B\"}\n]\n", []int{2, 5}},
		{FormatNDJSON, "{\"email\": \"a@acme.example\"}\n\n{\"email\": \"b@acme.example\"}\n", []int{1, 3}},
		{FormatYAML, "# roster\n- email: a@acme.example\n  name: A\n\n- email: b@acme.example\n", []int{2, 5}},
	}
	for _, c := range cases {
		f, problems, fatal := Parse([]byte(c.data), ParseOptions{Name: "x", Format: c.format})
		if fatal || len(problems) > 0 {
			t.Fatalf("%s: %v", c.format, problems.Lines())
		}
		var got []int
		for _, r := range f.Records {
			got = append(got, r.Line)
		}
		if !reflect.DeepEqual(got, c.lines) {
			t.Errorf("%s: lines %v, want %v", c.format, got, c.lines)
		}
	}
}

func TestDepartmentsAsListOrString(t *testing.T) {
	for _, data := range []string{
		`[{"email":"a@acme.example","departments":["support","sales"]}]`,
		`[{"email":"a@acme.example","departments":"support; sales"}]`,
		"- email: a@acme.example\n  departments: [support, sales]\n",
		"- email: a@acme.example\n  departments: support;sales\n",
		"email,departments\na@acme.example,support;sales;\n",
	} {
		f, problems, fatal := Parse([]byte(data), ParseOptions{Name: "x"})
		if fatal || len(problems) > 0 {
			t.Fatalf("%q: %v", data, problems.Lines())
		}
		if got := f.Records[0].Departments; !reflect.DeepEqual(got, []string{"support", "sales"}) || !f.Records[0].HasDepartments {
			t.Errorf("%q: departments %q", data, got)
		}
	}
}

func TestFormatDetection(t *testing.T) {
	cases := []struct {
		name, data string
		want       Format
	}{
		{"roster.csv", "[not really json", FormatCSV},
		{"roster.JSON", "x", FormatJSON},
		{"roster.jsonl", "x", FormatNDJSON},
		{"roster.ndjson", "x", FormatNDJSON},
		{"roster.yml", "x", FormatYAML},
		{StdinName, "\xef\xbb\xbfEmail,Name\n", FormatCSV},
		{StdinName, "name,\"email\"\n", FormatCSV},
		{StdinName, "  [\n{\"email\":\"a@b.co\"}]", FormatJSON},
		{StdinName, "{\"email\":\"a@b.co\"}\n", FormatNDJSON},
		{StdinName, "- email: a@b.co\n", FormatYAML},
		{StdinName, "a@b.co,Ana\n", FormatCSV}, // then: missing column "email"
		{"roster.txt", "[{}]", FormatJSON},
	}
	for _, c := range cases {
		f, _, _ := Parse([]byte(c.data), ParseOptions{Name: c.name})
		if f.Format != c.want {
			t.Errorf("%s %q: format %s, want %s", c.name, c.data, f.Format, c.want)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("--format xml must be refused")
	}
}

func TestUnknownColumnsCanBeIgnoredAndKept(t *testing.T) {
	data := "email,name,Phone,Notes\na@acme.example,Ana,555,\"likes, commas\"\n"
	if _, problems, fatal := Parse([]byte(data), ParseOptions{Name: "x.csv"}); !fatal || len(problems) != 2 {
		t.Fatalf("unknown columns must be refused: fatal=%v %v", fatal, problems.Lines())
	}
	f, problems, fatal := Parse([]byte(data), ParseOptions{Name: "x.csv", IgnoreUnknownColumns: true})
	if fatal || len(problems) > 0 {
		t.Fatalf("%v", problems.Lines())
	}
	if got := f.Records[0].Raw; !reflect.DeepEqual(got, []string{"a@acme.example", "Ana", "555", "likes, commas"}) {
		t.Errorf("raw row %q", got)
	}
	f, problems, fatal = Parse([]byte(`[{"email":"a@acme.example","phone":{"home":1}}]`), ParseOptions{Name: "x.json", IgnoreUnknownColumns: true})
	if fatal || len(problems) > 0 || f.Records[0].Email != "a@acme.example" {
		t.Fatalf("%v", problems.Lines())
	}
}

func TestMoreCSVProblems(t *testing.T) {
	cases := []struct{ data, want string }{
		{"email,name\na@acme.example,\"Ana\"x\n", `x.csv:2: misplaced quote (column 20): a quoted field must end with " followed by a comma or the end of the line; double any " inside it`},
		{"email,name\na@acme.example,An\"a\n", `x.csv:2: a " appears inside an unquoted field (column 18): quote the whole field and double the " inside it`},
		{"email,name\na@acme.example,Ana,extra\n", `x.csv:2: the row has 3 fields but the header names 2 columns; quote fields that contain commas`},
		{"email,name,role\na@acme.example,Ana\n", `x.csv:2: the row has 2 fields but the header names 3 columns`},
		{"email,name,email\na@acme.example,Ana,b@acme.example\n", `x.csv:1: column "email": the column appears twice in the header (columns 1 and 3)`},
		{"email,name\na@acme.example,\"Ana\nSecond line\"\n", `x.csv:2: column "name": the name "Ana\nSecond line" contains a line break`},
		{"email,nmae\na@acme.example,Ana\n", `x.csv:1: column "nmae": unknown column (did you mean "name"?); known columns are email, name, role, gender, departments, id, role_id, status; pass --ignore-unknown-columns to skip it`},
		{"email,status\na@acme.example,gone\n", `x.csv:2: column "status": invalid status "gone": use A (active) or X (deleted), as ` + "`agent export`" + ` writes`},
		{"\xff\xfee\x00m\x00", `x.csv:1: the file is UTF-16 text; save it as UTF-8 (in Excel: "CSV UTF-8") and try again`},
		{"  \n\r\n", `x.csv: the file is empty; expected a header line such as "email,name,role,gender,departments" followed by one row per agent`},
	}
	for _, c := range cases {
		f, problems, fatal := Parse([]byte(c.data), ParseOptions{Name: "x.csv"})
		if !fatal {
			problems = append(problems, ValidateLocal(f)...)
		}
		if got := strings.Join(problems.Lines(), "\n"); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.data, got, c.want)
		}
	}
}

func TestHeaderOnlyIsValidAndEmpty(t *testing.T) {
	f, problems, fatal := Parse([]byte("email,name\n"), ParseOptions{Name: "x.csv"})
	if fatal || len(problems) > 0 || len(f.Records) != 0 {
		t.Fatalf("fatal=%v problems=%v records=%d", fatal, problems.Lines(), len(f.Records))
	}
}
