package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp503.md
var kp503Doc string

// KP503 warns about a short deletion window on production keys.
var KP503 = &lint.Rule{
	ID:        "KP503",
	Name:      "short-deletion-window",
	Principle: "Key types",
	Severity:  diag.Warning,
	Summary:   "deletion_window_days < 30 on a production-like stage",
	Doc:       kp503Doc,
	Check: func(p *lint.Pass) {
		once := map[*model.Key]bool{}
		for _, ki := range p.Model.Keys {
			k := ki.Key
			if k.DeletionWindowDays >= 30 || !ki.Production() || once[k] {
				continue
			}
			once[k] = true
			p.Report(attrRange(k, "deletion_window_days"), "Short deletion window in production",
				"%s serves a production stage and would be deleted %d days after a deletion is scheduled. A deleted key makes its data unrecoverable; 30 days gives the most time to notice a mistake. Set deletion_window_days = 30 (the default).", ki.ID(), k.DeletionWindowDays)
		}
	},
}
