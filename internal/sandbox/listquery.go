package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// Paging limits. A _perPage above maxPerPage is refused (400) rather than
// clamped: a pager that asked for 5000 and silently got 1000 would take the
// short page for the last one and stop early, losing agents without a word.
const (
	defaultPerPage = 10
	maxPerPage     = 1000
	maxPage        = 1 << 31
)

// agentFieldExprs maps each Agent wire field to the SQL expression it is
// filtered and sorted by. Emails compare case-insensitively.
var agentFieldExprs = func() map[string]string {
	exprs := map[string]string{}
	for _, f := range agentWireFields {
		exprs[f] = agentOutputExpr(f)
	}
	exprs["email"] = "email_lower"
	return exprs
}()

// listQuery is a parsed GET /agents query: a WHERE clause, an order and a window.
type listQuery struct {
	where   []string
	args    []any
	orderBy string
	limit   int
	offset  int
}

// filter is one condition of _filters.
type filter struct {
	field  string
	op     string // =, !=, like, in
	values []string
}

// listSpec is what differs between the lists parseList reads: the object's
// noun, its wire fields' SQL, the creation-order column that breaks ties,
// and what is added when no filter names a field (e.g. status = 'A').
type listSpec struct {
	noun     string
	exprs    map[string]string
	seq      string
	defaults func(lq *listQuery, filters []filter)
}

var agentList = listSpec{noun: "an agent field", exprs: agentFieldExprs, seq: "seq",
	defaults: func(lq *listQuery, filters []filter) {
		// Deleted agents are listed only when a filter asks about status. (A and
		// X are the only statuses, and "= 'A'" can use the index, "<> 'X'" not.)
		for _, f := range filters {
			if f.field == "status" {
				return
			}
		}
		lq.where = append(lq.where, "status = 'A'")
	}}

var keyList = listSpec{noun: "an API key field", exprs: keyFieldExprs, seq: "k.id"}

func (spec listSpec) fieldNames() string {
	names := make([]string, 0, len(spec.exprs))
	for n := range spec.exprs {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// parseListQuery reads the published list parameters of GET /agents.
func parseListQuery(q url.Values) (*listQuery, error) { return parseList(q, agentList) }

// parseList reads the published list parameters; any malformed one is a 400
// that names it.
func parseList(q url.Values, spec listSpec) (*listQuery, error) {
	lq := &listQuery{}
	if err := lq.parseWindow(q); err != nil {
		return nil, err
	}

	desc := false
	switch dir := q.Get(liveagent.QuerySortDir); {
	case dir == "" || strings.EqualFold(dir, "ASC"):
	case strings.EqualFold(dir, "DESC"):
		desc = true
	default:
		return nil, badRequest("%s must be ASC or DESC, not %q", liveagent.QuerySortDir, dir)
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	// Creation order breaks ties, in the same direction, so pages never overlap
	// or skip and DESC is exactly ASC reversed.
	lq.orderBy = spec.seq + dir
	if f := q.Get(liveagent.QuerySortField); f != "" {
		expr, known := spec.exprs[f]
		if !known {
			return nil, badRequest("%s %q is not %s (one of: %s)", liveagent.QuerySortField, f, spec.noun, spec.fieldNames())
		}
		lq.orderBy = expr + dir + ", " + spec.seq + dir
	}

	filters, err := parseFilters(q.Get(liveagent.QueryFilters))
	if err != nil {
		return nil, err
	}
	for _, f := range filters {
		if err := lq.addFilter(f, spec); err != nil {
			return nil, err
		}
	}
	if spec.defaults != nil {
		spec.defaults(lq, filters)
	}
	return lq, nil
}

// parseWindow reads _page/_perPage, or the _from/_to offset window, which
// takes precedence. With only _to, the window starts at 0; with only _from,
// it is _perPage long.
func (lq *listQuery) parseWindow(q url.Values) error {
	page, err := intParam(q, liveagent.QueryPage, 1, 1, maxPage)
	if err != nil {
		return err
	}
	perPage, err := intParam(q, liveagent.QueryPerPage, defaultPerPage, 1, maxPerPage)
	if err != nil {
		return err
	}
	if !q.Has(liveagent.QueryFrom) && !q.Has(liveagent.QueryTo) {
		lq.offset, lq.limit = (page-1)*perPage, perPage
		return nil
	}
	from, err := intParam(q, liveagent.QueryFrom, 0, 0, maxPage*maxPerPage)
	if err != nil {
		return err
	}
	to, err := intParam(q, liveagent.QueryTo, from+perPage, 0, maxPage*maxPerPage+maxPerPage)
	if err != nil {
		return err
	}
	switch {
	case to < from:
		return badRequest("%s (%d) is before %s (%d)", liveagent.QueryTo, to, liveagent.QueryFrom, from)
	case to-from > maxPerPage:
		return badRequest("the window %s=%d %s=%d is longer than %d agents",
			liveagent.QueryFrom, from, liveagent.QueryTo, to, maxPerPage)
	}
	lq.offset, lq.limit = from, to-from
	return nil
}

// intParam reads an integer parameter within [lo, hi], or def when absent.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	if !q.Has(name) {
		return def, nil
	}
	raw := q.Get(name)
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s must be a whole number from %d to %d, not %q", name, lo, hi, raw)
	}
	return n, nil
}

