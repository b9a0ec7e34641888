package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp203.md
var kp203Doc string

// KP203 warns when two stages of an application share an account.
var KP203 = &lint.Rule{
	ID:        "KP203",
	Name:      "stages-share-account",
	Principle: "P2",
	Severity:  diag.Warning,
	Summary:   "two stages of one application map to the same account (no account boundary)",
	Doc:       kp203Doc,
	Check: func(p *lint.Pass) {
		for _, app := range p.Model.Applications {
			first := map[string]string{}
			for _, st := range app.Stages {
				if st.Account == nil {
					continue
				}
				if prev, ok := first[st.Account.ID]; ok {
					p.Report(st.Source.AttrRange("account"), "Stages share an account",
						"Stages %q and %q of application %q are both in account %s, so nothing but key policies separates them. Put each stage in an account of its own to use the account boundary.",
						prev, st.Name, app.Name, st.Account.Name)
					continue
				}
				first[st.Account.ID] = st.Name
			}
		}
	},
}
