package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
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

// instanceFindings gathers a finding that can hold for several instances of
// one key at one place (one per stage), so that it is reported once, naming
// every instance it holds for.
type instanceFindings struct {
	order []string
	found map[string]*instanceFinding
}

type instanceFinding struct {
	rng     hcl.Range
	summary string
	detail  func(ids []string) string
	ids     []string
}

// add records the finding for ki at rng; detail makes its text from the
// IDs of the instances it holds for, and is that of the first instance.
func (f *instanceFindings) add(rng hcl.Range, ki *model.KeyInstance, summary string, detail func(ids []string) string) {
	k := fmt.Sprintf("%s:%d:%d:%s:%s", rng.Filename, rng.Start.Line, rng.Start.Column, ki.Key.Name, summary)
	if f.found == nil {
		f.found = map[string]*instanceFinding{}
	}
	if fd := f.found[k]; fd != nil {
		if id := ki.ID(); !slices.Contains(fd.ids, id) {
			fd.ids = append(fd.ids, id)
		}
		return
	}
	f.order = append(f.order, k)
	f.found[k] = &instanceFinding{rng: rng, summary: summary, detail: detail, ids: []string{ki.ID()}}
}

// report reports each finding once, in the order first found.
func (f *instanceFindings) report(p *lint.Pass) {
	for _, k := range f.order {
		fd := f.found[k]
		p.Report(fd.rng, fd.summary, "%s", fd.detail(fd.ids))
	}
}

// joinAnd joins names as a list in prose: "a", "a and b", "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
