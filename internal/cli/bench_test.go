package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/internal/testorg"
	"github.com/kpgen/kpgen/lint"
	"github.com/kpgen/kpgen/lint/rules"
	"github.com/kpgen/kpgen/schema"
)

// BenchmarkStages measures each stage of kpgen on generated organizations
// of 1,000 and 2,000 applications (9 keys each): load (parse, lower,
// validate against the JSON Schema), model, policies, lint, the outputs in
// memory, the write to disk (first build and rebuild), and the whole
// commands lint and build.
func BenchmarkStages(b *testing.B) {
	for _, n := range testorg.Sizes() {
		dir := filepath.Join(b.TempDir(), "spec")
		if err := testorg.Write(dir, n); err != nil {
			b.Fatal(err)
		}
		spec, _, _ := schema.Load(dir)
		m, _ := model.Build(spec)
		pols := policy.Build(m)
		an := &analysis{loaded: &loaded{spec: spec, model: m}, policies: pols}
		files, _ := an.outputs(outputKinds, "yaml")
		run := func(name string, f func(b *testing.B)) {
			b.Run(fmt.Sprintf("%s/apps=%d", name, n), func(b *testing.B) {
				b.ReportAllocs()
				f(b)
			})
		}
		run("load", func(b *testing.B) {
			for b.Loop() {
				if _, d, err := schema.Load(dir); err != nil || d.HasErrors() {
					b.Fatal(err, d)
				}
			}
		})
		run("model", func(b *testing.B) {
			for b.Loop() {
				model.Build(spec)
			}
		})
		run("policies", func(b *testing.B) {
			for b.Loop() {
				policy.Build(m)
			}
		})
		run("lint", func(b *testing.B) {
			for b.Loop() {
				lint.Run(m, pols, rules.All)
			}
		})
		run("outputs", func(b *testing.B) {
			for b.Loop() {
				an.outputs(outputKinds, "yaml")
			}
		})
		run("write-first", func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				out := filepath.Join(b.TempDir(), "out")
				mkdir(b, out)
				b.StartTimer()
				if _, err := output.Write(out, files, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		out := filepath.Join(b.TempDir(), "out")
		mkdir(b, out)
		if _, err := output.Write(out, files, nil); err != nil {
			b.Fatal(err)
		}
		run("write-unchanged", func(b *testing.B) {
			for b.Loop() {
				if _, err := output.Write(out, files, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		run("command-lint", func(b *testing.B) {
			for b.Loop() {
				Main([]string{"lint", dir, "--format", "json"}, io.Discard, io.Discard)
			}
		})
		run("command-build", func(b *testing.B) {
			for b.Loop() {
				if code := Main([]string{"build", "-q", dir, "-o", out}, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}

// mkdir makes the output directory, as output.Lock does before a build
// writes into it.
func mkdir(b *testing.B, dir string) {
	b.Helper()
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
}
