package output

import (
	"encoding/json"
	"io"

	"go.yaml.in/yaml/v3"
)

// writeYAML prints v as YAML with the same field names and key order as the
// JSON output: v goes through JSON (so the json tags apply, not yaml tags the
// types do not have) and is emitted as a yaml.Node tree, which keeps order.
func writeYAML(w io.Writer, v any) error {
	value, err := ordered(v)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(value)); err != nil {
		return err
	}
	return enc.Close()
}

// yamlNode converts a value from ordered into a YAML node. Scalars carry an
// explicit tag so that the encoder quotes strings that would otherwise read
// back as another type ("true", "0123", "null").
func yamlNode(v any) *yaml.Node {
	switch v := v.(type) {
	case *object:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if len(v.keys) == 0 {
			n.Style = yaml.FlowStyle // {}
		}
		for _, k := range v.keys {
			n.Content = append(n.Content, scalar("!!str", k), yamlNode(v.values[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(v) == 0 {
			n.Style = yaml.FlowStyle // [], as scripts expect for an empty list
		}
		for _, e := range v {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	case string:
		return scalar("!!str", v)
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return scalar("!!int", v.String())
		}
		return scalar("!!float", v.String())
	case bool:
		if v {
			return scalar("!!bool", "true")
		}
		return scalar("!!bool", "false")
	}
	return scalar("!!null", "null")
}

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}
