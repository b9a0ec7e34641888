package rules

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp805.md
var kp805Doc string

// KP805 warns about kms:* to anyone but an account root.
var KP805 = &lint.Rule{
	ID:        "KP805",
	Name:      "kms-star",
	Principle: "Policy hygiene",
	Severity:  diag.Warning,
	Summary:   "kms:* granted to a principal other than the account root",
	Doc:       kp805Doc,
	Policy: func(p *lint.PolicyPass) {
		for i, s := range p.Document.Statement {
			if s.Effect != policy.Allow || !grantsAll(s.Action) || s.Principal == nil {
				continue
			}
			roots := rootAccounts(s.Principal)
			if len(roots) == 1 {
				continue // the default delegation to the account's IAM policies
			}
			// A single pattern that matches every action today (kms:*,
			// kms:**, kms:?*) matches those AWS adds later too; a list of
			// narrower patterns may not.
			later := ", and gain every action AWS adds later"
			if !slices.ContainsFunc(s.Action, func(a string) bool { return len(policy.MatchActions(a)) == len(policy.KMSActions) || a == "*" }) {
				later = ""
			}
			if len(roots) > 1 {
				p.Report(i, "Action", "Every KMS action granted",
					"Statement %s grants every KMS action to the roots of the accounts %s, but a key belongs to one account: the IAM policies of the others may both administer and use it%s. Delegate to the key's own account root only, and grant other accounts the user actions they need.", sidOf(s, i), strings.Join(roots, ", "), later)
				continue
			}
			p.Report(i, "Action", "Every KMS action granted",
				"Statement %s grants every KMS action to principals other than an account root: they may both administer and use the key%s. Grant the administrator or user actions the principal needs.", sidOf(s, i), later)
		}
	},
}

// grantsAll reports whether the actions match every KMS action: "kms:*",
// "*", or patterns that between them leave none out ("kms:**", "k?s:*",
// or a list of every action).
func grantsAll(actions policy.Values) bool {
	// Patterns that match fewer actions between them than there are
	// cannot cover them all: the common case, decided without a set.
	matched := 0
	for _, a := range actions {
		if a == "*" || strings.EqualFold(a, "kms:*") {
			return true
		}
		matched += len(policy.MatchActions(a))
	}
	if matched < len(policy.KMSActions) {
		return false
	}
	covered := map[string]bool{}
	for _, a := range actions {
		for _, m := range policy.MatchActions(a) {
			covered[m] = true
		}
	}
	return len(covered) == len(policy.KMSActions)
}

// rootAccounts returns the accounts whose roots the principal names, when
// it names account roots only (the default key policy's delegation to
// IAM), sorted and unique; nil when it names anything else.
func rootAccounts(p *policy.Principal) []string {
	if p.All || len(p.Service) > 0 || len(p.Federated) > 0 || len(p.AWS) == 0 {
		return nil
	}
	var accounts []string
	for _, a := range p.AWS {
		switch {
		case policy.IsAccountID(a):
			accounts = append(accounts, a)
		case strings.HasPrefix(a, "arn:") && strings.HasSuffix(a, ":root"):
			// arn:PARTITION:iam::ACCOUNT:root
			fields := strings.Split(a, ":")
			if len(fields) != 6 {
				return nil
			}
			accounts = append(accounts, fields[4])
		default:
			return nil
		}
	}
	slices.Sort(accounts)
	return slices.Compact(accounts)
}
