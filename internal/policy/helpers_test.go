package policy

import (
	"testing"

	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/testorg"
	"github.com/kpgen/kpgen/schema"
)

// bigModel models a generated organization of n applications.
func bigModel(tb testing.TB, n int) *model.Model {
	tb.Helper()
	dir := tb.TempDir()
	if err := testorg.Write(dir, n); err != nil {
		tb.Fatal(err)
	}
	spec, diags, err := schema.Load(dir)
	if err != nil || diags.HasErrors() {
		tb.Fatalf("load: %v %v", err, diags)
	}
	m, mdiags := model.Build(spec)
	if mdiags.HasErrors() {
		tb.Fatalf("model: %v", mdiags[0].Detail)
	}
	return m
}
