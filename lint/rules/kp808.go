package rules

import (
	_ "embed"
	"slices"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp808.md
var kp808Doc string

// KP808 refuses incomplete statements and duplicate Sids.
var KP808 = &lint.Rule{
	ID:        "KP808",
	Name:      "malformed-statement",
	Principle: "Policy hygiene",
	Severity:  diag.Error,
	Summary:   "a statement lacks Effect, Principal, Action or Resource, or has a duplicate Sid (AWS accepts some of these silently, with no effect)",
	Doc:       kp808Doc,
	Policy: func(p *lint.PolicyPass) {
		sids := map[string]int{}
		for i, s := range p.Document.Statement {
			if s.Effect != policy.Allow && s.Effect != policy.Deny {
				p.Report(i, "Effect", "Incomplete statement",
					"Statement %s has no valid Effect (Allow or Deny), so AWS rejects the policy. Set \"Effect\": \"Allow\" or \"Deny\".", sidOf(s, i))
			}
			var missing []string
			if s.Principal == nil && s.NotPrincipal == nil {
				missing = append(missing, "Principal")
			}
			if len(s.Action) == 0 && len(s.NotAction) == 0 {
				missing = append(missing, "Action")
			}
			if len(s.Resource) == 0 && len(s.NotResource) == 0 {
				missing = append(missing, "Resource")
			}
			for _, m := range missing {
				p.Report(i, "", "Incomplete statement",
					"Statement %s has no %s. A key policy statement needs Effect, Principal, Action and Resource (\"*\", this key); AWS accepts some incomplete statements but they have no effect.", sidOf(s, i), m)
			}
			for _, f := range principalElements(s) {
				if f.principal != nil && namesNoPrincipal(f.principal) {
					p.Report(i, f.name, "Incomplete statement",
						"Statement %s has a %s that names no principal (an empty object, or empty lists), so AWS rejects the policy. Name the principals, such as {\"AWS\": \"arn:aws:iam::111122223333:role/app\"}.", sidOf(s, i), f.name)
				}
			}
			if s.Sid == "" {
				continue
			}
			if prev, dup := sids[s.Sid]; dup {
				p.Report(i, "Sid", "Duplicate Sid",
					"Statements #%d and #%d both have Sid %q. Give each statement its own Sid, so that reviews and diffs can name it.", prev+1, i+1, s.Sid)
				continue
			}
			sids[s.Sid] = i
		}
	},
}

// namesNoPrincipal reports whether a Principal element that is present
// names nobody: {} or {"AWS": []}.
func namesNoPrincipal(p *policy.Principal) bool {
	return !p.All && empty(p.AWS) && empty(p.Service) && empty(p.Federated) && empty(p.CanonicalUser)
}

// empty reports whether a principal list names no one: no values, or only
// empty strings, which AWS refuses as well.
func empty(v policy.Values) bool {
	return !slices.ContainsFunc(v, func(s string) bool { return s != "" })
}
