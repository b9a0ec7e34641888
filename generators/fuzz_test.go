// Package generators_test fuzzes the whole path from spec text to every
// output: whatever a spec holds, kpgen reports diagnostics or writes files
// that parse again, and never panics.
package generators_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"gopkg.in/yaml.v3"

	"github.com/kpgen/kpgen/generators/cloudformation"
	"github.com/kpgen/kpgen/generators/policyjson"
	"github.com/kpgen/kpgen/generators/terraform"
	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
	"github.com/kpgen/kpgen/lint/rules"
	"github.com/kpgen/kpgen/schema"
)

func FuzzBuild(f *testing.F) {
	fixture.AddSeeds(f, "../fixtures/*/*.kp.hcl", "../fixtures/invalid/*/*.kp.hcl")
	f.Fuzz(func(t *testing.T, src []byte) {
		spec, diags := schema.Parse(".", []string{"fuzz.kp.hcl"}, [][]byte{src})
		if diags.HasErrors() {
			return
		}
		m, mdiags := model.Build(spec)
		if mdiags.HasErrors() {
			return
		}
		pols := policy.Build(m)
		lint.Run(m, pols, rules.All)
		var files []output.File
		add := func(fs []output.File, _ diag.Diagnostics) { files = append(files, fs...) }
		add(policyjson.Generate(m, pols))
		add(cloudformation.Generate(m, pols, cloudformation.FormatYAML))
		add(cloudformation.Generate(m, pols, cloudformation.FormatJSON))
		add(terraform.Generate(m, pols))
		for _, f := range files {
			if err := output.CheckPath(f.Path); err != nil {
				t.Fatalf("output path %q: %v", f.Path, err)
			}
			switch {
			case strings.HasSuffix(f.Path, ".json"):
				var v any
				if err := json.Unmarshal(f.Content(), &v); err != nil {
					t.Fatalf("%s is not JSON: %v\n%s", f.Path, err, f.Content())
				}
			case strings.HasSuffix(f.Path, ".yaml"):
				var v any
				if err := yaml.NewDecoder(bytes.NewReader(f.Content())).Decode(&v); err != nil {
					t.Fatalf("%s is not YAML: %v\n%s", f.Path, err, f.Content())
				}
			case strings.HasSuffix(f.Path, ".tf"):
				data := f.Content()
				if _, hds := hclparse.NewParser().ParseHCL(data, f.Path); hds.HasErrors() {
					t.Fatalf("%s does not parse: %v\n%s", f.Path, hds, data)
				}
				if !bytes.Equal(hclwrite.Format(data), data) {
					t.Fatalf("%s is not in canonical format:\n%s", f.Path, data)
				}
			}
		}
	})
}

func FuzzLintPolicy(f *testing.F) {
	fixture.AddSeeds(f, "../fixtures/invalid/KP8*/policy.json", "../fixtures/retail/generated/policies/*/*/*.json")
	// Small documents whose values are of the wrong kind, which byte
	// mutations of a large policy seldom reach.
	for _, s := range []string{`{"Statement":[null]}`, `{"Statement":[{}]}`, `{"Statement":{"Effect":"Allow"}}`,
		`{"Statement":[{"Principal":null,"Condition":{"Null":null}}]}`, `{"Statement":[[]]}`, `[]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, d := range lint.RunPolicyFile("fuzz.json", src, rules.All) {
			if d.Subject == nil || d.Subject.Filename != "fuzz.json" || d.Subject.Start.Line < 1 {
				t.Fatalf("finding without a location in the file: %+v", d)
			}
		}
	})
}
