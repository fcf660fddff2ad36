// Package output prints command results as a table, JSON, YAML or CSV, or
// filtered through a jq expression, following kubectl, doctl and gh.
//
// Machine formats (json, yaml, csv, --jq) always use the API's field names
// from the values' json tags; the table formats use the caller's columns.
// Every printer renders into memory first so that a failure never leaves
// half a document on the writer, except lists in the machine formats, which
// are encoded element by element from a list already complete (stream.go),
// and plain tables off a terminal, written row by row from it (streamTable).
package output

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/ladmin/ladmin/internal/text"
)

// The values of -o/--output.
const (
	FormatTable = "table"
	FormatWide  = "wide"
	FormatJSON  = "json"
	FormatYAML  = "yaml"
	FormatCSV   = "csv"
)

// Formats lists the valid output formats, in the order help texts show them.
var Formats = []string{FormatTable, FormatWide, FormatJSON, FormatYAML, FormatCSV}

// Options are the user's output choices (-o, --jq, --no-headers).
type Options struct {
	Format    string // one of Formats; "" means table
	JQ        string // a jq expression; when set, the output is JSON filtered by it
	NoHeaders bool   // table, wide and csv without the header row
	// Width is the terminal's width, to which tables are fitted; 0 (off a
	// terminal) prints every value whole.
	Width int
	// Note, when set, receives a note for stderr when a table too wide for
	// Width leaves columns out (see TableOptions.Note).
	Note func(string)
}

// Column is one column of the table and wide formats. Value receives one
// element of the list as it is stored (an Agent for a []Agent, a *Agent for
// a []*Agent), or the object given to PrintObject.
type Column struct {
	Header string // printed as given: pass it uppercase, like kubectl
	Wide   bool   // shown only with -o wide
	Value  func(item any) string
	// Fit is how the column gives way on a narrow terminal: Truncate (the
	// default), Keep for ids and emails, Wrap for prose. A column that
	// cannot fit even so is left out, a Wide one first, and a note says so.
	Fit Fit
}

// Validate checks the options before any work is done, so that a typo in -o
// or --jq fails fast instead of after a slow API call.
func Validate(o Options) error {
	if _, err := format(o); err != nil {
		return err
	}
	if o.JQ != "" {
		if _, err := compileJQ(o.JQ); err != nil {
			return err
		}
	}
	return nil
}

// format returns o.Format, "" meaning table. Formats are matched exactly,
// like kubectl, so that callers comparing o.Format agree with the printers.
func format(o Options) (string, error) {
	if o.Format == "" {
		return FormatTable, nil
	}
	if slices.Contains(Formats, o.Format) {
		return o.Format, nil
	}
	return "", fmt.Errorf("unknown output format %q: valid formats are %s", o.Format, strings.Join(Formats, ", "))
}

// PrintList prints items, which must be a slice (or array) of structs or
// maps. In json and yaml an empty or nil slice prints [] so that scripts
// always get a list; in table mode it prints nothing, and the caller says
// "No ... found." on stderr.
func PrintList(w io.Writer, o Options, items any, cols []Column) error {
	f, err := format(o)
	if err != nil {
		return err
	}
	list, err := asList(items)
	if err != nil {
		return err
	}
	if streamed, err := streamList(w, o, f, list); streamed {
		return err
	}
	if streamed, err := streamTable(w, o, f, list, cols); streamed {
		return err
	}
	return render(w, o, f, list, listRows(list), cols)
}

// PrintObject prints a single object: json and yaml print the object itself
// (not a one-element list), the table formats print one row under the headers
// like `kubectl get TYPE NAME`, and csv prints the header and one row.
func PrintObject(w io.Writer, o Options, item any, cols []Column) error {
	f, err := format(o)
	if err != nil {
		return err
	}
	return render(w, o, f, item, []any{item}, cols)
}

