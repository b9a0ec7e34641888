package rules

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
)

// TestIdentitySize: IAM's limits, to the character: 6,144 for a managed
// policy; a role may take up to 10,240 inline, a permission set more, an
// IAM user no more.
func TestIdentitySize(t *testing.T) {
	role := model.Principal{Kind: model.IAM, Ref: &model.PrincipalRef{Resource: "role/worker"}}
	user := model.Principal{Kind: model.IAM, Ref: &model.PrincipalRef{Resource: "user/alice"}}
	sso := model.Principal{Kind: model.IdentityCenter, Ref: &model.PrincipalRef{PermissionSet: "Readers"}}
	for _, c := range []struct {
		name   string
		p      model.Principal
		n      int
		over   bool
		inline string
	}{
		{"role at the managed limit", role, 6144, false, ""},
		{"role over it", role, 6145, true, "a role can take it inline"},
		{"role at the inline limit", role, 10240, true, "a role can take it inline"},
		{"role over both", role, 10241, true, "neither as a managed policy nor inline"},
		{"user over the managed limit", user, 6145, true, "neither as a managed policy nor inline"},
		{"permission set", sso, 20000, true, "permission set can take it as its inline policy"},
	} {
		over, inline := identitySize(c.p, c.n)
		if over != c.over || !strings.Contains(inline, c.inline) {
			t.Errorf("%s (%d): %v %q, want %v and %q", c.name, c.n, over, inline, c.over, c.inline)
		}
	}
}

func TestJoinAnd(t *testing.T) {
	for want, names := range map[string][]string{
		"":           nil,
		"a":          {"a"},
		"a and b":    {"a", "b"},
		"a, b and c": {"a", "b", "c"},
	} {
		if got := joinAnd(names); got != want {
			t.Errorf("joinAnd(%q) = %q, want %q", names, got, want)
		}
	}
}

