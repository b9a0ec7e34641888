package rules

import (
	_ "embed"
	"fmt"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp811.md
var kp811Doc string

// KP811 refuses key policies with characters KMS does not accept in one.
var KP811 = &lint.Rule{
	ID:        "KP811",
	Name:      "policy-character",
	Principle: "Policy hygiene",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "a key policy holds a character KMS refuses in one: beyond U+00FF, or a control character below U+0020 other than tab, line feed and carriage return",
	Doc:       kp811Doc,
	// A generated policy is reported once per key, where the spec wrote
	// the text: an encryption context value, else the key.
	Check: func(p *lint.Pass) {
		done := map[*model.Key]bool{}
		for _, kp := range p.Policies {
			k := kp.Instance.Key
			if done[k] || !refusedAnywhere(kp.Document) {
				continue
			}
			for _, f := range policyStrings(kp.Document) {
				r, at, ok := refusedCharacter(f.text)
				if !ok {
					continue
				}
				done[k] = true
				rng, what := k.Range(), fmt.Sprintf("has %q in its key policy", f.text)
				if k.Source != nil {
					for _, kv := range k.Source.EncryptionContext {
						if kv.Value == f.text {
							rng, what = kv.Range, fmt.Sprintf("requires the encryption context %s = %q in its key policy", kv.Key, f.text)
							break
						}
					}
				}
				p.Report(rng, "Character a key policy cannot hold",
					"The %s %s, and the text holds %U %s. %s Write the text in those characters; an encryption context value that needs others can be required by the application rather than the key policy.",
					keyName(k), what, r, diag.Place(f.text[:at]), policyCharacters)
				break
			}
		}
	},
	Policy: func(p *lint.PolicyPass) {
		if p.Instance != nil {
			return // the Check above, located in the spec
		}
		for _, f := range policyStrings(p.Document) {
			if r, at, ok := refusedCharacter(f.text); ok {
				p.Report(f.stmt, f.field, "Character a key policy cannot hold",
					"%s holds %q with %U %s. %s Write the text in those characters.",
					f.where(p.Document), f.text, r, diag.Place(f.text[:at]), policyCharacters)
			}
		}
	},
}

const policyCharacters = "KMS accepts in a key policy only ASCII and Latin-1 characters (up to U+00FF), tab, line feed and carriage return, and refuses the policy, so the key is never created."

// refusedCharacter returns the first character of s that KMS refuses in a
// key policy, and its byte offset. The API takes tab, line feed, carriage
// return and U+0020 to U+00FF; its guide asks for the printable ones of
// these, and kpgen's spec language refuses the others in every string.
func refusedCharacter(s string) (rune, int, bool) {
	for i, r := range s {
		switch {
		case r == '\t', r == '\n', r == '\r', r >= 0x20 && r <= 0xff:
			continue
		}
		return r, i, true
	}
	return 0, 0, false
}

// refusedAnywhere reports whether any string of d holds a character KMS
// refuses, without making the list policyStrings makes: nearly every
// policy holds none, and a large spec has thousands.
func refusedAnywhere(d *policy.Document) bool {
	return !eachPolicyString(d, false, func(f policyString) bool {
		_, _, refused := refusedCharacter(f.text)
		return !refused
	})
}

// policyString is one string of a policy document: where it is (statement
// -1 for the document's own elements) and its text.
type policyString struct {
	stmt  int
	field string
	text  string
}

func (f policyString) where(d *policy.Document) string {
	if f.stmt < 0 {
		return "The policy's " + f.field
	}
	return fmt.Sprintf("Statement %s, in its %s,", sidOf(d.Statement[f.stmt], f.stmt), f.field)
}

// policyStrings lists every string of a document, in its order.
func policyStrings(d *policy.Document) []policyString {
	var out []policyString
	eachPolicyString(d, true, func(f policyString) bool {
		out = append(out, f)
		return true
	})
	return out
}

// eachPolicyString calls fn with every string of a document: element
// values, and the operators, keys and values of conditions; in the
// document's order, conditions sorted, when ordered. It stops when fn
// returns false, and reports whether it went through every string.
func eachPolicyString(d *policy.Document, ordered bool, fn func(policyString) bool) bool {
	visit := func(stmt int, field string, vs ...string) bool {
		for _, v := range vs {
			if !fn(policyString{stmt, field, v}) {
				return false
			}
		}
		return true
	}
	if !visit(-1, "Version", d.Version) || !visit(-1, "Id", d.ID) {
		return false
	}
	for i, s := range d.Statement {
		if !visit(i, "Sid", s.Sid) || !visit(i, "Effect", s.Effect) {
			return false
		}
		for _, e := range principalElements(s) {
			if p := e.principal; p != nil && (!visit(i, e.name, p.AWS...) || !visit(i, e.name, p.Service...) || !visit(i, e.name, p.Federated...) || !visit(i, e.name, p.CanonicalUser...)) {
				return false
			}
		}
		if !visit(i, "Action", s.Action...) || !visit(i, "NotAction", s.NotAction...) || !visit(i, "Resource", s.Resource...) || !visit(i, "NotResource", s.NotResource...) {
			return false
		}
		condition := func(op, k string) bool {
			return visit(i, "Condition", k) && visit(i, "Condition", s.Condition[op][k]...)
		}
		if ordered {
			for _, op := range s.Condition.Operators() {
				if !visit(i, "Condition", op) {
					return false
				}
				for _, k := range s.Condition.Keys(op) {
					if !condition(op, k) {
						return false
					}
				}
			}
			continue
		}
		for op, keys := range s.Condition {
			if !visit(i, "Condition", op) {
				return false
			}
			for k := range keys {
				if !condition(op, k) {
					return false
				}
			}
		}
	}
	return true
}
