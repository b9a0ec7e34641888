package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp208.md
var kp208Doc string

// KP208 warns about an account that hosts production stages of one
// application and non-production stages of another.
var KP208 = &lint.Rule{
	ID:        "KP208",
	Name:      "account-mixes-production",
	Principle: "P2",
	Severity:  diag.Warning,
	Summary:   "one account hosts a production stage of one application and a non-production stage of another (KP203 covers stages of one application)",
	Doc:       kp208Doc,
	Check: func(p *lint.Pass) {
		// The first stage of each kind in each account, in spec order.
		first := map[string]map[bool]*model.Stage{}
		for _, app := range p.Model.Applications {
			for _, st := range app.Stages {
				if st.Account == nil {
					continue
				}
				kinds := first[st.Account.ID]
				if kinds == nil {
					kinds = map[bool]*model.Stage{}
					first[st.Account.ID] = kinds
				}
				if kinds[st.Production] != nil {
					continue
				}
				kinds[st.Production] = st
				other := kinds[!st.Production]
				if other == nil || other.App == app {
					continue // none yet, or KP203's
				}
				prod, nonprod := st, other
				if !st.Production {
					prod, nonprod = other, st
				}
				shared := "its administrators, operators and deployer serve the keys of both"
				if p.Model.Organization.Strategy == model.Centralized {
					shared = "the workloads of both share its IAM"
				}
				p.Report(st.Source.AttrRange("account"), "Account hosts production and non-production stages",
					"Account %s hosts production stage %q of application %q and non-production stage %q of application %q, so nothing but key policies separates production from the rest there, and %s. Put production stages in accounts of their own.",
					st.Account.Name, prod.Name, prod.App.Name, nonprod.Name, nonprod.App.Name, shared)
			}
		}
	},
}
