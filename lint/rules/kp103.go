package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp103.md
var kp103Doc string

// KP103 warns about a classification no data uses.
var KP103 = &lint.Rule{
	ID:        "KP103",
	Name:      "unused-classification",
	Principle: "P1",
	Severity:  diag.Warning,
	Summary:   "a classification is declared but no data uses it",
	Doc:       kp103Doc,
	Check: func(p *lint.Pass) {
		used := map[string]bool{}
		for _, app := range p.Model.Applications {
			for _, d := range app.Data {
				used[d.Classification.Name] = true
			}
		}
		for _, c := range p.Model.Classifications {
			if !used[c.Name] {
				p.Report(c.Source.NameRange, "Unused classification",
					"No data of the spec has classification %q. Remove the classification, or classify the data it was meant for; an unused level suggests data that was left out of the spec.", c.Name)
			}
		}
	},
}
