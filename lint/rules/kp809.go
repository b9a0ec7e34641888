package rules

import (
	_ "embed"
	"slices"
	"strings"
	"sync"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp809.md
var kp809Doc string

// conditionOperators are the IAM condition operators, without IfExists and
// the set qualifiers.
var conditionOperators = []string{
	"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "BinaryEquals", "Bool",
	"DateEquals", "DateGreaterThan", "DateGreaterThanEquals", "DateLessThan", "DateLessThanEquals", "DateNotEquals",
	"IpAddress", "NotIpAddress", "Null",
	"NumericEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "NumericLessThan", "NumericLessThanEquals", "NumericNotEquals",
	"StringEquals", "StringEqualsIgnoreCase", "StringLike", "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike",
}

// conditionKeys are the condition keys a key policy can use: KMS's own
// (AWS Service Authorization Reference, AWS KMS) and the global ones (IAM
// User Guide, "AWS global condition context keys"). A key ending in ":" or
// "/" takes any suffix.
var conditionKeys = []string{
	"kms:BypassPolicyLockoutSafetyCheck", "kms:CallerAccount", "kms:CustomerMasterKeySpec", "kms:CustomerMasterKeyUsage",
	"kms:DataKeyPairSpec", "kms:EncryptionAlgorithm", "kms:EncryptionContext:", "kms:EncryptionContextKeys",
	"kms:ExpirationModel", "kms:GrantConstraintSourceArn", "kms:GrantConstraintType", "kms:GranteePrincipal",
	"kms:GranteeServicePrincipal", "kms:GrantIsForAWSResource", "kms:GrantOperations", "kms:KeyAgreementAlgorithm",
	"kms:KeyOrigin", "kms:KeySpec", "kms:KeyUsage", "kms:MacAlgorithm", "kms:MessageType", "kms:MultiRegion",
	"kms:MultiRegionKeyType", "kms:PrimaryRegion", "kms:RecipientAttestation:", "kms:ReEncryptOnSameKey",
	"kms:ReplicaRegion", "kms:RequestAlias", "kms:ResourceAliases", "kms:RetiringPrincipal", "kms:RetiringServicePrincipal",
	"kms:RotationPeriodInDays", "kms:ScheduleKeyDeletionPendingWindowInDays", "kms:SigningAlgorithm",
	"kms:TrailingDaysWithoutKeyUsage", "kms:ValidTo", "kms:ViaService", "kms:WrappingAlgorithm", "kms:WrappingKeySpec",
	"aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
	"aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount",
	"aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
	"aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalTag/", "aws:PrincipalType",
	"aws:Referer", "aws:RequestedRegion", "aws:RequestTag/", "aws:ResourceAccount", "aws:ResourceOrgID",
	"aws:ResourceOrgPaths", "aws:ResourceTag/", "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn",
	"aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce",
	"aws:SourceVpcArn", "aws:TagKeys", "aws:TokenIssueTime", "aws:UserAgent", "aws:userid", "aws:username",
	"aws:ViaAWSService", "aws:VpcSourceIp", "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
	"aws:AssumedRoot", "aws:ChatbotSourceArn", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths",
	// The cross-service keys the IAM User Guide lists with the global ones:
	// services set them on requests made with a role's credentials.
	"codebuild:BuildArn", "codebuild:ProjectArn", "ec2:RoleDelivery", "ec2:SourceInstanceArn", "glue:RoleAssumedBy",
	"identitystore:UserId", "lambda:SourceFunctionArn", "ssm:SourceInstanceArn",
}

// KP809 refuses condition operators and keys that do not exist.
var KP809 = &lint.Rule{
	ID:        "KP809",
	Name:      "unknown-condition",
	Principle: "Policy hygiene",
	Severity:  diag.Error,
	Summary:   "a condition uses an operator or a condition key that does not exist (a misspelt key never matches)",
	Doc:       kp809Doc,
	Policy: func(p *lint.PolicyPass) {
		for i, s := range p.Document.Statement {
			for _, op := range s.Condition.Operators() {
				if !knownOperator(op) {
					p.Report(i, "Condition", "Unknown condition operator",
						"Statement %s uses the condition operator %q, which IAM does not have, so AWS rejects the policy. Use one of the String, Arn, Bool, Numeric, Date or IpAddress operators.", sidOf(s, i), op)
				}
				for _, k := range s.Condition.Keys(op) {
					if !knownKey(k) {
						p.Report(i, "Condition", "Unknown condition key",
							"Statement %s tests %q, which is not a condition key of AWS KMS or a global condition key. A request never carries such a key, %s. Check its spelling.", sidOf(s, i), k, absentKeyEffect(op, s.Effect))
					}
				}
			}
		}
	},
}

func knownOperator(op string) bool {
	if q, rest, ok := strings.Cut(op, ":"); ok {
		if q != "ForAllValues" && q != "ForAnyValue" {
			return false
		}
		op = rest
	}
	// IfExists goes with every operator but Null (IAM User Guide,
	// "...IfExists condition operators").
	if base, ok := strings.CutSuffix(op, "IfExists"); ok {
		return base != "Null" && slices.Contains(conditionOperators, base)
	}
	return slices.Contains(conditionOperators, op)
}

// keyIndex holds the condition keys lower-cased (keys are case-insensitive),
// and the prefixes that take any suffix.
var keyIndex = sync.OnceValues(func() (map[string]bool, []string) {
	exact := map[string]bool{}
	var prefixes []string
	for _, k := range conditionKeys {
		k = strings.ToLower(k)
		if strings.HasSuffix(k, ":") || strings.HasSuffix(k, "/") {
			prefixes = append(prefixes, k)
		} else {
			exact[k] = true
		}
	}
	return exact, prefixes
})

func knownKey(k string) bool {
	exact, prefixes := keyIndex()
	k = strings.ToLower(k)
	if exact[k] {
		return true
	}
	for _, p := range prefixes {
		if len(k) > len(p) && strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// absentKeyEffect says what a condition with operator op does when the
// request lacks its key, for a statement of effect: Not… operators,
// …IfExists and ForAllValues: hold then; ForAnyValue: does not, whatever
// its operator; Null finds the key missing; the others do not hold.
func absentKeyEffect(op, effect string) string {
	base := op
	if q, rest, ok := strings.Cut(op, ":"); ok {
		switch q {
		case "ForAllValues":
			return holdsEffect(effect)
		case "ForAnyValue":
			return neverEffect(effect)
		}
		base = rest
	}
	if base == "Null" {
		return "so a Null condition on it always finds it missing"
	}
	if strings.HasSuffix(base, "IfExists") || strings.Contains(base, "Not") {
		return holdsEffect(effect)
	}
	return neverEffect(effect)
}

func neverEffect(effect string) string {
	if effect == policy.Deny {
		return "so this condition never holds and the Deny never applies"
	}
	return "so this condition never holds and the Allow never applies"
}

func holdsEffect(effect string) string {
	if effect == policy.Deny {
		return "so this condition always holds and the Deny always applies"
	}
	return "so this condition always holds: the guard is off, and the Allow applies whatever the key would have said"
}
