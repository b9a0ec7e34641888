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
		// By account, the stages of each kind seen so far, in spec order.
		// Each application that brings to an account a kind of stage
		// another application has there is reported once, at that stage,
		// so that accepting one application there silences no other.
		seen := map[string]map[bool][]*model.Stage{}
		reported := map[string]map[*model.Application]bool{}
		shared := "the security team's administrators and the account's deployer manage the keys of both"
		switch p.Model.Organization.Strategy {
		case model.Centralized:
			shared = "the workloads of both share its IAM"
		case model.Decentralized:
			shared = "its deployer manages the keys of both, and its IAM serves both"
		}
		for _, app := range p.Model.Applications {
			for _, st := range app.Stages {
				if st.Account == nil {
					continue
				}
				id := st.Account.ID
				if seen[id] == nil {
					seen[id] = map[bool][]*model.Stage{}
					reported[id] = map[*model.Application]bool{}
				}
				kinds := seen[id]
				kinds[st.Production] = append(kinds[st.Production], st)
				if reported[id][app] {
					continue
				}
				i := slices.IndexFunc(kinds[!st.Production], func(o *model.Stage) bool { return o.App != app })
				if i < 0 {
					continue // none, or only this application's: KP203's
				}
				reported[id][app] = true
				prod, nonprod := st, kinds[!st.Production][i]
				if !st.Production {
					prod, nonprod = nonprod, st
				}
				p.Report(st.Source.AttrRange("account"), "Account hosts production and non-production stages",
					"Account %s hosts production stage %q of application %q and non-production stage %q of application %q, so nothing but key policies separates production from the rest there, and %s. Put production stages in accounts of their own.",
					st.Account.Name, prod.Name, prod.App.Name, nonprod.Name, nonprod.App.Name, shared)
			}
		}
	},
}
