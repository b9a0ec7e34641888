package schema_test

import (
	"testing"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/schema"
)

// FuzzLoad feeds arbitrary bytes through the loader and the model: whatever
// the input, they report diagnostics and never panic.
func FuzzLoad(f *testing.F) {
	fixture.AddSeeds(f, "../fixtures/*/*.kp.hcl", "../fixtures/invalid/*/*.kp.hcl")
	f.Fuzz(func(t *testing.T, src []byte) {
		spec, diags := schema.Parse(".", []string{"fuzz.kp.hcl"}, [][]byte{src})
		if diags.HasErrors() {
			for _, d := range diags {
				if d.Summary == "" {
					t.Fatalf("diagnostic without a summary: %+v", d)
				}
			}
			return
		}
		m, _ := model.Build(spec)
		if m == nil {
			t.Fatal("Build returned no model")
		}
	})
}
