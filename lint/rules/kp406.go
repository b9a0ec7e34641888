package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp406.md
var kp406Doc string

// KP406 warns when the stack that creates a key would fail AWS's lockout
// safety check.
var KP406 = &lint.Rule{
	ID:        "KP406",
	Name:      "no-administrator-in-account",
	Principle: "P4",
	Severity:  diag.Warning,
	Summary:   "no policy administrator is in the key's own account and no deployer is declared for it, so the stack that creates the key would fail AWS's lockout safety check",
	Doc:       kp406Doc,
	Check: func(p *lint.Pass) {
		once := map[string]bool{}
		for _, ki := range p.Model.Keys {
			if ki.Account.Deployer != nil || p.Model.Organization.Deployer != nil || len(ki.PolicyAdministrators) == 0 {
				continue
			}
			inAccount := false
			for _, a := range ki.PolicyAdministrators {
				if a.Kind != model.AWSService && a.Account == ki.Account.ID {
					inAccount = true
				}
			}
			key := ki.Key.App.Name + "/" + ki.Key.Name + "@" + ki.Account.ID
			if inAccount || once[key] {
				continue
			}
			once[key] = true
			p.Report(ki.Key.Range(), "Key cannot be created by its own account",
				"No policy administrator of %s is in its account %s (%s), and no deployer is declared for that account. The stack that creates the key runs in that account and AWS's lockout safety check refuses a policy that does not let the caller change it. Set organization.deployer or account %q's deployer to the role that applies the templates.",
				ki.ID(), ki.Account.ID, ki.Account.Name, ki.Account.Name)
		}
	},
}
