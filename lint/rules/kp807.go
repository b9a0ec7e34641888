package rules

import (
	_ "embed"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp807.md
var kp807Doc string

// KP807 warns about unrestricted CreateGrant for non-administrators.
var KP807 = &lint.Rule{
	ID:        "KP807",
	Name:      "unrestricted-grant",
	Principle: "Policy hygiene",
	Severity:  diag.Warning,
	Summary:   "kms:CreateGrant allowed without kms:GrantIsForAWSResource to a principal that is not an administrator",
	Doc:       kp807Doc,
	Policy: func(p *lint.PolicyPass) {
		for i, s := range p.Document.Statement {
			if s.Effect != policy.Allow || !allows(s.Action, "kms:CreateGrant") || grantForAWSResource(s.Condition) {
				continue
			}
			// A statement that may change the key policy is an
			// administrator's: it could grant itself anything anyway.
			if allows(s.Action, "kms:PutKeyPolicy") {
				continue
			}
			if viaService(s.Condition) {
				// AWS's own policies for its managed keys have this shape.
				p.Report(i, "Action", "Grants not limited to AWS resources",
					"Statement %s allows kms:CreateGrant without requiring kms:GrantIsForAWSResource. Its kms:ViaService condition already limits the call to requests the services it names make for their callers, so the risk is smaller than without it; requiring kms:GrantIsForAWSResource says exactly what is meant and still holds if that condition is widened. Add \"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}.", sidOf(s, i))
				continue
			}
			p.Report(i, "Action", "Grants not limited to AWS resources",
				"Statement %s allows kms:CreateGrant without requiring kms:GrantIsForAWSResource, so its principals can hand the key's use to any other principal through a grant, outside the key policy. Add \"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}, or remove kms:CreateGrant.", sidOf(s, i))
		}
	},
}

func allows(actions policy.Values, action string) bool {
	for _, a := range actions {
		if a == "*" {
			return true
		}
		for _, m := range policy.MatchActions(a) {
			if strings.EqualFold(m, action) {
				return true
			}
		}
	}
	return false
}

func grantForAWSResource(c policy.Conditions) bool {
	for op, keys := range c {
		if op != "Bool" {
			continue
		}
		for k, v := range keys {
			if strings.EqualFold(k, policy.GrantIsForAWSResource) && len(v) == 1 && strings.EqualFold(v[0], "true") {
				return true
			}
		}
	}
	return false
}

// viaService reports whether the conditions require kms:ViaService to be
// one of the values they name, with an operator that narrows (as KP801
// reads them: not IfExists, which holds when the key is absent).
func viaService(c policy.Conditions) bool {
	for op, keys := range c {
		if _, ok := narrowingOperator(op); !ok {
			continue
		}
		for k := range keys {
			if strings.EqualFold(k, policy.ViaService) {
				return true
			}
		}
	}
	return false
}
