package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp501.md
var kp501Doc string

// KP501 refuses a key that does not rotate while its data requires rotation.
var KP501 = &lint.Rule{
	ID:        "KP501",
	Name:      "rotation-required",
	Principle: "Key types",
	Severity:  diag.Error,
	Summary:   "a classification requires rotation and a key protecting it has rotation_days = 0",
	Doc:       kp501Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			if !k.CanRotate() || k.RotationDays > 0 {
				continue // KP502 covers keys that cannot rotate
			}
			for _, c := range k.Classifications() {
				if c.Rotation {
					p.Report(attrRange(k, "rotation_days"), "Rotation required",
						"The %s protects %q data, whose classification requires automatic rotation, but rotation_days = 0. Remove rotation_days (365 days) or set a period from 90 to 2560 days.", keyName(k), c.Name)
					break
				}
			}
		}
	},
}
