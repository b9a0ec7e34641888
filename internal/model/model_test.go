package model

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kpgen/kpgen/schema"
)

// header declares what most cases share: accounts dev (222…), prod (333…)
// and sec (111…), classifications public (0) and secret (2), teams sec and
// web. %s is the strategy.
const header = `
kpgen {
  version = 1
}
organization "o" {
  strategy      = "%s"
  regions       = ["us-east-1", "eu-west-1"]
  security_team = "sec"
  key_account   = "sec"
  deployer      = "role/deploy"
}
account "sec" {
  id = "111111111111"
}
account "dev" {
  id = "222222222222"
}
account "prod" {
  id       = "333333333333"
  deployer = "role/prod-deploy"
}
classification "public" {
  rank = 0
}
classification "secret" {
  rank    = 2
  regions = ["eu-west-1"]
}
team "sec" {
  administrators = ["role/SecAdmin"]
}
team "web" {
  administrators = ["role/WebAdmin", "sso:WebAdmins"]
}
`

func build(t *testing.T, strategy, apps string) (*Model, []string) {
	t.Helper()
	src := fmt.Sprintf(header, strategy) + apps
	spec, diags := schema.Parse("", []string{"t.kp.hcl"}, [][]byte{[]byte(src)})
	if diags.HasErrors() {
		t.Fatalf("spec does not load: %v", diags[0].Summary+": "+diags[0].Detail)
	}
	m, mdiags := Build(spec)
	var errs []string
	for _, d := range mdiags {
		errs = append(errs, d.Summary)
	}
	return m, errs
}

// instance is a key instance reduced to what the derivation decides.
type instance struct {
	ID       string
	Alias    string
	Account  string
	Region   string
	Replicas string
	Protects string
	Admins   string
	Ops      string
	Users    string
	USD      float64
	Policy   string
}

func inventory(m *Model) []instance {
	var out []instance
	for _, ki := range m.Keys {
		var prot []string
		for _, d := range ki.Key.Protects {
			prot = append(prot, d.Name)
		}
		out = append(out, instance{
			ID: ki.ID(), Alias: ki.Alias, Account: ki.Account.Name, Region: ki.Region,
			Replicas: strings.Join(ki.ReplicaRegions, ","), Protects: strings.Join(prot, ","),
			Admins: join(ki.PolicyAdministrators), Ops: join(ki.Operators), Users: join(ki.Users),
			USD: ki.MonthlyUSD, Policy: ki.PolicyFile,
		})
	}
	return out
}

func join(ps []Principal) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, " ")
}

// keyNames lists "app/stage/key" of every instance.
func keyNames(m *Model) []string {
	var out []string
	for _, ki := range m.Keys {
		out = append(out, ki.ID())
	}
	return out
}

