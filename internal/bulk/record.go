package bulk

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Column names of a roster, as CSV headers and JSON/YAML keys. The first five
// say what an agent should be; id, role_id and status are what `agent export`
// adds for audit baselines, and are read back but never acted on (import
// matches agents by email, and never deletes).
const (
	ColEmail       = "email"
	ColName        = "name"
	ColRole        = "role"
	ColGender      = "gender"
	ColDepartments = "departments"
	ColID          = "id"
	ColRoleID      = "role_id"
	ColStatus      = "status"
)

// Columns lists every column import understands, in the order export writes them.
var Columns = []string{ColEmail, ColName, ColRole, ColGender, ColDepartments, ColID, ColRoleID, ColStatus}

func knownColumn(name string) bool {
	for _, c := range Columns {
		if c == name {
			return true
		}
	}
	return false
}

// Record is one row of the input, as written (trimmed of surrounding
// blanks), before it is checked against the account.
type Record struct {
	// Line is the physical line where the row starts (1-based), also for CSV
	// rows with quoted fields spanning several lines.
	Line  int
	Email string
	Name  string
	Role  string
	// Gender as written; validation normalizes it to M, F or X.
	Gender string
	// Departments are names or ids; HasDepartments is true when the row
	// gives the column at all (an empty cell leaves existing agents' departments alone).
	Departments []string
	// ID, RoleID and Status are the audit columns of `agent export`.
	ID     string
	RoleID string
	Status string
	// Raw is the row's cells in the order of File.Columns, as read, so a
	// failed row can be written back in the input's own shape.
	Raw []string

	// reported names the columns whose problems Parse already reported, so
	// validation does not pile a second message on them; broken means the
	// whole row could not be read reliably (wrong number of fields).
	reported map[string]bool

	HasDepartments bool // beside broken: one word for both, 1.6 MB at 200,000 rows
	broken         bool
}

func (r *Record) markReported(column string) {
	if r.reported == nil {
		r.reported = map[string]bool{}
	}
	r.reported[column] = true
}

// Format is an input format.
type Format string

// The input formats.
const (
	FormatCSV    Format = "csv"
	FormatJSON   Format = "json"
	FormatNDJSON Format = "ndjson"
	FormatYAML   Format = "yaml"
)

// Formats lists the input formats for help texts and errors.
var Formats = []Format{FormatCSV, FormatJSON, FormatNDJSON, FormatYAML}

// ParseFormat accepts a --format value ("" means: detect).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "csv":
		return FormatCSV, nil
	case "json":
		return FormatJSON, nil
	case "ndjson", "jsonl":
		return FormatNDJSON, nil
	case "yaml", "yml":
		return FormatYAML, nil
	}
	return "", fmt.Errorf("unknown format %q: use csv, json, ndjson or yaml", s)
}

// FormatFromPath picks the format from a file extension; "" when the
// extension says nothing (stdin, .txt), and the content decides.
func FormatFromPath(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return FormatCSV
	case ".json":
		return FormatJSON
	case ".ndjson", ".jsonl":
		return FormatNDJSON
	case ".yaml", ".yml":
		return FormatYAML
	}
	return ""
}

// SniffFormat guesses the format of data whose name says nothing: CSV when
// the first line looks like a header (it names the email column), else a
// JSON array for "[", NDJSON for "{", YAML for a "- " list, and CSV otherwise
// (which then explains what a header must look like).
func SniffFormat(data []byte) Format {
	text := string(stripBOM(data))
	first, _, _ := strings.Cut(text, "\n")
	if looksLikeHeader(first) {
		return FormatCSV
	}
	trimmed := strings.TrimLeft(text, " \t\r\n")
	switch {
	case strings.HasPrefix(trimmed, "["):
		return FormatJSON
	case strings.HasPrefix(trimmed, "{"):
		return FormatNDJSON
	case strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "---") || trimmed == "-":
		return FormatYAML
	}
	return FormatCSV
}

// looksLikeHeader reports whether a line is a CSV header (comma or
// semicolon delimited) naming the email or id column.
func looksLikeHeader(line string) bool {
	for _, cell := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' }) {
		cell = strings.Trim(strings.TrimSpace(cell), `"`)
		if c := strings.TrimSpace(cell); strings.EqualFold(c, ColEmail) || strings.EqualFold(c, ColID) {
			return true
		}
	}
	return false
}

// File is a parsed input.
type File struct {
	// Name is how problems name the file: the path given, or <stdin>.
	Name   string
	Format Format
	// Columns are the header names (CSV) or keys (JSON, YAML) in the order
	// first seen, spelled as in the input; Record.Raw follows this order.
	Columns []string
	Records []Record
}

// StdinName is how problems name standard input.
const StdinName = "<stdin>"

// DisplayName is the name problems use for a path given on the command line.
func DisplayName(path string) string {
	if path == "" || path == "-" {
		return StdinName
	}
	return path
}
