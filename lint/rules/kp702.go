package rules

import (
	_ "embed"
	"slices"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp702.md
var kp702Doc string

// KP702 warns when a decentralized organization is centralized in practice.
var KP702 = &lint.Rule{
	ID:        "KP702",
	Name:      "hidden-central-team",
	Principle: "Strategy",
	Severity:  diag.Warning,
	Summary:   "decentralized, but one team administers the keys of several applications owned by other teams",
	Doc:       kp702Doc,
	Check: func(p *lint.Pass) {
		if p.Model.Organization.Strategy != model.Decentralized {
			return
		}
		accounts := teamAccounts(p.Model)
		for _, t := range p.Model.Teams {
			var apps []string
			for _, ki := range p.Model.Keys {
				if ki.App.Team == t || slices.Contains(apps, ki.App.Name) {
					continue
				}
				for _, ref := range t.Administrators {
					// A relative principal that the owning team writes
					// too is, in its own account, the owning team's.
					if ref.Account == "" && !accounts[t][ki.Account.ID] && ki.App.Team != nil && teamWrites(ki.App.Team, ref.Text) {
						continue
					}
					mine := ref.Bind(p.Model.Organization.Partition, ki.Account.ID).Key()
					if slices.ContainsFunc(ki.PolicyAdministrators, func(a model.Principal) bool { return a.Key() == mine }) {
						apps = append(apps, ki.App.Name)
						break
					}
				}
			}
			if len(apps) >= 2 {
				p.Report(t.Source.NameRange, "Central team in a decentralized organization",
					"Team %q administers keys of the applications %s, which other teams own. That is the centralized or hybrid strategy in practice, without its checks. Choose hybrid with %q as security_team, or let each owning team administer its keys.",
					t.Name, quoteAll(apps), t.Name)
			}
		}
	},
}

// teamWrites reports whether a team's administrators include text.
func teamWrites(t *model.Team, text string) bool {
	return slices.ContainsFunc(t.Administrators, func(r *model.PrincipalRef) bool { return r.Text == text })
}
