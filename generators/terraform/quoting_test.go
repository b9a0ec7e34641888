package terraform

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/kpgen/kpgen/internal/fixture"
)

// TestQuoting generates the modules of trickySpec, parses them with HCL's
// native syntax parser, evaluates each key's and replica's description,
// tags and policy (jsonencode from cty's standard library, as Terraform
// has it), and compares them with the original strings and the built
// policy documents.
func TestQuoting(t *testing.T) {
	m, pols := fixture.Build(t, fixture.TrickySpec())
	// The spec must hold the strings themselves, or the test proves nothing.
	for _, k := range m.Applications[0].Keys {
		var want string
		switch {
		case strings.HasPrefix(k.Name, "j"):
			want = fixture.Joined(fixture.Groups()[k.Name[1]-'0'])
		case strings.HasPrefix(k.Name, "d"):
			var i int
			if _, err := fmt.Sscanf(k.Name, "d%02d", &i); err != nil {
				t.Fatal(err)
			}
			want = fixture.Tricky[i]
		}
		if k.Description != want {
			t.Fatalf("key %s: the spec gives %q, want %q", k.Name, k.Description, want)
		}
	}

	// What each resource must evaluate to, by resource name.
	type expect struct {
		description string
		tags        map[string]string
		policy      any
	}
	want := map[string]expect{}
	for _, kp := range pols {
		ki := kp.Instance
		var doc any
		if err := json.Unmarshal(kp.JSON(), &doc); err != nil {
			t.Fatal(err)
		}
		e := expect{description: ki.Key.Description, tags: map[string]string{}, policy: doc}
		for _, kv := range ki.Tags() {
			e.tags[kv.Key] = kv.Value
		}
		name := identifier(ki.ID())
		want[name] = e
		for _, r := range ki.ReplicaRegions {
			want[name+"_"+providerAlias(r)] = e
		}
	}
	// The tags of j0 in the spec, checked apart from tags() itself.
	j0 := map[string]string{}
	for _, i := range fixture.Groups()[0] {
		j0[fmt.Sprintf("t%02d", i)] = fixture.Tricky[i]
		if fixture.Tricky[i] != "" {
			j0[fixture.Tricky[i]] = fmt.Sprintf("k%02d", i)
		}
	}
	for k, v := range j0 {
		if got := want["app_dev_j0"].tags[k]; got != v {
			t.Errorf("j0: tag %q = %q, want %q", k, got, v)
		}
	}

	ctx := &hcl.EvalContext{Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc}}
	got := map[string]bool{}
	for _, hfs := range parseModules(t, generate(t, m, pols)) {
		for _, hf := range hfs {
			for _, b := range hf.Body.(*hclsyntax.Body).Blocks {
				if b.Type != "resource" || b.Labels[0] == typeAlias {
					continue
				}
				name := b.Labels[1]
				e, ok := want[name]
				if !ok {
					t.Errorf("resource %s.%s is no key or replica of the spec", b.Labels[0], name)
					continue
				}
				got[name] = true
				val := func(attr string) cty.Value {
					a := b.Body.Attributes[attr]
					if a == nil {
						t.Fatalf("%s: no %s", name, attr)
					}
					v, diags := a.Expr.Value(ctx)
					if diags.HasErrors() {
						t.Fatalf("%s: %s: %s", name, attr, diags.Error())
					}
					return v
				}
				if d := val("description"); d.AsString() != e.description {
					t.Errorf("%s: description = %q, want %q", name, d.AsString(), e.description)
				}
				tagVals := map[string]string{}
				for k, v := range val("tags").AsValueMap() {
					tagVals[k] = v.AsString()
				}
				if diff := cmp.Diff(e.tags, tagVals); diff != "" {
					t.Errorf("%s: tags (-want +got):\n%s", name, diff)
				}
				var doc any
				if err := json.Unmarshal([]byte(val("policy").AsString()), &doc); err != nil {
					t.Fatalf("%s: policy: %v", name, err)
				}
				if diff := cmp.Diff(e.policy, doc); diff != "" {
					t.Errorf("%s: policy (-want +got):\n%s", name, diff)
				}
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d keys and replicas evaluated, want %d", len(got), len(want))
	}
}

// TestEscaping shows the literal of each tricky string as it is written,
// and that it evaluates back to the string: in particular that ${ and %{
// are written $${ and %%{.
func TestEscaping(t *testing.T) {
	for _, s := range fixture.Tricky {
		lit := string(hclwriteString(s))
		expr, diags := hclsyntax.ParseExpression([]byte(lit), "t.tf", hcl.InitialPos)
		if diags.HasErrors() {
			t.Errorf("%q written as %s does not parse: %s", s, lit, diags.Error())
			continue
		}
		v, diags := expr.Value(nil)
		if diags.HasErrors() || v.AsString() != s {
			t.Errorf("%q written as %s evaluates to %#v (%s)", s, lit, v, diags.Error())
		}
		if strings.Contains(s, "${") && !strings.Contains(lit, "$${") || strings.Contains(s, "%{") && !strings.Contains(lit, "%%{") {
			t.Errorf("%q written as %s: template introducer not escaped", s, lit)
		}
	}
}

func hclwriteString(s string) []byte {
	return hclwrite.TokensForValue(cty.StringVal(s)).Bytes()
}
