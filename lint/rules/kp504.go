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
					if k.Source == nil || !k.Source.Has("regions") {
						// The region came from the organization: none of
						// its regions is one the data allows.
						org := p.Model.Organization.Regions
						if !slices.ContainsFunc(org, func(r string) bool { return slices.Contains(c.Regions, r) }) {
							p.Report(rng, "Key outside the data's regions",
								"The %s names no regions, so it is kept in %s, the organization's first region; but %q data may only be kept in %s, which organization.regions (%s) does not list. Add a region of the data to organization.regions: a key that names no regions is kept in the first one its data allows.",
								keyName(k), r, c.Name, strings.Join(c.Regions, ", "), strings.Join(org, ", "))
						} else {
							p.Report(rng, "Key outside the data's regions",
								"The %s names no regions, and no region of organization.regions is one where all its data may be kept, so it is kept in %s; but %q data may only be kept in %s. Keep the data of each classification on a key of its own.",
								keyName(k), r, c.Name, strings.Join(c.Regions, ", "))
						}
						continue
					}
					p.Report(rng, "Key outside the data's regions",
						"The %s has its %s in %s, but it protects %q data, which may only be kept in %s. Remove the region, or keep the data on a key of its own.", keyName(k), what, r, c.Name, strings.Join(c.Regions, ", "))
				}
			}
		}
	},
}
