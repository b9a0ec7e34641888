package rules

import (
	_ "embed"
	"fmt"
	"slices"

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
		var found instanceFindings
		accounts := map[*model.Key][]string{}
		for _, kp := range p.Policies {
			ki := kp.Instance
			if policy.CanChangePolicy(p.Model.Organization, ki, kp.Document) {
				continue
			}
			if !slices.Contains(accounts[ki.Key], ki.Account.Name) {
				accounts[ki.Key] = append(accounts[ki.Key], ki.Account.Name)
			}
			who := "the owning team's administrators (decentralized)"
			if p.Model.Organization.Strategy != model.Decentralized {
				who = "the security team's administrators"
			}
			found.add(ki.Key.Range(), ki, "Key policy locks everyone out", func(ids []string) string {
				deployer := "a deployer for account " + joinAnd(accounts[ki.Key])
				if len(accounts[ki.Key]) > 1 {
					deployer = "a deployer for accounts " + joinAnd(accounts[ki.Key])
				}
				return fmt.Sprintf("Nobody could change the policy of %s after it is created: it has no policy administrator and no IAM delegation, so the key could never be managed again and AWS refuses to create it. Give the key administrators: %s, administrators on the key, or %s.",
					joinAnd(ids), who, deployer)
			})
		}
		found.report(p)
	},
}
