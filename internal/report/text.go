// Package report renders diagnostics and the key inventory: text for people,
// JSON for programs, SARIF for code scanning and workflow commands for GitHub.
package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"

	"github.com/kpgen/kpgen/internal/diag"
)

// Sources are the files diagnostics point into, by name, for snippets. A
// file that is not HCL (a JSON policy) has only its Bytes set.
type Sources map[string]*hcl.File

// Text writes diagnostics in the style of HCL's own: severity and summary
// (with the rule ID), the location, the source line with the span marked,
// and the detail. With color, severities are coloured and the span is
// highlighted.
func Text(w io.Writer, ds diag.Diagnostics, src Sources, color bool) error {
	var out, one bytes.Buffer
	lines := map[string][]int{}
	for _, d := range ds {
		one.Reset()
		writeText(&one, d, src, lines)
		if color {
			out.WriteString(colouriseDiagnostic(one.String()))
		} else {
			out.Write(one.Bytes())
		}
	}
	_, err := w.Write(out.Bytes())
	return err
}

// lineStarts returns the byte offset at which each line of text starts.
func lineStarts(text []byte) []int {
	starts := []int{0}
	for i, c := range text {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func writeText(w *bytes.Buffer, d *diag.Diagnostic, src Sources, lines map[string][]int) {
	sev := "Error"
	if d.Severity == diag.Warning {
		sev = "Warning"
	}
	rule := ""
	if d.Rule != "" {
		rule = " [" + d.Rule + "]"
	}
	fmt.Fprintf(w, "%s: %s%s\n\n", sev, printable(d.Summary), rule)
	if s := d.Subject; s != nil {
		f := src[s.Filename]
		context := ""
		if f != nil {
			if c := hcled.ContextString(f, s.Start.Byte); c != "" {
				context = ", in " + c
			}
		}
		fmt.Fprintf(w, "  on %s:%d:%d%s:\n", printable(s.Filename), s.Start.Line, s.Start.Column, printable(context))
		if f != nil {
			starts, ok := lines[s.Filename]
			if !ok {
				starts = lineStarts(f.Bytes)
				lines[s.Filename] = starts
			}
			snippet(w, f.Bytes, starts, *s)
		}
		w.WriteByte('\n')
	}
	if d.Detail != "" {
		w.WriteString(printable(d.Detail))
		w.WriteString("\n\n")
	}
}

// maxSnippetWidth is how many characters of a source line a snippet shows.
const maxSnippetWidth = 160

// snippet prints the source lines of rng, each numbered, with a line of
// carets under the span; starts holds the offsets of the text's lines.
func snippet(w *bytes.Buffer, text []byte, starts []int, rng hcl.Range) {
	endLine := max(rng.End.Line, rng.Start.Line)
	if endLine > rng.Start.Line+2 {
		endLine = rng.Start.Line + 2 // a block's range: its first lines say enough
	}
	for n := max(rng.Start.Line, 1); n <= endLine && n <= len(starts); n++ {
		end := len(text)
		if n < len(starts) {
			end = starts[n] - 1
		}
		raw := []rune(strings.ReplaceAll(strings.TrimSuffix(string(text[starts[n-1]:end]), "\r"), "\t", " "))
		from, to := 1, len(raw)+1
		if n == rng.Start.Line {
			from = rng.Start.Column
		}
		if n == rng.End.Line {
			to = rng.End.Column
		}
		if to <= from {
			to = from + 1
		}
		// A long line is shown as a window of it around the span's start.
		lo, hi := 0, len(raw)
		if len(raw) > maxSnippetWidth {
			lo = max(0, min(from-1-maxSnippetWidth/4, len(raw)-maxSnippetWidth))
			hi = lo + maxSnippetWidth
		}
		// shown[i] is where the window's character i shows: a control
		// character takes the width of its escape.
		window := raw[lo:hi]
		shown := make([]int, len(window)+1)
		var b strings.Builder
		for i, r := range window {
			c := printable(string(r))
			b.WriteString(c)
			shown[i+1] = shown[i] + utf8.RuneCountInString(c)
		}
		line := b.String()
		at := func(c int) int { return shown[min(max(c-1-lo, 0), len(window))] + 1 }
		from, to = at(from), at(to)
		if lo > 0 {
			line = "…" + line
			from, to = from+1, to+1
		}
		if hi < len(raw) {
			line += "…"
		}
		to = min(to, utf8.RuneCountInString(line)+1)
		if to <= from {
			to = from + 1
		}
		prefix := fmt.Sprintf("%4d: ", n)
		fmt.Fprintf(w, "%s%s\n", prefix, line)
		fmt.Fprintln(w, strings.Repeat(" ", len(prefix)+from-1)+strings.Repeat("^", to-from))
	}
}

// printable escapes, in text meant for a terminal or a CI log, what could
// act rather than show: C0 and C1 control characters (escape sequences,
// carriage returns and line feeds that would start a line of their own, such
// as a "::" workflow command), DEL, and the Unicode line and paragraph
// separators. Each becomes \xNN or \uNNNN.
func printable(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			// A byte that is no UTF-8 (0x9b is a C1 control to a
			// terminal that reads Latin-1).
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case !isControl(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
		i += size
	}
	return b.String()
}

// Printable is s with every control character escaped, line feeds and tabs
// too: for what must stay on one line, such as a path in a message.
func Printable(s string) string { return printable(s) }

// PrintableText is text of many lines, such as a diff of files that someone
// else wrote, made printable line by line as printable makes a string, but
// for the tabs and the line feeds that end its lines.
func PrintableText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && isControl(r) }) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		parts := strings.Split(l, "\t")
		for j, p := range parts {
			parts[j] = printable(p)
		}
		lines[i] = strings.Join(parts, "\t")
	}
	return strings.Join(lines, "\n")
}

// isControl reports the characters kpgen never prints as they are: C0 and
// C1 controls, the Unicode line and paragraph separators, and the
// bidirectional formatting characters, which can make a line read in
// another order than it is written.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0x2028 || r == 0x2029 ||
		r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}
