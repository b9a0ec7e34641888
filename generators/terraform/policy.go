package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// policyTokens writes a policy document's JSON as an HCL expression for
// jsonencode, keeping the order of its keys: the module carries the
// document kpgen built, never a copy rebuilt by hand. Every string goes
// through hclwrite, which escapes quotes, backslashes, control characters
// and the template introducers ${ and %{.
func policyTokens(data []byte) (hclwrite.Tokens, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	toks, err := valueTokens(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the policy document")
	}
	return toks, nil
}

func valueTokens(dec *json.Decoder) (hclwrite.Tokens, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			var attrs []hclwrite.ObjectAttrTokens
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := valueTokens(dec)
				if err != nil {
					return nil, err
				}
				attrs = append(attrs, hclwrite.ObjectAttrTokens{Name: keyTokens(k.(string)), Value: v})
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return hclwrite.TokensForObject(attrs), nil
		case '[':
			var elems []hclwrite.Tokens
			for dec.More() {
				v, err := valueTokens(dec)
				if err != nil {
					return nil, err
				}
				elems = append(elems, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return listTokens(elems), nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case string:
		return hclwrite.TokensForValue(cty.StringVal(t)), nil
	case bool:
		return hclwrite.TokensForValue(cty.BoolVal(t)), nil
	case json.Number:
		n, err := cty.ParseNumberVal(t.String())
		if err != nil {
			return nil, err
		}
		return hclwrite.TokensForValue(n), nil
	case nil:
		return hclwrite.TokensForValue(cty.NullVal(cty.DynamicPseudoType)), nil
	}
	return nil, fmt.Errorf("unexpected %v", tok)
}

// bareKey matches the object keys written without quotes. Others, such as
// "kms:ViaService", are quoted. Keywords are quoted too: "for" would start
// a for expression, true, false and null are values.
var bareKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func keyTokens(k string) hclwrite.Tokens {
	if bareKey.MatchString(k) && !keywords[k] {
		return hclwrite.TokensForIdentifier(k)
	}
	return hclwrite.TokensForValue(cty.StringVal(k))
}

var keywords = map[string]bool{"for": true, "in": true, "if": true, "true": true, "false": true, "null": true}

// listTokens writes a list of two or more values one per line, which
// reads and diffs better than the single line of hclwrite.TokensForTuple.
func listTokens(elems []hclwrite.Tokens) hclwrite.Tokens {
	if len(elems) < 2 {
		return hclwrite.TokensForTuple(elems)
	}
	toks := hclwrite.Tokens{
		{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")},
		{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")},
	}
	for _, e := range elems {
		toks = append(toks, e...)
		toks = append(toks,
			&hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")},
			&hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
}
