package rules

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp505.md
var kp505Doc string

// keyUsages says which KeyUsage values each KeySpec supports.
var keyUsages = map[string][]string{
	"SYMMETRIC_DEFAULT":     {"ENCRYPT_DECRYPT"},
	"RSA_2048":              {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
	"RSA_3072":              {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
	"RSA_4096":              {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
	"ECC_NIST_P256":         {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_NIST_P384":         {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_NIST_P521":         {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_SECG_P256K1":       {"SIGN_VERIFY"},
	"ECC_NIST_EDWARDS25519": {"SIGN_VERIFY"},
	"HMAC_224":              {"GENERATE_VERIFY_MAC"},
	"HMAC_256":              {"GENERATE_VERIFY_MAC"},
	"HMAC_384":              {"GENERATE_VERIFY_MAC"},
	"HMAC_512":              {"GENERATE_VERIFY_MAC"},
	"SM2":                   {"ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"},
	"ML_DSA_44":             {"SIGN_VERIFY"},
	"ML_DSA_65":             {"SIGN_VERIFY"},
	"ML_DSA_87":             {"SIGN_VERIFY"},
}

// KP505 refuses a key spec with a usage it does not support.
var KP505 = &lint.Rule{
	ID:        "KP505",
	Name:      "spec-usage-mismatch",
	Principle: "Key types",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "spec and usage do not go together (e.g. HMAC_256 with ENCRYPT_DECRYPT)",
	Doc:       kp505Doc,
	Check: func(p *lint.Pass) {
		for _, k := range keys(p.Model) {
			allowed := keyUsages[k.Spec]
			if slices.Contains(allowed, k.Usage) {
				continue
			}
			p.Report(attrRange(k, "usage"), "Key spec and usage do not go together",
				"The %s is %s with usage %s; a %s key supports %s. Change usage, or remove it to take the spec's default.", keyName(k), k.Spec, k.Usage, k.Spec, strings.Join(allowed, ", "))
		}
	},
}
