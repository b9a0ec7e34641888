package specdiff_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/specdiff"
)

// base is a key of application shop in account prod, used through S3
// with an encryption context.
const base = `
kpgen {
  version = 1
}
organization "acme" {
  strategy = "decentralized"
  regions  = ["us-east-1"]
  deployer = "role/deploy"
}
account "prod" {
  id = "333333333333"
}
classification "confidential" {
  rank = 2
}
team "web" {
  administrators = ["role/WebAdmin"]
}
application "shop" {
  team = "web"
  stage "prod" {
    account = "prod"
  }
  data "receipts" {
    classification = "confidential"
    services       = ["s3"]
    users          = ["role/shop-api"]
    key            = "receipts"
  }
  key "receipts" {
    encryption_context = { app = "shop" }
  }
}
`

// compare diffs base against base with the replacements old → new made,
// and returns the report's lines: "property NAME: BEFORE → AFTER",
// "replaces: WHY", "replicas removed: REGIONS", "PRINCIPAL gained|lost
// ACTIONS where WHERE".
func compare(t *testing.T, from, to string, edits ...string) []string {
	t.Helper()
	head := strings.NewReplacer(edits...).Replace(to)
	if head == to && len(edits) > 0 {
		t.Fatalf("the edits %q change nothing", edits)
	}
	bm, bp := fixture.Build(t, from)
	hm, hp := fixture.Build(t, head)
	r := specdiff.Compare(&specdiff.Side{Name: "a", Model: bm, Policies: bp}, &specdiff.Side{Name: "b", Model: hm, Policies: hp})
	var out []string
	for _, k := range r.Keys {
		for _, why := range k.Replaces {
			out = append(out, "replaces: "+why)
		}
		if len(k.ReplicasRemoved) > 0 {
			out = append(out, "replicas removed: "+strings.Join(k.ReplicasRemoved, ", "))
		}
		for _, m := range k.DataMoves {
			out = append(out, fmt.Sprintf("%s: data %s moves to %s", k.ID(), m.Data, m.To))
		}
		for _, p := range k.Properties {
			out = append(out, fmt.Sprintf("property %s: %s → %s", p.Name, p.Before, p.After))
		}
		for _, a := range k.Access {
			for _, g := range a.Gained {
				out = append(out, fmt.Sprintf("%s gained %s where %s", a.Principal, strings.Join(g.Actions, ","), strings.Join(g.Where, "; ")))
			}
			for _, g := range a.Lost {
				out = append(out, fmt.Sprintf("%s lost %s where %s", a.Principal, strings.Join(g.Actions, ","), strings.Join(g.Where, "; ")))
			}
		}
	}
	return out
}

// has reports whether one of lines contains every part.
func has(lines []string, parts ...string) bool {
	return slices.ContainsFunc(lines, func(l string) bool {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				return false
			}
		}
		return true
	})
}

const crypto = "kms:Decrypt,kms:Encrypt,kms:GenerateDataKey"

func TestEncryptionContextChangeIsGainAndLoss(t *testing.T) {
	for _, edit := range []string{`{ app = "store" }`, `{ tenant = "shop" }`} {
		got := compare(t, base, base, `{ app = "shop" }`, edit)
		if !has(got, "role/shop-api lost "+crypto, "with encryption context app=shop") {
			t.Errorf("%s: the loss of the old context is not reported:\n%s", edit, strings.Join(got, "\n"))
		}
		if !has(got, "role/shop-api gained "+crypto, "with encryption context "+strings.Trim(strings.ReplaceAll(strings.ReplaceAll(edit, " = ", "="), `"`, ""), "{ }")) {
			t.Errorf("%s: the gain of the new context is not reported:\n%s", edit, strings.Join(got, "\n"))
		}
	}
}

func TestOrganizationGuard(t *testing.T) {
	withOrg := func(id string) string {
		return strings.Replace(base, `deployer = "role/deploy"`, `deployer = "role/deploy"
  org_id   = "`+id+`"`, 1)
	}
	got := compare(t, base, withOrg("o-aaaaaaaaaa"))
	if !slices.Equal(got, []string{"property org_id:  → o-aaaaaaaaaa"}) {
		t.Errorf("adding org_id:\n%s", strings.Join(got, "\n"))
	}
	// Each version's principals are in the organization it names: moving
	// to another changes no one's access by itself.
	got = compare(t, withOrg("o-aaaaaaaaaa"), withOrg("o-bbbbbbbbbb"))
	if !slices.Equal(got, []string{"property org_id: o-aaaaaaaaaa → o-bbbbbbbbbb"}) {
		t.Errorf("moving to another organization:\n%s", strings.Join(got, "\n"))
	}
}

