package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp601.md
var kp601Doc string

// KP601 refuses a spec with more keys than its budget.
var KP601 = &lint.Rule{
	ID:        "KP601",
	Name:      "key-budget",
	Principle: "Cost",
	Severity:  diag.Error,
	Summary:   "the key count (multi-Region replicas included) exceeds budget.max_keys",
	Doc:       kp601Doc,
	Check: func(p *lint.Pass) {
		b := p.Model.Spec.Organization.Budget
		if b == nil || b.MaxKeys == nil {
			return
		}
		t := p.Model.Totals
		if n := t.Keys + t.Replicas; n > *b.MaxKeys {
			p.Report(b.AttrRange("max_keys"), "Key budget exceeded",
				"The spec makes %d keys (%d primaries and %d multi-Region replicas, each billed as a key), over the budget of %d. Run kpgen plan to see why each key exists; raise the budget if the keys are needed.",
				n, t.Keys, t.Replicas, *b.MaxKeys)
		}
	},
}
