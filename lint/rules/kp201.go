package rules

import (
	_ "embed"
	"maps"
	"slices"
	"strings"

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
		// order; the first is where it belongs. Principals whose roles
		// meet count as one (roleGroups).
		apps := map[string][]string{}
		byKey := map[string]model.Principal{}
		var order []string
		byApp := map[*model.Application][]*model.KeyInstance{}
		for _, ki := range p.Model.Keys {
			byApp[ki.App] = append(byApp[ki.App], ki)
		}
		for _, app := range p.Model.Applications {
			for _, ki := range byApp[app] {
				for _, u := range ki.Users {
					if u.Kind == model.AWSService {
						continue
					}
					k := u.Key()
					if _, seen := byKey[k]; !seen {
						byKey[k] = u
						order = append(order, k)
					}
					if !slices.Contains(apps[k], app.Name) {
						apps[k] = append(apps[k], app.Name)
					}
				}
			}
		}
		groups := roleGroups(order, byKey)
		appOrder := map[string]int{}
		for i, app := range p.Model.Applications {
			appOrder[app.Name] = i
		}
		usedBy := map[string][]string{} // by a group's first member
		groupApps := func(k string) []string {
			if used, done := usedBy[groups[k][0]]; done {
				return used
			}
			var used []string
			for _, member := range groups[k] {
				for _, a := range apps[member] {
					if !slices.Contains(used, a) {
						used = append(used, a)
					}
				}
			}
			slices.SortFunc(used, func(a, b string) int { return appOrder[a] - appOrder[b] })
			usedBy[groups[k][0]] = used
			return used
		}
		once := reportOnce{}
		for _, ki := range p.Model.Keys {
			for _, u := range ki.Users {
				if u.Kind == model.AWSService {
					continue
				}
				used := groupApps(u.Key())
				if len(used) < 2 || used[0] == ki.App.Name || !once.first(u.Ref.Range, "") {
					continue
				}
				var others []string
				for _, member := range groups[u.Key()] {
					if member != u.Key() {
						others = append(others, byKey[member].String())
					}
				}
				if len(others) == 0 {
					p.Report(u.Ref.Range, "Principal shared between applications",
						"%s uses keys of the applications %s. Each application's keys are used by its own principals, so that a compromised role reaches one application's data only. Give application %q a role of its own.",
						u.String(), quoteAll(used), ki.App.Name)
					continue
				}
				p.Report(u.Ref.Range, "Principal shared between applications",
					"%s shares roles with %s, which together use keys of the applications %s: an Identity Center permission set is granted to every role whose name matches *AWSReservedSSO_NAME_*, and one of these patterns matches the other's roles. Each application's keys are used by its own principals, so that a compromised role reaches one application's data only. Give application %q a role of its own, or a permission set whose name no other's contains.",
					u.String(), joinAnd(others), quoteAll(used), ki.App.Name)
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

// roleGroups joins the principals, by key, whose roles meet: an Identity
// Center permission set's pattern matches the roles of another permission
// set, or an IAM role, of its account (grantReaches). It returns each
// principal's group, members in order.
func roleGroups(order []string, byKey map[string]model.Principal) map[string][]string {
	parent := map[string]string{}
	var find func(k string) string
	find = func(k string) string {
		if p, ok := parent[k]; ok && p != k {
			root := find(p)
			parent[k] = root
			return root
		}
		return k
	}
	// Only Identity Center roles can meet: a permission set's pattern
	// names roles whose name holds AWSReservedSSO_.
	byAccount := map[string][]string{}
	for _, k := range order {
		if p := byKey[k]; p.Kind == model.IdentityCenter || strings.Contains(p.ARN, "AWSReservedSSO_") {
			byAccount[p.Account] = append(byAccount[p.Account], k)
		}
	}
	for _, k := range order {
		pattern := byKey[k]
		if pattern.Kind != model.IdentityCenter {
			continue
		}
		for _, other := range byAccount[pattern.Account] {
			if other != k && grantReaches(pattern, byKey[other]) {
				parent[find(other)] = find(k)
			}
		}
	}
	members := map[string][]string{}
	for _, k := range order {
		root := find(k)
		members[root] = append(members[root], k)
	}
	groups := map[string][]string{}
	for _, k := range order {
		groups[k] = members[find(k)]
	}
	return groups
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
