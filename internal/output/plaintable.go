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
	cols := len(header)
	if header == nil && len(rows) > 0 {
		cols = len(rows[0])
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
	for _, row := range rows {
		if !measure(row) {
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
	for _, row := range rows {
		write(row)
	}
	return true, bw.Flush()
}
