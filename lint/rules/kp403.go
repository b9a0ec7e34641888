package rules

import (
	_ "embed"
	"slices"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp403.md
var kp403Doc string

// KP403 warns when a key's administrators come from several teams.
var KP403 = &lint.Rule{
	ID:        "KP403",
	Name:      "admins-from-several-teams",
	Principle: "P4",
	Severity:  diag.Warning,
	Summary:   "one key's administrators come from more than one team",
	Doc:       kp403Doc,
	Check: func(p *lint.Pass) {
		once := map[*model.Key]bool{}
		for _, ki := range p.Model.Keys {
			if once[ki.Key] {
				continue
			}
			var teams []string
			for _, a := range ki.PolicyAdministrators {
				for _, t := range p.Model.Teams {
					for _, ref := range t.Administrators {
						if ref.Bind(p.Model.Organization.Partition, ki.Account.ID).Key() == a.Key() && !slices.Contains(teams, t.Name) {
							teams = append(teams, t.Name)
						}
					}
				}
			}
			if len(teams) > 1 {
				once[ki.Key] = true
				p.Report(attrRange(ki.Key, "administrators"), "Administrators from several teams",
					"The administrators of the %s belong to the teams %s. A key administered by several teams has no single owner accountable for it. Name the administrators of one team.", keyName(ki.Key), quoteAll(teams))
			}
		}
	},
}
