package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
)

// attrRange is where a finding about a key's attribute points: the attribute
// of an explicit key block, or the block (for a derived key, the first data
// block it protects) when the attribute was not written.
func attrRange(k *model.Key, attr string) hcl.Range {
	if k.Source != nil {
		return k.Source.AttrRange(attr)
	}
	return k.Range()
}

// keys lists every key of the model's applications.
func keys(m *model.Model) []*model.Key {
	var out []*model.Key
	for _, app := range m.Applications {
		out = append(out, app.Keys...)
	}
	return out
}

func keyName(k *model.Key) string {
	kind := "key"
	if k.Derived {
		kind = "derived key"
	}
	return fmt.Sprintf("%s %q of application %q", kind, k.Name, k.App.Name)
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func dataNames(ds []*model.Data) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func classNames(cs []*model.Classification) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func serviceNames(ss []*model.Service) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	slices.Sort(out)
	return out
}

// reportOnce keeps one finding per place and key.
type reportOnce map[string]bool

func (r reportOnce) first(rng hcl.Range, key string) bool {
	k := fmt.Sprintf("%s:%d:%d:%s", rng.Filename, rng.Start.Line, rng.Start.Column, key)
	if r[k] {
		return false
	}
	r[k] = true
	return true
}

// administeringTeam is the security team when the strategy makes it the
// administrator of keys it does not own (centralized, hybrid), and nil
// under decentralized, where it administers its own applications' keys
// only, like any team.
func administeringTeam(m *model.Model) *model.Team {
	if m.Organization.Strategy == model.Decentralized {
		return nil
	}
	return m.Organization.SecurityTeam
}

// teamAccounts gives, per team, the accounts where its applications have
// stages or keys. A relative principal of a team (role/NAME, sso:NAME)
// names a role in those accounts: two teams may both write role/Admin for
// the Admin role of each of their own accounts.
func teamAccounts(m *model.Model) map[*model.Team]map[string]bool {
	out := map[*model.Team]map[string]bool{}
	add := func(t *model.Team, account string) {
		if t == nil {
			return
		}
		if out[t] == nil {
			out[t] = map[string]bool{}
		}
		out[t][account] = true
	}
	for _, app := range m.Applications {
		for _, st := range app.Stages {
			if st.Account != nil {
				add(app.Team, st.Account.ID)
			}
		}
	}
	for _, ki := range m.Keys {
		add(ki.App.Team, ki.Account.ID)
	}
	return out
}

// principalElement is one of a statement's Principal and NotPrincipal
// elements, by name; principal is nil when the statement has none.
type principalElement struct {
	name      string
	principal *policy.Principal
}

func principalElements(s *policy.Statement) []principalElement {
	return []principalElement{{"Principal", s.Principal}, {"NotPrincipal", s.NotPrincipal}}
}
