package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp701.md
var kp701Doc string

// KP701 refuses a strategy without the team or account it needs.
var KP701 = &lint.Rule{
	ID:        "KP701",
	Name:      "strategy-incomplete",
	Principle: "Strategy",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "centralized or hybrid without a security_team; centralized without key_account",
	Doc:       kp701Doc,
	Check: func(p *lint.Pass) {
		org := p.Model.Organization
		if org.Strategy != model.Decentralized && org.SecurityTeam == nil && org.Source.SecurityTeam.Value == "" {
			p.Report(org.Source.AttrRange("strategy"), "Strategy needs a security team",
				"Under the %s strategy the security team administers every key, but the organization names no security_team. Add security_team = \"TEAM\" naming the team whose administrators govern the keys.", org.Strategy)
		}
		if org.Strategy == model.Centralized && org.KeyAccount == nil && org.Source.KeyAccount.Value == "" {
			p.Report(org.Source.AttrRange("strategy"), "Centralized strategy needs a key account",
				"Under the centralized strategy every key lives in one account, but the organization names no key_account. Add key_account = \"ACCOUNT\".")
		}
	},
}
