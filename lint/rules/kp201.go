package rules

import (
	_ "embed"
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
		// Administrators: an explicit list naming another application's
		// owning team.
		for _, app := range p.Model.Applications {
			for _, k := range app.Keys {
				if !k.AdministratorsSet {
					continue
				}
				for _, ref := range k.Administrators {
					for _, other := range p.Model.Applications {
						if other == app || other.Team == nil || other.Team == app.Team || !teamHas(other.Team, ref) {
							continue
						}
						if once.first(ref.Range, other.Team.Name) {
							p.Report(ref.Range, "Administrator from another application's team",
								"%q administers the %s but belongs to team %q, which owns application %q. Keys of one application are administered by its own team (or the security team), never by the team of another application. Name an administrator of team %q instead.",
								ref.Text, keyName(k), other.Team.Name, other.Name, app.Team.Name)
						}
					}
				}
			}
		}
	},
}

func teamHas(t *model.Team, ref *model.PrincipalRef) bool {
	for _, a := range t.Administrators {
		if a.Text == ref.Text {
			return true
		}
	}
	return false
}
