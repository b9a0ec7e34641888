package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp507.md
var kp507Doc string

// KP507 warns about a key that cannot rotate automatically protecting data
// whose classification requires rotation.
var KP507 = &lint.Rule{
	ID:        "KP507",
	Name:      "manual-rotation",
	Principle: "Key types",
	Severity:  diag.Warning,
	Summary:   "a classification requires rotation and a key protecting it cannot rotate automatically (asymmetric, HMAC or imported key material)",
	Doc:       kp507Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			if k.CanRotate() {
				continue // KP501's concern
			}
			attr, why := "spec", "its spec "+k.Spec+" is not SYMMETRIC_DEFAULT"
			how := "a new key, then move the alias"
			if k.Origin == "external" {
				attr, why = "origin", "its key material is imported (origin = \"external\")"
				if k.Spec == "SYMMETRIC_DEFAULT" && !k.MultiRegion() {
					how = "import new key material, then rotate on demand (kms:RotateKeyOnDemand)"
				}
			}
			for _, c := range k.Classifications() {
				if c.Rotation {
					other := "; or protect the data with a SYMMETRIC_DEFAULT key whose material AWS makes"
					if c.MinKeyType == model.External {
						other = "" // the classification requires imported material
					}
					p.Report(attrRange(k, attr), "Rotation by hand required",
						"The %s protects %q data, whose classification requires rotation, but AWS KMS cannot rotate it automatically: %s. Rotate it by hand on a schedule (%s), and say so with lint_ignore = { KP507 = \"…\" }%s.", keyName(k), c.Name, why, how, other)
					break
				}
			}
		}
	},
}
