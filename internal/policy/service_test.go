package policy_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/policy"
)

// TestServicePrincipalsByKeyType: a service principal named as a user gets
// only the actions its key admits, and no statement at all when the key
// admits none of its cryptographic ones (KP508 warns about such keys).
func TestServicePrincipalsByKeyType(t *testing.T) {
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
		{"RSA_2048", "ENCRYPT_DECRYPT", map[string][]string{
			"ServiceSns":  {"kms:Decrypt"},
			"ServiceLogs": {"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:ReEncrypt*"},
		}},
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
			// Whatever is left, the services can do nothing the key
			// does not admit.
			admits := policy.KeyActions(pols[0].Instance.Key)
			for _, a := range policy.KMSActions {
				if slices.Contains(admits, a) {
					continue
				}
				for _, host := range []string{"sns.amazonaws.com", "logs.us-east-1.amazonaws.com", "cloudtrail.amazonaws.com"} {
					req := policy.Request{Principal: host, Action: a}
					if policy.Evaluate(pols[0].Document, req) == policy.Allowed {
						t.Errorf("%s may call %s, which the key does not admit", host, a)
					}
				}
			}
		})
	}
}
