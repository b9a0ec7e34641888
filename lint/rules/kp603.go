package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp603.md
var kp603Doc string

// KP603 warns about an explicit key that protects no data.
var KP603 = &lint.Rule{
	ID:        "KP603",
	Name:      "unused-key",
	Principle: "Cost",
	Severity:  diag.Warning,
	Summary:   "an explicit key protects no data",
	Doc:       kp603Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			if k.Derived || len(k.Protects) > 0 {
				continue
			}
			where := " in each stage"
			if k.SharedAcrossStages || len(k.App.Stages) == 1 {
				where = ""
			}
			p.Report(k.Source.NameRange, "Key protects no data",
				"No data of application %q names key %q, so it costs USD %.2f per month%s and no classification governs it. Point the data it is for at it (key = %q), or remove it.",
				k.App.Name, k.Name, model.Prices.Monthly(k), where, k.Name)
		}
	},
}
