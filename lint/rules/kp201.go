package rules

import (
	_ "embed"
	"maps"
	"slices"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp201.md
var kp201Doc string

// KP201 refuses principals shared between applications.
var KP201 = &lint.Rule{
	ID:        "KP201",
	Name:      "cross-application-principal",
	Principle: "P2",
	Severity:  diag.Error,
	Summary:   "one principal uses keys of more than one application, or a key's administrators are another application's owning team",
	Doc:       kp201Doc,
	Check: func(p *lint.Pass) {
		// Users: the applications each principal uses keys of, in spec
		// order; the first is where it belongs.
		apps := map[string][]string{}
		byApp := map[*model.Application][]*model.KeyInstance{}
		for _, ki := range p.Model.Keys {
			byApp[ki.App] = append(byApp[ki.App], ki)
		}
		for _, app := range p.Model.Applications {
			for _, ki := range byApp[app] {
				for _, u := range ki.Users {
					if u.Kind != model.AWSService && !slices.Contains(apps[u.Key()], app.Name) {
						apps[u.Key()] = append(apps[u.Key()], app.Name)
					}
				}
			}
		}
		once := reportOnce{}
		for _, ki := range p.Model.Keys {
			for _, u := range ki.Users {
				used := apps[u.Key()]
				if len(used) < 2 || used[0] == ki.App.Name || !once.first(u.Ref.Range, "") {
					continue
				}
				p.Report(u.Ref.Range, "Principal shared between applications",
					"%s uses keys of the applications %s. Each application's keys are used by its own principals, so that a compromised role reaches one application's data only. Give application %q a role of its own.",
					u.String(), quoteAll(used), ki.App.Name)
			}
		}
		// Administrators: an explicit list on the key, or the owning
		// team's administrators the strategy makes administrators
		// (decentralized) or operators (hybrid) of its keys, naming an
		// administrator of another application's owning team. They are
		// compared as principals in the key's account ("role/X" and its
		// full ARN are one role). Under centralized and hybrid the
		// security team administers every application's keys by design.
		org := p.Model.Organization
		security := administeringTeam(p.Model)
		admins := indexAdministrators(p.Model)
		firstApp := map[*model.Team]*model.Application{}
		for _, app := range p.Model.Applications {
			if app.Team != nil && firstApp[app.Team] == nil {
				firstApp[app.Team] = app
			}
		}
		for _, ki := range p.Model.Keys {
			own := ki.App.Team
			var listed, inherited []*model.PrincipalRef
			if ki.Key.AdministratorsSet {
				listed = ki.Key.Administrators
			} else if org.Strategy == model.Decentralized && own != nil {
				inherited = own.Administrators
			}
			if org.Strategy == model.Hybrid && own != nil && own != security {
				inherited = append(inherited, own.Administrators...)
			}
			for _, ref := range append(listed, inherited...) {
				for _, t := range admins.teams(ref.Bind(org.Partition, ki.Account.ID).Key(), ki.Account.ID) {
					other := firstApp[t]
					if other == nil || t == own || (security != nil && t == security) || !once.first(ref.Range, t.Name) {
						continue
					}
					if slices.Contains(listed, ref) {
						p.Report(ref.Range, "Administrator from another application's team",
							"%q administers the %s but belongs to team %q, which owns application %q. Keys of one application are administered by its own team (or the security team), never by the team of another application. Name an administrator of team %q instead.",
							ref.Text, keyName(ki.Key), t.Name, other.Name, own.Name)
					} else {
						in := ""
						if ref.Kind == model.IAM && ref.Account == "" || ref.Kind == model.IdentityCenter {
							in = " in account " + ki.Account.ID // relative: what it names there
						}
						p.Report(ref.Range, "Administrator shared between teams",
							"%q administers the keys of application %q as an administrator of team %q, and is also an administrator of team %q%s, which owns application %q. Keys of one application are administered by its own team (or the security team), never by the team of another application. Give each team administrators of its own.",
							ref.Text, ki.App.Name, own.Name, t.Name, in, other.Name)
					}
				}
			}
		}
	},
}

// adminIndex holds every team's administrators by the principal each
// names, in spec order of the teams: an administrator written as a full ARN
// in every account; one written relative to an account (role/NAME,
// sso:NAME) only in the accounts where its team has applications, so that
// two teams that each call their own role "role/KeyAdmin" share nothing.
type adminIndex map[string][]adminEntry

type adminEntry struct {
	team    *model.Team
	account string // "" for every account
}

func indexAdministrators(m *model.Model) adminIndex {
	partition := m.Organization.Partition
	accounts := teamAccounts(m)
	idx := adminIndex{}
	for _, t := range m.Teams {
		for _, a := range t.Administrators {
			if a.Kind == model.IAM && a.Account != "" {
				k := a.Bind(partition, a.Account).Key()
				idx[k] = append(idx[k], adminEntry{team: t})
				continue
			}
			for _, account := range slices.Sorted(maps.Keys(accounts[t])) {
				k := a.Bind(partition, account).Key()
				idx[k] = append(idx[k], adminEntry{team: t, account: account})
			}
		}
	}
	return idx
}

// teams are the teams one of whose administrators, in account, is the
// principal whose key is mine.
func (idx adminIndex) teams(mine, account string) []*model.Team {
	var out []*model.Team
	for _, e := range idx[mine] {
		if (e.account == "" || e.account == account) && !slices.Contains(out, e.team) {
			out = append(out, e.team)
		}
	}
	return out
}
