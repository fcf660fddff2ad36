package bulk

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/ladmin/ladmin/internal/text"
)

// parseCSV reads RFC 4180 CSV (CRLF or LF, quoted fields with commas,
// quotes and line breaks). The first record is the header. Problems in a row
// are collected and reading goes on; broken quoting stops it, since nothing
// after it can be trusted.
func parseCSV(data []byte, f *File, p *problemList, opts ParseOptions) (fatal bool) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // counted here, to report every row, not only the first
	r.ReuseRecord = false

	header, err := r.Read()
	if err != nil {
		csvSyntax(err, data, p)
		return true
	}
	if len(header) == 1 && strings.Contains(header[0], ";") {
		// Spreadsheets in many locales write ";"-delimited CSV: read it as such.
		r = csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord, r.Comma = -1, ';'
		if header, err = r.Read(); err != nil {
			csvSyntax(err, data, p)
			return true
		}
	}
	// Every cell loses the formula guard ladmin's CSV writers add
	// (text.GuardCSV), so an export imports back unchanged.
	text.UnguardCSVRecord(header)
	headerLine, _ := r.FieldPos(0)
	f.Columns = header
	cols, fatal := checkColumns(header, headerLine, p, opts, true)
	if fatal {
		return true
	}

	// One record per line at most: sized once, the records are not copied
	// again and again as they grow (a roster of 200,000 rows).
	f.Records = make([]Record, 0, bytes.Count(data, []byte{'\n'}))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			csvSyntax(err, data, p)
			return true
		}
		line, _ := r.FieldPos(0)
		text.UnguardCSVRecord(rec)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && len(header) > 1 {
			continue // a line of blanks
		}
		row := Record{Line: line, Raw: rec}
		bad := false
		for i, cell := range rec {
			if i >= len(cols) {
				if strings.TrimSpace(cell) != "" {
					p.add(line, "", "the row has %s but the header names %s; quote fields that contain commas",
						text.Count(len(rec), "field", "fields"), text.Count(len(header), "column", "columns"))
					bad = true
					break
				}
				continue
			}
			if cols[i] == "" && strings.TrimSpace(header[i]) == "" && strings.TrimSpace(cell) != "" {
				p.add(line, "", "field %d has a value but no column name in the header", i+1)
				bad = true
				continue
			}
			assign(&row, cols[i], cell)
		}
		if len(rec) < len(header) {
			p.add(line, "", "the row has %s but the header names %s",
				text.Count(len(rec), "field", "fields"), text.Count(len(header), "column", "columns"))
			bad = true
		}
		row.broken = bad
		if !bad {
			// Pad short raw rows so --failed writes rectangular CSV.
			for len(row.Raw) < len(header) {
				row.Raw = append(row.Raw, "")
			}
			row.Raw = row.Raw[:len(header)]
		}
		f.Records = append(f.Records, row)
	}
	return false
}

// csvSyntax reports a CSV syntax error at the line where the broken record starts.
func csvSyntax(err error, data []byte, p *problemList) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		p.add(0, "", "cannot read the file as CSV: %v", err)
		return
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote) && unclosedQuote(data, pe.StartLine):
		p.add(pe.StartLine, "", "a quoted field that starts on this line is never closed: add the missing closing \"")
	case errors.Is(pe.Err, csv.ErrQuote):
		p.add(pe.Line, "", "misplaced quote (column %d): a quoted field must end with \" followed by a comma or the end of the line; "+
			"double any \" inside it", pe.Column)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		p.add(pe.Line, "", "a \" appears inside an unquoted field (column %d): quote the whole field and double the \" inside it", pe.Column)
	default:
		p.add(pe.StartLine, "", "cannot read the row as CSV: %v", pe.Err)
	}
}

// unclosedQuote reports whether the quotes from the start of line to the end
// of data are unbalanced: a quoted field that never closes. (Doubled quotes
// inside a field and every closed field come in pairs.)
func unclosedQuote(data []byte, line int) bool {
	off := 0
	for l := 1; l < line && off < len(data); l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return false
		}
		off += i + 1
	}
	return bytes.Count(data[off:], []byte{'"'})%2 == 1
}
