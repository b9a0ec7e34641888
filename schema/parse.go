package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/kpgen/kpgen/internal/par"
)

// chunkSize is about the size of the pieces a file is parsed in, split
// between top-level blocks. HCL's scanner keeps every token of what it
// scans in one growing slice; small pieces keep those slices small, and
// parse in about 60% of the time one large piece takes, even on one CPU.
// Tests set it to compare pieces with a whole file.
var chunkSize = 2 << 10

// chunk is a piece of a file that starts at the beginning of a line.
type chunk struct {
	file  int // index of the file
	start hcl.Pos
	src   []byte
	out   *hcl.File
	diags hcl.Diagnostics
}

// parseFiles parses the files in parallel: every file, and a large file in
// pieces split where a top-level block begins. A piece split in the wrong
// place (inside a heredoc or a comment, say) leaves the piece before it
// unterminated, which is a syntax error; a file with any error is parsed
// again whole, so that its diagnostics are exactly HCL's.
func parseFiles(names []string, srcs [][]byte) ([]*hcl.File, []hcl.Diagnostics) {
	var chunks []*chunk
	for i, src := range srcs {
		chunks = append(chunks, split(i, src)...)
	}
	deep := make([]hcl.Diagnostics, len(chunks))
	par.Each(len(chunks), func(i int) {
		c := chunks[i]
		if deep[i] = tooDeep(c.src, names[c.file], c.start); deep[i] != nil {
			return
		}
		c.out, c.diags = hclsyntax.ParseConfig(c.src, names[c.file], c.start)
	})

	files := make([]*hcl.File, len(srcs))
	diags := make([]hcl.Diagnostics, len(srcs))
	for i := range srcs {
		var mine []*chunk
		failed := false
		for j, c := range chunks {
			if c.file == i {
				mine = append(mine, c)
				failed = failed || c.diags.HasErrors()
				diags[i] = append(diags[i], deep[j]...)
			}
		}
		switch {
		case diags[i] != nil:
			// Not parsed: HCL's parser could run out of stack.
			files[i] = &hcl.File{Bytes: srcs[i]}
		case len(mine) == 1:
			files[i], diags[i] = mine[0].out, mine[0].diags
			if b, ok := files[i].Body.(*hclsyntax.Body); ok {
				files[i].Nav = blockNav(b.Blocks)
			}
		default:
			if !failed {
				if files[i], diags[i] = join(srcs[i], mine); files[i] != nil {
					continue
				}
			}
			files[i], diags[i] = parseWhole(names[i], srcs[i])
		}
	}
	return files, diags
}

// parseWhole parses a file in one piece, for HCL's own diagnostics of it.
func parseWhole(name string, src []byte) (*hcl.File, hcl.Diagnostics) {
	// Pieces too small to check can nest deeply together.
	if deep := tooDeep(src, name, hcl.InitialPos); deep != nil {
		return &hcl.File{Bytes: src}, deep
	}
	return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
}

// maxNesting is how deeply brackets, quotes and templates may nest in a
// spec, and how many operators a large piece may hold. kpgen's values are
// literals nested a few levels at most, but HCL's parser recurses for each
// level, and a few thousand levels overflow the stack, which is a crash no
// recover can catch.
const maxNesting = 64

// deepCheckSize is the size of a piece over which tooDeep lexes it: a
// smaller piece cannot nest deeply enough to threaten the stack, and lexing
// every piece would cost a quarter of the parse.
const deepCheckSize = 4 << 10

