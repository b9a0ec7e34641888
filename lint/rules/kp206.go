package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp206.md
var kp206Doc string

// KP206 warns about two account blocks for one AWS account.
var KP206 = &lint.Rule{
	ID:        "KP206",
	Name:      "duplicate-account-id",
	Principle: "P2",
	Severity:  diag.Warning,
	Summary:   "two account blocks name the same AWS account id",
	Doc:       kp206Doc,
	Check: func(p *lint.Pass) {
		first := map[string]string{}
		for _, a := range p.Model.Accounts {
			if prev, ok := first[a.ID]; ok {
				p.Report(a.Source.AttrRange("id"), "Two names for one account",
					"Accounts %q and %q both have id %s, so stages that look separate share one account. Declare each AWS account once and use its name everywhere.", prev, a.Name, a.ID)
				continue
			}
			first[a.ID] = a.Name
		}
	},
}
