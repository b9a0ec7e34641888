package rules

import (
	_ "embed"
	"fmt"
	"slices"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
	"github.com/kpgen/kpgen/schema"
)

//go:embed kp703.md
var kp703Doc string

// KP703 warns about a region kpgen does not know: most likely a misspelling.
var KP703 = &lint.Rule{
	ID:        "KP703",
	Name:      "unknown-region",
	Principle: "Strategy",
	Severity:  diag.Warning,
	Summary:   "a region is not one kpgen knows in the organization's partition (a misspelling, or a region opened after this release)",
	Doc:       kp703Doc,
	Check: func(p *lint.Pass) {
		spec := p.Model.Spec
		part := spec.Organization.Partition
		known := model.Regions[part]
		check := func(rs []schema.String) {
			for _, r := range rs {
				if slices.Contains(known, r.Value) {
					continue
				}
				detail := fmt.Sprintf("%q is not a region of partition %q that this kpgen knows, so the outputs would name a region that may not exist.", r.Value, part)
				if sug := schema.DidYouMean(r.Value, known); sug != "" {
					detail += fmt.Sprintf(" Did you mean %q?", sug)
				}
				p.Report(r.Range, "Unknown region", "%s If AWS opened it after this kpgen was released, silence this rule with lint_ignore = { KP703 = \"REASON\" } on the block that lists it.", detail)
			}
		}
		// A key's regions are organization regions, checked there.
		check(spec.Organization.Regions)
		for _, c := range spec.Classifications {
			check(c.Regions)
		}
	},
}
