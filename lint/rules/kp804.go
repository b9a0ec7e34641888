package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp804.md
var kp804Doc string

// KP804 refuses NotPrincipal and NotAction in an Allow.
var KP804 = &lint.Rule{
	ID:        "KP804",
	Name:      "allow-with-not",
	Principle: "Policy hygiene",
	Severity:  diag.Error,
	Summary:   "NotPrincipal or NotAction in an Allow",
	Doc:       kp804Doc,
	Policy: func(p *lint.PolicyPass) {
		for i, s := range p.Document.Statement {
			if s.Effect != policy.Allow {
				continue
			}
			if s.NotPrincipal != nil {
				p.Report(i, "NotPrincipal", "Allow with NotPrincipal",
					"Statement %s allows its actions to everyone except the listed principals: every other AWS principal in the world. Name the principals that are allowed in Principal instead.", sidOf(s, i))
			}
			if len(s.NotAction) > 0 {
				p.Report(i, "NotAction", "Allow with NotAction",
					"Statement %s allows every KMS action except the listed ones, including actions AWS adds later. List the allowed actions in Action instead.", sidOf(s, i))
			}
		}
	},
}
