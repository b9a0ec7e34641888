package rules

import (
	_ "embed"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp803.md
var kp803Doc string

// KP803 refuses actions that are not KMS actions.
var KP803 = &lint.Rule{
	ID:        "KP803",
	Name:      "unknown-action",
	Principle: "Policy hygiene",
	Severity:  diag.Error,
	Summary:   "an action is not a KMS action, or a wildcard that matches none",
	Doc:       kp803Doc,
	Policy: func(p *lint.PolicyPass) {
		for i, s := range p.Document.Statement {
			for _, field := range []struct {
				name    string
				actions policy.Values
			}{{"Action", s.Action}, {"NotAction", s.NotAction}} {
				for _, a := range field.actions {
					if a == "*" || len(policy.MatchActions(a)) > 0 {
						continue
					}
					detail := "Statement %s names %q, which is not an AWS KMS action; a key policy can only grant kms: actions, and AWS ignores the rest."
					if strings.HasPrefix(strings.ToLower(a), "kms:") {
						detail = "Statement %s names %q, which matches no AWS KMS action: a misspelt action grants nothing."
					}
					p.Report(i, field.name, "Unknown action", detail+" Check the name against the AWS KMS API reference.", sidOf(s, i), a)
				}
			}
		}
	},
}
