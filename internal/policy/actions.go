package policy

import (
	"slices"
	"strings"
	"sync"

	"github.com/kpgen/kpgen/internal/model"
)

// The action sets, from the AWS console's default key policy (KMS Developer
// Guide, "Default key policy"), narrowed for separation of duties:
// administrators get no kms:CreateGrant (with which they could grant
// themselves use of the key) and no cryptographic action.

var (
	adminActions = []string{
		"kms:CancelKeyDeletion",
		"kms:CreateAlias",
		"kms:DeleteAlias",
		"kms:DescribeKey",
		"kms:DisableKey",
		"kms:EnableKey",
		"kms:GetKeyLastUsage",
		"kms:GetKeyPolicy",
		"kms:ListGrants",
		"kms:ListKeyPolicies",
		"kms:ListResourceTags",
		"kms:PutKeyPolicy",
		"kms:RevokeGrant",
		"kms:ScheduleKeyDeletion",
		"kms:TagResource",
		"kms:UntagResource",
		"kms:UpdateAlias",
		"kms:UpdateKeyDescription",
	}
	rotationActions = []string{
		"kms:DisableKeyRotation",
		"kms:EnableKeyRotation",
		"kms:GetKeyRotationStatus",
		"kms:ListKeyRotations",
		"kms:RotateKeyOnDemand",
	}
	rotationStatus     = "kms:GetKeyRotationStatus"
	onDemandActions    = []string{"kms:GetKeyRotationStatus", "kms:ListKeyRotations", "kms:RotateKeyOnDemand"}
	importActions      = []string{"kms:DeleteImportedKeyMaterial", "kms:GetParametersForImport", "kms:ImportKeyMaterial"}
	multiRegionActions = []string{"kms:ReplicateKey", "kms:UpdatePrimaryRegion"}

	// Operators run the key day to day: no policy changes, no deletion, no
	// aliases (the generated templates own those), no cryptography.
	operatorActions = []string{
		"kms:DescribeKey",
		"kms:DisableKey",
		"kms:EnableKey",
		"kms:GetKeyLastUsage",
		"kms:GetKeyPolicy",
		"kms:ListGrants",
		"kms:ListKeyPolicies",
		"kms:ListResourceTags",
		"kms:TagResource",
		"kms:UntagResource",
		"kms:UpdateKeyDescription",
	}

	// GrantActions let users have AWS services create grants for resources
	// encrypted with the key (kms:GrantIsForAWSResource).
	grantActions = []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}
)

// adminSets and operatorSets hold the action sets of every kind of key,
// made once: documents share them and never change them.
var adminSets, operatorSets = actionSets()

// Kinds of key, as bits.
const (
	kindRotates  = 1 // rotates automatically: symmetric, of AWS's material
	kindExternal = 2 // imported key material
	kindMulti    = 4 // multi-Region
	// kindOnDemand: imported symmetric single-Region key material, which
	// KMS rotates on demand (once new material is imported), never
	// automatically.
	kindOnDemand = 8
)

// actionSets makes the administrators' and the operators' action sets of
// every kind of key, indexed by kind.
func actionSets() (admin, operator [16][]string) {
	for kind := range 16 {
		rotate, external, multi, onDemand := kind&kindRotates != 0, kind&kindExternal != 0, kind&kindMulti != 0, kind&kindOnDemand != 0
		a := slices.Clone(adminActions)
		o := slices.Clone(operatorActions)
		switch {
		case rotate:
			a = append(a, rotationActions...)
			o = append(o, rotationActions...)
		case onDemand:
			// Rotating imports new material first, which only
			// administrators may; operators see the rotations.
			a = append(a, onDemandActions...)
			o = append(o, rotationStatus, "kms:ListKeyRotations")
		case !external:
			// A key of AWS's material that cannot rotate still answers
			// GetKeyRotationStatus (always false), and Terraform's AWS
			// provider asks it on every read of such a key: without it
			// the deploying role could not refresh the key it created.
			a = append(a, rotationStatus)
			o = append(o, rotationStatus)
		}
		if external {
			a = append(a, importActions...)
		}
		if multi {
			a = append(a, multiRegionActions...)
		}
		slices.Sort(a)
		slices.Sort(o)
		admin[kind], operator[kind] = a, o
	}
	return admin, operator
}

func keyKind(k *model.Key) int {
	kind := 0
	if k.CanRotate() {
		kind |= kindRotates
	}
	if k.Origin == "external" {
		kind |= kindExternal
		if k.Spec == "SYMMETRIC_DEFAULT" && !k.MultiRegion() {
			kind |= kindOnDemand
		}
	}
	if k.MultiRegion() {
		kind |= kindMulti
	}
	return kind
}

// AdminActions is what a key's policy administrators may do. The slice is
// shared: do not modify it.
func AdminActions(k *model.Key) []string { return adminSets[keyKind(k)] }

// OperatorActions is what a key's operators may do. The slice is shared: do
// not modify it.
func OperatorActions(k *model.Key) []string {
	return operatorSets[keyKind(k)&^kindMulti]
}

