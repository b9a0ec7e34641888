package model

import (
	"fmt"
	"testing"

	"github.com/kpgen/kpgen/internal/testorg"
	"github.com/kpgen/kpgen/schema"
)

// BenchmarkLoadModel loads, validates and models a generated organization.
func BenchmarkLoadModel(b *testing.B) {
	for _, n := range testorg.Sizes() {
		b.Run(fmt.Sprintf("apps=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			if err := testorg.Write(dir, n); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				spec, diags, err := schema.Load(dir)
				if err != nil || diags.HasErrors() {
					b.Fatalf("load: %v %v", err, diags)
				}
				m, mdiags := Build(spec)
				if mdiags.HasErrors() {
					b.Fatalf("model: %v", mdiags[0].Detail)
				}
				if got := len(m.Keys); got != 9*n {
					b.Fatalf("%d keys, want %d", got, 9*n)
				}
			}
		})
	}
}
