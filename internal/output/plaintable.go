package output

import (
	"bufio"
	"io"
	"strings"
)

// plainTable writes, for a table whose every cell is printable ASCII (one
// column per byte) without outer blanks, exactly what renderTable's tablewriter layout writes,
// without tablewriter: a plan of 200,000 rows took it seconds and hundreds
// of MB of per-cell bookkeeping. It reports false, writing nothing, for any
// other table (wide characters, ragged rows), which tablewriter then lays out.
func plainTable(w io.Writer, header []string, rows [][]string, gap string) (bool, error) {
	return plainRows(w, header, len(rows), func(i int, _ []string) []string { return rows[i] }, gap)
}

// plainRows is plainTable over n rows that row makes on demand (into dst,
// which it may reuse): the cells are made twice, once to measure and once
// to write, and never all held at once.
func plainRows(w io.Writer, header []string, n int, row func(i int, dst []string) []string, gap string) (bool, error) {
	cols := len(header)
	var buf []string
	if header == nil && n > 0 {
		buf = row(0, buf)
		cols = len(buf)
	}
	widths := make([]int, cols)
	measure := func(row []string) bool {
		if len(row) != cols {
			return false
		}
		for j, c := range row {
			// tablewriter trims a cell's outer blanks; such cells go to it.
			if c != "" && (c[0] == ' ' || c[len(c)-1] == ' ') {
				return false
			}
			for i := 0; i < len(c); i++ {
				if c[i] < 0x20 || c[i] > 0x7e {
					return false
				}
			}
			widths[j] = max(widths[j], len(c))
		}
		return true
	}
	if header != nil && !measure(header) {
		return false, nil
	}
	for i := range n {
		if buf = row(i, buf); !measure(buf) {
			return false, nil
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var line strings.Builder
	write := func(row []string) {
		line.Reset()
		for j, c := range row {
			line.WriteString(c)
			for range widths[j] - len(c) {
				line.WriteByte(' ')
			}
			line.WriteString(gap)
		}
		_, _ = bw.WriteString(strings.TrimRight(line.String(), " \t\r\n"))
		_ = bw.WriteByte('\n')
	}
	if header != nil {
		write(header)
	}
	for i := range n {
		buf = row(i, buf)
		write(buf)
	}
	return true, bw.Flush()
}