func TestDerivedKeys(t *testing.T) {
	tests := []struct {
		name string
		app  string
		want []string
	}{
		{
			name: "one data set per classification",
			app: `data "catalog" {
    classification = "public"
    services       = ["s3"]
  }
  data "customers" {
    classification = "secret"
    services       = ["rds"]
  }`,
			want: []string{"a/dev/catalog", "a/dev/customers"},
		},
		{
			name: "services connect data transitively into one key",
			app: `data "x" {
    classification = "secret"
    services       = ["s3"]
  }
  data "y" {
    classification = "secret"
    services       = ["s3", "lambda"]
  }
  data "z" {
    classification = "secret"
    services       = ["lambda", "sqs"]
  }`,
			want: []string{"a/dev/secret"},
		},
		{
			name: "disjoint services split a classification",
			app: `data "payments" {
    classification = "secret"
    services       = ["rds"]
  }
  data "history" {
    classification = "secret"
    services       = ["redshift"]
  }`,
			want: []string{"a/dev/history", "a/dev/payments"},
		},
		{
			name: "two multi-data keys of one classification take their first data set's name",
			app: `data "a1" {
    classification = "secret"
    services       = ["s3"]
  }
  data "a2" {
    classification = "secret"
    services       = ["s3"]
  }
  data "b1" {
    classification = "secret"
    services       = ["rds"]
  }
  data "b2" {
    classification = "secret"
    services       = ["rds"]
  }`,
			want: []string{"a/dev/secret-a1", "a/dev/secret-b1"},
		},
		{
			name: "a data set named like its classification's group key",
			app: `data "secret" {
    classification = "secret"
    services       = ["sqs"]
  }
  data "b1" {
    classification = "secret"
    services       = ["rds"]
  }
  data "b2" {
    classification = "secret"
    services       = ["rds"]
  }`,
			want: []string{"a/dev/secret-b1", "a/dev/secret-secret"},
		},
		{
			name: "explicit key and AWS managed data are not derived",
			app: `data "orders" {
    classification = "secret"
    services       = ["dynamodb"]
    key            = "orders"
  }
  data "logs" {
    classification = "public"
    services       = ["s3"]
    key_type       = "aws_managed"
  }
  key "orders" {
  }`,
			want: []string{"a/dev/orders"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := "application \"a\" {\n  team = \"web\"\n  stage \"dev\" {\n    account = \"dev\"\n  }\n  " + tt.app + "\n}\n"
			m, errs := build(t, "hybrid", app)
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if diff := cmp.Diff(tt.want, keyNames(m)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDerivedNameClashesWithExplicitKey(t *testing.T) {
	_, errs := build(t, "hybrid", `application "a" {
  team = "web"
  stage "dev" {
    account = "dev"
  }
  data "orders" {
    classification = "secret"
    services       = ["dynamodb"]
  }
  key "orders" {
  }
}
`)
	if diff := cmp.Diff([]string{"Derived key name clash"}, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestInstances(t *testing.T) {
	const twoStages = `application "a" {
  team = "web"
  stage "dev" {
    account = "dev"
  }
  stage "prod" {
    account = "prod"
  }
  data "orders" {
    classification = "public"
    services       = ["dynamodb"]
    users          = ["role/api", "arn:aws:iam::444444444444:role/partner"]
    key            = "orders"
  }
  key "orders" {
    %s
  }
}
`
	tests := []struct {
		name     string
		strategy string
		key      string
		want     []instance
	}{
		{
			name: "hybrid: security team administers, owning team operates, deployer per account", strategy: "hybrid",
			want: []instance{
				{ID: "a/dev/orders", Alias: "alias/a/dev/orders", Account: "dev", Region: "us-east-1", Protects: "orders",
					Admins: "arn:aws:iam::222222222222:role/SecAdmin arn:aws:iam::222222222222:role/deploy",
					Ops:    "arn:aws:iam::222222222222:role/WebAdmin arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_WebAdmins_*",
					Users:  "arn:aws:iam::222222222222:role/api arn:aws:iam::444444444444:role/partner", USD: 3, Policy: "policies/a/dev/orders.json"},
				{ID: "a/prod/orders", Alias: "alias/a/prod/orders", Account: "prod", Region: "us-east-1", Protects: "orders",
					Admins: "arn:aws:iam::333333333333:role/SecAdmin arn:aws:iam::333333333333:role/prod-deploy",
					Ops:    "arn:aws:iam::333333333333:role/WebAdmin arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_WebAdmins_*",
					Users:  "arn:aws:iam::333333333333:role/api arn:aws:iam::444444444444:role/partner", USD: 3, Policy: "policies/a/prod/orders.json"},
			},
		},
		{
			name: "decentralized: the owning team administers", strategy: "decentralized",
			key: `rotation_days = 0`,
			want: []instance{
				{ID: "a/dev/orders", Alias: "alias/a/dev/orders", Account: "dev", Region: "us-east-1", Protects: "orders",
					Admins: "arn:aws:iam::222222222222:role/WebAdmin arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_WebAdmins_* arn:aws:iam::222222222222:role/deploy",
					Users:  "arn:aws:iam::222222222222:role/api arn:aws:iam::444444444444:role/partner", USD: 1, Policy: "policies/a/dev/orders.json"},
				{ID: "a/prod/orders", Alias: "alias/a/prod/orders", Account: "prod", Region: "us-east-1", Protects: "orders",
					Admins: "arn:aws:iam::333333333333:role/WebAdmin arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_WebAdmins_* arn:aws:iam::333333333333:role/prod-deploy",
					Users:  "arn:aws:iam::333333333333:role/api arn:aws:iam::444444444444:role/partner", USD: 1, Policy: "policies/a/prod/orders.json"},
			},
		},
		{
			name: "centralized: every key in the key account, used cross-account", strategy: "centralized",
			key: `administrators = ["role/Custodian"]`,
			want: []instance{
				{ID: "a/dev/orders", Alias: "alias/a/dev/orders", Account: "sec", Region: "us-east-1", Protects: "orders",
					Admins: "arn:aws:iam::111111111111:role/Custodian arn:aws:iam::111111111111:role/deploy",
					Users:  "arn:aws:iam::222222222222:role/api arn:aws:iam::444444444444:role/partner", USD: 3, Policy: "policies/a/dev/orders.json"},
				{ID: "a/prod/orders", Alias: "alias/a/prod/orders", Account: "sec", Region: "us-east-1", Protects: "orders",
					Admins: "arn:aws:iam::111111111111:role/Custodian arn:aws:iam::111111111111:role/deploy",
					Users:  "arn:aws:iam::333333333333:role/api arn:aws:iam::444444444444:role/partner", USD: 3, Policy: "policies/a/prod/orders.json"},
			},
		},
		{
			name: "shared across stages: one instance, users of every stage", strategy: "decentralized",
			key: `shared_across_stages = true
    administrators       = []`,
			want: []instance{
				{ID: "a/orders", Alias: "alias/a/orders", Account: "dev", Region: "us-east-1", Protects: "orders",
					Admins: "arn:aws:iam::222222222222:role/deploy",
					Users:  "arn:aws:iam::222222222222:role/api arn:aws:iam::333333333333:role/api arn:aws:iam::444444444444:role/partner", USD: 3, Policy: "policies/a/orders.json"},
			},
		},
		{
			name: "multi-Region key: primary in the first region, replicas billed as keys", strategy: "centralized",
			key: `regions = ["eu-west-1", "us-east-1"]
    spec    = "HMAC_256"`,
			want: []instance{
				{ID: "a/dev/orders", Alias: "alias/a/dev/orders", Account: "sec", Region: "eu-west-1", Replicas: "us-east-1", Protects: "orders",
					Admins: "arn:aws:iam::111111111111:role/SecAdmin arn:aws:iam::111111111111:role/deploy",
					Users:  "arn:aws:iam::222222222222:role/api arn:aws:iam::444444444444:role/partner", USD: 2, Policy: "policies/a/dev/orders.json"},
				{ID: "a/prod/orders", Alias: "alias/a/prod/orders", Account: "sec", Region: "eu-west-1", Replicas: "us-east-1", Protects: "orders",
					Admins: "arn:aws:iam::111111111111:role/SecAdmin arn:aws:iam::111111111111:role/deploy",
					Users:  "arn:aws:iam::333333333333:role/api arn:aws:iam::444444444444:role/partner", USD: 2, Policy: "policies/a/prod/orders.json"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, errs := build(t, tt.strategy, fmt.Sprintf(twoStages, tt.key))
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if diff := cmp.Diff(tt.want, inventory(m)); diff != "" {
				t.Errorf("instances (-want +got):\n%s", diff)
			}
		})
	}
}

// Under hybrid the security team administers every key, its own
// applications' included: the keys of those have no operators, since
// administration includes every operator action.
func TestHybridSecurityTeamApplicationHasNoOperators(t *testing.T) {
	m, errs := build(t, "hybrid", `application "vault" {
  team = "sec"
  stage "prod" {
    account = "prod"
  }
  data "secrets" {
    classification = "public"
    services       = ["s3"]
    users          = ["role/vault"]
  }
}
`)
	if len(errs) > 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	if len(m.Keys) != 1 {
		t.Fatalf("want one key, got %v", keyNames(m))
	}
	if got := join(m.Keys[0].Operators); got != "" {
		t.Errorf("operators %q, want none", got)
	}
	if got, want := join(m.Keys[0].PolicyAdministrators), "arn:aws:iam::333333333333:role/SecAdmin arn:aws:iam::333333333333:role/prod-deploy"; got != want {
		t.Errorf("policy administrators %q, want %q", got, want)
	}
}

// ... but when a key of the security team's application names
// administrators of its own, the team still operates it.
func TestHybridSecurityTeamOperatesKeyWithOwnAdministrators(t *testing.T) {
	m, errs := build(t, "hybrid", `application "vault" {
  team = "sec"
  stage "prod" {
    account = "prod"
  }
  data "secrets" {
    classification = "public"
    services       = ["s3"]
    users          = ["role/vault"]
    key            = "secrets"
  }
  key "secrets" {
    administrators = ["role/BreakGlass"]
  }
}
`)
	if len(errs) > 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	if got, want := join(m.Keys[0].Operators), "arn:aws:iam::333333333333:role/SecAdmin"; got != want {
		t.Errorf("operators %q, want %q", got, want)
	}
}

func TestKeyDefaults(t *testing.T) {
	m, errs := build(t, "hybrid", `application "a" {
  team = "web"
  stage "live" {
    account = "prod"
  }
  stage "qa" {
    account   = "dev"
    production = true
  }
  stage "prod" {
    account    = "prod"
    production = false
  }
  data "residency" {
    classification = "secret"
    services       = ["s3"]
  }
  data "signing" {
    classification = "public"
    services       = ["lambda"]
    key            = "sign"
  }
  key "sign" {
    spec        = "ECC_NIST_P256"
    description = ""
  }
}
`)
	if len(errs) > 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	app := m.Applications[0]
	var prod []bool
	for _, s := range app.Stages {
		prod = append(prod, s.Production)
	}
	if diff := cmp.Diff([]bool{true, true, false}, prod); diff != "" {
		t.Errorf("production flags of live, qa, prod (-want +got):\n%s", diff)
	}
	type key struct {
		Name, Usage, Regions, Description string
		Rotation, Window                  int
	}
	var got []key
	for _, k := range app.Keys {
		got = append(got, key{k.Name, k.Usage, strings.Join(k.Regions, ","), k.Description, k.RotationDays, k.DeletionWindowDays})
	}
	want := []key{
		// An empty description is the default one.
		{"sign", "SIGN_VERIFY", "us-east-1", "public data of application a: signing", 0, 30},
		// The secret classification keeps its data in eu-west-1, so the
		// derived key's default region is the first organization region there.
		{"residency", "ENCRYPT_DECRYPT", "eu-west-1", "secret data of application a: residency", 365, 30},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

func TestReferenceErrors(t *testing.T) {
	tests := []struct {
		name, app string
		appName   string // "a" when empty
		want      []string
		detail    string // a substring of the first error's detail
	}{
		{
			name:   "unknown account",
			app:    `stage "dev" { account = "devv" }`,
			want:   []string{"Unknown account"},
			detail: `Did you mean "dev"?`,
		},
		{
			name: "unknown classification and service",
			app: `stage "dev" { account = "dev" }
  data "d" {
    classification = "secrett"
    services       = ["dynamo"]
  }`,
			want:   []string{"Unknown classification", "Unknown service"},
			detail: `Did you mean "secret"?`,
		},
		{
			name: "unknown key",
			app: `stage "dev" { account = "dev" }
  data "d" {
    classification = "secret"
    services       = ["s3"]
    key            = "ordres"
  }
  key "orders" {}`,
			want:   []string{"Unknown key"},
			detail: `Did you mean "orders"?`,
		},
		{
			name: "duplicate stage",
			app: `stage "dev" { account = "dev" }
  stage "dev" { account = "prod" }`,
			want:   []string{"Duplicate stage"},
			detail: "already declared at t.kp.hcl:",
		},
		{
			name: "key and key_type",
			app: `stage "dev" { account = "dev" }
  data "d" {
    classification = "secret"
    services       = ["s3"]
    key            = "k"
    key_type       = "aws_managed"
  }
  key "k" {}`,
			want: []string{"Conflicting key and key_type"},
		},
		{
			name: "wildcard and malformed principals",
			app: `stage "dev" { account = "dev" }
  data "d" {
    classification = "secret"
    services       = ["s3"]
    users          = ["*", "arn:aws:iam::12:role/x", "group/admins", "arn:aws:iam::111111111111:root", "service:log", "role/../x"]
  }`,
			want:   []string{"Wildcard principal", "Invalid principal ARN", "Invalid principal", "Account principal", "Unknown service principal", "Invalid principal"},
			detail: `never grants to "*"`,
		},
		{
			name: "encryption context keys that differ only in case",
			app: `stage "dev" { account = "dev" }
  key "k" {
    encryption_context = { App = "a", app = "b" }
  }`,
			want:   []string{"Encryption context keys that differ only in case"},
			detail: `"App" and "app" differ only in case`,
		},
		{
			name: "IAM name and path limits",
			app: `stage "dev" { account = "dev" }
  data "d" {
    classification = "secret"
    services       = ["s3"]
    users          = ["role/` + strings.Repeat("a", 64) + `", "role/` + strings.Repeat("a", 65) + `", "user/` + strings.Repeat("p/", 256) + `x"]
  }`,
			want:   []string{"Invalid principal", "Invalid principal"},
			detail: `of 65 characters; IAM allows at most 64`,
		},
		{
			name: "principal of another partition",
			app: `stage "dev" { account = "dev" }
  key "k" {
    administrators = ["arn:aws-cn:iam::111111111111:role/Admin"]
  }`,
			want:   []string{"Principal in another partition"},
			detail: `the organization's partition is "aws"`,
		},
		{
			name: "service principal as administrator",
			app: `stage "dev" { account = "dev" }
  key "k" {
    administrators = ["service:logs"]
  }`,
			want: []string{"Service principal not allowed here"},
		},
		{
			name: "region outside the organization and partition",
			app: `stage "dev" { account = "dev" }
  key "k" {
    regions = ["us-west-2", "cn-north-1"]
  }`,
			want: []string{"Region outside the organization", "Region in another partition", "Region outside the organization"},
		},
		{
			name:    "application named aws without an alias prefix",
			app:     `stage "dev" { account = "dev" }`,
			appName: "aws",
			want:    []string{"Alias reserved for AWS"},
		},
		{
			name: "region of an isolated partition",
			app: `stage "dev" { account = "dev" }
  key "k" {
    regions = ["us-iso-east-1"]
  }`,
			want: []string{"Not a region of a supported partition", "Region outside the organization"},
		},
		{
			name: "SM2 outside the China Regions",
			app: `stage "dev" { account = "dev" }
  key "k" {
    spec          = "SM2"
    rotation_days = 0
  }`,
			want:   []string{"Key spec only in the China Regions"},
			detail: `AWS refuses to create them in partition "aws"`,
		},
		{
			name: "service by its host name",
			app: `stage "dev" { account = "dev" }
  data "d" {
    classification = "secret"
    services       = ["ec2"]
  }`,
			want:   []string{"Unknown service"},
			detail: `Did you mean "ebs"?`,
		},
		{
			name: "data service that is a service principal",
			app: `stage "dev" { account = "dev" }
  data "d" {
    classification = "secret"
    services       = ["logs"]
  }`,
			want:   []string{"Unknown service"},
			detail: `add "service:logs" to the users instead`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := tt.appName
			if name == "" {
				name = "a"
			}
			app := "application \"" + name + "\" {\n  team = \"web\"\n  " + tt.app + "\n}\n"
			src := fmt.Sprintf(header, "hybrid") + app
			spec, diags := schema.Parse("", []string{"t.kp.hcl"}, [][]byte{[]byte(src)})
			if diags.HasErrors() {
				t.Fatalf("spec does not load: %v", diags)
			}
			_, mdiags := Build(spec)
			var got []string
			for _, d := range mdiags {
				got = append(got, d.Summary)
				if d.Subject == nil || filepath.Base(d.Subject.Filename) != "t.kp.hcl" {
					t.Errorf("%q has no location", d.Summary)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if tt.detail != "" && (len(mdiags) == 0 || !strings.Contains(mdiags[0].Detail, tt.detail)) {
				t.Errorf("first detail does not say %q", tt.detail)
			}
		})
	}
}

func TestCostModel(t *testing.T) {
	k := &Key{Spec: "SYMMETRIC_DEFAULT", Origin: "aws_kms", RotationDays: 365, Regions: []string{"a", "b"}}
	if got := Prices.Monthly(k); got != 6 {
		t.Errorf("rotating two-region key: %v USD, want 6", got)
	}
	k.RotationDays = 0
	if got := Prices.Monthly(k); got != 2 {
		t.Errorf("non-rotating two-region key: %v USD, want 2", got)
	}
}

// TestAliasTooLong: names within their own limits can still make an alias
// longer than AWS takes; that is an error at the key, for each instance.
func TestAliasTooLong(t *testing.T) {
	long := strings.Repeat("n", 63)
	src := strings.Replace(fmt.Sprintf(header, "hybrid"), `deployer      = "role/deploy"`, "deployer      = \"role/deploy\"\n  alias_prefix  = \""+strings.Repeat("p", 64)+"\"", 1) +
		"application \"" + long + "\" {\n  team = \"web\"\n  stage \"" + long + "\" { account = \"dev\" }\n  stage \"b\" { account = \"prod\" }\n  key \"" + long + "\" {}\n  key \"short\" {}\n}\n"
	spec, diags := schema.Parse("", []string{"t.kp.hcl"}, [][]byte{[]byte(src)})
	if diags.HasErrors() {
		t.Fatalf("spec does not load: %v", diags)
	}
	_, mdiags := Build(spec)
	if len(mdiags) != 1 || mdiags[0].Summary != "Alias too long" || !strings.Contains(mdiags[0].Detail, "is 262 characters") {
		t.Fatalf("diagnostics = %v, want one Alias too long of 262 characters", mdiags)
	}
}

// TestReasons: a key apart from other data of its classification in other
// services is Principle 3's; in the same services, the spec's choice of a
// key block.
func TestReasons(t *testing.T) {
	app := `application "a" {
  team = "web"
  stage "dev" { account = "dev" }
  data "d1" {
    classification = "secret"
    services       = ["rds"]
    key            = "k"
  }
  data "d2" {
    classification = "secret"
    services       = ["rds"]
  }
  data "d3" {
    classification = "secret"
    services       = ["s3"]
  }
  key "k" {}
}
`
	spec, diags := schema.Parse("", []string{"t.kp.hcl"}, [][]byte{[]byte(fmt.Sprintf(header, "hybrid") + app)})
	if diags.HasErrors() {
		t.Fatalf("spec does not load: %v", diags)
	}
	m, mdiags := Build(spec)
	if mdiags.HasErrors() {
		t.Fatal(mdiags)
	}
	got := map[string][]string{}
	for _, k := range m.Applications[0].Keys {
		got[k.Name] = k.Reasons
	}
	want := map[string][]string{
		"k": {"P2: one key per stage", "P3: data in rds apart from other secret data (key d3)",
			"key block: apart from other secret data in the same services by the spec's choice (key d2)"},
		"d2": {"P2: one key per stage", "P3: data in rds apart from other secret data (key d3)",
			"key block: apart from other secret data in the same services by the spec's choice (key k)"},
		"d3": {"P2: one key per stage", "P3: data in s3 apart from other secret data (keys d2, k)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
}

// TestAdministratorsOfItsOwn: Principle 4 made a key apart only when its
// administrators differ from those the strategy gives the others, however
// they are written.
func TestAdministratorsOfItsOwn(t *testing.T) {
	for _, tc := range []struct {
		strategy, keyAccount string
	}{
		{"hybrid", "222222222222"},      // keys live in the stage's account
		{"centralized", "111111111111"}, // keys live in the key account
	} {
		t.Run(tc.strategy, func(t *testing.T) {
			app := `application "a" {
  team = "web"
  stage "dev" { account = "dev" }
  key "same" {
    administrators = ["role/SecAdmin"]
  }
  key "same-as-arn" {
    administrators = ["arn:aws:iam::` + tc.keyAccount + `:role/SecAdmin"]
  }
  key "deployer-again" {
    administrators = ["role/SecAdmin", "role/deploy"]
  }
  key "own" {
    administrators = ["role/OtherAdmin"]
  }
  key "other-account" {
    administrators = ["arn:aws:iam::333333333333:role/SecAdmin"]
  }
  key "none" {
    administrators = []
  }
  key "default" {}
}
`
			m, errs := build(t, tc.strategy, app)
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			got := map[string][]string{}
			for _, k := range m.Applications[0].Keys {
				for _, r := range k.Reasons {
					if strings.HasPrefix(r, "P4") {
						got[k.Name] = append(got[k.Name], r)
					}
				}
			}
			want := map[string][]string{
				"own":           {"P4: administrators of its own"},
				"other-account": {"P4: administrators of its own"},
				"none":          {"P4: no administrators but the deployer"},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("P4 reasons (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDisjointServices: a key without services may be used through any, so
// it shares a service with every other key.
func TestDisjointServices(t *testing.T) {
	rds, s3 := &Service{Name: "rds"}, &Service{Name: "s3"}
	for _, tt := range []struct {
		a, b []*Service
		want bool
	}{
		{[]*Service{rds}, []*Service{s3}, true},
		{[]*Service{rds, s3}, []*Service{s3}, false},
		{nil, []*Service{s3}, false},
		{[]*Service{rds}, nil, false},
	} {
		if got := disjoint(tt.a, tt.b); got != tt.want {
			t.Errorf("disjoint(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestPrincipalHintFitsItsPlace: the advice after a malformed principal
// offers only the forms that may stand where it was written.
func TestPrincipalHintFitsItsPlace(t *testing.T) {
	for use, bad := range map[principalUse][]string{
		useUser:          nil,
		useAdministrator: {"service:"},
		useDeployer:      {"service:", "sso:"},
	} {
		_, d := parsePrincipal(schema.String{Value: "hello world"}, use, "aws")
		if d == nil {
			t.Fatalf("use %d: %q accepted", use, "hello world")
		}
		for _, form := range bad {
			if strings.Contains(d.Detail, form) {
				t.Errorf("use %d: the advice offers %s, which is refused there: %s", use, form, d.Detail)
			}
		}
	}
}

// TestPrincipalProblemNamed: a malformed ARN or a group is told what is
// wrong with it, and a relative name is placed in the account it names:
// the stage's for a user, the key's for an administrator.
func TestPrincipalProblemNamed(t *testing.T) {
	for _, tt := range []struct {
		text string
		use  principalUse
		want string
	}{
		{"arn:aws:iam::11111111111:role/X", useUser, `Its account ID "11111111111" is not 12 digits.`},
		{"arn:aws:iam:111111111111:role/X", useUser, "It has 5 of the 6 parts"},
		{"arn:aws:iam:us-east-1:111111111111:role/X", useUser, `It names region "us-east-1"`},
		{"arn:aws:s3:::bucket/role", useUser, `It is an ARN of service "s3"`},
		{"arn:aws:iam::111111111111:group/admins", useAdministrator, "IAM groups are not principals"},
		{"group/admins", useAdministrator, "IAM groups are not principals"},
		{"hello", useUser, "role or user in the stage's account"},
		{"hello", useAdministrator, "role or user in the account where the key lives"},
	} {
		_, d := parsePrincipal(schema.String{Value: tt.text}, tt.use, "aws")
		if d == nil {
			t.Fatalf("%q accepted", tt.text)
		}
		if !strings.Contains(d.Detail, tt.want) {
			t.Errorf("%q: %s\nwant it to say %q", tt.text, d.Detail, tt.want)
		}
	}
}

// TestServicePrincipalNamedAsService: CloudWatch Logs named as a service
// is refused with what to write instead, both halves of it.
func TestServicePrincipalNamedAsService(t *testing.T) {
	src := fmt.Sprintf(header, "hybrid") + `application "a" {
  team = "web"
  stage "dev" {
    account = "dev"
  }
  data "logs" {
    classification = "secret"
    services       = ["logs"]
  }
}
`
	spec, diags := schema.Parse("", []string{"t.kp.hcl"}, [][]byte{[]byte(src)})
	if diags.HasErrors() {
		t.Fatalf("spec does not load: %v", diags)
	}
	_, mdiags := Build(spec)
	if len(mdiags) != 1 || !strings.Contains(mdiags[0].Detail, `add "service:logs" to the users instead, and keep in services a service of the catalogue`) {
		t.Errorf("got %v, want the advice for service:logs", mdiags)
	}
}
