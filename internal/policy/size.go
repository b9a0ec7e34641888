package policy

import (
	"unicode/utf8"
)

// compactSize is the size in bytes of the document as compact JSON, in the
// largest form an output submits and AWS's limit applies to: as
// encoding/json writes it with HTML escaping on, since Terraform's
// jsonencode writes <, > and & as \u003c, \u003e and \u0026. It is counted
// rather than encoded, since lint needs the size of every policy and
// nothing else; a test holds it to the encoder's output.
func (d *Document) compactSize() int {
	n := len(`{}`) + field("Version") + str(d.Version) + len(`,`) + field("Statement") + list(len(d.Statement))
	if d.Statement == nil {
		n += len(`null`) - len(`[]`)
	}
	if d.ID != "" {
		n += len(`,`) + field("Id") + str(d.ID)
	}
	for _, s := range d.Statement {
		n += s.compactSize()
	}
	return n
}

func (s *Statement) compactSize() int {
	n := len(`{}`) + field("Sid") + str(s.Sid) + len(`,`) + field("Effect") + str(s.Effect) +
		len(`,`) + field("Action") + s.Action.compactSize() + len(`,`) + field("Resource") + s.Resource.compactSize()
	if s.Principal != nil {
		n += len(`,`) + field("Principal") + s.Principal.compactSize()
	}
	if len(s.Condition) > 0 {
		n += len(`,`) + field("Condition") + len(`{}`) + max(len(s.Condition)-1, 0)
		for op, keys := range s.Condition {
			n += field(op) + len(`{}`) + max(len(keys)-1, 0)
			for k, v := range keys {
				n += field(k) + v.compactSize()
			}
		}
	}
	if s.NotPrincipal != nil {
		n += len(`,`) + field("NotPrincipal") + s.NotPrincipal.compactSize()
	}
	if len(s.NotAction) > 0 {
		n += len(`,`) + field("NotAction") + s.NotAction.compactSize()
	}
	if len(s.NotResource) > 0 {
		n += len(`,`) + field("NotResource") + s.NotResource.compactSize()
	}
	return n
}

func (p *Principal) compactSize() int {
	if p.All {
		return str("*")
	}
	n, fields := len(`{}`), 0
	for _, f := range []struct {
		name string
		v    Values
	}{{"AWS", p.AWS}, {"Service", p.Service}, {"Federated", p.Federated}} {
		if len(f.v) > 0 {
			n += field(f.name) + f.v.compactSize()
			fields++
		}
	}
	return n + max(fields-1, 0)
}

func (v Values) compactSize() int {
	switch {
	case len(v) == 1:
		return str(v[0])
	case v == nil:
		return len(`null`)
	}
	n := len(`[]`) + len(v) - 1
	if len(v) == 0 {
		n = len(`[]`)
	}
	for _, s := range v {
		n += str(s)
	}
	return n
}

// list is the size of the commas between n elements.
func list(n int) int { return max(n-1, 0) + len(`[]`) }

// field is the size of `"name":`.
func field(name string) int { return str(name) + len(`:`) }

// str is the size of a JSON string as encoding/json writes it: two quotes;
// \" \\ \b \f \n \r \t for those; \u00XX for other control characters and
// for <, > and &; \ufffd for each byte of invalid UTF-8; \u2028 and \u2029
// escaped; everything else as it is.
func str(s string) int {
	n := 2
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&':
				n++
			case b == '"' || b == '\\' || b == '\b' || b == '\f' || b == '\n' || b == '\r' || b == '\t':
				n += 2
			default:
				n += 6
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 6
		case r == '\u2028' || r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}
