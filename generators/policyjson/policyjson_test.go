package policyjson

import (
	"encoding/json"
	"slices"
	"testing"

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
