package rules

import (
	_ "embed"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp812.md
var kp812Doc string

// IAM's limits on identity policies, in characters other than white space:
// a managed policy, and all of a role's inline policies together.
const (
	managedPolicyChars = 6144
	roleInlineChars    = 10240
)

// KP812 warns when a principal's identity policy under centralized is too
// large for IAM to take as one managed policy.
var KP812 = &lint.Rule{
	ID:        "KP812",
	Name:      "identity-policy-size",
	Principle: "Policy hygiene",
	Severity:  diag.Warning,
	Summary:   "an identity policy kpgen writes under centralized is over IAM's 6,144 characters for a managed policy",
	Doc:       kp812Doc,
	Check: func(p *lint.Pass) {
		for _, ip := range policy.IdentityPolicies(p.Model) {
			n := ip.Document.Chars()
			over, inline := identitySize(ip.Principal, n)
			if !over {
				continue
			}
			p.Report(ip.Principal.Ref.Range, "Identity policy over IAM's size limit",
				"The identity policy of %s in account %s, for %d keys of the key account, is %d characters without white space, over the 6,144 IAM takes in one managed policy; %s. Let the principal use fewer keys (a role per task), give those keys fewer services or regions, or attach its statements as several policies.",
				ip.Principal.Ref.Text, ip.Principal.Account, len(ip.Keys), n, inline)
		}
	},
}

// identitySize says whether an identity policy of n characters is over
// IAM's limit for a managed policy, and where the principal could still
// take it inline.
func identitySize(p model.Principal, n int) (over bool, inline string) {
	if n <= managedPolicyChars {
		return false, ""
	}
	switch {
	case p.Kind == model.IdentityCenter:
		return true, "an Identity Center permission set can take it as its inline policy"
	case strings.HasPrefix(p.Ref.Resource, "role/") && n <= roleInlineChars:
		return true, "a role can take it inline, if all its inline policies together stay within 10,240"
	}
	return true, "IAM takes it neither as a managed policy nor inline"
}
