package bulk

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ParseOptions say how to read an input.
type ParseOptions struct {
	// Name names the file in problems (see DisplayName).
	Name string
	// Format forces a format; "" picks it from the name's extension, then
	// from the content.
	Format Format
	// IgnoreUnknownColumns accepts columns import does not know (they are
	// kept in Record.Raw for --failed) instead of refusing the file.
	IgnoreUnknownColumns bool
	// Identity lists the columns of which a CSV header must name at least
	// one; nil means email (import). Offboarding accepts email or id.
	Identity []string
}

// MaxInputSize bounds what Parse reads into memory.
const MaxInputSize = 256 << 20

// Parse reads a whole roster. It returns the rows it could read and every
// problem it found; fatal is true when the file as a whole is unusable (not
// UTF-8, empty, broken syntax, no email column), so checking it against the
// account would only add noise.
func Parse(data []byte, opts ParseOptions) (f *File, problems Problems, fatal bool) {
	name := opts.Name
	if name == "" {
		name = StdinName
	}
	p := &problemList{file: name}
	f = &File{Name: name, Format: opts.Format}
	if f.Format == "" {
		f.Format = FormatFromPath(name)
	}

	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		p.add(1, "", "the file is UTF-16 text; save it as UTF-8 (in Excel: \"CSV UTF-8\") and try again")
		return f, p.list, true
	}
	data = stripBOM(data)
	if line, col, b, ok := firstInvalidUTF8(data); !ok {
		p.add(line, "", "the file is not UTF-8: invalid byte 0x%02X at column %d (Latin-1 or Windows-1252 text?); "+
			"save it as UTF-8 (in Excel: \"CSV UTF-8\") and try again", b, col)
		return f, p.list, true
	}
	if len(bytes.TrimSpace(data)) == 0 {
		p.add(0, "", "the file is empty; expected a header line such as %q followed by one row per agent",
			"email,name,role,gender,departments")
		return f, p.list, true
	}
	if f.Format == "" {
		f.Format = SniffFormat(data)
	}

	switch f.Format {
	case FormatCSV:
		fatal = parseCSV(data, f, p, opts)
	case FormatJSON:
		fatal = parseJSON(data, f, p, opts)
	case FormatNDJSON:
		fatal = parseNDJSON(data, f, p, opts)
	case FormatYAML:
		fatal = parseYAML(data, f, p, opts)
	default:
		p.add(0, "", "unknown format %q: use csv, json, ndjson or yaml", f.Format)
		fatal = true
	}
	return f, p.list.Sorted(), fatal
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func stripBOM(data []byte) []byte { return bytes.TrimPrefix(data, utf8BOM) }

// firstInvalidUTF8 finds the first byte that is not UTF-8: its line, its
// column (in characters, 1-based) and the byte itself.
func firstInvalidUTF8(data []byte) (line, col int, b byte, ok bool) {
	if utf8.Valid(data) {
		return 0, 0, 0, true
	}
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, col, data[i], false
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return line, col, 0, true
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int // offsets where each line starts

func newLineIndex(data []byte) lineIndex {
	ix := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			ix = append(ix, i+1)
		}
	}
	return ix
}

func (ix lineIndex) lineAt(offset int) int {
	lo, hi := 0, len(ix)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if ix[mid] <= offset {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

// header checks column names: each known or (with IgnoreUnknownColumns)
// kept aside, none twice, and email present. It returns, for each input
// column, the known column it fills ("" for ignored ones).
func checkColumns(names []string, line int, p *problemList, opts ParseOptions, fatalMissingEmail bool) (roles []string, fatal bool) {
	roles = make([]string, len(names))
	seen := map[string]int{}
	for i, raw := range names {
		key := strings.ToLower(strings.TrimSpace(raw))
		if key == "" {
			continue // a nameless column, e.g. a trailing comma from a spreadsheet: its cells must be empty
		}
		if j, dup := seen[key]; dup {
			p.add(line, raw, "the column appears twice in the header (columns %d and %d)", j+1, i+1)
			fatal = true
			continue
		}
		seen[key] = i
		if knownColumn(key) {
			roles[i] = key
			continue
		}
		if opts.IgnoreUnknownColumns {
			continue
		}
		hint := ""
		if s := suggest(key, Columns); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		p.add(line, raw, "unknown column%s; known columns are %s; pass --ignore-unknown-columns to skip it",
			hint, strings.Join(Columns, ", "))
		fatal = true
	}
	identity := opts.Identity
	if len(identity) == 0 {
		identity = []string{ColEmail}
	}
	named := false
	for _, c := range identity {
		if _, ok := seen[c]; ok {
			named = true
		}
	}
	if !named && fatalMissingEmail {
		shown := make([]string, 0, len(names))
		for _, n := range names {
			shown = append(shown, strings.TrimSpace(n))
		}
		if len(identity) == 1 {
			p.add(line, "", "missing column %q: the first line must be a header naming the columns, e.g. %q (found: %s)",
				identity[0], "email,name,role,gender,departments", strings.Join(shown, ","))
		} else {
			p.add(line, "", "missing column %q or %q: the first line must be a header naming the columns, e.g. %q (found: %s)",
				identity[0], identity[1], strings.Join(identity, ","), strings.Join(shown, ","))
		}
		fatal = true
	}
	return roles, fatal
}

// assign stores one cell into the record field its column names.
func assign(r *Record, column, value string) {
	value = strings.TrimSpace(value)
	switch column {
	case ColEmail:
		r.Email = value
	case ColName:
		r.Name = value
	case ColRole:
		r.Role = value
	case ColGender:
		r.Gender = value
	case ColDepartments:
		r.HasDepartments = true
		r.Departments = splitDepartments(value)
	case ColID:
		r.ID = value
	case ColRoleID:
		r.RoleID = value
	case ColStatus:
		r.Status = value
	}
}

// splitDepartments splits a ";"-separated cell, dropping blanks.
func splitDepartments(cell string) []string {
	var out []string
	for _, part := range strings.Split(cell, ";") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