// UserActions is what a key's users may do, by the key's usage: its
// cryptographic operations first (those of a symmetric encryption key take an
// encryption context), the rest (describe, public key) second.
func UserActions(k *model.Key) (crypto, other []string) {
	switch {
	case k.Usage == "ENCRYPT_DECRYPT" && k.Spec == "SYMMETRIC_DEFAULT":
		return []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}, []string{"kms:DescribeKey"}
	case k.Usage == "ENCRYPT_DECRYPT":
		return []string{"kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*"}, []string{"kms:DescribeKey", "kms:GetPublicKey"}
	case k.Usage == "SIGN_VERIFY":
		return []string{"kms:Sign", "kms:Verify"}, []string{"kms:DescribeKey", "kms:GetPublicKey"}
	case k.Usage == "GENERATE_VERIFY_MAC":
		return []string{"kms:GenerateMac", "kms:VerifyMac"}, []string{"kms:DescribeKey"}
	case k.Usage == "KEY_AGREEMENT":
		return []string{"kms:DeriveSharedSecret"}, []string{"kms:DescribeKey", "kms:GetPublicKey"}
	}
	return nil, []string{"kms:DescribeKey"}
}

// contextActions are the operations whose requests carry an encryption
// context, the only ones a kms:EncryptionContext: condition can hold for
// (the AWS KMS Developer Guide, "kms:EncryptionContext:context-key").
var contextActions = []string{
	"kms:CreateGrant", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair",
	"kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext",
	"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant",
}

// CarriesEncryptionContext reports whether a request for action can carry
// an encryption context.
func CarriesEncryptionContext(action string) bool {
	return slices.ContainsFunc(contextActions, func(a string) bool { return strings.EqualFold(a, action) })
}

// KMSActions is every action of the kms service prefix (the AWS Service
// Authorization Reference, and the AWS KMS API Reference for Encapsulate
// and Decapsulate, the ML-KEM operations), for checking hand-written
// policies.
var KMSActions = []string{
	"kms:CancelKeyDeletion", "kms:ConnectCustomKeyStore", "kms:CreateAlias", "kms:CreateCustomKeyStore",
	"kms:CreateGrant", "kms:CreateKey", "kms:Decapsulate", "kms:Decrypt", "kms:DeleteAlias", "kms:DeleteCustomKeyStore",
	"kms:DeleteImportedKeyMaterial", "kms:DeriveSharedSecret", "kms:DescribeCustomKeyStores",
	"kms:DescribeKey", "kms:DisableKey", "kms:DisableKeyRotation", "kms:DisconnectCustomKeyStore",
	"kms:EnableKey", "kms:EnableKeyRotation", "kms:Encapsulate", "kms:Encrypt", "kms:GenerateDataKey",
	"kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
	"kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateMac", "kms:GenerateRandom",
	"kms:GetKeyLastUsage", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:GetParametersForImport",
	"kms:GetPublicKey", "kms:ImportKeyMaterial", "kms:ListAliases", "kms:ListGrants",
	"kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListKeys", "kms:ListResourceTags",
	"kms:ListRetirableGrants", "kms:PutKeyPolicy", "kms:ReEncryptFrom", "kms:ReEncryptTo",
	"kms:ReplicateKey", "kms:RetireGrant", "kms:RevokeGrant", "kms:RotateKeyOnDemand",
	"kms:ScheduleKeyDeletion", "kms:Sign", "kms:SynchronizeMultiRegionKey", "kms:TagResource",
	"kms:UntagResource", "kms:UpdateAlias", "kms:UpdateCustomKeyStore", "kms:UpdateKeyDescription",
	"kms:UpdatePrimaryRegion", "kms:Verify", "kms:VerifyMac",
}

// matched caches MatchActions: policies repeat a handful of patterns
// thousands of times.
var matched sync.Map // pattern -> []string

// MatchActions returns the KMS actions an action pattern (with * and ?)
// covers, case-insensitively. The result is shared; do not modify it.
func MatchActions(pattern string) []string {
	if m, ok := matched.Load(pattern); ok {
		return m.([]string)
	}
	var out []string
	for _, a := range KMSActions {
		if actionMatches(Values{pattern}, a) {
			out = append(out, a)
		}
	}
	matched.Store(pattern, out)
	return out
}

// CrossAccountActions are the operations KMS lets a principal of another
// account call on a key (the "Cross-account use: Yes" of the AWS KMS API
// Reference); every other one it refuses across accounts, whatever the key
// policy allows.
var CrossAccountActions = []string{
	"kms:CreateGrant", "kms:Decapsulate", "kms:Decrypt", "kms:DeriveSharedSecret", "kms:DescribeKey", "kms:Encapsulate", "kms:Encrypt",
	"kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
	"kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateMac", "kms:GetKeyRotationStatus", "kms:GetPublicKey", "kms:ListGrants",
	"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant", "kms:RevokeGrant", "kms:Sign",
	"kms:Verify", "kms:VerifyMac",
}

// KeyActions are the operations a key policy may allow on key k: what its
// administrators, operators and users may do, the grant operations,
// GetKeyRotationStatus (which every key answers, false where it cannot
// rotate), and none that the key's spec, usage, origin or Regions rule out,
// nor any that concerns the account rather than a key (CreateKey,
// ListKeys, …). The slice is new.
func KeyActions(k *model.Key) []string {
	crypto, other := UserActions(k)
	var all []string
	for _, pattern := range slices.Concat(AdminActions(k), OperatorActions(k), crypto, other, grantActions, []string{"kms:RetireGrant", rotationStatus}) {
		all = append(all, MatchActions(pattern)...) // kms:ReEncrypt* and the like
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// CryptoActions are every cryptographic operation of KMS, whatever the key:
// what administrators and operators must never be able to call.
var CryptoActions = []string{
	"kms:Decapsulate", "kms:Decrypt", "kms:DeriveSharedSecret", "kms:Encapsulate", "kms:Encrypt", "kms:GenerateDataKey",
	"kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
	"kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateMac", "kms:ReEncryptFrom",
	"kms:ReEncryptTo", "kms:Sign", "kms:Verify", "kms:VerifyMac",
}