// render dispatches on the format; value is what the machine formats encode,
// rows what the table and csv formats print one line for.
func render(w io.Writer, o Options, f string, value any, rows []any, cols []Column) error {
	var buf bytes.Buffer
	var err error
	switch {
	case o.JQ != "":
		// jq implies JSON, whatever -o says, as in gh.
		err = writeJQ(&buf, o.JQ, value)
	case f == FormatJSON:
		err = writeJSON(&buf, value)
	case f == FormatYAML:
		err = writeYAML(&buf, value)
	case f == FormatCSV:
		err = writeCSV(&buf, value, o.NoHeaders)
	default:
		header, cells, fits, extra := tableCells(rows, cols, f == FormatWide)
		// The note on what was left out follows the table.
		var note string
		err = Table(&buf, header, cells, TableOptions{NoHeaders: o.NoHeaders, Width: o.Width, Fits: fits, Extra: extra,
			Note: func(s string) { note = s }})
		if err == nil && note != "" && o.Note != nil {
			defer o.Note(note)
		}
	}
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// asList checks that items is a slice or array and replaces a nil slice by an
// empty one, so that encoding/json prints [] instead of null.
func asList(items any) (any, error) {
	if items == nil {
		return []any{}, nil
	}
	v := reflect.ValueOf(items)
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return reflect.MakeSlice(v.Type(), 0, 0).Interface(), nil
		}
		return items, nil
	case reflect.Array:
		return items, nil
	}
	return nil, fmt.Errorf("output: PrintList needs a slice, got %T", items)
}

// listRows returns the elements of a slice or array as values the Column
// functions receive.
func listRows(list any) []any {
	v := reflect.ValueOf(list)
	rows := make([]any, v.Len())
	for i := range rows {
		rows[i] = v.Index(i).Interface()
	}
	return rows
}

// tableCells applies the columns to the rows, leaving out the wide-only
// columns unless wide is set; extra marks those shown. Without columns
// there is nothing to show.
func tableCells(rows []any, cols []Column, wide bool) (header []string, cells [][]string, fits []Fit, extra []bool) {
	shown := shownColumns(cols, wide)
	for _, c := range shown {
		header = append(header, c.Header)
		fits = append(fits, c.Fit)
		extra = append(extra, c.Wide)
	}
	if len(shown) == 0 {
		return nil, nil, nil, nil
	}
	for _, item := range rows {
		row := make([]string, len(shown))
		for i, c := range shown {
			row[i] = c.Value(item)
		}
		cells = append(cells, row)
	}
	return header, cells, fits, extra
}

// shownColumns leaves out the wide-only columns unless wide is set.
func shownColumns(cols []Column, wide bool) []Column {
	var shown []Column
	for _, c := range cols {
		if wide || !c.Wide {
			shown = append(shown, c)
		}
	}
	return shown
}

// streamTable writes a list as a table off a terminal (nothing to fit)
// straight from the list, each row's cells made when measured and again
// when written: a plan of 200,000 rows then needs no boxed copy of each
// element, no grid of cells and no rendered copy of the document (the
// dry run's peak memory). It reports false, writing nothing, when the
// table is not plain ASCII (plainRows) or is empty, and render lays it out.
func streamTable(w io.Writer, o Options, f string, list any, cols []Column) (bool, error) {
	if o.JQ != "" || o.Width > 0 || (f != FormatTable && f != FormatWide) {
		return false, nil
	}
	shown := shownColumns(cols, f == FormatWide)
	v := reflect.ValueOf(list)
	if len(shown) == 0 || v.Len() == 0 {
		return false, nil
	}
	var header []string
	if !o.NoHeaders {
		for _, c := range shown {
			header = append(header, text.Safe(c.Header))
		}
	}
	row := func(i int, dst []string) []string {
		item := v.Index(i).Interface()
		dst = dst[:0]
		for _, c := range shown {
			dst = append(dst, text.Safe(c.Value(item)))
		}
		return dst
	}
	return plainRows(w, header, v.Len(), row, tableGap)
}
