package policy_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/policy"
)

// TestServicePrincipalsByKeyType: the services of the catalogue encrypt
// only with symmetric encryption keys, so a service principal named as a
// user of any other key gets no statement (KP508 warns about such keys).
func TestServicePrincipalsByKeyType(t *testing.T) {
	// The context each service sends for a resource of account prod.
	services := map[string]map[string][]string{
		"sns.amazonaws.com": {policy.SourceAccount: {"333333333333"}},
		"logs.us-east-1.amazonaws.com": {
			"kms:EncryptionContext:aws:logs:arn": {"arn:aws:logs:us-east-1:333333333333:log-group:app"},
		},
		"cloudtrail.amazonaws.com": {
			policy.SourceAccount:                       {"333333333333"},
			"kms:EncryptionContext:aws:cloudtrail:arn": {"arn:aws:cloudtrail:us-east-1:333333333333:trail/t"},
		},
	}
	// What each may do with a symmetric key, of the actions asked.
	uses := map[string][]string{
		"sns.amazonaws.com":            {"kms:Decrypt", "kms:GenerateDataKey"},
		"logs.us-east-1.amazonaws.com": {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"},
		"cloudtrail.amazonaws.com":     {"kms:GenerateDataKey"},
	}
	for _, tc := range []struct {
		spec, usage string
		// want maps each service statement's Sid to its actions; a Sid
		// not listed must not be there.
		want map[string][]string
	}{
		{"SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", map[string][]string{
			"ServiceSns":                {"kms:Decrypt", "kms:GenerateDataKey*"},
			"ServiceLogs":               {"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
			"ServiceCloudtrail":         {"kms:GenerateDataKey*"},
			"ServiceCloudtrailDescribe": {"kms:DescribeKey"},
		}},
		{"RSA_2048", "ENCRYPT_DECRYPT", nil},
		{"ECC_NIST_P256", "SIGN_VERIFY", nil},
		{"ECC_NIST_P256", "KEY_AGREEMENT", nil},
		{"HMAC_256", "GENERATE_VERIFY_MAC", nil},
	} {
		t.Run(tc.spec+"/"+tc.usage, func(t *testing.T) {
			_, pols := fixture.Build(t, fmt.Sprintf(`
kpgen {
  version = 1
}
organization "o" {
  strategy = "decentralized"
  regions  = ["us-east-1"]
  deployer = "role/deploy"
}
account "prod" {
  id = "333333333333"
}
classification "internal" {
  rank = 1
}
team "web" {
  administrators = ["role/WebAdmin"]
}
application "app" {
  team = "web"
  stage "prod" {
    account = "prod"
  }
  key "k" {
    spec     = %q
    usage    = %q
    services = []
    users    = ["role/app", "service:sns", "service:logs", "service:cloudtrail"]
  }
}
`, tc.spec, tc.usage))
			if len(pols) != 1 {
				t.Fatalf("%d policies, want 1", len(pols))
			}
			got := map[string][]string{}
			for _, s := range pols[0].Document.Statement {
				if s.Principal != nil && len(s.Principal.Service) > 0 {
					got[s.Sid] = slices.Clone(s.Action)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("service statements %v, want %v", got, tc.want)
			}
			for sid, want := range tc.want {
				if !slices.Equal(got[sid], want) {
					t.Errorf("%s allows %v, want %v", sid, got[sid], want)
				}
			}
			// Asked as they ask, the services may use a symmetric key
			// as their statements say, and any other key not at all.
			for host, ctx := range services {
				for _, action := range []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:Sign", "kms:GenerateMac", "kms:DeriveSharedSecret"} {
					req := policy.Request{Principal: host, Action: action, Context: ctx}
					allowed := policy.Evaluate(pols[0].Document, req) == policy.Allowed
					if want := tc.spec == "SYMMETRIC_DEFAULT" && slices.Contains(uses[host], action); allowed != want {
						t.Errorf("%s %s: allowed %v, want %v", host, action, allowed, want)
					}
				}
			}
		})
	}
}
