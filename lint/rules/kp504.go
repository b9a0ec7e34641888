package rules

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp504.md
var kp504Doc string

// KP504 refuses keys and replicas outside their data's residency.
var KP504 = &lint.Rule{
	ID:        "KP504",
	Name:      "data-residency",
	Principle: "Key types",
	Severity:  diag.Error,
	Summary:   "a key or replica region lies outside a protected classification's regions",
	Doc:       kp504Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			for _, c := range k.Classifications() {
				if len(c.Regions) == 0 {
					continue
				}
				for i, r := range k.Regions {
					if slices.Contains(c.Regions, r) {
						continue
					}
					what := "primary key"
					if i > 0 {
						what = "replica"
					}
					rng := attrRange(k, "regions")
					if k.Source != nil && i < len(k.Source.Regions) {
						rng = k.Source.Regions[i].Range
					}
					p.Report(rng, "Key outside the data's regions",
						"The %s has its %s in %s, but it protects %q data, which may only be kept in %s. Remove the region, or keep the data on a key of its own.", keyName(k), what, r, c.Name, strings.Join(c.Regions, ", "))
				}
			}
		}
	},
}
