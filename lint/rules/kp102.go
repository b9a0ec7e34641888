package rules

import (
	_ "embed"
	"fmt"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp102.md
var kp102Doc string

// KP102 refuses data kept on a key type weaker than its classification
// requires.
var KP102 = &lint.Rule{
	ID:        "KP102",
	Name:      "weak-key-type",
	Principle: "P1",
	Severity:  diag.Error,
	Summary:   "data is protected by a key type weaker than its classification's min_key_type",
	Doc:       kp102Doc,
	Check: func(p *lint.Pass) {
		for _, app := range p.Model.Applications {
			for _, d := range app.Data {
				c := d.Classification
				if d.KeyType >= c.MinKeyType {
					continue
				}
				rng := d.Source.AttrRange("key_type")
				if d.Source.Has("key") {
					rng = d.Source.AttrRange("key")
				}
				fix := "Point it at a key block whose origin meets the requirement."
				switch {
				case c.MinKeyType == model.External && d.Source.Has("key"):
					fix = fmt.Sprintf("Set origin = \"external\" on key %q and import its key material, or point the data at a key block that has it.", d.Source.Key.Value)
				case c.MinKeyType == model.External:
					fix = "Point it (key = \"NAME\") at a key block with origin = \"external\", whose key material you import."
				case d.Source.Has("key_type"):
					fix = "Remove key_type so that kpgen makes a customer managed key for it, or point it at a key block."
				}
				p.Report(rng, "Key type too weak for the classification",
					"Data %q of application %q is kept on a key of type %s, but classification %q requires at least %s. %s",
					d.Name, app.Name, d.KeyType, c.Name, c.MinKeyType, fix)
			}
		}
	},
}
