package output

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// directField reads one field of a struct directly as the value ordered
// would give for it after a JSON round trip (string, bool, json.Number,
// []any or nil); ok is false when this value needs that round trip after
// all (a string that is not valid UTF-8, which JSON rewrites byte by byte).
type directField struct {
	index int
	value func(v reflect.Value) (value any, ok bool)
}

// directFields returns, for a struct type whose every value encodes with
// the same keys (fixedKeys), a reader per key of header in the JSON order,
// so the csv and yaml of 100,000 agents do not marshal and re-decode each
// of them (that was half of `agent export`'s time). It reports false for
// any field it does not know to read exactly like encoding/json (floats,
// pointers, maps, nested structs, types with a marshaller, the ",string"
// option), and the caller takes the JSON round trip.
func directFields(t reflect.Type, header []string) ([]directField, bool) {
	if !fixedKeys(t) {
		return nil, false
	}
	var fields []directField
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
		read := fieldReader(f.Type)
		if read == nil || len(fields) >= len(header) || header[len(fields)] != name {
			return nil, false
		}
		fields = append(fields, directField{index: i, value: read})
	}
	return fields, len(fields) == len(header)
}

// readDirect reads the fields of v into values, or reports false when one
// of them needs the JSON round trip.
func readDirect(v reflect.Value, fields []directField, values []any) bool {
	for j, f := range fields {
		val, ok := f.value(v.Field(f.index))
		if !ok {
			return false
		}
		values[j] = val
	}
	return true
}

// validTagName is the subset of encoding/json's accepted key names that
// directFields trusts: letters, digits and _ - only.
func validTagName(name string) bool {
	for _, r := range name {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

var textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()

// fieldReader returns how ordered shows a field of type t, or nil.
func fieldReader(t reflect.Type) func(reflect.Value) (any, bool) {
	for _, m := range []reflect.Type{marshalerType, textMarshalerType} {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return nil
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value) (any, bool) {
			s := v.String()
			return s, utf8.ValidString(s)
		}
	case reflect.Bool:
		return func(v reflect.Value) (any, bool) { return v.Bool(), true }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) (any, bool) { return json.Number(strconv.FormatInt(v.Int(), 10)), true }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(v reflect.Value) (any, bool) { return json.Number(strconv.FormatUint(v.Uint(), 10)), true }
	case reflect.Slice:
		e := t.Elem()
		if e.Kind() != reflect.String || fieldReader(e) == nil {
			return nil // []byte encodes as base64; other elements are not read directly
		}
		return func(v reflect.Value) (any, bool) {
			if v.IsNil() {
				return nil, true // JSON null
			}
			list := make([]any, v.Len())
			for i := range list {
				s := v.Index(i).String()
				if !utf8.ValidString(s) {
					return nil, false
				}
				list[i] = s
			}
			return list, true
		}
	}
	return nil
}
