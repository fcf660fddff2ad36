package output

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// viaTablewriter is renderTable's tablewriter path, for comparison.
func viaTablewriter(t *testing.T, header []string, rows [][]string, gap string) string {
	var buf bytes.Buffer
	tbl := borderlessTable(&buf, gap)
	if header != nil {
		tbl.Header(header)
	}
	if err := tbl.Bulk(rows); err != nil {
		t.Fatal(err)
	}
	if err := tbl.Render(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := trimLines(&out, buf.String()); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// The plain layout of ASCII tables is byte for byte tablewriter's.
func TestPlainTableMatchesTablewriter(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcXYZ019 -_.,;:'\"()@/|*+=<>?!#%&[]{}~`^$"
	cell := func() string {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		return strings.Trim(b.String(), " ") // outer blanks go to tablewriter
	}
	for trial := range 300 {
		cols := 1 + r.IntN(5)
		var header []string
		if trial%3 != 0 {
			header = make([]string, cols)
			for j := range header {
				header[j] = strings.ToUpper(cell())
			}
		}
		rows := make([][]string, 1+r.IntN(6))
		for i := range rows {
			rows[i] = make([]string, cols)
			for j := range rows[i] {
				rows[i][j] = cell()
			}
		}
		for _, gap := range []string{tableGap, keyValueGap} {
			want := viaTablewriter(t, header, rows, gap)
			var got bytes.Buffer
			ok, err := plainTable(&got, header, rows, gap)
			if !ok || err != nil {
				t.Fatalf("plainTable refused an ASCII table: %v", err)
			}
			if got.String() != want {
				t.Fatalf("header %q rows %q gap %q:\nwant:\n%s\ngot:\n%s", header, rows, gap, want, got.String())
			}
		}
	}
	var sink bytes.Buffer
	if ok, _ := plainTable(&sink, []string{"NAME"}, [][]string{{"Li Wei 李伟"}}, tableGap); ok || sink.Len() > 0 {
		t.Fatal("plainTable took a table with wide characters")
	}
	if ok, _ := plainTable(&sink, nil, [][]string{{" padded"}}, tableGap); ok || sink.Len() > 0 {
		t.Fatal("plainTable took a cell with outer blanks")
	}
}
