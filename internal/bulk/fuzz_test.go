package bulk

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzOne parses data and, when it is readable, plans and authorizes it:
// none of it may panic, and every row's line must be inside the file.
func fuzzOne(t *testing.T, data []byte, format Format) {
	f, problems, fatal := Parse(data, ParseOptions{Name: "fuzz", Format: format})
	lines := bytes.Count(data, []byte{'\n'}) + 1
	for _, r := range f.Records {
		if r.Line < 1 || r.Line > lines {
			t.Fatalf("record line %d outside 1..%d", r.Line, lines)
		}
		if len(r.Raw) != len(f.Columns) && !r.broken {
			t.Fatalf("raw row has %d cells for %d columns", len(r.Raw), len(f.Columns))
		}
	}
	for _, p := range problems {
		if p.File != "fuzz" || p.Line < 0 || p.Line > lines || p.Message == "" {
			t.Fatalf("bad problem %+v", p)
		}
	}
	if fatal {
		return
	}
	acct := testAccount()
	plan, _ := MakePlan(f, acct, PlanOptions{OnExisting: OnExistingUpdate})
	Authorize(plan, acct)
	EstimatePlan(plan, EstimateOptions{Concurrency: 8})
}

func addCorpus(f *testing.F, exts ...string) {
	paths, _ := filepath.Glob("../../testdata/import/*")
	paths = append(paths, "../../testdata/roster.csv")
	for _, p := range paths {
		for _, ext := range exts {
			if strings.HasSuffix(p, ext) {
				if data, err := os.ReadFile(p); err == nil {
					f.Add(data)
				}
			}
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	addCorpus(f, ".csv")
	f.Add([]byte("email,name\na@b.co,\"x\r\ny\"\r\n"))
	f.Add([]byte("\xef\xbb\xbfemail\n\"\"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzOne(t, data, FormatCSV) })
}

func FuzzParseJSON(f *testing.F) {
	addCorpus(f, ".json", ".ndjson")
	f.Add([]byte(`[{"email":"a@b.co","departments":["x",1]},{"EMAIL":null}]`))
	f.Add([]byte("{\"email\":\"a@b.co\"}\n{\"email\":\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOne(t, data, FormatJSON)
		fuzzOne(t, data, FormatNDJSON)
	})
}
