package rules

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp301.md
var kp301Doc string

// KP301 warns when a key joins data sets that share no service.
var KP301 = &lint.Rule{
	ID:        "KP301",
	Name:      "unrelated-data",
	Principle: "P3",
	Severity:  diag.Warning,
	Summary:   "one key protects different data sets that use disjoint sets of services (consider per-service keys)",
	Doc:       kp301Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			if k.Derived || len(k.Protects) < 2 {
				continue
			}
			groups := serviceGroups(k.Protects)
			if len(groups) < 2 {
				continue
			}
			var parts []string
			for _, g := range groups {
				parts = append(parts, quoteAll(dataNames(g)))
			}
			p.Report(k.Range(), "Key joins unrelated data",
				"The %s protects data that falls into %d groups sharing no service: %s. Different kinds of data in different services are better kept under separate keys, for finer access control. Give each group a key of its own, or suppress this with the reason they belong together.",
				keyName(k), len(groups), strings.Join(parts, "; "))
		}
	},
}

// serviceGroups splits data sets into groups connected by shared services.
func serviceGroups(ds []*model.Data) [][]*model.Data {
	var groups [][]*model.Data
	for _, d := range ds {
		var joined []*model.Data
		var rest [][]*model.Data
		for _, g := range groups {
			if slices.ContainsFunc(g, func(o *model.Data) bool { return shareService(o, d) }) {
				joined = append(joined, g...)
			} else {
				rest = append(rest, g)
			}
		}
		groups = append(rest, append(joined, d))
	}
	return groups
}

func shareService(a, b *model.Data) bool {
	return slices.ContainsFunc(a.Services, func(s *model.Service) bool { return slices.Contains(b.Services, s) })
}
