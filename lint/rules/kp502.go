package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp502.md
var kp502Doc string

// KP502 refuses rotation on a key KMS cannot rotate.
var KP502 = &lint.Rule{
	ID:        "KP502",
	Name:      "cannot-rotate",
	Principle: "Key types",
	Severity:  diag.Error,
	Summary:   "rotation is set on a key that cannot rotate automatically (anything but SYMMETRIC_DEFAULT with origin = \"aws_kms\")",
	Doc:       kp502Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			if k.CanRotate() || k.RotationDays == 0 {
				continue
			}
			p.Report(attrRange(k, "rotation_days"), "Key cannot rotate automatically",
				"The %s is %s with origin %q; KMS rotates only SYMMETRIC_DEFAULT keys with AWS_KMS key material automatically. Remove rotation_days, and rotate this key by hand (a new key and a new alias target) if its data requires it.", keyName(k), k.Spec, k.Origin)
		}
	},
}
