package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp508.md
var kp508Doc string

// KP508 warns about a key that only AWS services may use but that no AWS
// service can use: it is not a symmetric encryption key.
var KP508 = &lint.Rule{
	ID:        "KP508",
	Name:      "unusable-via-service",
	Principle: "Key types",
	Severity:  diag.Warning,
	Summary:   "a key that is not SYMMETRIC_DEFAULT has services, so its users may use it only through AWS services, which use only symmetric encryption keys",
	Doc:       kp508Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			if k.Spec == "SYMMETRIC_DEFAULT" || len(k.Services) == 0 {
				continue
			}
			if !hasUsers(p.Model, k) {
				continue
			}
			p.Report(attrRange(k, "services"), "Key usable only through services that cannot use it",
				"The %s, of spec %s for %s, lets its users call it only through %s (kms:ViaService). AWS services use only symmetric encryption keys, so no call would ever be allowed. Set services = [] on the key, so that its users call KMS directly, or use a SYMMETRIC_DEFAULT key for data that AWS services encrypt.",
				keyName(k), k.Spec, k.Usage, quoteAll(serviceNames(k.Services)))
		}
	},
}

// hasUsers reports whether any instance of k names a user that is not a
// service principal.
func hasUsers(m *model.Model, k *model.Key) bool {
	for _, ki := range m.Keys {
		if ki.Key != k {
			continue
		}
		for _, u := range ki.Users {
			if u.Kind != model.AWSService {
				return true
			}
		}
	}
	return false
}
