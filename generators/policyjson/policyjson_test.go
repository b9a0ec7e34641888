package policyjson

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/fixture"
)

// A user's identity policy under centralized carries the grant actions for
// symmetric encryption keys only, as the key policy does: AWS services make
// grants for their resources with no other kind of key.
func TestIdentityPolicyGrantsOnlyForSymmetricKeys(t *testing.T) {
	const spec = `
kpgen {
  version = 1
}
organization "org" {
  strategy      = "centralized"
  regions       = ["us-east-1"]
  security_team = "security"
  key_account   = "sec"
}
account "sec" {
  id = "111111111111"
}
account "prod" {
  id = "333333333333"
}
classification "conf" {
  rank = 2
}
team "security" {
  administrators = ["role/SecAdmin"]
}
team "web" {
  administrators = ["role/WebAdmin"]
}
application "app" {
  team = "web"
  stage "prod" {
    account = "prod"
  }
  data "receipts" {
    classification = "conf"
    services       = ["lambda"]
    users          = ["role/signer"]
    key            = "signing"
  }
  data "orders" {
    classification = "conf"
    services       = ["dynamodb"]
    users          = ["role/signer"]
  }
  key "signing" {
    spec        = "ECC_NIST_P256"
    services    = []
    lint_ignore = { KP303 = "the signer calls KMS directly" }
  }
}
`
	sids := identitySids(t, spec, "iam/333333333333/signer.json")
	want := []string{"UseAppProdOrders", "GrantsAppProdOrders", "UseAppProdSigning"}
	if !slices.Equal(sids, want) {
		t.Errorf("statements of the signer's identity policy: %q, want %q", sids, want)
	}
}

// Statement ids are unique in an identity policy, even where two key ids
// differ only in the characters a Sid leaves out (shop/p/x1 and shop/p-x/1)
// and the number that would tell them apart is a third key's Sid (shop/p/x12):
// IAM refuses a policy whose Sids repeat.
func TestIdentityPolicySidsUnique(t *testing.T) {
	const spec = `
kpgen {
  version = 1
}
organization "org" {
  strategy      = "centralized"
  regions       = ["us-east-1"]
  security_team = "security"
  key_account   = "sec"
}
account "sec" {
  id = "111111111111"
}
account "prod" {
  id = "333333333333"
}
classification "conf" {
  rank = 2
}
team "security" {
  administrators = ["role/SecAdmin"]
}
team "web" {
  administrators = ["role/WebAdmin"]
}
application "shop" {
  team = "web"
  stage "p" {
    account = "prod"
  }
  stage "p-x" {
    account = "prod"
  }
  data "a" {
    classification = "conf"
    services       = ["dynamodb"]
    users          = ["role/worker"]
    key            = "1"
  }
  data "b" {
    classification = "conf"
    services       = ["dynamodb"]
    users          = ["role/worker"]
    key            = "x1"
  }
  data "c" {
    classification = "conf"
    services       = ["dynamodb"]
    users          = ["role/worker"]
    key            = "x12"
  }
  key "1" {}
  key "x1" {}
  key "x12" {}
}
`
	sids := identitySids(t, spec, "iam/333333333333/worker.json")
	want := []string{
		"UseShopP1", "GrantsShopP1",
		"UseShopPX1", "GrantsShopPX1",
		"UseShopPX12", "GrantsShopPX12",
		"UseShopPX13", "GrantsShopPX13",
		"UseShopPXX1", "GrantsShopPXX1",
		"UseShopPXX12", "GrantsShopPXX12",
	}
	if !slices.Equal(sids, want) {
		t.Errorf("statements of the worker's identity policy: %q, want %q", sids, want)
	}
}

// identitySids builds spec and returns the statement ids of the identity
// policy at path, in order.
func identitySids(t *testing.T, spec, path string) []string {
	t.Helper()
	m, pols := fixture.Build(t, spec)
	files, ds := Generate(m, pols)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var sids []string
	for _, f := range files {
		if f.Path != path {
			continue
		}
		var doc struct{ Statement []struct{ Sid string } }
		if err := json.Unmarshal(f.Content(), &doc); err != nil {
			t.Fatal(err)
		}
		for _, s := range doc.Statement {
			sids = append(sids, s.Sid)
		}
	}
	if sids == nil {
		t.Fatalf("no identity policy at %s", path)
	}
	return sids
}

// TestIdentityPolicySizeWarned: an identity policy IAM could not take as
// one managed policy is a warning at the principal, and only then.
func TestIdentityPolicySizeWarned(t *testing.T) {
	for _, c := range []struct {
		keys int
		warn bool
	}{{3, false}, {4, true}} {
		var b strings.Builder
		b.WriteString(`
kpgen {
  version = 1
}
organization "org" {
  strategy      = "centralized"
  regions       = ["us-east-1", "eu-west-1", "ap-southeast-2"]
  security_team = "security"
  key_account   = "sec"
  deployer      = "role/deploy"
}
account "sec" {
  id = "111111111111"
}
account "prod" {
  id = "333333333333"
}
classification "conf" {
  rank = 2
}
team "security" {
  administrators = ["role/SecAdmin"]
}
team "web" {
  administrators = ["role/WebAdmin"]
}
application "shop" {
  team = "web"
  stage "prod" {
    account = "prod"
  }
`)
		for i := range c.keys {
			fmt.Fprintf(&b, `  data "d%d" {
    classification = "conf"
    services       = ["s3", "dynamodb", "sqs", "kinesis", "lambda"]
    users          = ["role/worker"]
    key            = "k%d"
  }
  key "k%d" {
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
  }
`, i, i, i)
		}
		b.WriteString("}\n")
		m, pols := fixture.Build(t, b.String())
		files, ds := Generate(m, pols)
		var size int
		for _, f := range files {
			if f.Path == "iam/333333333333/worker.json" {
				size = policyChars(f.Content())
			}
		}
		var got []string
		for _, d := range ds {
			got = append(got, fmt.Sprintf("%s %d %s", d.Severity, d.Subject.Start.Line, d.Summary))
		}
		var want []string
		if c.warn {
			want = []string{fmt.Sprintf("%s 35 Identity policy over IAM's size limit", diag.Warning)}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d keys, an identity policy of %d characters: diagnostics %q, want %q", c.keys, size, got, want)
		}
		if (size > managedPolicyChars) != c.warn {
			t.Errorf("%d keys make an identity policy of %d characters; the case no longer tests the limit", c.keys, size)
		}
	}
}
