// Package policy builds every key policy once, from the model, and evaluates
// the statements kpgen emits: who may call which KMS action under which
// context. Generators, lint rules and `kpgen diff` all use the documents
// built here; none builds a policy of its own.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
	// CanonicalUser is read from hand-written policies; kpgen never emits it.
	CanonicalUser Values `json:"CanonicalUser,omitempty"`
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

// UnmarshalJSON reads a string or a list of strings. null is no values, as
// if the element were absent.
func (v *Values) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*v = nil
		return nil
	}
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

// UnmarshalJSON reads a Condition element: operators, each an object of
// condition keys, each with a value or a list of values. The policy grammar
// allows strings, numbers and booleans as values; numbers and booleans become
// their literal text (true becomes "true", 3 becomes "3"). null, objects and
// nested lists are refused with a *ConditionError. A null Condition is none.
func (c *Conditions) UnmarshalJSON(b []byte) error {
	var ops map[string]json.RawMessage
	if err := unmarshalObject(b, &ops); err != nil {
		return &ConditionError{Found: err.Error()}
	}
	if ops == nil {
		*c = nil
		return nil
	}
	out := make(Conditions, len(ops))
	// Sorted, so that of several faults the same one is reported every time.
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		var keys map[string]json.RawMessage
		if err := unmarshalObject(ops[op], &keys); err != nil || keys == nil {
			found := "null"
			if err != nil {
				found = err.Error()
			}
			return &ConditionError{Operator: op, Found: found}
		}
		out[op] = make(map[string]Values, len(keys))
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			vs, found := conditionValues(keys[k])
			if found != "" {
				return &ConditionError{Operator: op, Key: k, Found: found}
			}
			out[op][k] = vs
		}
	}
	*c = out
	return nil
}

// ConditionError is a Condition element, operator or value of a
// hand-written policy that does not have the shape the policy grammar allows.
type ConditionError struct {
	Operator string // empty when the Condition element itself is at fault
	Key      string // empty when the operator's value is at fault
	Found    string // what stands there instead, such as "null" or "an object"
}

// Error says what stands in the Condition and what should.
func (e *ConditionError) Error() string {
	switch {
	case e.Operator == "":
		return fmt.Sprintf("Condition must be an object of condition operators, not %s", e.Found)
	case e.Key == "":
		return fmt.Sprintf("Condition operator %q must be an object of condition keys, not %s", e.Operator, e.Found)
	}
	return fmt.Sprintf("the value of condition key %q under %q must be a string, number or boolean, or a list of them, not %s", e.Key, e.Operator, e.Found)
}

// unmarshalObject reads a JSON object (or null, leaving m nil); anything
// else comes back as an error that names what it is.
func unmarshalObject(b []byte, m *map[string]json.RawMessage) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || (b[0] != '{' && string(b) != "null") {
		return errors.New(jsonKind(b))
	}
	return json.Unmarshal(b, m)
}

// conditionValues reads one condition value or a list of them; found
// describes what stands there when that is not a value.
func conditionValues(b []byte) (vs Values, found string) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, jsonKind(b)
		}
		vs = make(Values, 0, len(list))
		for _, item := range list {
			v, found := conditionValue(item)
			if found == "a list" {
				return nil, "a list inside a list"
			}
			if found != "" {
				return nil, found + " in a list"
			}
			vs = append(vs, v)
		}
		return vs, ""
	}
	v, found := conditionValue(b)
	if found != "" {
		return nil, found
	}
	return Values{v}, ""
}

// conditionValue reads a string, a number (its literal text) or a boolean.
func conditionValue(b []byte) (string, string) {
	b = bytes.TrimSpace(b)
	switch kind := jsonKind(b); kind {
	case "a string":
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", kind
		}
		return s, ""
	case "a number", "a boolean":
		return string(b), ""
	default:
		return "", kind
	}
}

// jsonKind names the kind of a JSON value by its first byte.
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch c := b[0]; {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "a list"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	}
	return "not JSON"
}

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
