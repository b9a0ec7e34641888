package rules

import (
	_ "embed"
	"strconv"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp801.md
var kp801Doc string

// narrowingKeys are condition keys that, compared positively, limit a
// statement to known principals.
var narrowingKeys = []string{
	"aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
	"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:userid", "aws:username",
	"kms:calleraccount",
}

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
				"Statement %s allows its actions to principal \"*\" with no condition that limits who the caller is, so any AWS account could use the key. Name the principals, or add a condition on aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID or kms:CallerAccount.", sidOf(s, i))
		}
	},
}

// narrowed reports whether a condition limits the caller by a positive
// comparison of one of the narrowing keys (IfExists does not narrow: it holds
// when the key is absent).
func narrowed(c policy.Conditions) bool {
	for op, keys := range c {
		base := op
		if _, rest, ok := strings.Cut(op, ":"); ok {
			base = rest
		}
		if strings.Contains(base, "Not") || strings.HasSuffix(base, "IfExists") {
			continue
		}
		for k := range keys {
			for _, n := range narrowingKeys {
				if strings.EqualFold(k, n) {
					return true
				}
			}
		}
	}
	return false
}

func sidOf(s *policy.Statement, i int) string {
	if s.Sid != "" {
		return "\"" + s.Sid + "\""
	}
	return "#" + strconv.Itoa(i+1)
}
