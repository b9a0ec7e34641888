package diag

import (
	"slices"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestFromHCLRanges: ranges in HCL's own messages are written as
// file:line:col, as everywhere else in kpgen's diagnostics.
func TestFromHCLRanges(t *testing.T) {
	for in, want := range map[string]string{
		"The argument \"id\" was already set at main.kp.hcl:26,3-5.":        "The argument \"id\" was already set at main.kp.hcl:26:3.",
		"Block opened at spec/a b.kp.hcl:2,1-27,1 was never closed.":        "Block opened at spec/a b.kp.hcl:2:1 was never closed.",
		"Only one kpgen block is allowed in a spec (at main.kp.hcl:1,1-6).": "Only one kpgen block is allowed in a spec (at main.kp.hcl:1:1).",
		"A plain sentence: with a colon, 3,4 and 5-6, but no range.":        "A plain sentence: with a colon, 3,4 and 5-6, but no range.",
	} {
		ds := FromHCL(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "s", Detail: in}})
		if got := ds[0].Detail; got != want {
			t.Errorf("FromHCL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSortOrder: diagnostics are ordered by file, line, column (however
// long a line is), severity, rule, summary and detail, so that any order of
// finding them prints the same.
func TestSortOrder(t *testing.T) {
	at := func(file string, line, col int) hcl.Range {
		return hcl.Range{Filename: file, Start: hcl.Pos{Line: line, Column: col}}
	}
	want := Diagnostics{
		{Severity: Error, Summary: "no place"},
		New(Error, at("a.kp.hcl", 1, 3<<20), "far along line 1", ""),
		New(Error, at("a.kp.hcl", 2, 1), "line 2", ""),
		New(Error, at("a.kp.hcl", 2, 5), "error", ""),
		New(Warning, at("a.kp.hcl", 2, 5), "warning", ""),
		{Severity: Warning, Rule: "KP806", Summary: "s", Detail: "a", Subject: &hcl.Range{Filename: "b.kp.hcl", Start: hcl.Pos{Line: 1, Column: 1}}},
		{Severity: Warning, Rule: "KP806", Summary: "s", Detail: "b", Subject: &hcl.Range{Filename: "b.kp.hcl", Start: hcl.Pos{Line: 1, Column: 1}}},
		{Severity: Warning, Rule: "KP806", Summary: "t", Detail: "a", Subject: &hcl.Range{Filename: "b.kp.hcl", Start: hcl.Pos{Line: 1, Column: 1}}},
		{Severity: Warning, Rule: "KP807", Summary: "a", Detail: "a", Subject: &hcl.Range{Filename: "b.kp.hcl", Start: hcl.Pos{Line: 1, Column: 1}}},
	}
	for shift := range want {
		got := append(slices.Clone(want[shift:]), want[:shift]...)
		slices.Reverse(got)
		got.Sort()
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("rotation %d: position %d is %q (%s), want %q (%s)", shift, i, got[i].Summary, got[i].Detail, want[i].Summary, want[i].Detail)
			}
		}
	}
}
