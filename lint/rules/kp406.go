package rules

import (
	"cmp"
	_ "embed"
	"fmt"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp406.md
var kp406Doc string

// KP406 warns when the stacks that create keys in an account would fail
// AWS's lockout safety check.
var KP406 = &lint.Rule{
	ID:        "KP406",
	Name:      "no-administrator-in-account",
	Principle: "P4",
	Severity:  diag.Warning,
	Summary:   "no policy administrator is in the key's own account and no deployer is declared for it, so the stack that creates the key would fail AWS's lockout safety check",
	Doc:       kp406Doc,
	Check: func(p *lint.Pass) {
		// One finding per account, at the account block: the fix is a
		// deployer there (or for the organization). A deployer counts only
		// in the key's account: the stack that creates the key runs there,
		// and a role of another account cannot be its caller.
		stranded := map[*model.Account][]*model.KeyInstance{}
		var order []*model.Account
		for _, ki := range p.Model.Keys {
			// With iam_delegation the account root statement lets the
			// deploying role, by its IAM permissions, pass the check.
			if len(ki.PolicyAdministrators) == 0 || hasAdminIn(ki) || ki.Key.IAMDelegation {
				continue
			}
			if _, seen := stranded[ki.Account]; !seen {
				order = append(order, ki.Account)
			}
			stranded[ki.Account] = append(stranded[ki.Account], ki)
		}
		for _, a := range order {
			kis := stranded[a]
			deployer := "no deployer is declared for it"
			if d := cmp.Or(a.Deployer, p.Model.Organization.Deployer); d != nil && d.Account != "" {
				deployer = fmt.Sprintf("the declared deployer, %s, is a role of account %s, which cannot be the caller that creates them", d.Text, d.Account)
			}
			p.Report(a.Source.NameRange, "Keys cannot be created by their own account",
				"%d key(s) live in account %q (%s), among them %s, but none of their policy administrators is in that account, and %s. The stacks that create them run in the account, and AWS's lockout safety check refuses a policy that does not let the caller change it. Set deployer on this account, or organization.deployer, to a role of the account that applies the templates (\"role/NAME\" names the role in each account).",
				len(kis), a.Name, a.ID, kis[0].ID(), deployer)
		}
	},
}

func hasAdminIn(ki *model.KeyInstance) bool {
	for _, a := range ki.PolicyAdministrators {
		if a.Kind != model.AWSService && a.Account == ki.Account.ID {
			return true
		}
	}
	return false
}
