package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/text"
)

// Baseline is a roster recorded earlier with `ladmin agent export`: who held
// which role. Evaluate reports every difference from it.
type Baseline struct {
	File    string
	Entries []BaselineEntry
}

// BaselineEntry is one agent of the roster, with the line it is on.
type BaselineEntry struct {
	ID     string
	Email  string
	Name   string
	Role   string // owner, admin, agent, or (hand-written rosters) a custom role's name
	RoleID string // the custom role's id; empty for a built-in role
	// HasRoleID is false when the roster has no role_id field at all; then
	// only the role field (the base role) is compared.
	HasRoleID bool
	Status    string // A or X (active, deleted)
	Line      int
}

// label names the entry in messages: its email, else its id.
func (e BaselineEntry) label() string {
	if e.Email != "" {
		return e.Email
	}
	return "id " + e.ID
}

// ParseBaseline reads the output of `ladmin agent export` in JSON (an array
// of Agent objects), CSV (a header row with the Agent field names) or YAML.
// The format comes from the file extension, else from the first character.
// Fields other than id, email, name, role, role_id and status are ignored;
// each entry needs a role and an id or an email.
func ParseBaseline(file string, data []byte) (*Baseline, error) {
	d := &diags{file: file}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var entries []BaselineEntry
	format := baselineFormat(file, data)
	if len(bytes.TrimSpace(data)) == 0 {
		format = ""
	}
	switch format {
	case "json":
		entries = parseBaselineJSON(d, data)
	case "yaml":
		entries = parseBaselineYAML(d, data)
	case "csv":
		entries = parseBaselineCSV(d, data)
	default:
		d.add(1, "the baseline is empty: create it with `ladmin agent export -o json > %s`", filepath.Base(file))
	}
	if d.err() == nil {
		checkBaselineEntries(d, entries)
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return &Baseline{File: file, Entries: entries}, nil
}

func baselineFormat(file string, data []byte) string {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".json":
		return "json"
	case ".csv":
		return "csv"
	case ".yaml", ".yml":
		return "yaml"
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return ""
	case trimmed[0] == '[':
		return "json"
	case trimmed[0] == '-':
		return "yaml"
	}
	return "csv"
}

// rawEntry is a roster entry as read, before checks.
type rawEntry struct {
	fields map[string]string
	line   int
}

var baselineFields = []string{"id", "email", "name", "role", "role_id", "status"}

func parseBaselineJSON(d *diags, data []byte) []BaselineEntry {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	syntax := func(err error) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			d.add(lines.line(int(se.Offset)), "invalid JSON: %s", se.Error())
			return
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			d.add(lines.line(max(len(bytes.TrimRight(data, " \t\r\n"))-1, 0)), "invalid JSON: the file ends before the array is closed")
			return
		}
		d.add(lines.line(int(dec.InputOffset())), "invalid JSON: %s", err)
	}
	tok, err := dec.Token()
	if err != nil {
		syntax(err)
		return nil
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		d.add(1, "a JSON baseline is an array of agents, the output of `ladmin agent export -o json`")
		return nil
	}
	var raws []rawEntry
	for dec.More() {
		line := lines.line(nextValue(data, int(dec.InputOffset())))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			syntax(err)
			return nil
		}
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			d.add(line, "expected an agent object such as {\"email\": ..., \"role\": ...}, got %s", truncateText(string(raw), 40))
			continue
		}
		fields := map[string]string{}
		for _, name := range baselineFields {
			v, ok := obj[name]
			if !ok {
				continue
			}
			switch v := v.(type) {
			case string:
				fields[name] = v
			case nil:
				fields[name] = ""
			default:
				d.add(line, "field %q: expected a string, got %s", name, truncateText(fmt.Sprint(v), 40))
			}
		}
		raws = append(raws, rawEntry{fields: fields, line: line})
	}
	if _, err := dec.Token(); err != nil {
		syntax(err)
		return nil
	}
	return toEntries(d, raws)
}

func parseBaselineYAML(d *diags, data []byte) []BaselineEntry {
	p := &parser{diags: *d}
	defer func() { *d = p.diags }()
	root, err := decodeYAML(data)
	if err != nil {
		p.yamlError(err)
		return nil
	}
	if root == nil || root.Kind != yaml.SequenceNode {
		line := 1
		if root != nil {
			line = root.Line
		}
		p.add(line, "a YAML baseline is a list of agents, the output of `ladmin agent export -o yaml`")
		return nil
	}
	var raws []rawEntry
	for _, n := range root.Content {
		n = deref(n)
		if n.Kind != yaml.MappingNode {
			p.add(n.Line, "expected an agent mapping with email and role, got %s", kindName(n))
			continue
		}
		fields := map[string]string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], deref(n.Content[i+1])
			if !contains(baselineFields, k.Value) {
				continue
			}
			if v.Kind != yaml.ScalarNode {
				p.add(v.Line, "field %q: expected a string, got %s", k.Value, kindName(v))
				continue
			}
			if v.ShortTag() != "!!null" {
				fields[k.Value] = v.Value
			} else {
				fields[k.Value] = ""
			}
		}
		raws = append(raws, rawEntry{fields: fields, line: n.Line})
	}
	return toEntries(&p.diags, raws)
}

