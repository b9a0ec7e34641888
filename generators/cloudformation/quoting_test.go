package cloudformation

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/kpgen/kpgen/internal/fixture"
)

// wantTags are the spec tags of a key jN, sorted by key.
func wantTags(idx []int) [][2]string {
	var out [][2]string
	for _, i := range idx {
		s := fixture.Tricky[i]
		out = append(out, [2]string{fmt.Sprintf("t%02d", i), s})
		if s != "" {
			out = append(out, [2]string{s, fmt.Sprintf("k%02d", i)})
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

var plainInt = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

// TestQuoting generates the templates of trickySpec and proves that every
// string comes back unchanged, in YAML (also under YAML 1.1 rules: every
// plain scalar is one that YAML 1.1 reads as the same string, or a boolean
// or integer kpgen meant) and in JSON.
func TestQuoting(t *testing.T) {
	m, pols := fixture.Build(t, fixture.TrickySpec())
	// The spec must hold the strings themselves, or the test proves nothing.
	for _, k := range m.Applications[0].Keys {
		if k.Name == "j0" && k.Description != fixture.Joined(fixture.Groups()[0]) {
			t.Fatalf("the spec does not carry the tricky strings: %q", k.Description)
		}
	}
	for _, format := range []string{FormatYAML, FormatJSON} {
		files := generate(t, m, pols, format)
		quoted := map[string]bool{}
		// keys jN and their replicas, by logical id and stack
		carriers := map[string]map[string]any{}
		descriptions := map[string]string{}
		for _, f := range files {
			if format == FormatYAML {
				var doc yaml.Node
				if err := yaml.Unmarshal(f.Content(), &doc); err != nil {
					t.Fatalf("%s: %v", f.Path, err)
				}
				walkScalars(&doc, func(n *yaml.Node) {
					switch {
					case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
						quoted[n.Value] = true
					case n.Style != 0:
						t.Errorf("%s line %d: scalar %q in style %v", f.Path, n.Line, n.Value, n.Style)
					case plainSafe(n.Value), n.Value == "true", n.Value == "false", plainInt.MatchString(n.Value):
					default:
						t.Errorf("%s line %d: plain scalar %q, which a YAML 1.1 reader may misread", f.Path, n.Line, n.Value)
					}
				})
			}
			for id, r := range resources(readTemplate(t, f)) {
				props, _ := r["Properties"].(map[string]any)
				switch {
				case r["Type"] == "AWS::KMS::Alias":
				case strings.HasPrefix(id, "J") && strings.Contains(f.Path, "app-dev"):
					carriers[f.Path+" "+id] = props
				case strings.HasPrefix(id, "D"):
					descriptions[strings.TrimSuffix(id, "Key")] = props["Description"].(string)
				}
			}
		}
		if format == FormatYAML {
			for _, s := range fixture.Tricky {
				if !quoted[s] {
					t.Errorf("%q is not a quoted scalar of any template", s)
				}
			}
		}
		if len(carriers) != 2*len(fixture.Groups()) {
			t.Fatalf("%s: %d keys jN and replicas in stage dev, want %d", format, len(carriers), 2*len(fixture.Groups()))
		}
		for where, props := range carriers {
			g := int(where[strings.LastIndex(where, " J")+2] - '0')
			idx := fixture.Groups()[g]
			if got, want := props["Description"], fixture.Joined(idx); got != want {
				t.Errorf("%s %s: Description = %q, want %q", format, where, got, want)
			}
			var tags [][2]string
			for _, tag := range props["Tags"].([]any) {
				tag := tag.(map[string]any)
				if k := tag["Key"].(string); !strings.HasPrefix(k, "kpgen:") {
					tags = append(tags, [2]string{k, tag["Value"].(string)})
				}
			}
			if diff := cmp.Diff(wantTags(idx), tags); diff != "" {
				t.Errorf("%s %s: tags (-want +got):\n%s", format, where, diff)
			}
			ctx := map[string]any{}
			for _, st := range props["KeyPolicy"].(map[string]any)["Statement"].([]any) {
				st := st.(map[string]any)
				if st["Sid"] != "KeyUsage" {
					continue
				}
				for k, v := range st["Condition"].(map[string]any)["StringEquals"].(map[string]any) {
					if c, ok := strings.CutPrefix(k, "kms:EncryptionContext:"); ok {
						ctx[c] = v
					}
				}
			}
			for _, i := range idx {
				if got := ctx[fmt.Sprintf("c%02d", i)]; got != fixture.ContextValue(i) {
					t.Errorf("%s %s: encryption context c%02d = %q, want %q", format, where, i, got, fixture.ContextValue(i))
				}
			}
		}
		for i, s := range fixture.Tricky {
			if s == "" {
				continue
			}
			if got := descriptions[fmt.Sprintf("D%02d", i)]; got != s {
				t.Errorf("%s: key d%02d: Description = %q, want %q", format, i, got, s)
			}
		}
	}
	// The policy files carry the same strings: they round-trip through
	// encoding/json.
	for _, kp := range pols {
		if !strings.HasPrefix(kp.Instance.Key.Name, "j") {
			continue
		}
		var doc struct {
			Statement []struct {
				Sid       string
				Condition map[string]map[string]any
			}
		}
		if err := json.Unmarshal(kp.JSON(), &doc); err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, st := range doc.Statement {
			if st.Sid != "KeyUsage" {
				continue
			}
			for k, v := range st.Condition["StringEquals"] {
				var i int
				if _, err := fmt.Sscanf(k, "kms:EncryptionContext:c%02d", &i); err == nil {
					found++
					if v != fixture.ContextValue(i) {
						t.Errorf("%s: policy JSON gives %q for %q", kp.Instance.ID(), v, fixture.ContextValue(i))
					}
				}
			}
		}
		if found == 0 {
			t.Errorf("%s: no encryption context in the policy", kp.Instance.ID())
		}
	}
}

func walkScalars(n *yaml.Node, fn func(*yaml.Node)) {
	if n.Kind == yaml.ScalarNode {
		fn(n)
	}
	for _, c := range n.Content {
		walkScalars(c, fn)
	}
}