func TestIAMDelegationIsAccess(t *testing.T) {
	got := compare(t, base, base, `encryption_context = { app = "shop" }`, `encryption_context = { app = "shop" }
    iam_delegation     = true`)
	if !has(got, "IAM policies of account 333333333333 (arn:aws:iam::333333333333:root) gained", "kms:PutKeyPolicy", "where "+specdiff.Anywhere) {
		t.Errorf("the delegation to IAM is not reported as access:\n%s", strings.Join(got, "\n"))
	}
	// Only operations on this key: no account-level call, nothing a
	// symmetric encryption key does not do.
	for _, never := range []string{"kms:CreateKey", "kms:ListKeys", "kms:GenerateRandom", "kms:Sign", "kms:ImportKeyMaterial", "kms:ReplicateKey"} {
		if has(got, "gained", never) {
			t.Errorf("%s reported as gained on a symmetric, single-Region key of AWS's material:\n%s", never, strings.Join(got, "\n"))
		}
	}
}

// Every key answers GetKeyRotationStatus, one of imported material in
// several Regions too (always false), though nobody the key names needs it:
// the delegation's gain of it is reported.
func TestIAMDelegationOfImportedMultiRegionKey(t *testing.T) {
	imported := strings.NewReplacer(`regions  = ["us-east-1"]`, `regions  = ["us-east-1", "eu-west-1"]`,
		`encryption_context = { app = "shop" }`, `origin             = "external"
    regions            = ["us-east-1", "eu-west-1"]`).Replace(base)
	got := compare(t, imported, imported, `origin             = "external"`, `origin             = "external"
    iam_delegation     = true`)
	if !has(got, "IAM policies of account 333333333333 (arn:aws:iam::333333333333:root) gained", "kms:GetKeyRotationStatus") {
		t.Errorf("the delegation's GetKeyRotationStatus is not reported:\n%s", strings.Join(got, "\n"))
	}
}

func TestServicesRemovedWidenUse(t *testing.T) {
	got := compare(t, base, base, `encryption_context = { app = "shop" }`, `encryption_context = { app = "shop" }
    services           = []`)
	if !has(got, "role/shop-api gained "+crypto, "via a service the key does not name with encryption context app=shop", "directly with encryption context app=shop") {
		t.Errorf("use through any service is not reported:\n%s", strings.Join(got, "\n"))
	}
}

