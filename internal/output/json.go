package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// writeJSON prints v indented by two spaces with a trailing newline. HTML
// escaping is off: "<" in a name is not an attack on a terminal.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// marshal is json.Marshal without HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// generic converts v to the plain JSON values gojq works on (maps, slices,
// json.Number, ...) by a round trip through encoding/json, so the json tags
// decide the field names and numbers keep their exact text.
func generic(v any) (any, error) {
	data, err := marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// object is a JSON object that remembers the order of its keys, which
// map[string]any forgets. YAML and CSV use it to follow the JSON field order.
type object struct {
	keys   []string
	values map[string]any
}

// ordered converts v to JSON values like generic does, but with objects as
// *object so the order of the struct fields survives.
func ordered(v any) (any, error) {
	data, err := marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeOrdered(dec)
}

// MarshalJSON writes the object back with its keys in their original order.
func (o *object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, err := marshal(k)
		if err != nil {
			return nil, err
		}
		val, err := marshal(o.values[k])
		if err != nil {
			return nil, err
		}
		buf.Write(bytes.TrimSuffix(key, []byte("\n")))
		buf.WriteByte(':')
		buf.Write(bytes.TrimSuffix(val, []byte("\n")))
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		obj := &object{values: map[string]any{}}
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, ok := keyTok.(string)
			if !ok {
				return nil, fmt.Errorf("output: unexpected JSON token %v", keyTok)
			}
			val, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			if _, dup := obj.values[key]; !dup {
				obj.keys = append(obj.keys, key)
			}
			obj.values[key] = val
		}
		_, err := dec.Token() // the closing }
		return obj, err
	case json.Delim('['):
		list := []any{}
		for dec.More() {
			val, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, val)
		}
		_, err := dec.Token() // the closing ]
		return list, err
	}
	return tok, nil // string, json.Number, bool or nil
}
