package rules

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp302.md
var kp302Doc string

// KP302 refuses data that uses a service its key does not allow.
var KP302 = &lint.Rule{
	ID:        "KP302",
	Name:      "service-not-allowed",
	Principle: "P3",
	Severity:  diag.Error,
	Summary:   "data uses a service that its key's services do not allow",
	Doc:       kp302Doc,
	Check: func(p *lint.Pass) {
		for _, app := range p.Model.Applications {
			for _, d := range app.Data {
				k := d.Key
				if k == nil || k.Source == nil || !k.Source.Has("services") || len(k.Services) == 0 {
					continue
				}
				for i, s := range d.Services {
					// The policy names hosts: DocumentDB and Neptune call
					// KMS through RDS's, so a key of rds serves them.
					if slices.ContainsFunc(k.Services, func(ks *model.Service) bool { return slices.Equal(ks.Hosts, s.Hosts) }) {
						continue
					}
					p.Report(d.Source.Services[i].Range, "Service not allowed by the key",
						"Data %q is stored in %s, but its %s allows only %s (kms:ViaService), so the service could not use the key for this data. Add %q to the key's services, or remove it from the data.",
						d.Name, s.Name, keyName(k), strings.Join(serviceNames(k.Services), ", "), s.Name)
				}
			}
		}
	},
}
