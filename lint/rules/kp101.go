package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp101.md
var kp101Doc string

// KP101 refuses a key that protects data of several classifications.
var KP101 = &lint.Rule{
	ID:        "KP101",
	Name:      "classification-mix",
	Principle: "P1",
	Severity:  diag.Error,
	Summary:   "one key protects data of more than one classification",
	Doc:       kp101Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			cls := k.Classifications()
			if len(cls) < 2 {
				continue
			}
			p.Report(k.Range(), "Key protects data of several classifications",
				"The %s protects %s, of the classifications %s. Data of different classifications needs different keys, so that access to each is governed and audited on its own. Give each classification a key of its own: point the data at different key blocks, or remove key = and let kpgen derive one per classification.",
				keyName(k), quoteAll(dataNames(k.Protects)), quoteAll(classNames(cls)))
		}
	},
}