// parseFilters reads _filters: a JSON object {"field": "value"} (equality;
// an array value means "in"), or an array of ["field", "operator", value]
// triples with operators =, !=, like and in.
func parseFilters(raw string) ([]filter, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	bad := func(format string, args ...any) error {
		return badRequest("%s: %s", liveagent.QueryFilters, fmt.Sprintf(format, args...))
	}
	if err := checkUTF8(liveagent.QueryFilters, []byte(raw)); err != nil {
		return nil, err
	}
	switch raw[0] {
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			return nil, bad("not valid JSON: %v", err)
		}
		if len(obj) > maxFilterConditions {
			return nil, bad("%d conditions; at most %d are allowed", len(obj), maxFilterConditions)
		}
		fields := make([]string, 0, len(obj))
		for f := range obj {
			fields = append(fields, f)
		}
		sort.Strings(fields) // a stable SQL text, whatever the map order
		var out []filter
		for _, field := range fields {
			v := obj[field]
			op := "="
			if bytes.HasPrefix(bytes.TrimSpace(v), []byte("[")) {
				op = "in"
			}
			values, err := filterValues(field, op, v)
			if err != nil {
				return nil, bad("%v", err)
			}
			out = append(out, filter{field: field, op: op, values: values})
		}
		return out, nil
	case '[':
		var triples []json.RawMessage
		if err := json.Unmarshal([]byte(raw), &triples); err != nil {
			return nil, bad("not valid JSON: %v", err)
		}
		if len(triples) > maxFilterConditions {
			return nil, bad("%d conditions; at most %d are allowed", len(triples), maxFilterConditions)
		}
		var out []filter
		for i, t := range triples {
			var parts []json.RawMessage
			if err := json.Unmarshal(t, &parts); err != nil || len(parts) != 3 {
				return nil, bad("condition %d is not a [\"field\", \"operator\", value] triple", i+1)
			}
			var field, op string
			if json.Unmarshal(parts[0], &field) != nil || json.Unmarshal(parts[1], &op) != nil {
				return nil, bad("condition %d: the field and the operator must be strings", i+1)
			}
			op = strings.ToLower(strings.TrimSpace(op))
			switch op {
			case "=", "!=", "like", "in":
			default:
				return nil, bad("condition %d: unknown operator %q (use =, !=, like or in)", i+1, op)
			}
			values, err := filterValues(field, op, parts[2])
			if err != nil {
				return nil, bad("condition %d: %v", i+1, err)
			}
			out = append(out, filter{field: field, op: op, values: values})
		}
		return out, nil
	}
	return nil, bad("must be a JSON object or an array of [\"field\", \"operator\", value] triples")
}

