package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp802.md
var kp802Doc string

// KP802 refuses a key policy over AWS's size limit.
var KP802 = &lint.Rule{
	ID:        "KP802",
	Name:      "policy-too-large",
	Principle: "Policy hygiene",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "the policy is larger than the key policy limit (32 KB)",
	Doc:       kp802Doc,
	Policy: func(p *lint.PolicyPass) {
		if p.Size > policy.MaxSize {
			p.Report(-1, "", "Key policy too large",
				"The policy is %d bytes; AWS accepts key policies of at most %d bytes. Split the key's users or data across more keys, or use fewer principals (a role per function rather than per person).",
				p.Size, policy.MaxSize)
		}
	},
}
