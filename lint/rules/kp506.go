package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp506.md
var kp506Doc string

// KP506 refuses an encryption context on a key that cannot carry one.
var KP506 = &lint.Rule{
	ID:        "KP506",
	Name:      "context-needs-symmetric-key",
	Principle: "Key types",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "encryption_context is set on a key that is not SYMMETRIC_DEFAULT",
	Doc:       kp506Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			if len(k.EncryptionContext) == 0 || k.Spec == "SYMMETRIC_DEFAULT" {
				continue
			}
			p.Report(attrRange(k, "encryption_context"), "Encryption context on an asymmetric or HMAC key",
				"The %s is %s, but KMS accepts an encryption context only on symmetric encryption keys, so the required context could never be supplied and kpgen cannot enforce it. Remove encryption_context, or use a SYMMETRIC_DEFAULT key.", keyName(k), k.Spec)
		}
	},
}
