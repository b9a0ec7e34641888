package rules

import (
	_ "embed"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp806.md
var kp806Doc string

// KP806 refuses set operators on encryption-context keys.
var KP806 = &lint.Rule{
	ID:        "KP806",
	Name:      "context-set-operator",
	Principle: "Policy hygiene",
	Severity:  diag.Error,
	Summary:   "ForAllValues or ForAnyValue on a kms:EncryptionContext:* key (KMS rejects or misreads it)",
	Doc:       kp806Doc,
	Policy: func(p *lint.PolicyPass) {
		for i, s := range p.Document.Statement {
			for _, op := range s.Condition.Operators() {
				q, _, ok := strings.Cut(op, ":")
				if !ok || !strings.EqualFold(q, "ForAllValues") && !strings.EqualFold(q, "ForAnyValue") {
					continue
				}
				for _, k := range s.Condition.Keys(op) {
					if strings.HasPrefix(strings.ToLower(k), "kms:encryptioncontext:") {
						p.Report(i, "Condition", "Set operator on an encryption context key",
							"Statement %s compares %s with %s. Each kms:EncryptionContext:KEY holds one value; KMS rejects ForAllValues on it (OverlyPermissiveCondition), and ForAnyValue is misread. Use StringEquals (or StringLike) without a set operator; use kms:EncryptionContextKeys to constrain the set of keys.",
							sidOf(s, i), k, op)
					}
				}
			}
		}
	},
}
