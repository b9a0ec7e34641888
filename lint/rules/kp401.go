package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp401.md
var kp401Doc string

// KP401 refuses a principal that both administers and uses a key.
var KP401 = &lint.Rule{
	ID:        "KP401",
	Name:      "admin-is-user",
	Principle: "P4",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "a principal is both an administrator (or operator) and a user of one key",
	Doc:       kp401Doc,
	Check: func(p *lint.Pass) {
		once := reportOnce{}
		for _, ki := range p.Model.Keys {
			manage := map[string]string{}
			for _, a := range ki.PolicyAdministrators {
				manage[a.Key()] = "administrator"
			}
			for _, o := range ki.Operators {
				if _, ok := manage[o.Key()]; !ok {
					manage[o.Key()] = "operator"
				}
			}
			for _, u := range ki.Users {
				role, ok := manage[u.Key()]
				if !ok || u.Kind == model.AWSService || !once.first(u.Ref.Range, ki.Key.Name) {
					continue
				}
				p.Report(u.Ref.Range, "Administrator is also a user",
					"%s is both an %s and a user of %s. Separation of duties keeps those who govern a key apart from those who decrypt with it. Use different principals for the two duties.",
					u.String(), role, ki.ID())
			}
		}
	},
}
