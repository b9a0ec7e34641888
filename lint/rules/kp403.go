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
		// The teams of each administrator: a full ARN is one principal; a
		// principal written relative to the key's account (role/NAME,
		// sso:NAME) belongs, in an account, to the teams that write it and
		// have applications there (the security team has them everywhere),
		// so two teams that both write role/Admin do not share it where one
		// of them has nothing; to every team that writes it elsewhere.
		relative := map[string][]*model.Team{}
		absolute := map[string][]string{}
		for _, t := range p.Model.Teams {
			for _, ref := range t.Administrators {
				if ref.Kind == model.IAM && ref.Account != "" {
					arn := ref.Bind(p.Model.Organization.Partition, "").ARN
					absolute[arn] = appendTeam(absolute[arn], t.Name)
				} else {
					relative[ref.Text] = append(relative[ref.Text], t)
				}
			}
		}
		accounts := teamAccounts(p.Model)
		security := administeringTeam(p.Model)
		relativeIn := func(text, account string) []string {
			var here, all []string
			for _, t := range relative[text] {
				all = appendTeam(all, t.Name)
				if t == security || accounts[t][account] {
					here = appendTeam(here, t.Name)
				}
			}
			if len(here) > 0 {
				return here
			}
			return all
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
					found = append(found, relativeIn(a.Ref.Text, ki.Account.ID)...)
				case a.Account == ki.Account.ID:
					// A full ARN in the key's account is the role a
					// relative administrator names there.
					found = append(found, relativeIn(a.Ref.Resource, ki.Account.ID)...)
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
