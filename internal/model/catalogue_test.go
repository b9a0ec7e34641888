package model

import (
	"os"
	"strings"
	"testing"
)

// TestCatalogueDocumented keeps docs/spec.md's service catalogue in step
// with the code.
func TestCatalogueDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Services {
		row := "| `" + s.Name + "` | " + s.Title + " | `" + strings.Join(s.Hosts, "`, `") + "` |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/spec.md lacks the row %s", row)
		}
	}
	for _, sp := range ServicePrincipals {
		if !strings.Contains(string(doc), "`service:"+sp.Name+"`") {
			t.Errorf("docs/spec.md does not document service:%s", sp.Name)
		}
	}
}