// TestInstanceFindings: a finding at one place for one key names each
// instance once, in the order found, however often it is added; another
// place, key or summary is another finding.
func TestInstanceFindings(t *testing.T) {
	app := &model.Application{Name: "shop"}
	key, other := &model.Key{Name: "orders"}, &model.Key{Name: "other"}
	dev := &model.KeyInstance{Key: key, App: app, Stage: &model.Stage{Name: "dev"}}
	prod := &model.KeyInstance{Key: key, App: app, Stage: &model.Stage{Name: "prod"}}
	at := func(line int) hcl.Range {
		return hcl.Range{Filename: "a.kp.hcl", Start: hcl.Pos{Line: line, Column: 3}}
	}
	var f instanceFindings
	var got [][]string
	detail := func(ids []string) string { got = append(got, ids); return "" }
	f.add(at(4), dev, "S", detail)
	f.add(at(4), prod, "S", detail)
	f.add(at(4), dev, "S", detail)
	f.add(at(5), dev, "S", detail)
	f.add(at(4), &model.KeyInstance{Key: other, App: app, Stage: dev.Stage}, "S", detail)
	f.add(at(4), dev, "T", detail)
	if len(f.order) != 4 {
		t.Fatalf("%d findings, want 4", len(f.order))
	}
	for _, k := range f.order {
		f.found[k].detail(f.found[k].ids)
	}
	want := [][]string{{"shop/dev/orders", "shop/prod/orders"}, {"shop/dev/orders"}, {"shop/dev/other"}, {"shop/dev/orders"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("instances (-want +got):\n%s", diff)
	}
}

// TestReachers: the permission sets found through role names are exactly
// those that comparing every pair with grantReaches finds, on random names
// made of few parts so that they often hold one another.
func TestReachers(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	parts := []string{"Dev", "Ops", "Dev_Ops", "AWSReservedSSO", "x"}
	name := func() string {
		n := parts[rnd.IntN(len(parts))]
		for rnd.IntN(2) == 0 {
			n += "_" + parts[rnd.IntN(len(parts))]
		}
		return n
	}
	for range 200 {
		byKey := map[string]model.Principal{}
		var order []string
		for range 12 {
			account := []string{"111111111111", "222222222222"}[rnd.IntN(2)]
			var ref *model.PrincipalRef
			if rnd.IntN(2) == 0 {
				ref = &model.PrincipalRef{Kind: model.IdentityCenter, PermissionSet: name()}
			} else {
				ref = &model.PrincipalRef{Kind: model.IAM, Resource: "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_" + name() + "_0123abcd"}
			}
			p := ref.Bind("aws", account)
			if _, dup := byKey[p.Key()]; !dup {
				byKey[p.Key()] = p
				order = append(order, p.Key())
			}
		}
		want := map[string][]string{}
		for _, q := range order {
			for _, r := range order {
				if r != q && byKey[r].Kind == model.IdentityCenter && grantReaches(byKey[r], byKey[q]) {
					want[q] = append(want[q], r)
				}
			}
		}
		got := reachers(order, byKey)
		for _, q := range order {
			slices.Sort(want[q])
			g := slices.Sorted(slices.Values(got[q]))
			if !slices.Equal(g, want[q]) {
				t.Fatalf("reachers of %s: got %q, want %q", q, g, want[q])
			}
		}
	}
}

// TestRefusedAnywhere: the quick test finds a refused character wherever
// policyStrings lists one, and none in a document without.
func TestRefusedAnywhere(t *testing.T) {
	doc := func() *policy.Document {
		return &policy.Document{Version: "2012-10-17", ID: "id", Statement: []*policy.Statement{{
			Sid: "Use", Effect: "Allow", Action: policy.Values{"kms:Decrypt"}, NotAction: policy.Values{"kms:Sign"},
			Resource: policy.Values{"*"}, NotResource: policy.Values{"x"},
			Principal:    &policy.Principal{AWS: policy.Values{"arn:aws:iam::111111111111:root"}, Service: policy.Values{"s3.amazonaws.com"}, Federated: policy.Values{"f"}, CanonicalUser: policy.Values{"c"}},
			NotPrincipal: &policy.Principal{AWS: policy.Values{"arn:aws:iam::111111111111:role/a"}},
			Condition:    policy.Conditions{"StringEquals": {"kms:EncryptionContext:app": policy.Values{"shop"}}},
		}}}
	}
	if refusedAnywhere(doc()) {
		t.Fatal("a clean document is refused")
	}
	n := len(policyStrings(doc()))
	for i := range n {
		d := doc()
		// Put a euro sign into the i-th string, through the document.
		j := 0
		mark := func(s *string) {
			if j == i {
				*s += "€"
			}
			j++
		}
		mark(&d.Version)
		mark(&d.ID)
		st := d.Statement[0]
		mark(&st.Sid)
		mark(&st.Effect)
		for _, p := range []*policy.Principal{st.Principal, st.NotPrincipal} {
			for _, vs := range []policy.Values{p.AWS, p.Service, p.Federated, p.CanonicalUser} {
				for k := range vs {
					mark(&vs[k])
				}
			}
		}
		for _, vs := range []policy.Values{st.Action, st.NotAction, st.Resource, st.NotResource} {
			for k := range vs {
				mark(&vs[k])
			}
		}
		if i >= j { // a condition operator, key or value
			c := policy.Conditions{"StringEquals": {"kms:EncryptionContext:app": policy.Values{"shop"}}}
			switch i - j {
			case 0:
				c = policy.Conditions{"StringEquals€": c["StringEquals"]}
			case 1:
				c = policy.Conditions{"StringEquals": {"kms:EncryptionContext:app€": policy.Values{"shop"}}}
			case 2:
				c["StringEquals"]["kms:EncryptionContext:app"] = policy.Values{"shop€"}
			}
			st.Condition = c
		}
		found := slices.ContainsFunc(policyStrings(d), func(f policyString) bool { _, _, ok := refusedCharacter(f.text); return ok })
		if !found || !refusedAnywhere(d) {
			t.Errorf("string %d: policyStrings found it %v, refusedAnywhere %v", i, found, refusedAnywhere(d))
		}
	}
}
