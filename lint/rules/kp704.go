package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp704.md
var kp704Doc string

// KP704 warns about an organization setting its strategy does not use.
var KP704 = &lint.Rule{
	ID:        "KP704",
	Name:      "setting-without-effect",
	Principle: "Strategy",
	Severity:  diag.Warning,
	Summary:   "security_team under decentralized, or key_account under decentralized or hybrid, has no effect",
	Doc:       kp704Doc,
	Check: func(p *lint.Pass) {
		org := p.Model.Organization
		if org.Source == nil {
			return
		}
		if org.SecurityTeam != nil && org.Strategy == model.Decentralized {
			p.Report(org.Source.AttrRange("security_team"), "Setting without effect",
				"security_team = %q has no effect under strategy %q: each owning team administers its own applications' keys, so team %q administers only the keys of applications it owns. Remove security_team, or choose hybrid (the security team administers, owning teams operate) or centralized if it should administer every key.",
				org.SecurityTeam.Name, org.Strategy, org.SecurityTeam.Name)
		}
		if org.KeyAccount != nil && org.Strategy != model.Centralized {
			p.Report(org.Source.AttrRange("key_account"), "Setting without effect",
				"key_account = %q has no effect under strategy %q: each key lives in the account of its stage. Remove key_account, or choose centralized if every key should live in it.",
				org.KeyAccount.Name, org.Strategy)
		}
	},
}
