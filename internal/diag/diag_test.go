package diag

import (
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
