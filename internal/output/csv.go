package output

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/ladmin/ladmin/internal/text"
)

// writeCSV prints v (a list of objects, or one object) as RFC 4180 CSV. The
// columns are the JSON field names in the order of the JSON encoding, not the
// table headers, so a CSV export reads back like the JSON one.
func writeCSV(w io.Writer, v any, noHeaders bool) error {
	value, err := ordered(v)
	if err != nil {
		return err
	}
	items, ok := value.([]any)
	if !ok {
		items = []any{value}
	}
	objects := make([]*object, len(items))
	for i, item := range items {
		obj, ok := item.(*object)
		if !ok {
			return fmt.Errorf("output: csv needs objects, got %T", item)
		}
		objects[i] = obj
	}
	header := csvHeader(fieldsOf(v), objects)

	cw := csv.NewWriter(w)
	if !noHeaders && len(header) > 0 {
		if err := cw.Write(text.GuardCSVRecord(header)); err != nil {
			return err
		}
	}
	for _, obj := range objects {
		record := make([]string, len(header))
		for i, key := range header {
			// A cell a spreadsheet would run as a formula gets a ' (OWASP);
			// import strips it again.
			record[i] = text.GuardCSV(csvCell(obj.values[key]))
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvHeader merges the keys of all objects, starting from seed. A key missing
// so far (an omitempty field empty in the first rows) is inserted after the
// key that precedes it in the object where it first shows up, which keeps
// the struct order.
func csvHeader(seed []string, objects []*object) []string {
	header := slices.Clone(seed)
	for _, obj := range objects {
		prev := -1
		for _, key := range obj.keys {
			if i := slices.Index(header, key); i >= 0 {
				prev = i
				continue
			}
			prev++
			header = slices.Insert(header, prev, key)
		}
	}
	return header
}

// fieldsOf returns the JSON field names of the element type of a slice of
// structs (or of a struct), so that an empty list still gets its header row.
func fieldsOf(v any) []string {
	t := reflect.TypeOf(v)
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		t = t.Elem()
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	zero, err := ordered(reflect.New(t).Interface())
	if err != nil {
		return nil
	}
	if obj, ok := zero.(*object); ok {
		return obj.keys
	}
	return nil
}

// csvCell formats one JSON value: strings as-is, numbers and bools as text,
// arrays joined with ";", null or absent as empty, nested objects as JSON.
func csvCell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = csvCell(e)
		}
		return strings.Join(parts, ";")
	case *object:
		data, _ := marshal(v) // cannot fail: it holds decoded JSON
		return strings.TrimSuffix(string(data), "\n")
	}
	return fmt.Sprint(v)
}

// CSV prints a grid of cells (a header and rows of strings) as RFC 4180 CSV,
// for commands whose CSV is a matrix rather than a list of objects.
func CSV(w io.Writer, header []string, rows [][]string, noHeaders bool) error {
	var buf strings.Builder
	cw := csv.NewWriter(&buf)
	if !noHeaders {
		if err := cw.Write(text.GuardCSVRecord(header)); err != nil {
			return err
		}
	}
	for _, row := range rows {
		if err := cw.Write(text.GuardCSVRecord(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := io.WriteString(w, buf.String())
	return err
}
