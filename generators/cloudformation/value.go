package cloudformation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kpgen/kpgen/internal/policy"
)

// A template is built as a tree of these values, then written as YAML or
// JSON:
//
//   - *object: a mapping whose keys keep the order they were added in;
//   - []any: a sequence;
//   - string: text that came from the spec or was built from it, always
//     quoted in YAML;
//   - word: CloudFormation's own vocabulary (types, enums, logical ids),
//     written plain in YAML when no YAML reader can misread it;
//   - int, bool, nil, and json.Number (from a policy document).
//
// One tree feeds both formats, so the YAML and JSON templates cannot drift.

// word is a string of CloudFormation's vocabulary, written plain in YAML.
type word string

// object is a mapping with ordered keys.
type object struct {
	fields []field
}

type field struct {
	key   string
	value any
}

// add appends a key; keys are added once each.
func (o *object) add(key string, value any) *object {
	o.fields = append(o.fields, field{key, value})
	return o
}

// MarshalJSON writes the fields in order. Strings are not HTML-escaped, as
// in the policy files.
func (o *object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o.fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeJSON(&buf, f.key); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := writeJSON(&buf, f.value); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	// Encode ends every value with a newline.
	buf.Truncate(buf.Len() - 1)
	return nil
}

// encodeJSON writes a template as kpgen writes every JSON file: indented by
// two spaces, no HTML escaping, a final newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeYAML writes a template as a YAML document indented by two spaces.
func encodeYAML(v any) ([]byte, error) {
	n, err := yamlNode(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// yamlNode converts a value to a YAML node. Every string of the spec is
// double-quoted: YAML 1.1 readers (and CloudFormation's own) would read
// yes, on, 0123, 1e3 or 2012-10-17 unquoted as something else.
func yamlNode(v any) (*yaml.Node, error) {
	switch v := v.(type) {
	case *object:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, f := range v.fields {
			val, err := yamlNode(f.value)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, scalar(f.key, plainSafe(f.key)), val)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range v {
			val, err := yamlNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, val)
		}
		return n, nil
	case string:
		return scalar(v, false), nil
	case word:
		return scalar(string(v), plainSafe(string(v))), nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}, nil
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(v)}, nil
	case json.Number:
		tag := "!!float"
		if _, err := v.Int64(); err == nil {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.String()}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("cannot write a %T in a template", v)
}

func scalar(s string, plain bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if !plain {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// yaml11Words are the plain scalars YAML 1.1 reads as booleans or null
// (compared in lower case).
var yaml11Words = map[string]bool{
	"y": true, "yes": true, "n": true, "no": true, "true": true, "false": true,
	"on": true, "off": true, "null": true,
}

// plainSafe reports whether s reads back as the same string when written as
// a plain scalar, under YAML 1.1 and 1.2 alike: it starts with a letter (so
// it is no number, date, alias, tag or indicator), holds only letters,
// digits and _ . / : - (no space, no comment, no flow indicator), does not
// end in ':' (which would open a mapping), and is no boolean or null word.
func plainSafe(s string) bool {
	if s == "" || yaml11Words[strings.ToLower(s)] || strings.HasSuffix(s, ":") {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || strings.ContainsRune("_./:-", r)):
		default:
			return false
		}
	}
	return true
}

// documentValue is a key policy as a value tree, with the keys in the order
// of its JSON (policy.Document's): the template carries the document kpgen
// built, never a copy rebuilt by hand.
func documentValue(d *policy.Document) *object {
	o := (&object{}).add("Version", d.Version)
	if d.ID != "" {
		o.add("Id", d.ID)
	}
	stmts := []any{}
	for _, s := range d.Statement {
		stmts = append(stmts, statementValue(s))
	}
	return o.add("Statement", stmts)
}

func statementValue(s *policy.Statement) *object {
	o := (&object{}).add("Sid", s.Sid).add("Effect", s.Effect)
	if s.Principal != nil {
		o.add("Principal", principalValue(s.Principal))
	}
	o.add("Action", valuesValue(s.Action)).add("Resource", valuesValue(s.Resource))
	if len(s.Condition) > 0 {
		c := &object{}
		for _, op := range s.Condition.Operators() {
			keys := &object{}
			for _, k := range s.Condition.Keys(op) {
				keys.add(k, valuesValue(s.Condition[op][k]))
			}
			c.add(op, keys)
		}
		o.add("Condition", c)
	}
	if s.NotPrincipal != nil {
		o.add("NotPrincipal", principalValue(s.NotPrincipal))
	}
	if len(s.NotAction) > 0 {
		o.add("NotAction", valuesValue(s.NotAction))
	}
	if len(s.NotResource) > 0 {
		o.add("NotResource", valuesValue(s.NotResource))
	}
	return o
}

func principalValue(p *policy.Principal) any {
	if p.All {
		return "*"
	}
	o := &object{}
	if len(p.AWS) > 0 {
		o.add("AWS", valuesValue(p.AWS))
	}
	if len(p.Service) > 0 {
		o.add("Service", valuesValue(p.Service))
	}
	if len(p.Federated) > 0 {
		o.add("Federated", valuesValue(p.Federated))
	}
	return o
}

// valuesValue is one value as a string, several as a list, as in JSON.
func valuesValue(vs policy.Values) any {
	if len(vs) == 1 {
		return vs[0]
	}
	l := make([]any, len(vs))
	for i, v := range vs {
		l[i] = v
	}
	return l
}
