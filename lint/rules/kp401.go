package rules

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp401.md
var kp401Doc string

// KP401 refuses a principal that both administers and uses a key.
var KP401 = &lint.Rule{
	ID:        "KP401",
	Name:      "admin-is-user",
	Principle: "P4",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "a principal is both an administrator (or operator) and a user of one key",
	Doc:       kp401Doc,
	Check: func(p *lint.Pass) {
		var found instanceFindings
		for _, ki := range p.Model.Keys {
			for _, u := range ki.Users {
				if u.Kind == model.AWSService {
					continue
				}
				m, role := manager(ki, u)
				if role == "" {
					continue
				}
				if m.Key() == u.Key() {
					found.add(u.Ref.Range, ki, "Administrator is also a user", func(ids []string) string {
						who := u.String() // the principal of one account
						if len(ids) > 1 {
							who = u.Ref.Text
						}
						return fmt.Sprintf("%s is both an %s and a user of %s. Separation of duties keeps those who govern a key apart from those who decrypt with it. Use different principals for the two duties.",
							who, role, joinAnd(ids))
					})
					continue
				}
				found.add(u.Ref.Range, ki, "Administrator is also a user", func(ids []string) string {
					return fmt.Sprintf("%s, a user of %s, is also reached by %s, an %s of it: the aws:PrincipalArn pattern of an Identity Center permission set matches the other's roles. Separation of duties keeps those who govern a key apart from those who decrypt with it. Rename a permission set, or use different principals for the two duties.",
						u.Ref.Text, joinAnd(ids), m.Ref.Text, role)
				})
			}
		}
		found.report(p)
	},
}

// manager returns the administrator or operator of ki that holds the rights
// of user u too, and which of the two it is ("" when none does).
func manager(ki *model.KeyInstance, u model.Principal) (model.Principal, string) {
	for _, a := range ki.PolicyAdministrators {
		if reaches(a, u) {
			return a, "administrator"
		}
	}
	for _, o := range ki.Operators {
		if reaches(o, u) {
			return o, "operator"
		}
	}
	return model.Principal{}, ""
}

// reaches reports whether a and b meet in one role: the same principal, or
// an Identity Center pattern (*AWSReservedSSO_NAME_*) of one that matches
// the other's role, or the roles of the other's permission set.
func reaches(a, b model.Principal) bool {
	// A grant to b that reaches a's roles puts both duties in a's roles
	// just the same as the other way round.
	return grantReaches(a, b) || grantReaches(b, a)
}

// ssoMatches reports whether the pattern of permission set a,
// *AWSReservedSSO_A_*, matches the roles of permission set b,
// …/AWSReservedSSO_B_SUFFIX: the pattern's leading * lets "AWSReservedSSO_A_"
// stand anywhere in the role's name, and the suffix (hexadecimal digits)
// holds no underscore, so it must lie within "AWSReservedSSO_B_"
// (b = "A_ReadOnly", or b = "Ops_AWSReservedSSO_A").
func ssoMatches(a, b string) bool {
	return strings.Contains("AWSReservedSSO_"+b+"_", "AWSReservedSSO_"+a+"_")
}

// grantReaches reports whether a grant to a reaches b's roles: the same
// principal, or a's Identity Center pattern matching b's roles. Unlike
// reaches, it has a direction: an operator's pattern that matches an
// administrator's roles gives the administrator nothing it lacks.
func grantReaches(a, b model.Principal) bool {
	switch {
	case a.Key() == b.Key():
		return true
	case a.Kind == model.IdentityCenter && b.Kind == model.IdentityCenter:
		return a.Account == b.Account && ssoMatches(a.Ref.PermissionSet, b.Ref.PermissionSet)
	case a.Kind == model.IdentityCenter && b.Kind == model.IAM:
		return policy.ArnLike(a.ARN, b.ARN)
	}
	return false
}
