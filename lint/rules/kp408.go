package rules

import (
	_ "embed"
	"fmt"
	"slices"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp408.md
var kp408Doc string

// KP408 refuses a key operator who is also a policy administrator of the
// key, which gives the operator the rights hybrid keeps from operators.
var KP408 = &lint.Rule{
	ID:        "KP408",
	Name:      "operator-is-administrator",
	Principle: "P4",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "a key operator (hybrid) is also a policy administrator of the key, so it may put the key policy and schedule deletion",
	Doc:       kp408Doc,
	Check: func(p *lint.Pass) {
		var found instanceFindings
		// On the security team's own applications the model names no
		// administrator of a key as its operator too.
		for _, ki := range p.Model.Keys {
			for _, o := range ki.Operators {
				for _, a := range ki.PolicyAdministrators {
					if !grantReaches(a, o) {
						continue
					}
					if a.Key() == o.Key() && !slices.Contains(ki.Key.Administrators, a.Ref) && ki.App.Team != nil {
						// One principal that both the owning team and the
						// security team (or the deployer) name: the owning
						// team's entry is the one to remove.
						team := ki.App.Team.Name
						found.add(o.Ref.Range, ki, "Operator is also an administrator", func(ids []string) string {
							return fmt.Sprintf("%s, an operator of %s under the hybrid strategy as one of team %q's administrators, is also the key's policy administrator (%s), so it may put the key policy and schedule the key's deletion, which hybrid keeps from the owning team. Remove it from team %q's administrators.",
								o.Ref.Text, joinAnd(ids), team, a.Ref.Text, team)
						})
						continue
					}
					how := "is also its policy administrator"
					if a.Key() != o.Key() {
						how = "is also reached by its policy administrator " + a.Ref.Text + " (the aws:PrincipalArn pattern of an Identity Center permission set matches the other's roles)"
					}
					found.add(a.Ref.Range, ki, "Operator is also an administrator", func(ids []string) string {
						return fmt.Sprintf("%s, an operator of %s under the hybrid strategy, %s, so it may put the key policy and schedule the key's deletion, which hybrid keeps from the owning team. Name the security team's administrators (or the deployer) as the key's administrators, not the owning team's, or rename a permission set.",
							o.Ref.Text, joinAnd(ids), how)
					})
				}
			}
		}
		found.report(p)
	}}
