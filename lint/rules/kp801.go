package rules

import (
	_ "embed"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp801.md
var kp801Doc string

// narrowingKeys are the condition keys that, compared positively with
// concrete values, limit a statement to known principals; each maps to what
// makes one of its values concrete. crossColons says a wildcard may match
// across an ARN's colons, as in StringLike but not in ArnLike.
var narrowingKeys = map[string]func(v string, crossColons bool) bool{
	"aws:principalaccount":  concreteID,
	"aws:sourceaccount":     concreteID,
	"kms:calleraccount":     concreteID,
	"aws:principalorgid":    concreteID,
	"aws:sourceorgid":       concreteID,
	"aws:principalarn":      arnInConcreteAccount,
	"aws:sourcearn":         arnInConcreteAccount,
	"aws:principalorgpaths": pathInConcreteOrg,
	"aws:userid":            uniqueID,
}

// narrowingOperators compare the request's value of a key with the
// statement's values and fail when the key is absent. Null, the Not
// operators, IfExists and ForAllValues (true when the key is absent) narrow
// nothing; ForAnyValue is false when the key is absent, so it may.
var narrowingOperators = []string{"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}

// KP801 refuses an Allow to everyone.
var KP801 = &lint.Rule{
	ID:        "KP801",
	Name:      "allow-everyone",
	Principle: "Policy hygiene",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "an Allow with principal * and no condition that narrows it",
	Doc:       kp801Doc,
	Policy: func(p *lint.PolicyPass) {
		for i, s := range p.Document.Statement {
			if s.Effect != policy.Allow || !s.Principal.Everyone() || narrowed(s.Condition) {
				continue
			}
			p.Report(i, "Principal", "Key policy allows everyone",
				"Statement %s allows its actions to principal \"*\" with no condition that limits who the caller is, so any AWS account could use the key. Name the principals, or add a StringEquals, StringLike, ArnEquals or ArnLike condition on aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID or kms:CallerAccount whose values name accounts or an organization without wildcards.", sidOf(s, i))
		}
	},
}

// narrowed reports whether a condition limits the caller: a positive String
// or Arn comparison of a narrowing key whose every value pins an account,
// organization or identity. Conditions all hold together, so one is enough.
func narrowed(c policy.Conditions) bool {
	for op, keys := range c {
		base, ok := narrowingOperator(op)
		if !ok {
			continue
		}
		crossColons := base == "StringLike"
		for k, values := range keys {
			concrete := narrowingKeys[strings.ToLower(k)]
			if concrete == nil || len(values) == 0 {
				continue
			}
			if !slices.ContainsFunc(values, func(v string) bool { return !concrete(resourceVariables.Replace(v), crossColons) }) {
				return true
			}
		}
	}
	return false
}

// narrowingOperator returns the operator of op without a ForAnyValue
// qualifier, if it is one of narrowingOperators.
func narrowingOperator(op string) (string, bool) {
	const anyValue = "ForAnyValue:"
	if len(op) > len(anyValue) && strings.EqualFold(op[:len(anyValue)], anyValue) {
		op = op[len(anyValue):]
	}
	i := slices.IndexFunc(narrowingOperators, func(n string) bool { return strings.EqualFold(op, n) })
	if i < 0 {
		return "", false
	}
	return narrowingOperators[i], true
}

// resourceVariables are the policy variables that stand for the key's own
// account and organization: concrete whoever calls. Any other variable
// takes its value from the request, so it pins nothing.
var resourceVariables = strings.NewReplacer(
	"${aws:ResourceAccount}", "000000000000",
	"${aws:ResourceOrgID}", "o-resource",
)

// wild reports whether a value may stand for more than one string: it has
// a wildcard or a policy variable.
func wild(v string) bool {
	return strings.ContainsAny(v, "*?") || strings.Contains(v, "${")
}

// concreteID: an account or organization ID, with no wildcard.
func concreteID(v string, _ bool) bool {
	return v != "" && !wild(v)
}

// arnInConcreteAccount: an ARN whose account field (the fifth) is concrete;
// the resource part may hold wildcards, as Identity Center role patterns
// do. Where a wildcard may cross colons, the fields before the account must
// be concrete too, or a wildcard there could reach past the account.
func arnInConcreteAccount(v string, crossColons bool) bool {
	fields := strings.SplitN(v, ":", 6)
	if len(fields) < 6 || !concreteID(fields[4], false) {
		return false
	}
	return !crossColons || !wild(strings.Join(fields[:4], ":"))
}

// pathInConcreteOrg: an organization path whose first element, the
// organization ID, is concrete (o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*).
func pathInConcreteOrg(v string, _ bool) bool {
	org, _, _ := strings.Cut(v, "/")
	return concreteID(org, false)
}

// uniqueID: a user ID that begins with the unique ID of an IAM user or
// role (AIDA…, AROA…), which names one principal in all of AWS; a role's
// session name may follow. aws:username is no narrowing key at all: any
// account can make a user of any name.
func uniqueID(v string, _ bool) bool {
	id, _, _ := strings.Cut(v, ":")
	return uniqueIDPattern.MatchString(id)
}

var uniqueIDPattern = regexp.MustCompile(`^A[A-Z]{3}[A-Z0-9]{16,}$`)

func sidOf(s *policy.Statement, i int) string {
	if s.Sid != "" {
		return "\"" + s.Sid + "\""
	}
	return "#" + strconv.Itoa(i+1)
}
