package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp402.md
var kp402Doc string

// KP402 refuses a key whose policy nobody can change.
var KP402 = &lint.Rule{
	ID:        "KP402",
	Name:      "policy-lockout",
	Principle: "P4",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "no principal can change the key policy (lockout)",
	Doc:       kp402Doc,
	Check: func(p *lint.Pass) {
		for _, kp := range p.Policies {
			ki := kp.Instance
			if policy.CanChangePolicy(p.Model.Organization, ki, kp.Document) {
				continue
			}
			who := "the owning team's administrators (decentralized)"
			if p.Model.Organization.Strategy != model.Decentralized {
				who = "the security team's administrators"
			}
			p.Report(ki.Key.Range(), "Key policy locks everyone out",
				"Nobody could change the policy of %s after it is created: it has no policy administrator and no IAM delegation, so the key could never be managed again and AWS refuses to create it. Give the key administrators: %s, administrators on the key, or a deployer for account %s.",
				ki.ID(), who, ki.Account.Name)
		}
	},
}
