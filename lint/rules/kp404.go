package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp404.md
var kp404Doc string

// KP404 refuses IAM delegation on a key whose data forbids it.
var KP404 = &lint.Rule{
	ID:        "KP404",
	Name:      "iam-delegation-forbidden",
	Principle: "P4",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "iam_delegation = true on a key protecting data whose classification forbids it",
	Doc:       kp404Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			if !k.IAMDelegation {
				continue
			}
			for _, c := range k.Classifications() {
				if c.IAMDelegation {
					continue
				}
				p.Report(attrRange(k, "iam_delegation"), "IAM delegation not allowed for the classification",
					"The %s delegates to IAM policies (the account root statement), but it protects %q data, whose classification does not allow delegation (iam_delegation = false). Any IAM policy of the account could then grant use of the key. Remove iam_delegation, or allow it on the classification.", keyName(k), c.Name)
				break
			}
		}
	},
}
