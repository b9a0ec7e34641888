package rules

import (
	_ "embed"
	"fmt"

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
					fix := "List the services in the key's services (kms:ViaService)."
					switch {
					case k.Spec != "SYMMETRIC_DEFAULT":
						fix = fmt.Sprintf("AWS services use only symmetric encryption keys, so no service can tie this %s key (KP508); if its users call KMS directly by design, say so with lint_ignore = { KP303 = \"…\" }.", k.Spec)
					case len(k.EncryptionContext) > 0 && dataUses(k, "s3"):
						fix = "Its data is in Amazon S3, which passes the caller's encryption context on: set services = [\"s3\"] on the key."
					case len(k.EncryptionContext) > 0:
						fix = "It requires an encryption context, which no service of its data sends (only Amazon S3 passes a caller's on; KP509), so its users must call KMS themselves (client-side encryption); if that is the design, say so with lint_ignore = { KP303 = \"…\" }."
					}
					p.Report(attrRange(k, "services"), "Key use not tied to a service",
						"The %s has users but no services, so they may call KMS with it directly (from their account, as kms:CallerAccount still requires), not only through the services that store its data. %s", keyName(k), fix)
					break
				}
			}
		}
	},
}

// dataUses reports whether data the key protects is stored in the service.
func dataUses(k *model.Key, service string) bool {
	for _, d := range k.Protects {
		for _, s := range d.Services {
			if s.Name == service {
				return true
			}
		}
	}
	return false
}
