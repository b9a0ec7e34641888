package cloudformation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
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

// decodePolicy reads a policy document's JSON into a value tree, keeping the
// order of its keys: the template carries the document kpgen built, byte
// for byte in content, never a copy rebuilt by hand.
func decodePolicy(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the policy document")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.add(k.(string), v)
			}
			_, err := dec.Token() // '}'
			return o, err
		case '[':
			l := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.Token() // ']'
			return l, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		// string, bool, json.Number or nil
		return t, nil
	}
}
