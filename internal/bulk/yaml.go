package bulk

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ladmin/ladmin/internal/text"
)

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) }) // compiled on first use, not at start-up

// parseYAML reads a YAML list of mappings. Scalars are taken as written
// (so `gender: F` and `name: 2024` are text); a mapping or list where a
// single value belongs is a problem.
func parseYAML(data []byte, f *File, p *problemList, opts ParseOptions) (fatal bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.add(0, "", "the file is empty; expected a YAML list of agents (- email: ana@acme.com)")
			return true
		}
		line, msg := 0, strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine().FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		p.add(line, "", "invalid YAML: %s", msg)
		return true
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.add(extra.Line, "", "more than one YAML document (---): put every agent in one list")
		return true
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			p.add(0, "", "the file is empty; expected a YAML list of agents (- email: ana@acme.com)")
			return true
		}
		root = root.Content[0]
	}
	root = deref(root)
	if root.Kind != yaml.SequenceNode {
		p.add(root.Line, "", "expected a YAML list of agents (- email: ana@acme.com), found %s", yamlKind(root))
		return true
	}
	var rows []keyedRow
	for _, item := range root.Content {
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			p.add(item.Line, "", "expected a mapping such as `email: ana@acme.com`, found %s", yamlKind(item))
			continue
		}
		row := keyedRow{line: item.Line}
		seen := map[string]bool{}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := deref(item.Content[i]), deref(item.Content[i+1])
			if k.Kind != yaml.ScalarNode {
				p.add(k.Line, "", "expected a key such as email, found %s", yamlKind(k))
				continue
			}
			lk := strings.ToLower(strings.TrimSpace(k.Value))
			if seen[lk] {
				p.add(item.Line, k.Value, "the key appears twice in this item")
				continue
			}
			seen[lk] = true
			row.keys = append(row.keys, k.Value)
			row.values = append(row.values, yamlField(v))
		}
		rows = append(rows, row)
	}
	return buildKeyed(rows, f, p, opts)
}

func yamlField(v *yaml.Node) field {
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			return field{isAbsent: true}
		}
		return field{str: v.Value, rawText: v.Value}
	case yaml.SequenceNode:
		fd := field{isList: true}
		for _, it := range v.Content {
			it = deref(it)
			if it.Kind != yaml.ScalarNode {
				if fd.listBad == "" {
					fd.listBad = yamlKind(it)
				}
				continue
			}
			fd.list = append(fd.list, it.Value)
		}
		fd.rawText = strings.Join(fd.list, ";")
		return fd
	}
	return field{wrong: yamlKind(v)}
}

// deref follows aliases (bounded: yaml.v3 refuses alias cycles when parsing).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value (" + text.Truncate(n.Value, 20) + ")"
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}
