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
		sharedUsers(p)
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
		once := reportOnce{}
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

// sharedUsers reports users whose roles use keys of more than one
// application: a principal named on keys of two, or one whose roles an
// Identity Center pattern named on another application's keys reaches
// (reachers). Each is reported in every application but the first, in spec
// order, that its roles use keys of.
func sharedUsers(p *lint.Pass) {
	// The applications each principal uses keys of, in spec order; the
	// first is where it belongs.
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
	reach := reachers(order, byKey)
	appOrder := map[string]int{}
	for i, app := range p.Model.Applications {
		appOrder[app.Name] = i
	}
	// roleApps: the applications whose keys the roles of a principal
	// use, through it or through a principal that reaches them.
	roleAppsOf := map[string][]string{}
	roleApps := func(k string) []string {
		if used, done := roleAppsOf[k]; done {
			return used
		}
		used := slices.Clone(apps[k])
		for _, r := range reach[k] {
			for _, a := range apps[r] {
				if !slices.Contains(used, a) {
					used = append(used, a)
				}
			}
		}
		slices.SortFunc(used, func(a, b string) int { return appOrder[a] - appOrder[b] })
		roleAppsOf[k] = used
		return used
	}
	// reached: the principals whose roles a principal's grants reach,
	// besides its own.
	reached := map[string][]string{}
	for _, q := range order {
		for _, r := range reach[q] {
			reached[r] = append(reached[r], q)
		}
	}
	once := reportOnce{}
	for _, ki := range p.Model.Keys {
		app := ki.App.Name
		other := func(a string) bool { return a != app }
		for _, u := range ki.Users {
			if u.Kind == model.AWSService {
				continue
			}
			k := u.Key()
			var used, meet []string
			for _, q := range append([]string{k}, reached[k]...) {
				ra := roleApps(q)
				if !slices.ContainsFunc(ra, other) {
					continue
				}
				for _, a := range ra {
					if !slices.Contains(used, a) {
						used = append(used, a)
					}
				}
				for _, r := range append([]string{q}, reach[q]...) {
					if name := byKey[r].String(); r != k && slices.ContainsFunc(roleApps(r), other) && !slices.Contains(meet, name) {
						meet = append(meet, name)
					}
				}
			}
			slices.SortFunc(used, func(a, b string) int { return appOrder[a] - appOrder[b] })
			if len(used) < 2 || used[0] == app || !once.first(u.Ref.Range, "") {
				continue
			}
			if len(meet) == 0 {
				p.Report(u.Ref.Range, "Principal shared between applications",
					"%s uses keys of the applications %s. Each application's keys are used by its own principals, so that a compromised role reaches one application's data only. Give application %q a role of its own.",
					u.String(), quoteAll(used), app)
				continue
			}
			p.Report(u.Ref.Range, "Principal shared between applications",
				"%s and %s name some of the same roles (Identity Center grants a permission set to every role of its account whose name matches *AWSReservedSSO_NAME_*), so those roles use keys of the applications %s. Each application's keys are used by its own principals, so that a compromised role reaches one application's data only. Give application %q a role of its own, or a permission set whose name no other's contains.",
				u.String(), joinAnd(meet), quoteAll(used), app)
		}
	}
}

// reachers returns, by principal key, the other principals among order
// whose grants reach its roles: the Identity Center permission sets of its
// account whose pattern, *AWSReservedSSO_NAME_*, matches them (grantReaches).
// They are found through the names the roles hold, not by comparing every
// pair: a permission set's roles are named AWSReservedSSO_NAME_SUFFIX, and a
// pattern matches them when its name, between "AWSReservedSSO_" and "_",
// stands in theirs.
func reachers(order []string, byKey map[string]model.Principal) map[string][]string {
	const marker = "AWSReservedSSO_"
	type set struct{ account, name string }
	sets := map[set][]string{}
	for _, k := range order {
		if p := byKey[k]; p.Kind == model.IdentityCenter {
			id := set{p.Account, p.Ref.PermissionSet}
			sets[id] = append(sets[id], k)
		}
	}
	out := map[string][]string{}
	for _, k := range order {
		q := byKey[k]
		name := q.ARN
		if q.Kind == model.IdentityCenter {
			name = marker + q.Ref.PermissionSet + "_"
		}
		for i := strings.Index(name, marker); i >= 0; {
			rest := name[i+len(marker):]
			for j := range len(rest) {
				if rest[j] != '_' {
					continue
				}
				for _, r := range sets[set{q.Account, rest[:j]}] {
					if r != k && !slices.Contains(out[k], r) && grantReaches(byKey[r], q) {
						out[k] = append(out[k], r)
					}
				}
			}
			next := strings.Index(rest, marker)
			if next < 0 {
				break
			}
			i += len(marker) + next
		}
	}
	return out
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
