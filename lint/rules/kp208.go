package rules

import (
	_ "embed"
	"slices"

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
		// By account, the stages of each kind seen so far, in spec order;
		// an account is reported once, at the first stage that makes it
		// hold one application's production stage and another's
		// non-production stage.
		seen := map[string]map[bool][]*model.Stage{}
		reported := map[string]bool{}
		for _, app := range p.Model.Applications {
			for _, st := range app.Stages {
				if st.Account == nil {
					continue
				}
				kinds := seen[st.Account.ID]
				if kinds == nil {
					kinds = map[bool][]*model.Stage{}
					seen[st.Account.ID] = kinds
				}
				if reported[st.Account.ID] {
					continue
				}
				kinds[st.Production] = append(kinds[st.Production], st)
				i := slices.IndexFunc(kinds[!st.Production], func(o *model.Stage) bool { return o.App != app })
				if i < 0 {
					continue // none, or only this application's: KP203's
				}
				reported[st.Account.ID] = true
				prod, nonprod := st, kinds[!st.Production][i]
				if !st.Production {
					prod, nonprod = nonprod, st
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
