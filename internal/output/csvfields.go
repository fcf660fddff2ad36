package output

import (
	"encoding"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// csvField reads one column of a struct directly, as csvCell would show the
// field after a JSON round trip; ok is false when this value needs that
// round trip after all (a string that is not valid UTF-8, which JSON
// rewrites byte by byte).
type csvField struct {
	index int
	cell  func(v reflect.Value) (cell string, ok bool)
}

// directCSV returns, for a struct type whose every value encodes with the
// same keys (fixedKeys), a reader per column in the JSON order, so a CSV of
// 100,000 agents does not marshal and re-decode each of them (that was half
// of `agent export`'s time). It reports false for any field it does not
// know to read exactly like encoding/json (floats, pointers, nested
// structs, types with a marshaller, the ",string" option), and the caller
// takes the JSON round trip.
func directCSV(t reflect.Type, header []string) ([]csvField, bool) {
	if !fixedKeys(t) {
		return nil, false
	}
	var fields []csvField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts != "" || !validTagName(name) {
			return nil, false // ",string", or a name encoding/json would ignore
		}
		if name == "" {
			name = f.Name
		}
		cell := cellReader(f.Type)
		if cell == nil || len(fields) >= len(header) || header[len(fields)] != name {
			return nil, false
		}
		fields = append(fields, csvField{index: i, cell: cell})
	}
	return fields, len(fields) == len(header)
}

// validTagName is the subset of encoding/json's accepted key names that
// directCSV trusts: letters, digits and _ - only.
func validTagName(name string) bool {
	for _, r := range name {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

var textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()

var marshalerKinds = []reflect.Type{marshalerType, textMarshalerType}

// cellReader returns how csvCell shows a field of type t, or nil.
func cellReader(t reflect.Type) func(reflect.Value) (string, bool) {
	for _, m := range marshalerKinds {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return nil
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value) (string, bool) {
			s := v.String()
			return s, utf8.ValidString(s)
		}
	case reflect.Bool:
		return func(v reflect.Value) (string, bool) { return strconv.FormatBool(v.Bool()), true }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) (string, bool) { return strconv.FormatInt(v.Int(), 10), true }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(v reflect.Value) (string, bool) { return strconv.FormatUint(v.Uint(), 10), true }
	case reflect.Slice:
		e := t.Elem()
		if e.Kind() != reflect.String || cellReader(e) == nil {
			return nil // []byte encodes as base64; other elements are not read directly
		}
		return func(v reflect.Value) (string, bool) {
			// nil and empty both show as "": JSON null, or a list of nothing.
			parts := make([]string, v.Len())
			for i := range parts {
				parts[i] = v.Index(i).String()
				if !utf8.ValidString(parts[i]) {
					return "", false
				}
			}
			return strings.Join(parts, ";"), true
		}
	}
	return nil
}
