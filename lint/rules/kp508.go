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
	Summary:   "a key that is not SYMMETRIC_DEFAULT has services or service principals as users, which use only symmetric encryption keys, so they bind its use to nothing that can use it",
	Doc:       kp508Doc,
	Check: func(p *lint.Pass) {
		// Service principals (CloudWatch Logs, CloudTrail, …) encrypt with
		// symmetric keys only, whatever the key's services.
		once := reportOnce{}
		hasUsers := map[*model.Key]bool{} // users that are not services
		for _, ki := range p.Model.Keys {
			k := ki.Key
			if k.Spec == "SYMMETRIC_DEFAULT" {
				continue
			}
			for _, u := range ki.Users {
				if u.Kind != model.AWSService {
					hasUsers[k] = true
				} else if once.first(u.Ref.Range, k.Name) {
					p.Report(u.Ref.Range, "Service cannot use this key",
						"%s is a user of the %s, of spec %s, but AWS services encrypt only with symmetric encryption keys, so it could never use it. Give its data a SYMMETRIC_DEFAULT key.",
						u.Ref.Text, keyName(k), k.Spec)
				}
			}
		}
		for _, k := range keys(p.Model) {
			if k.Spec == "SYMMETRIC_DEFAULT" || len(k.Services) == 0 {
				continue
			}
			if !hasUsers[k] {
				continue
			}
			p.Report(attrRange(k, "services"), "Key usable only through services that cannot use it",
				"The %s, of spec %s for %s, lets its users call it only through %s (kms:ViaService). AWS services use only symmetric encryption keys, so no call would ever be allowed. Set services = [] on the key, so that its users call KMS directly, or use a SYMMETRIC_DEFAULT key for data that AWS services encrypt.",
				keyName(k), k.Spec, k.Usage, quoteAll(serviceNames(k.Services)))
		}
	},
}
