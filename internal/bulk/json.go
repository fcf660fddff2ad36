package bulk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ladmin/ladmin/internal/text"
)

// keyedRow is one JSON or YAML object as read: its keys in order and their values.
type keyedRow struct {
	line   int
	keys   []string
	values []field
}

// field is one value: a string, a list of strings (departments), or a value
// of the wrong type, described for the problem message.
type field struct {
	str      string
	list     []string
	isList   bool
	wrong    string // "a number", "an object", ...: the type found where a string belongs
	rawText  string // the value as written, for --failed
	listBad  string // the type of a list element that is not a string
	isAbsent bool   // null / ~
}

// parseJSON reads a JSON array of objects. Each object's line is where its
// "{" is. A syntax error stops reading.
func parseJSON(data []byte, f *File, p *problemList, opts ParseOptions) (fatal bool) {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		jsonSyntax(err, data, dec.InputOffset(), lines, p)
		return true
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		if ok && d == '{' {
			p.add(lines.lineAt(int(dec.InputOffset())-1), "", "expected a JSON array of agents ([{\"email\": ...}, ...]), found a single object; "+
				"wrap the objects in [ ] or use --format ndjson for one object per line")
		} else {
			p.add(1, "", "expected a JSON array of agents ([{\"email\": ...}, ...]), found %s", describeToken(tok))
		}
		return true
	}
	var rows []keyedRow
	for dec.More() {
		start := skipSeparators(data, int(dec.InputOffset()))
		line := lines.lineAt(start)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			jsonSyntax(err, data, dec.InputOffset(), lines, p)
			return true
		}
		row, ok := decodeObject(raw, line, p)
		if ok {
			rows = append(rows, row)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		jsonSyntax(err, data, dec.InputOffset(), lines, p)
		return true
	}
	if _, err := dec.Token(); err != io.EOF {
		at := skipSeparators(data, int(dec.InputOffset()))
		p.add(lines.lineAt(at), "", "unexpected data after the closing ] of the list")
		return true
	}
	return buildKeyed(rows, f, p, opts)
}

// parseNDJSON reads one JSON object per line; blank lines are skipped. A bad
// line is reported and reading goes on with the next.
func parseNDJSON(data []byte, f *File, p *problemList, opts ParseOptions) (fatal bool) {
	var rows []keyedRow
	for i, text := range strings.Split(string(data), "\n") {
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		line := i + 1
		var raw json.RawMessage
		if err := json.Unmarshal([]byte(text), &raw); err != nil {
			msg := strings.TrimPrefix(err.Error(), "json: ")
			if strings.HasPrefix(text, "[") && i == 0 {
				p.add(line, "", "this looks like a JSON array: use --format json (or a .json file), not ndjson")
				return true
			}
			p.add(line, "", "not a JSON object: %s (NDJSON needs one complete object per line)", msg)
			continue
		}
		if row, ok := decodeObject(raw, line, p); ok {
			rows = append(rows, row)
		}
	}
	return buildKeyed(rows, f, p, opts)
}

// decodeObject reads one array element, which must be an object with
// string values (departments may be a list of strings).
func decodeObject(raw json.RawMessage, line int, p *problemList) (keyedRow, bool) {
	row := keyedRow{line: line}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		p.add(line, "", "expected an object such as {\"email\": \"ana@acme.com\", \"name\": \"Ana\"}, found %s", describeJSON(trimmed))
		return row, false
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // {
		return row, false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return row, false
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return row, false
		}
		lk := strings.ToLower(strings.TrimSpace(key))
		if seen[lk] {
			p.add(line, key, "the key appears twice in this object")
			continue
		}
		seen[lk] = true
		row.keys = append(row.keys, key)
		row.values = append(row.values, jsonField(val))
	}
	return row, true
}

