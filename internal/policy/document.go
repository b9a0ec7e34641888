// Package policy builds every key policy once, from the model, and evaluates
// the statements kpgen emits: who may call which KMS action under which
// context. Generators, lint rules and `kpgen diff` all use the documents
// built here; none builds a policy of its own.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// Version is the policy language version of every key policy.
const Version = "2012-10-17"

// Document is a key policy. Field order is fixed, so serialisation is
// deterministic.
type Document struct {
	Version   string       `json:"Version"`
	ID        string       `json:"Id,omitempty"`
	Statement []*Statement `json:"Statement"`
}

// Statement is one policy statement. In a key policy Resource is always "*",
// meaning the key itself; an identity policy has no Principal.
type Statement struct {
	Sid       string     `json:"Sid"`
	Effect    string     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    Values     `json:"Action"`
	Resource  Values     `json:"Resource"`
	Condition Conditions `json:"Condition,omitempty"`

	// Hand-written policies may use these; kpgen never emits them.
	NotPrincipal *Principal `json:"NotPrincipal,omitempty"`
	NotAction    Values     `json:"NotAction,omitempty"`
	NotResource  Values     `json:"NotResource,omitempty"`
}

// thisKey is a key policy's Resource.
var thisKey = Values{"*"}

// Effects.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// Principal is a statement's principal: AWS principals (ARNs, or "*"
// narrowed by conditions) or service principals. All is the bare "*" of a
// hand-written policy: everyone.
type Principal struct {
	All       bool   `json:"-"`
	AWS       Values `json:"AWS,omitempty"`
	Service   Values `json:"Service,omitempty"`
	Federated Values `json:"Federated,omitempty"`
}

type principalFields Principal

// MarshalJSON writes the bare "*" as a string, anything else as an object.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.All {
		return marshal("*")
	}
	return marshal(principalFields(p))
}

// UnmarshalJSON reads "*" or an object of principal lists.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if s != "*" {
			return fmt.Errorf("principal %q: a principal is \"*\" or an object such as {\"AWS\": ...}", s)
		}
		*p = Principal{All: true}
		return nil
	}
	var f principalFields
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*p = Principal(f)
	return nil
}

// Everyone reports whether the principal is anyone at all: "*" or
// {"AWS": "*"}.
func (p *Principal) Everyone() bool {
	return p != nil && (p.All || slices.Contains(p.AWS, "*"))
}

// Values is a list of strings that serialises as a single string when it
// holds one, the way AWS writes policies.
type Values []string

// MarshalJSON writes one value as a string, several as a list.
func (v Values) MarshalJSON() ([]byte, error) {
	if len(v) == 1 {
		return marshal(v[0])
	}
	return marshal([]string(v))
}

// UnmarshalJSON reads a string or a list of strings.
func (v *Values) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*v = Values{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*v = many
	return nil
}

// Conditions maps a condition operator to condition keys and their values.
type Conditions map[string]map[string]Values

// Add sets the values of one condition key under an operator.
func (c Conditions) Add(operator, key string, values ...string) {
	if c[operator] == nil {
		c[operator] = map[string]Values{}
	}
	c[operator][key] = values
}

// Operators returns the condition's operators in sorted order.
func (c Conditions) Operators() []string {
	ops := make([]string, 0, len(c))
	for op := range c {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

// Keys returns an operator's condition keys in sorted order.
func (c Conditions) Keys(operator string) []string {
	keys := make([]string, 0, len(c[operator]))
	for k := range c[operator] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// JSON is the document as kpgen writes it: indented, keys in fixed order
// (condition maps sorted), no HTML escaping, a final newline.
func (d *Document) JSON() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		// Every field is a string, a list of strings or a map of them.
		panic("policy: cannot encode a key policy: " + err.Error())
	}
	return buf.Bytes()
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
