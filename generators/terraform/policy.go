package terraform

import (
	"regexp"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/kpgen/kpgen/internal/policy"
)

// writer builds the tokens of one file. It keeps the tokens of every string
// it has escaped, since a policy names the same actions and principals many
// times: hclwrite's escaping is exact (quotes, backslashes, control
// characters and the template introducers ${ and %{), and not cheap.
type writer struct {
	strs map[string]hclwrite.Tokens
}

func newWriter() *writer { return &writer{strs: map[string]hclwrite.Tokens{}} }

// str returns the tokens of a quoted string literal.
func (w *writer) str(s string) hclwrite.Tokens {
	toks, ok := w.strs[s]
	if !ok {
		toks = hclwrite.TokensForValue(cty.StringVal(s))
		w.strs[s] = toks
	}
	// The file's formatter sets the spacing of each token, so each use gets
	// tokens of its own.
	out := make(hclwrite.Tokens, len(toks))
	for i, t := range toks {
		out[i] = &hclwrite.Token{Type: t.Type, Bytes: t.Bytes}
	}
	return out
}

// attr is one attribute of an object expression.
type attr struct {
	name  string
	value hclwrite.Tokens
}

// object writes an object expression with one attribute per line. Keys
// that are not plain identifiers, such as "kms:ViaService", are quoted;
// so are keywords: "for" would start a for expression, true, false and null
// are values. Spacing is left to the file's formatter.
func (w *writer) object(attrs []attr) hclwrite.Tokens {
	toks := hclwrite.Tokens{tok(hclsyntax.TokenOBrace, "{")}
	if len(attrs) > 0 {
		toks = append(toks, tok(hclsyntax.TokenNewline, "\n"))
	}
	for _, a := range attrs {
		if bareKey.MatchString(a.name) && !keywords[a.name] {
			toks = append(toks, tok(hclsyntax.TokenIdent, a.name))
		} else {
			toks = append(toks, w.str(a.name)...)
		}
		toks = append(toks, tok(hclsyntax.TokenEqual, "="))
		toks = append(toks, a.value...)
		toks = append(toks, tok(hclsyntax.TokenNewline, "\n"))
	}
	return append(toks, tok(hclsyntax.TokenCBrace, "}"))
}

// values writes a policy value list as JSON has it: one value as a string,
// several as a list, one per line, which reads and diffs better than one
// long line.
func (w *writer) values(vs policy.Values) hclwrite.Tokens {
	if len(vs) == 1 {
		return w.str(vs[0])
	}
	toks := hclwrite.Tokens{tok(hclsyntax.TokenOBrack, "[")}
	if len(vs) > 0 {
		toks = append(toks, tok(hclsyntax.TokenNewline, "\n"))
	}
	for _, v := range vs {
		toks = append(toks, w.str(v)...)
		toks = append(toks, tok(hclsyntax.TokenComma, ","), tok(hclsyntax.TokenNewline, "\n"))
	}
	return append(toks, tok(hclsyntax.TokenCBrack, "]"))
}

// document writes a key policy as the argument of jsonencode, with the keys
// in the order of its JSON (policy.Document's), so that the module carries
// the document kpgen built.
func (w *writer) document(d *policy.Document) hclwrite.Tokens {
	top := []attr{{"Version", w.str(d.Version)}}
	if d.ID != "" {
		top = append(top, attr{"Id", w.str(d.ID)})
	}
	var stmts hclwrite.Tokens
	stmts = append(stmts, tok(hclsyntax.TokenOBrack, "["), tok(hclsyntax.TokenNewline, "\n"))
	for _, s := range d.Statement {
		stmts = append(stmts, w.statement(s)...)
		stmts = append(stmts, tok(hclsyntax.TokenComma, ","), tok(hclsyntax.TokenNewline, "\n"))
	}
	stmts = append(stmts, tok(hclsyntax.TokenCBrack, "]"))
	return w.object(append(top, attr{"Statement", stmts}))
}

func (w *writer) statement(s *policy.Statement) hclwrite.Tokens {
	attrs := []attr{{"Sid", w.str(s.Sid)}, {"Effect", w.str(s.Effect)}}
	if s.Principal != nil {
		attrs = append(attrs, attr{"Principal", w.principal(s.Principal)})
	}
	attrs = append(attrs, attr{"Action", w.values(s.Action)}, attr{"Resource", w.values(s.Resource)})
	if len(s.Condition) > 0 {
		var ops []attr
		for _, op := range s.Condition.Operators() {
			var keys []attr
			for _, k := range s.Condition.Keys(op) {
				keys = append(keys, attr{k, w.values(s.Condition[op][k])})
			}
			ops = append(ops, attr{op, w.object(keys)})
		}
		attrs = append(attrs, attr{"Condition", w.object(ops)})
	}
	if s.NotPrincipal != nil {
		attrs = append(attrs, attr{"NotPrincipal", w.principal(s.NotPrincipal)})
	}
	if len(s.NotAction) > 0 {
		attrs = append(attrs, attr{"NotAction", w.values(s.NotAction)})
	}
	if len(s.NotResource) > 0 {
		attrs = append(attrs, attr{"NotResource", w.values(s.NotResource)})
	}
	return w.object(attrs)
}

func (w *writer) principal(p *policy.Principal) hclwrite.Tokens {
	if p.All {
		return w.str("*")
	}
	var attrs []attr
	if len(p.AWS) > 0 {
		attrs = append(attrs, attr{"AWS", w.values(p.AWS)})
	}
	if len(p.Service) > 0 {
		attrs = append(attrs, attr{"Service", w.values(p.Service)})
	}
	if len(p.Federated) > 0 {
		attrs = append(attrs, attr{"Federated", w.values(p.Federated)})
	}
	return w.object(attrs)
}

func tok(t hclsyntax.TokenType, s string) *hclwrite.Token {
	return &hclwrite.Token{Type: t, Bytes: []byte(s)}
}

// bareKey matches the object keys written without quotes.
var bareKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

var keywords = map[string]bool{"for": true, "in": true, "if": true, "true": true, "false": true, "null": true}
