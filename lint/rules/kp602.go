package rules

import (
	_ "embed"
	"strconv"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp602.md
var kp602Doc string

// KP602 refuses a spec whose keys cost more than its budget.
var KP602 = &lint.Rule{
	ID:        "KP602",
	Name:      "cost-budget",
	Principle: "Cost",
	Severity:  diag.Error,
	Summary:   "the estimated monthly cost exceeds budget.max_monthly_usd",
	Doc:       kp602Doc,
	Check: func(p *lint.Pass) {
		b := p.Model.Spec.Organization.Budget
		if b == nil || b.MaxMonthlyUSD == nil {
			return
		}
		if cost := p.Model.Totals.MonthlyUSD; cost > *b.MaxMonthlyUSD {
			p.Report(b.AttrRange("max_monthly_usd"), "Cost budget exceeded",
				"The keys of the spec cost an estimated USD %.2f per month in the steady state (key fees and the first two rotations, no request charges), over the budget of USD %s. Run kpgen plan for the cost of each key.",
				cost, strconv.FormatFloat(*b.MaxMonthlyUSD, 'f', -1, 64))
		}
	},
}
