package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp303.md
var kp303Doc string

// KP303 warns about a key whose users are not tied to services.
var KP303 = &lint.Rule{
	ID:        "KP303",
	Name:      "no-via-service",
	Principle: "P3",
	Severity:  diag.Warning,
	Summary:   "a key has users but no services, so its use is not tied to kms:ViaService",
	Doc:       kp303Doc,
	Check: func(p *lint.Pass) {
		once := map[*model.Key]bool{}
		for _, ki := range p.Model.Keys {
			k := ki.Key
			if len(k.Services) > 0 || once[k] {
				continue
			}
			for _, u := range ki.Users {
				if u.Kind != model.AWSService {
					once[k] = true
					p.Report(attrRange(k, "services"), "Key use not tied to a service",
						"The %s has users but no services, so they may use it directly, from anywhere, rather than only through the services that store its data. List the services in the key's services (kms:ViaService).", keyName(k))
					break
				}
			}
		}
	},
}
