package rules

import (
	"cmp"
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp205.md
var kp205Doc string

// KP205 refuses principals that cross between production and
// non-production stages.
var KP205 = &lint.Rule{
	ID:        "KP205",
	Name:      "production-boundary",
	Principle: "P2",
	Severity:  diag.Error,
	Summary:   "a production-like stage's key lists a principal from a non-production stage's account, or the reverse",
	Doc:       kp205Doc,
	Check: func(p *lint.Pass) {
		// Whether each account hosts production stages, non-production
		// stages, or both (then it says nothing).
		prod := map[string]map[bool]bool{}
		for _, app := range p.Model.Applications {
			for _, st := range app.Stages {
				if st.Account == nil {
					continue
				}
				if prod[st.Account.ID] == nil {
					prod[st.Account.ID] = map[bool]bool{}
				}
				prod[st.Account.ID][st.Production] = true
			}
		}
		// Under centralized and hybrid the security team administers keys
		// of every stage by design, and under centralized so does the
		// deployer of the key account, where every key lives. They are
		// compared as principals in the key's account, so that "role/X"
		// and its full ARN, written on a key, are one role.
		org := p.Model.Organization
		security := administeringTeam(p.Model)
		exempt := func(ki *model.KeyInstance) map[string]bool {
			out := map[string]bool{}
			if security != nil {
				for _, r := range security.Administrators {
					out[r.Bind(org.Partition, ki.Account.ID).Key()] = true
				}
			}
			if org.Strategy == model.Centralized {
				if d := cmp.Or(ki.Account.Deployer, org.Deployer); d != nil {
					out[d.Bind(org.Partition, ki.Account.ID).Key()] = true
				}
			}
			return out
		}
		// In an account that hosts both, a user named on keys of both
		// sides is one principal that may use production and
		// non-production keys alike: reported at the production key.
		bothSides := map[string]map[bool]*model.KeyInstance{}
		for _, ki := range p.Model.Keys {
			if len(stageKinds(ki)) == 2 {
				continue // reported below, at shared_across_stages
			}
			for _, u := range ki.Users {
				if u.Kind == model.AWSService || len(prod[u.Account]) != 2 {
					continue
				}
				if bothSides[u.Key()] == nil {
					bothSides[u.Key()] = map[bool]*model.KeyInstance{}
				}
				if bothSides[u.Key()][ki.Production()] == nil {
					bothSides[u.Key()][ki.Production()] = ki
				}
			}
		}
		once := reportOnce{}
		for _, ki := range p.Model.Keys {
			// A key shared by production and non-production stages
			// crosses the boundary by itself, whoever it names: one
			// finding, at the attribute that shares it. KP202 reports the
			// sharing; silencing it does not silence this.
			if kinds := stageKinds(ki); len(kinds) == 2 {
				p.Report(attrRange(ki.Key, "shared_across_stages"), "Key shared by production and non-production stages",
					"The %s serves the production stages %s and the non-production stages %s, so principals of both sides use one key. Production and non-production keys must not share principals. Remove shared_across_stages to get one key per stage.",
					keyName(ki.Key), quoteAll(kinds[true]), quoteAll(kinds[false]))
				continue
			}
			central := exempt(ki)
			want := ki.Production()
			// Everyone the policy names: users, operators and policy
			// administrators, whether the key lists them or the strategy
			// gives them (the owning team's, under decentralized).
			principals := append(append(append([]model.Principal{}, ki.Users...), ki.Operators...), ki.PolicyAdministrators...)
			for _, u := range ki.Users {
				other := bothSides[u.Key()][false]
				if !want || u.Kind == model.AWSService || other == nil || !once.first(u.Ref.Range, ki.Key.Name) {
					continue
				}
				p.Report(u.Ref.Range, "Principal crosses the production boundary",
					"%s uses %s, a key of a production stage, and %s, a key of a non-production stage: account %s hosts stages of both kinds, so one role uses the keys of both. Production and non-production keys must not share principals. Give production stages accounts of their own (KP203, KP208).",
					u.String(), ki.ID(), other.ID(), u.Account)
			}
			for _, u := range principals {
				kinds := prod[u.Account]
				if u.Kind == model.AWSService || central[u.Key()] || len(kinds) != 1 || kinds[want] || !once.first(u.Ref.Range, ki.Key.Name) {
					continue
				}
				p.Report(u.Ref.Range, "Principal crosses the production boundary",
					"%s belongs to account %s, which hosts only %s stages, but is named on %s, a key of a %s stage. Production and non-production keys must not share principals. Use a principal of the stage's own account.",
					u.String(), u.Account, stageKind(!want), ki.ID(), stageKind(want))
			}
		}
	},
}

func stageKind(production bool) string {
	if production {
		return "production"
	}
	return "non-production"
}

// stageKinds returns the names of ki's stages by whether they are
// production.
func stageKinds(ki *model.KeyInstance) map[bool][]string {
	out := map[bool][]string{}
	for _, st := range ki.Stages {
		out[st.Production] = append(out[st.Production], st.Name)
	}
	return out
}
