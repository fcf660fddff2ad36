package cli_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() { scriptCmds["decide"] = decideCmd }

// decide IN OUT EMAIL=DECISION...: fill the decision column of a review
// file and save it as a spreadsheet in many locales would: UTF-8 with a
// BOM, ";" between fields, CRLF line ends. Rows not named keep an empty
// decision.
func decideCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: decide IN OUT EMAIL=DECISION...")
	}
	want := map[string]string{}
	for _, a := range args[2:] {
		email, decision, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("decide: %q is not EMAIL=DECISION", a)
		}
		want[email] = decision
	}
	rows, err := csv.NewReader(strings.NewReader(ts.ReadFile(args[0]))).ReadAll()
	ts.Check(err)
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = ';', true
	ts.Check(w.Write(rows[0]))
	for _, r := range rows[1:] {
		if d, ok := want[r[col["email"]]]; ok {
			r[col["decision"]] = d
			r[col["note"]] = "reviewed; ok"
		}
		ts.Check(w.Write(r))
	}
	w.Flush()
	ts.Check(w.Error())
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), buf.Bytes(), 0o600))
}
