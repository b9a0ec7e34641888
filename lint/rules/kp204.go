package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp204.md
var kp204Doc string

// KP204 warns about cross-account use outside the centralized strategy.
var KP204 = &lint.Rule{
	ID:        "KP204",
	Name:      "cross-account-use",
	Principle: "P2",
	Severity:  diag.Warning,
	Summary:   "a key is used cross-account outside the centralized strategy",
	Doc:       kp204Doc,
	Check: func(p *lint.Pass) {
		if p.Model.Organization.Strategy == model.Centralized {
			return
		}
		once := reportOnce{}
		for _, ki := range p.Model.Keys {
			for _, u := range ki.Users {
				if u.Kind == model.AWSService || u.Account == ki.Account.ID || !once.first(u.Ref.Range, ki.Key.Name) {
					continue
				}
				p.Report(u.Ref.Range, "Key used from another account",
					"%s, in account %s, uses %s, which lives in account %s (%s). Under the %s strategy keys are used in their own account; cross-account use also needs an identity policy in the caller's account. Use a role of account %s, or move the data.",
					u.String(), u.Account, ki.ID(), ki.Account.ID, ki.Account.Name, p.Model.Organization.Strategy, ki.Account.ID)
			}
		}
	},
}
