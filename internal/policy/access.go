package policy

import (
	"strings"

	"github.com/kpgen/kpgen/internal/model"
)

// CallerARN is an ARN principal p calls KMS as. For an Identity Center
// permission set it is a role of the shape Identity Center creates, with a
// made-up suffix.
func CallerARN(p model.Principal) string {
	if p.Kind == model.IdentityCenter {
		return strings.Replace(strings.Replace(p.ARN, "/*AWSReservedSSO_", "/us-east-1/AWSReservedSSO_", 1), "_*", "_0123456789abcdef", 1)
	}
	return p.ARN
}

// OrgContext is the request context every principal of the organization
// carries: its aws:PrincipalOrgID.
func OrgContext(org *model.Organization) map[string][]string {
	ctx := map[string][]string{}
	if org.OrgID != "" {
		ctx[PrincipalOrgID] = []string{org.OrgID}
	}
	return ctx
}

// CanChangePolicy reports whether any principal can call kms:PutKeyPolicy
// on the key: a policy administrator, or IAM policies of the key's account
// through the root statement.
func CanChangePolicy(org *model.Organization, ki *model.KeyInstance, doc *Document) bool {
	for _, p := range ki.PolicyAdministrators {
		req := Request{Principal: CallerARN(p), Action: "kms:PutKeyPolicy", Context: OrgContext(org)}
		if Evaluate(doc, req) == Allowed {
			return true
		}
	}
	root := Request{
		Principal:      "arn:" + org.Partition + ":iam::" + ki.Account.ID + ":role/any-role",
		Action:         "kms:PutKeyPolicy",
		Context:        OrgContext(org),
		IdentityAllows: true,
	}
	return Evaluate(doc, root) == Allowed
}
