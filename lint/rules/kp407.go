package rules

import (
	_ "embed"
	"slices"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp407.md
var kp407Doc string

// KP407 warns about two permission sets of which one's roles match the
// other's pattern.
var KP407 = &lint.Rule{
	ID:        "KP407",
	Name:      "overlapping-permission-sets",
	Principle: "P4",
	Severity:  diag.Warning,
	Summary:   "the aws:PrincipalArn pattern of sso:NAME also matches the roles of another permission set the spec names (NAME_…, or …_AWSReservedSSO_NAME)",
	Doc:       kp407Doc,
	Check: func(p *lint.Pass) {
		// The permission sets the policies name, each at its first use.
		first := map[string]*model.PrincipalRef{}
		var names []string
		note := func(ps []model.Principal) {
			for _, pr := range ps {
				if pr.Kind == model.IdentityCenter && first[pr.Ref.PermissionSet] == nil {
					first[pr.Ref.PermissionSet] = pr.Ref
					names = append(names, pr.Ref.PermissionSet)
				}
			}
		}
		for _, ki := range p.Model.Keys {
			note(ki.PolicyAdministrators)
			note(ki.Operators)
			note(ki.Users)
		}
		slices.Sort(names)
		for _, wide := range names {
			for _, narrow := range names {
				if narrow == wide || !ssoMatches(wide, narrow) {
					continue
				}
				p.Report(first[narrow].Range, "Permission sets whose roles one pattern matches",
					"Identity Center names the roles of permission set %q AWSReservedSSO_%s_SUFFIX, so the pattern *AWSReservedSSO_%s_* that grants sso:%s matches them too: every grant to sso:%s also reaches sso:%s. Rename one of the permission sets so that \"AWSReservedSSO_%s_\" no longer appears in \"AWSReservedSSO_%s_\".",
					narrow, narrow, wide, wide, wide, narrow, wide, narrow)
			}
		}
	},
}
