// Package diag holds the one diagnostic type that every stage of kpgen reports:
// loading, schema validation, modelling, policy building and lint rules.
package diag

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// Severity says whether a diagnostic rejects the spec.
type Severity int

const (
	// Error rejects the spec: the command exits 1 and writes nothing.
	Error Severity = iota
	// Warning is reported; the command still succeeds.
	Warning
)

// String returns "error" or "warning", the words used in every output format.
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one finding, with the semantics of hcl.Diagnostic: Summary is a
// short phrase, Detail whole sentences that say how to fix it, Subject the exact
// range at fault. Rule is the lint rule ID, empty for parse, schema and
// reference errors.
type Diagnostic struct {
	Severity Severity
	Rule     string
	Summary  string
	Detail   string
	Subject  *hcl.Range
}

// Diagnostics is a list of findings in the order they were made.
type Diagnostics []*Diagnostic

// Errorf appends an error at rng (which may be the zero range when there is no
// location) and returns the grown list.
func (ds Diagnostics) Errorf(rng hcl.Range, summary, detailFormat string, args ...any) Diagnostics {
	return append(ds, New(Error, rng, summary, fmt.Sprintf(detailFormat, args...)))
}

// New makes a diagnostic; a zero rng means "no location".
func New(sev Severity, rng hcl.Range, summary, detail string) *Diagnostic {
	d := &Diagnostic{Severity: sev, Summary: summary, Detail: detail}
	if rng.Filename != "" {
		r := rng
		d.Subject = &r
	}
	return d
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Count returns the number of errors and warnings.
func (ds Diagnostics) Count() (errors, warnings int) {
	for _, d := range ds {
		if d.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// hclRange is a range as HCL writes it in a message ("main.kp.hcl:26,3-5",
// "main.kp.hcl:26,3-27,1"); kpgen says file:line:col everywhere.
var hclRange = regexp.MustCompile(`([^\s"(]+):(\d+),(\d+)-\d+(?:,\d+)?`)

// FromHCL converts diagnostics reported by the hcl packages.
func FromHCL(hds hcl.Diagnostics) Diagnostics {
	ds := make(Diagnostics, 0, len(hds))
	for _, hd := range hds {
		sev := Error
		if hd.Severity == hcl.DiagWarning {
			sev = Warning
		}
		d := &Diagnostic{Severity: sev, Summary: hd.Summary, Detail: hclRange.ReplaceAllString(hd.Detail, "$1:$2:$3")}
		if hd.Subject != nil {
			r := *hd.Subject
			d.Subject = &r
		}
		ds = append(ds, d)
	}
	return ds
}

// Sort orders diagnostics by file, position, severity, rule, summary and
// detail, so that every output format lists them the same way on every run,
// whatever order they were found in.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b *Diagnostic) int {
		if c := cmp.Compare(file(a), file(b)); c != 0 {
			return c
		}
		la, ca := position(a)
		lb, cb := position(b)
		if c := cmp.Compare(la, lb); c != 0 {
			return c
		}
		if c := cmp.Compare(ca, cb); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Severity, b.Severity); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Summary, b.Summary); c != 0 {
			return c
		}
		return cmp.Compare(a.Detail, b.Detail)
	})
}

func file(d *Diagnostic) string {
	if d.Subject == nil {
		return ""
	}
	return d.Subject.Filename
}

// position is where d starts, in lines and columns rather than bytes: ranges
// made from JSON pointers may carry no byte offset. A diagnostic of no
// place comes first.
func position(d *Diagnostic) (line, col int) {
	if d.Subject == nil {
		return -1, -1
	}
	return d.Subject.Start.Line, d.Subject.Start.Column
}

// Position is the position of byte offset off in src, columns counted in
// characters. An offset outside src is clamped to it.
func Position(src []byte, off int) hcl.Pos {
	off = max(0, min(off, len(src)))
	line, col := 1, 1
	for i := 0; i < off; {
		r, size := utf8.DecodeRune(src[i:])
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return hcl.Pos{Line: line, Column: col, Byte: off}
}

// Place says where in a string a character a message names stands: after
// which text (its last 20 characters), or at the start.
func Place(before string) string {
	if before == "" {
		return "at its start"
	}
	if runes := []rune(before); len(runes) > 20 {
		before = "…" + string(runes[len(runes)-20:])
	}
	return fmt.Sprintf("after %q", before)
}
