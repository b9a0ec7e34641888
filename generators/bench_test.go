package generators_test

import (
	"fmt"
	"testing"

	"github.com/kpgen/kpgen/generators/cloudformation"
	"github.com/kpgen/kpgen/generators/policyjson"
	"github.com/kpgen/kpgen/generators/terraform"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/internal/testorg"
	"github.com/kpgen/kpgen/schema"
)

// render makes every file's content, as a build does, and returns the bytes.
func render(files []output.File) int {
	n := 0
	for _, f := range files {
		n += len(f.Content())
	}
	return n
}

// BenchmarkGenerate measures each emitter, and all of them together, on
// generated organizations of 1,000 and 2,000 applications.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range testorg.Sizes() {
		dir := b.TempDir()
		if err := testorg.Write(dir, n); err != nil {
			b.Fatal(err)
		}
		spec, diags, err := schema.Load(dir)
		if err != nil || diags.HasErrors() {
			b.Fatalf("load: %v %v", err, diags)
		}
		m, _ := model.Build(spec)
		pols := policy.Build(m)
		for _, g := range []struct {
			name string
			run  func() int
		}{
			{"policyjson", func() int { fs, _ := policyjson.Generate(m, pols); return render(fs) }},
			{"cloudformation", func() int { fs, _ := cloudformation.Generate(m, pols, cloudformation.FormatYAML); return render(fs) }},
			{"terraform", func() int { fs, _ := terraform.Generate(m, pols); return render(fs) }},
			{"all", func() int {
				a, _ := policyjson.Generate(m, pols)
				c, _ := cloudformation.Generate(m, pols, cloudformation.FormatYAML)
				t, _ := terraform.Generate(m, pols)
				return render(a) + render(c) + render(t)
			}},
		} {
			b.Run(fmt.Sprintf("%s/apps=%d", g.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if g.run() == 0 {
						b.Fatal("no files")
					}
				}
			})
		}
	}
}