func TestPropertiesOutputsFollow(t *testing.T) {
	tests := []struct {
		name  string
		edits []string
		want  []string
	}{
		{"classification", []string{"  rank = 2\n}", "  rank = 2\n}\nclassification \"public\" {\n  rank = 0\n}", `classification = "confidential"`, `classification = "public"`},
			[]string{
				"property classification: confidential → public",
				"property description: confidential data of application shop: receipts → public data of application shop: receipts",
			}},
		{"production", []string{`account = "prod"` + "\n  }", `account    = "prod"` + "\n    production = false\n  }"},
			[]string{"property production: true → false"}},
		{"account renamed", []string{`account "prod"`, `account "production"`, `account = "prod"`, `account = "production"`},
			[]string{
				"replaces: Terraform declares it in terraform/production instead of terraform/prod, whose state still holds the old key, with no configuration left to plan its destruction: the new module creates another",
				"property terraform_module: terraform/prod → terraform/production",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := compare(t, base, base, tt.edits...); !slices.Equal(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// A key shared across stages is declared in the stack of the first stage:
// a stage added before it moves it to another stack.
func TestSharedKeyMovesStack(t *testing.T) {
	shared := strings.NewReplacer(
		`encryption_context = { app = "shop" }`, `encryption_context   = { app = "shop" }
    shared_across_stages = true`,
		"  stage \"prod\" {", "  stage \"dev\" {\n    account = \"prod\"\n  }\n  stage \"prod\" {",
	).Replace(base)
	got := compare(t, shared, shared, "  stage \"dev\" {", "  stage \"ci\" {\n    account = \"prod\"\n  }\n  stage \"dev\" {")
	if !has(got, "replaces: CloudFormation declares it in stack shop-ci instead of shop-dev") {
		t.Errorf("the move to another stack is not reported:\n%s", strings.Join(got, "\n"))
	}
}

// KMS refuses management calls from another account, whatever the key
// policy says: an administrator of another account gains none of them.
func TestCrossAccountAdministrator(t *testing.T) {
	got := compare(t, base, base, `encryption_context = { app = "shop" }`, `encryption_context = { app = "shop" }
    administrators     = ["role/WebAdmin", "arn:aws:iam::111111111111:role/Auditor"]`)
	if has(got, "role/Auditor gained", "kms:PutKeyPolicy") || !has(got, "role/Auditor gained kms:DescribeKey,kms:GetKeyRotationStatus,kms:ListGrants,kms:RevokeGrant where "+specdiff.Anywhere) {
		t.Errorf("an administrator of another account gains actions KMS refuses it:\n%s", strings.Join(got, "\n"))
	}
}

func TestReplicaOrderChangesNothing(t *testing.T) {
	mr := strings.Replace(base, `encryption_context = { app = "shop" }`, `encryption_context = { app = "shop" }
    regions            = ["us-east-1", "eu-west-1", "us-west-2"]`, 1)
	mr = strings.Replace(mr, `regions  = ["us-east-1"]`, `regions  = ["us-east-1", "eu-west-1", "us-west-2"]`, 1)
	if got := compare(t, mr, mr, `["us-east-1", "eu-west-1", "us-west-2"]`+"\n", `["us-east-1", "us-west-2", "eu-west-1"]`+"\n"); len(got) != 0 {
		t.Errorf("reordered replicas reported:\n%s", strings.Join(got, "\n"))
	}
}

// A service principal's statement may hold only under the encryption
// context the service sends, which DescribeKey does not carry: CloudWatch
// Logs, named as a user, gains the cryptographic operations only.
func TestServiceGainsWhatItsContextAllows(t *testing.T) {
	got := compare(t, base, base, `users          = ["role/shop-api"]`, `users          = ["role/shop-api", "service:logs"]`)
	want := "logs.us-east-1.amazonaws.com for account 333333333333 gained kms:Decrypt,kms:Encrypt,kms:GenerateDataKey,kms:GenerateDataKeyPair,kms:GenerateDataKeyPairWithoutPlaintext,kms:GenerateDataKeyWithoutPlaintext,kms:ReEncryptFrom,kms:ReEncryptTo where as an AWS service"
	if !slices.Contains(got, want) {
		t.Errorf("got\n%s\nwant the line\n%s", strings.Join(got, "\n"), want)
	}
}

// A key that moves to another Terraform root module while the old one
// stays, with other keys, is destroyed by the old module's plan.
func TestModuleLeftBehindDestroys(t *testing.T) {
	two := base + `
application "billing" {
  team = "web"
  stage "prod" {
    account = "prod"
  }
  data "invoices" {
    classification = "confidential"
    services       = ["s3"]
    users          = ["role/billing-api"]
  }
}
account "prod2" {
  id = "444444444444"
}
`
	got := compare(t, two, two, "team = \"web\"\n  stage \"prod\" {\n    account = \"prod\"\n  }\n  data \"receipts\"", "team = \"web\"\n  stage \"prod\" {\n    account = \"prod2\"\n  }\n  data \"receipts\"")
	if !has(got, "replaces: Terraform declares it in terraform/prod2 instead of terraform/prod, whose plan destroys the old key") {
		t.Errorf("the old module's destruction of the key is not reported:\n%s", strings.Join(got, "\n"))
	}
}

// A replica a key changed in place no longer has is a key Terraform
// destroys: it is named, whichever replicas stay or come. A replaced key's
// replicas go with the old key, which the replacement already says.
func TestReplicasRemoved(t *testing.T) {
	multi := strings.NewReplacer(`regions  = ["us-east-1"]`, `regions  = ["us-east-1", "eu-west-1", "us-west-2"]`,
		`encryption_context = { app = "shop" }`, `encryption_context = { app = "shop" }
    regions            = ["us-east-1", "eu-west-1", "us-west-2"]`).Replace(base)
	for regions, want := range map[string]string{
		`["us-east-1", "eu-west-1"]`:              "replicas removed: us-west-2",
		`["us-east-1", "us-west-2"]`:              "replicas removed: eu-west-1",
		`["us-east-1", "us-west-2", "eu-west-1"]`: "", // the same replicas
		`["eu-west-1", "us-east-1"]`:              "", // a new primary: the key is replaced, replicas and all
	} {
		got := compare(t, multi, multi, `regions            = ["us-east-1", "eu-west-1", "us-west-2"]`, "regions            = "+regions)
		removed := slices.IndexFunc(got, func(l string) bool { return strings.HasPrefix(l, "replicas removed") })
		switch {
		case want == "" && removed >= 0:
			t.Errorf("%s: a replica reported removed:\n%s", regions, strings.Join(got, "\n"))
		case want != "" && !slices.Contains(got, want):
			t.Errorf("%s: want %q in\n%s", regions, want, strings.Join(got, "\n"))
		}
	}
}

// TestGrantsStayQualified: a new user of a key with no services may make
// grants under any conditions, but only grants for AWS resources, and the
// report says so; an administrator's grant operations hold for grants of
// every kind, and say nothing of AWS resources.
func TestGrantsStayQualified(t *testing.T) {
	keyWithoutServices := strings.Replace(base, `encryption_context = { app = "shop" }`, `encryption_context = { app = "shop" }
    services           = []`, 1)
	got := compare(t, keyWithoutServices, keyWithoutServices,
		`users          = ["role/shop-api"]`, `users          = ["role/shop-api", "role/shop-new"]`,
		`administrators = ["role/WebAdmin"]`, `administrators = ["role/WebAdmin", "role/WebAdmin2"]`)
	if !has(got, "role/shop-new gained kms:CreateGrant,kms:ListGrants,kms:RevokeGrant where "+specdiff.Anywhere+", grants for AWS resources only") {
		t.Errorf("the user's grant operations are not reported for AWS resources only:\n%s", strings.Join(got, "\n"))
	}
	if !has(got, "role/WebAdmin2 gained", "kms:ListGrants", "kms:RevokeGrant", "where "+specdiff.Anywhere) || has(got, "role/WebAdmin2 gained", "grants for AWS resources") {
		t.Errorf("the administrator's grant operations are qualified:\n%s", strings.Join(got, "\n"))
	}
}

// TestDataMoves: a derived key that a new data set renames is removed, and
// the report says where its data went; a key removed with its data says
// nothing of the kind, nor does a key whose data another stage's key
// protects.
func TestDataMoves(t *testing.T) {
	derived := strings.NewReplacer("    key            = \"receipts\"\n", "", `  key "receipts" {
    encryption_context = { app = "shop" }
  }
`, "").Replace(base)
	twoStages := strings.Replace(derived, `  stage "prod" {`, "  stage \"dev\" {\n    account = \"prod\"\n    production = false\n  }\n  stage \"prod\" {", 1)
	images := `  data "images" {
    classification = "confidential"
    services       = ["s3"]
    users          = ["role/shop-api"]
  }
}
`
	got := compare(t, twoStages, twoStages, "  }\n}\n", "  }\n"+images)
	want := []string{"shop/dev/receipts: data receipts moves to shop/dev/confidential", "shop/prod/receipts: data receipts moves to shop/prod/confidential"}
	var moves []string
	for _, l := range got {
		if strings.Contains(l, "moves to") {
			moves = append(moves, l)
		}
	}
	if !slices.Equal(moves, want) {
		t.Errorf("moves %q, want %q", moves, want)
	}
	// Another application's data of the same name is not where this
	// application's data went.
	blog := strings.Replace(derived, "application \"shop\" {", "application \"blog\" {\n  team = \"web\"\n  stage \"prod\" {\n    account = \"prod\"\n  }\n  data \"receipts\" {\n    classification = \"confidential\"\n    services       = [\"s3\"]\n    users          = [\"role/blog-api\"]\n  }\n}\napplication \"shop\" {", 1)
	got = compare(t, blog, blog, "\"role/shop-api\"]\n  }\n}\n", "\"role/shop-api\"]\n  }\n"+images)
	moves = nil
	for _, l := range got {
		if strings.Contains(l, "moves to") {
			moves = append(moves, l)
		}
	}
	if want := []string{"shop/prod/receipts: data receipts moves to shop/prod/confidential"}; !slices.Equal(moves, want) {
		t.Errorf("moves %q, want %q", moves, want)
	}
	// Data that an AWS managed key protects now moved too.
	managed := compare(t, derived, derived, "    users          = [\"role/shop-api\"]\n  }\n}\n", "    users          = [\"role/shop-api\"]\n    key_type       = \"aws_managed\"\n  }\n}\n")
	if !slices.Contains(managed, "shop/prod/receipts: data receipts moves to aws_managed") {
		t.Errorf("a move to an AWS managed key is not reported:\n%s", strings.Join(managed, "\n"))
	}
	// A key that stops being shared across stages keeps its name in each.
	shared := strings.Replace(twoStages, "  data \"receipts\" {\n", "  key \"main\" {\n    shared_across_stages = true\n  }\n  data \"receipts\" {\n    key            = \"main\"\n", 1)
	got = compare(t, shared, shared, "shared_across_stages = true", "shared_across_stages = false")
	if !slices.Contains(got, "shop/main: data receipts moves to shop/dev/main") || !slices.Contains(got, "shop/main: data receipts moves to shop/prod/main") {
		t.Errorf("a key no longer shared across stages:\n%s", strings.Join(got, "\n"))
	}
	// Renamed with its data: nothing moves.
	if got := compare(t, derived, derived, `data "receipts"`, `data "invoices"`); slices.ContainsFunc(got, func(l string) bool { return strings.Contains(l, "moves to") }) {
		t.Errorf("a key removed with its data reports a move:\n%s", strings.Join(got, "\n"))
	}
}
