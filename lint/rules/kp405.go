package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp405.md
var kp405Doc string

// KP405 warns about IAM delegation on keys of sensitive data.
var KP405 = &lint.Rule{
	ID:        "KP405",
	Name:      "iam-delegation-sensitive",
	Principle: "P4",
	Severity:  diag.Warning,
	Summary:   "iam_delegation = true on any key protecting data of rank >= 2",
	Doc:       kp405Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			if !k.IAMDelegation {
				continue
			}
			cls := k.Classifications()
			if len(cls) == 0 || cls[0].Rank < 2 || !cls[0].IAMDelegation {
				continue // KP404 reports forbidden delegation
			}
			p.Report(attrRange(k, "iam_delegation"), "IAM delegation on sensitive data",
				"The %s protects %q data (rank %d) and delegates to IAM policies, so anyone who may write IAM policies in the key's account can grant themselves use of it. Prefer naming the users in the key policy.", keyName(k), cls[0].Name, cls[0].Rank)
		}
	},
}
