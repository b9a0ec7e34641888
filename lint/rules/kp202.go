package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp202.md
var kp202Doc string

// KP202 refuses a key shared across stages.
var KP202 = &lint.Rule{
	ID:        "KP202",
	Name:      "shared-across-stages",
	Principle: "P2",
	Severity:  diag.Error,
	Summary:   "shared_across_stages = true: one key serves several stages",
	Doc:       kp202Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			if !k.SharedAcrossStages || len(k.App.Stages) < 2 {
				continue
			}
			p.Report(attrRange(k, "shared_across_stages"), "Key shared across stages",
				"The %s serves all %d stages of the application, so development and production data share a key and whoever may use it in one stage may use it in every stage. Remove shared_across_stages to get one key per stage.",
				keyName(k), len(k.App.Stages))
		}
	},
}
