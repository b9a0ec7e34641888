package rules

import (
	_ "embed"
	"slices"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

func appendTeam(teams []string, t string) []string {
	if slices.Contains(teams, t) {
		return teams
	}
	return append(teams, t)
}

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
		// The teams of each administrator: a principal written relative to
		// the key's account (role/NAME, sso:NAME) is the same principal in
		// every account; a full ARN is one principal.
		relative := map[string][]string{}
		absolute := map[string][]string{}
		for _, t := range p.Model.Teams {
			for _, ref := range t.Administrators {
				if ref.Kind == model.IAM && ref.Account != "" {
					arn := ref.Bind(p.Model.Organization.Partition, "").ARN
					absolute[arn] = appendTeam(absolute[arn], t.Name)
				} else {
					relative[ref.Text] = appendTeam(relative[ref.Text], t.Name)
				}
			}
		}
		once := map[*model.Key]bool{}
		for _, ki := range p.Model.Keys {
			if once[ki.Key] {
				continue
			}
			var teams []string
			for _, a := range ki.PolicyAdministrators {
				found := absolute[a.ARN]
				switch {
				case a.Ref.Account == "":
					found = append(found, relative[a.Ref.Text]...)
				case a.Account == ki.Account.ID:
					// A full ARN in the key's account is the role a
					// relative administrator names there.
					found = append(found, relative[a.Ref.Resource]...)
				}
				for _, t := range found {
					teams = appendTeam(teams, t)
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
