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
	par.Each(len(chunks), func(i int) {
		c := chunks[i]
		c.out, c.diags = hclsyntax.ParseConfig(c.src, names[c.file], c.start)
	})

	files := make([]*hcl.File, len(srcs))
	diags := make([]hcl.Diagnostics, len(srcs))
	for i := range srcs {
		var mine []*chunk
		failed := false
		for _, c := range chunks {
			if c.file == i {
				mine = append(mine, c)
				failed = failed || c.diags.HasErrors()
			}
		}
		switch {
		case len(mine) == 1:
			files[i], diags[i] = mine[0].out, mine[0].diags
			if b, ok := files[i].Body.(*hclsyntax.Body); ok {
				files[i].Nav = blockNav(b.Blocks)
			}
		case failed:
			files[i], diags[i] = hclsyntax.ParseConfig(srcs[i], names[i], hcl.InitialPos)
		default:
			files[i], diags[i] = join(srcs[i], mine)
		}
	}
	return files, diags
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
// asks the piece holding an offset.
func join(src []byte, pieces []*chunk) (*hcl.File, hcl.Diagnostics) {
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	var diags hcl.Diagnostics
	for _, c := range pieces {
		b := c.out.Body.(*hclsyntax.Body)
		body.Blocks = append(body.Blocks, b.Blocks...)
		for name, attr := range b.Attributes {
			if prev, dup := body.Attributes[name]; dup {
				diags = diags.Append(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate argument",
					Detail:   "The argument \"" + name + "\" was already set at " + prev.NameRange.String() + ".",
					Subject:  &attr.NameRange,
				})
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