func parseBaselineCSV(d *diags, data []byte) []BaselineEntry {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		csvError(d, err)
		return nil
	}
	text.UnguardCSVRecord(header) // ladmin's CSV writers guard formula cells
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"email", "role"} {
		if _, ok := cols[need]; !ok {
			d.add(1, "the CSV header has no %q column; the baseline needs at least email and role (as `ladmin agent export -o csv` writes)", need)
		}
	}
	if len(d.found) > 0 {
		return nil
	}
	var raws []rawEntry
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			csvError(d, err)
			return nil
		}
		line, _ := r.FieldPos(0)
		text.UnguardCSVRecord(rec)
		fields := map[string]string{}
		for _, name := range baselineFields {
			if i, ok := cols[name]; ok {
				if i < len(rec) {
					fields[name] = strings.TrimSpace(rec[i])
				} else {
					fields[name] = ""
				}
			}
		}
		raws = append(raws, rawEntry{fields: fields, line: line})
	}
	return toEntries(d, raws)
}

func csvError(d *diags, err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		d.add(pe.Line, "invalid CSV: %v", pe.Err)
		return
	}
	if errors.Is(err, io.EOF) {
		d.add(1, "the CSV baseline is empty: it needs a header row (id,email,role,role_id,status,...)")
		return
	}
	d.add(1, "invalid CSV: %v", err)
}

// toEntries checks and normalizes raw entries.
func toEntries(d *diags, raws []rawEntry) []BaselineEntry {
	entries := make([]BaselineEntry, 0, len(raws))
	for _, raw := range raws {
		f := raw.fields
		e := BaselineEntry{
			ID: strings.TrimSpace(f["id"]), Email: strings.TrimSpace(f["email"]), Name: f["name"],
			Role: strings.TrimSpace(f["role"]), RoleID: strings.TrimSpace(f["role_id"]), Line: raw.line,
		}
		_, e.HasRoleID = f["role_id"]
		switch strings.ToLower(strings.TrimSpace(f["status"])) {
		case "", "a", "active":
			e.Status = "A"
		case "x", "deleted":
			e.Status = "X"
		default:
			d.add(raw.line, "status %q: expected A (active) or X (deleted)", f["status"])
			continue
		}
		if e.Role == "" {
			d.add(raw.line, "agent %s has no role", or(e.Email, e.ID, "entry"))
			continue
		}
		if e.ID == "" && e.Email == "" {
			d.add(raw.line, "the entry has neither an id nor an email")
			continue
		}
		if e.Email != "" && !liveagent.ValidEmail(e.Email) {
			d.add(raw.line, "email %q is not a valid email address (control or invisible characters, or not an address such as ana@acme.com)", text.Truncate(e.Email, 80))
			continue
		}
		entries = append(entries, e)
	}
	return entries
}

// checkBaselineEntries refuses ambiguous rosters: the same id twice, or
// (without ids) the same email active twice.
func checkBaselineEntries(d *diags, entries []BaselineEntry) {
	ids := map[string]int{}
	emails := map[string]int{}
	for _, e := range entries {
		if e.ID != "" {
			if first, dup := ids[e.ID]; dup {
				d.add(e.Line, "agent id %s is listed twice (first on line %d)", e.ID, first)
			}
			ids[e.ID] = e.Line
			continue
		}
		if e.Status == "A" {
			key := strings.ToLower(e.Email)
			if first, dup := emails[key]; dup {
				d.add(e.Line, "active agent %s is listed twice (first on line %d)", e.Email, first)
			}
			emails[key] = e.Line
		}
	}
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int // offsets where lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (idx lineIndex) line(offset int) int {
	return sort.Search(len(idx), func(i int) bool { return idx[i] > offset })
}

// nextValue skips whitespace and a comma from offset to where the next JSON value starts.
func nextValue(data []byte, offset int) int {
	for offset < len(data) {
		switch data[offset] {
		case ' ', '\t', '\r', '\n', ',':
			offset++
		default:
			return offset
		}
	}
	return offset
}

func truncateText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func or(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
