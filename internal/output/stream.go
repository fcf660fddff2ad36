package output

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ladmin/ladmin/internal/text"
)

// Lists in the machine formats (json, yaml, csv without --jq) are written
// element by element, each encoded on its own, with the same bytes as
// encoding the whole list at once: a list of 100,000 agents then needs no
// second copy of itself as table rows, generic JSON values or a rendered
// document. The list itself is complete before the first byte is written
// (the callers read every window first), and encoding an API model cannot
// fail, so what reaches the writer is never a partial list.

// streamList writes list (a slice or array) in format f, or reports false
// when the format is not streamed.
func streamList(w io.Writer, o Options, f string, list any) (bool, error) {
	if o.JQ != "" {
		return false, nil
	}
	v := reflect.ValueOf(list)
	switch f {
	case FormatJSON:
		return true, streamJSON(w, v)
	case FormatYAML:
		return true, streamYAML(w, v)
	case FormatCSV:
		return true, streamCSV(w, v, o.NoHeaders)
	}
	return false, nil
}

const streamBuffer = 64 << 10

// streamJSON writes what writeJSON writes for the whole list.
func streamJSON(w io.Writer, list reflect.Value) error {
	if list.Len() == 0 {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	// A bufio.Writer's first error sticks: Flush returns it, so the writes
	// before it need no checks of their own.
	bw := bufio.NewWriterSize(w, streamBuffer)
	_, _ = bw.WriteString("[\n")
	var elem bytes.Buffer
	enc := json.NewEncoder(&elem)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	for i := range list.Len() {
		elem.Reset()
		if err := enc.Encode(list.Index(i).Interface()); err != nil {
			return err
		}
		if i > 0 {
			_, _ = bw.WriteString(",\n")
		}
		_, _ = bw.WriteString("  ")
		_, _ = bw.Write(bytes.TrimSuffix(elem.Bytes(), []byte("\n")))
	}
	_, _ = bw.WriteString("\n]\n")
	return bw.Flush()
}

// streamYAML writes what writeYAML writes for the whole list: a block
// sequence, whose items are each rendered alone as a one-item sequence.
func streamYAML(w io.Writer, list reflect.Value) error {
	if list.Len() == 0 {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	bw := bufio.NewWriterSize(w, streamBuffer)
	for i := range list.Len() {
		value, err := ordered(list.Index(i).Interface())
		if err != nil {
			return err
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{yamlNode(value)}}
		enc := yaml.NewEncoder(bw)
		enc.SetIndent(2)
		if err := enc.Encode(seq); err != nil {
			return err
		}
		if err := enc.Close(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// streamCSV writes what writeCSV writes for the whole list. The header is
// known before the rows when every element has the same keys (a struct
// without omitempty fields or a marshaller of its own); otherwise a first
// pass collects the keys, as writeCSV does.
func streamCSV(w io.Writer, list reflect.Value, noHeaders bool) error {
	header := fieldsOf(list.Interface())
	if !fixedKeys(list.Type().Elem()) {
		for i := range list.Len() {
			obj, err := csvObject(list.Index(i))
			if err != nil {
				return err
			}
			header = csvHeader(header, []*object{obj})
		}
	}
	bw := bufio.NewWriterSize(w, streamBuffer)
	cw := csv.NewWriter(bw)
	if !noHeaders && len(header) > 0 {
		if err := cw.Write(text.GuardCSVRecord(header)); err != nil {
			return err
		}
	}
	record := make([]string, len(header))
	direct, isDirect := directCSV(list.Type().Elem(), header)
	for i := range list.Len() {
		if isDirect && directRecord(list.Index(i), direct, record) {
			if err := cw.Write(record); err != nil {
				return err
			}
			continue
		}
		obj, err := csvObject(list.Index(i))
		if err != nil {
			return err
		}
		for j, key := range header {
			record[j] = text.GuardCSV(csvCell(obj.values[key]))
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// directRecord fills record from the struct v without the JSON round trip,
// or reports false when one of its values needs it.
func directRecord(v reflect.Value, fields []csvField, record []string) bool {
	for j, f := range fields {
		cell, ok := f.cell(v.Field(f.index))
		if !ok {
			return false
		}
		record[j] = text.GuardCSV(cell)
	}
	return true
}

func csvObject(v reflect.Value) (*object, error) {
	value, err := ordered(v.Interface())
	if err != nil {
		return nil, err
	}
	obj, ok := value.(*object)
	if !ok {
		return nil, fmt.Errorf("output: csv needs objects, got %T", value)
	}
	return obj, nil
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// fixedKeys reports whether every value of t encodes as a JSON object with
// the same keys: a struct (not a pointer, which may be nil) with no
// marshaller of its own, no embedded fields and no omitempty or omitzero
// field.
func fixedKeys(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return false
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		_, opts, _ := strings.Cut(tag, ",")
		if slices.ContainsFunc(strings.Split(opts, ","), func(o string) bool { return o == "omitempty" || o == "omitzero" }) {
			return false
		}
	}
	return true
}