// Bounds of _filters (sandbox.md, "Hardening"): SQLite allows some 32,000
// placeholders in a statement, and a request must be refused (400) well
// before it reaches that limit (which would be a 500).
const (
	maxFilterConditions = 20
	maxInValues         = 1000
)

// filterValues decodes a condition's value: a string, or for "in" an array
// of at most maxInValues strings.
func filterValues(field, op string, raw json.RawMessage) ([]string, error) {
	if op == "in" {
		var vs []string
		if err := json.Unmarshal(raw, &vs); err != nil {
			return nil, fmt.Errorf("the value for %q with operator in must be an array of strings", field)
		}
		if len(vs) > maxInValues {
			return nil, fmt.Errorf("the value for %q with operator in has %d values; at most %d are allowed", field, len(vs), maxInValues)
		}
		return vs, nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("the value for %q must be a string", field)
	}
	return []string{v}, nil
}

// addFilter turns a condition into SQL with placeholders (values are never
// spliced into the text).
func (lq *listQuery) addFilter(f filter, spec listSpec) error {
	expr, known := spec.exprs[f.field]
	if !known {
		return badRequest("%s: %q is not %s (one of: %s)", liveagent.QueryFilters, f.field, spec.noun, spec.fieldNames())
	}
	values := f.values
	switch f.field {
	case "status":
		// Every agent is A or X (a CHECK constraint), so "in" both is no
		// condition at all, and "in" one is "=": both forms let the order
		// come from an index (seq, or status+seq) instead of a sort of
		// every row for every window (SQLite cannot merge the two ranges
		// an IN makes of agents_status_seq into one seq order).
		if f.op == "in" {
			set := map[string]bool{}
			for _, v := range values {
				set[v] = true
			}
			switch {
			case len(set) == 2 && set[liveagent.StatusActive] && set[liveagent.StatusDeleted]:
				return nil
			case len(set) == 1:
				f = filter{field: f.field, op: "=", values: values[:1]}
			}
		}
	case "role_id":
		// A built-in role's role_id is NULL in storage and "" on the wire.
		// Compared as the column (not ifnull(...)), the condition can use
		// agents_status_role, whose entries for one (status, role, role_id)
		// come in seq order.
		switch {
		case f.op == "=" && values[0] == "":
			lq.where = append(lq.where, "role_id IS NULL")
			return nil
		case f.op == "=":
			lq.where = append(lq.where, "role_id = ?")
			lq.args = append(lq.args, values[0])
			return nil
		}
	}
	if f.field == "email" {
		values = make([]string, len(f.values))
		for i, v := range f.values {
			values[i] = strings.ToLower(v)
		}
	}
	switch f.op {
	case "=":
		lq.where = append(lq.where, expr+" = ?")
		lq.args = append(lq.args, values[0])
	case "!=":
		lq.where = append(lq.where, expr+" <> ?")
		lq.args = append(lq.args, values[0])
	case "like":
		// Only % is a wildcard in the API; SQL's _ and the escape character
		// itself are matched literally. SQLite's LIKE ignores ASCII case.
		lq.where = append(lq.where, expr+` LIKE ? ESCAPE '\'`)
		lq.args = append(lq.args, escapeLike(values[0]))
	case "in":
		if len(values) == 0 {
			lq.where = append(lq.where, "0")
			return nil
		}
		lq.where = append(lq.where, expr+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")+")")
		for _, v := range values {
			lq.args = append(lq.args, v)
		}
	}
	return nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `_`, `\_`)

func escapeLike(pattern string) string { return likeEscaper.Replace(pattern) }

// whereSQL is the WHERE clause (with its keyword), or "".
func (lq *listQuery) whereSQL() string {
	if len(lq.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(lq.where, " AND ")
}

// sql is the query's count and its page (with two more arguments: LIMIT
// and OFFSET). The page's rows are agents' wire JSON (agentJSON).
func (lq *listQuery) sql() (count, page string) {
	where := lq.whereSQL()
	return "SELECT COUNT(*) FROM agents" + where,
		"SELECT " + agentJSON + " FROM agents" + where + " ORDER BY " + lq.orderBy + " LIMIT ? OFFSET ?"
}