func jsonField(val json.RawMessage) field {
	val = bytes.TrimSpace(val)
	fd := field{rawText: string(val)}
	switch {
	case len(val) == 0:
		fd.wrong = "nothing"
	case val[0] == '"':
		_ = json.Unmarshal(val, &fd.str)
		fd.rawText = fd.str
	case string(val) == "null":
		fd.isAbsent, fd.rawText = true, ""
	case val[0] == '[':
		fd.isList = true
		var items []json.RawMessage
		_ = json.Unmarshal(val, &items)
		for _, it := range items {
			var s string
			if json.Unmarshal(it, &s) != nil {
				if fd.listBad == "" {
					fd.listBad = describeJSON(bytes.TrimSpace(it))
				}
				continue
			}
			fd.list = append(fd.list, s)
		}
		fd.rawText = strings.Join(fd.list, ";")
	default:
		fd.wrong = describeJSON(val)
	}
	return fd
}

// describeJSON names the type of a JSON value for messages.
func describeJSON(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean (" + string(v) + ")"
	case 'n':
		return "null"
	}
	return "a number (" + text.Truncate(string(v), 20) + ")"
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// skipSeparators returns the offset of the next byte that is not blank or a comma.
func skipSeparators(data []byte, off int) int {
	for off < len(data) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
			continue
		}
		break
	}
	return off
}

// jsonSyntax reports a JSON syntax error at its line.
func jsonSyntax(err error, data []byte, fallback int64, lines lineIndex, p *problemList) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off := int(se.Offset) - 1
		if off < 0 {
			off = 0
		}
		p.add(lines.lineAt(off), "", "invalid JSON: %s", strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		p.add(lines.lineAt(int(te.Offset)), "", "invalid JSON: %v", te)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		p.add(lines.lineAt(len(data)-1), "", "invalid JSON: the file ends before the list is closed (missing ] or })")
	default:
		p.add(lines.lineAt(int(fallback)), "", "invalid JSON: %v", err)
	}
}

// buildKeyed turns objects into records: keys are matched to columns
// case-insensitively, and File.Columns is every key in first-seen order.
func buildKeyed(rows []keyedRow, f *File, p *problemList, opts ParseOptions) (fatal bool) {
	colIndex := map[string]int{} // lowercased key -> index in f.Columns
	reported := map[string]bool{}
	for _, row := range rows {
		for _, k := range row.keys {
			lk := strings.ToLower(strings.TrimSpace(k))
			if _, ok := colIndex[lk]; !ok {
				colIndex[lk] = len(f.Columns)
				f.Columns = append(f.Columns, k)
			}
			if !knownColumn(lk) && !opts.IgnoreUnknownColumns && !reported[lk] {
				reported[lk] = true
				hint := ""
				if s := suggest(lk, Columns); s != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", s)
				}
				p.add(row.line, k, "unknown key%s; known keys are %s; pass --ignore-unknown-columns to skip it",
					hint, strings.Join(Columns, ", "))
				fatal = true
			}
		}
	}
	for _, row := range rows {
		rec := Record{Line: row.line, Raw: make([]string, len(f.Columns))}
		for i, k := range row.keys {
			lk := strings.ToLower(strings.TrimSpace(k))
			v := row.values[i]
			rec.Raw[colIndex[lk]] = v.rawText
			if !knownColumn(lk) {
				continue
			}
			switch {
			case v.wrong != "" && lk == ColDepartments:
				p.add(row.line, k, "expected a list of department names (or one \";\"-separated string), found %s", v.wrong)
				rec.markReported(lk)
				continue
			case v.wrong != "":
				p.add(row.line, k, "expected a string, found %s", v.wrong)
				rec.markReported(lk)
				continue
			case v.isList && lk != ColDepartments:
				p.add(row.line, k, "expected a string, found a list")
				rec.markReported(lk)
				continue
			case v.isList && v.listBad != "":
				p.add(row.line, k, "expected a list of department names or ids (strings), found %s in it", v.listBad)
				rec.markReported(lk)
				continue
			case v.isList:
				rec.HasDepartments = true
				for _, d := range v.list {
					if d = strings.TrimSpace(d); d != "" {
						rec.Departments = append(rec.Departments, d)
					}
				}
				continue
			case v.isAbsent:
				if lk == ColDepartments {
					rec.HasDepartments = false
				}
				continue
			}
			assign(&rec, lk, v.str)
		}
		f.Records = append(f.Records, rec)
	}
	return fatal
}