// tooDeep reports where src nests more than maxNesting levels deep, holds
// more than maxNesting operators that HCL parses by recursion, or holds a
// list or map of more than MaxValues comma-separated values, in a piece of
// over deepCheckSize bytes. HCL's lexer, unlike its parser, does not
// recurse.
func tooDeep(src []byte, filename string, start hcl.Pos) hcl.Diagnostics {
	if len(src) <= deepCheckSize {
		return nil
	}
	tokens, _ := hclsyntax.LexConfig(src, filename, start)
	depth, ops := 0, 0
	// commas counts the commas of each open list, map or parenthesis, so
	// that a list of more than MaxValues values is refused before HCL
	// builds a syntax tree of it, which takes far more memory than its
	// tokens. next marks the token after a list's MaxValues-th comma.
	var commas []int
	next := false
	for _, t := range tokens {
		if next && t.Type != hclsyntax.TokenNewline {
			next = false
			switch t.Type {
			case hclsyntax.TokenCBrack, hclsyntax.TokenCBrace, hclsyntax.TokenCParen:
			default:
				rng := t.Range
				return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Too many values", Detail: tooManyDetail, Subject: &rng}}
			}
		}
		switch t.Type {
		case hclsyntax.TokenOBrack, hclsyntax.TokenOBrace, hclsyntax.TokenOParen:
			commas = append(commas, 0)
		case hclsyntax.TokenCBrack, hclsyntax.TokenCBrace, hclsyntax.TokenCParen:
			if len(commas) > 0 {
				commas = commas[:len(commas)-1]
			}
		case hclsyntax.TokenComma:
			if n := len(commas); n > 0 {
				commas[n-1]++
				next = commas[n-1] == MaxValues
			}
		}
		switch t.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenOQuote,
			hclsyntax.TokenOHeredoc, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			depth++
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCQuote,
			hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			depth = max(0, depth-1)
		case hclsyntax.TokenQuestion, hclsyntax.TokenBang, hclsyntax.TokenMinus:
			ops++
		}
		if depth > maxNesting || ops > maxNesting {
			rng := t.Range
			d := &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value nested too deeply",
				Detail:   fmt.Sprintf("kpgen values are literals: strings, numbers, booleans, and lists and maps of them, nested a few levels at most. This file nests brackets, quotes or templates more than %d deep here. Write the value as a literal.", maxNesting),
				Subject:  &rng,
			}
			if ops > maxNesting {
				d.Summary = "Too many operators"
				d.Detail = fmt.Sprintf("kpgen values are literals, and kpgen evaluates no operators, but this part of the file holds more than %d (-, !, ?), the last here. Write the values as literals.", maxNesting)
			}
			return hcl.Diagnostics{d}
		}
	}
	return nil
}

// split cuts a file into pieces of about chunkSize bytes, at lines that
// start with a letter: where a top-level block can begin.
func split(file int, src []byte) []*chunk {
	if len(src) < 2*chunkSize {
		return []*chunk{{file: file, start: hcl.InitialPos, src: src}}
	}
	var out []*chunk
	start, startLine, line := 0, 1, 1
	next := chunkSize
	for i, c := range src {
		if c != '\n' {
			continue
		}
		line++
		at := i + 1
		if at >= next && at < len(src) && isLetter(src[at]) {
			out = append(out, &chunk{file: file, start: hcl.Pos{Line: startLine, Column: 1, Byte: start}, src: src[start:at]})
			start, startLine = at, line
			next = at + chunkSize
		}
	}
	return append(out, &chunk{file: file, start: hcl.Pos{Line: startLine, Column: 1, Byte: start}, src: src[start:]})
}

func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// join makes one file of pieces parsed apart: their top-level blocks and
// attributes in one body, the whole text for snippets, and a navigator that
// asks the piece holding an offset. It returns a nil file when two pieces
// set one argument, an error HCL reports only of the file parsed whole.
func join(src []byte, pieces []*chunk) (*hcl.File, hcl.Diagnostics) {
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	var diags hcl.Diagnostics
	for _, c := range pieces {
		b := c.out.Body.(*hclsyntax.Body)
		body.Blocks = append(body.Blocks, b.Blocks...)
		for name, attr := range b.Attributes {
			if _, dup := body.Attributes[name]; dup {
				return nil, nil
			}
			body.Attributes[name] = attr
		}
		diags = append(diags, c.diags...)
	}
	first, last := pieces[0].out.Body.(*hclsyntax.Body), pieces[len(pieces)-1].out.Body.(*hclsyntax.Body)
	body.SrcRange = hcl.RangeBetween(first.SrcRange, last.SrcRange)
	body.EndRange = last.EndRange
	return &hcl.File{Body: body, Bytes: src, Nav: blockNav(body.Blocks)}, diags
}

// blockNav answers hcled's question, which top-level block holds an
// offset, by binary search over the blocks in source order: a spec of
// thousands of blocks with thousands of findings would make the linear
// search of HCL's own navigator the slowest part of printing them.
type blockNav []*hclsyntax.Block

// ContextString names the block at offset as HCL's navigator does: its type
// and its labels, quoted.
func (n blockNav) ContextString(offset int) string {
	i := sort.Search(len(n), func(i int) bool { return n[i].Range().End.Byte > offset })
	if i >= len(n) || !n[i].Range().ContainsOffset(offset) {
		return ""
	}
	b := n[i]
	var sb strings.Builder
	sb.WriteString(b.Type)
	for _, l := range b.Labels {
		fmt.Fprintf(&sb, " %q", l)
	}
	return sb.String()
}
