package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp604.md
var kp604Doc string

// maxKeysPerStage is where one application's keys become hard to manage.
const maxKeysPerStage = 10

// KP604 warns about an application with many keys per stage.
var KP604 = &lint.Rule{
	ID:        "KP604",
	Name:      "too-many-keys",
	Principle: "Cost",
	Severity:  diag.Warning,
	Summary:   "an application holds more than 10 keys per stage (manageability)",
	Doc:       kp604Doc,
	Check: func(p *lint.Pass) {
		for _, app := range p.Model.Applications {
			if n := len(app.Keys); n > maxKeysPerStage {
				p.Report(app.Source.NameRange, "Many keys in one application",
					"Application %q has %d keys in each stage. More keys mean more policies to write, review and audit; more than %d per stage suggests data split finer than its classification and kind require. Check kpgen plan for keys that could be merged.",
					app.Name, n, maxKeysPerStage)
			}
		}
	},
}
