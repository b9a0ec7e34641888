package cloudformation

import (
	"encoding/json"
	"flag"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/schema"
)

var update = flag.Bool("update", false, "rewrite the golden templates of this package")

func generate(t *testing.T, m *model.Model, pols []*policy.KeyPolicy, format string) []output.File {
	t.Helper()
	files, diags := Generate(m, pols, format)
	if len(diags) > 0 {
		t.Fatalf("Generate: %s", fixture.Summaries(diags))
	}
	return files
}

// TestGolden compares the templates of every fixture with the committed
// ones: YAML in fixtures/NAME/generated/cloudformation (what kpgen build
// writes), JSON in testdata/golden/NAME. -update rewrites both.
func TestGolden(t *testing.T) {
	for _, name := range fixture.Names {
		t.Run(name, func(t *testing.T) {
			m, pols := fixture.Load(t, name)
			yamlFiles := generate(t, m, pols, "")
			if len(yamlFiles) == 0 {
				t.Fatal("no templates")
			}
			fixture.CheckGolden(t, filepath.Join("..", "..", "fixtures", name, "generated"), "cloudformation", yamlFiles, *update, "./generators/cloudformation")
			jsonFiles := generate(t, m, pols, FormatJSON)
			fixture.CheckGolden(t, filepath.Join("testdata", "golden", name), "cloudformation", jsonFiles, *update, "./generators/cloudformation")
		})
	}
}

// TestDeterministic generates every fixture twice and compares the bytes.
func TestDeterministic(t *testing.T) {
	for _, name := range fixture.Names {
		m, pols := fixture.Load(t, name)
		for _, format := range []string{FormatYAML, FormatJSON} {
			a := fixture.Contents(generate(t, m, pols, format))
			b := fixture.Contents(generate(t, m, pols, format))
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("%s %s: two runs differ:\n%s", name, format, diff)
			}
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	m, pols := fixture.Load(t, "retail")
	files, diags := Generate(m, pols, "yml")
	if files != nil || !diags.HasErrors() || !strings.Contains(diags[0].Detail, `"yml"`) {
		t.Errorf("Generate with format yml: got %d files, diagnostics %q; want an error naming the format", len(files), fixture.Summaries(diags))
	}
}

// readTemplate decodes a generated template, YAML or JSON, into plain Go
// values.
func readTemplate(t *testing.T, f output.File) map[string]any {
	t.Helper()
	var v map[string]any
	var err error
	if strings.HasSuffix(f.Path, ".json") {
		err = json.Unmarshal(f.Content(), &v)
	} else {
		err = yaml.Unmarshal(f.Content(), &v)
	}
	if err != nil {
		t.Fatalf("%s does not read back: %v", f.Path, err)
	}
	return v
}

func resources(tmpl map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	rs, _ := tmpl["Resources"].(map[string]any)
	for id, r := range rs {
		out[id] = r.(map[string]any)
	}
	return out
}

// TestPoliciesAreTheBuiltDocuments proves that every KeyPolicy of every
// template, in both formats, is the document internal/policy built, and
// that every key instance and replica appears exactly once.
func TestPoliciesAreTheBuiltDocuments(t *testing.T) {
	for _, name := range fixture.Names {
		m, pols := fixture.Load(t, name)
		want := map[string]any{} // by policy Id and region
		for _, kp := range pols {
			var doc any
			if err := json.Unmarshal(kp.JSON(), &doc); err != nil {
				t.Fatal(err)
			}
			for _, r := range append([]string{kp.Instance.Region}, kp.Instance.ReplicaRegions...) {
				want[kp.Document.ID+"@"+r] = doc
			}
		}
		for _, format := range []string{FormatYAML, FormatJSON} {
			got := map[string]any{}
			for _, f := range generate(t, m, pols, format) {
				tmpl := readTemplate(t, f)
				region := tmpl["Metadata"].(map[string]any)["kpgen"].(map[string]any)["region"].(string)
				for _, r := range resources(tmpl) {
					if r["Type"] == "AWS::KMS::Alias" {
						continue
					}
					p := r["Properties"].(map[string]any)["KeyPolicy"]
					doc, _ := p.(map[string]any)
					k := doc["Id"].(string) + "@" + region
					if _, dup := got[k]; dup {
						t.Errorf("%s %s: %s appears twice", name, f.Path, k)
					}
					got[k] = p
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s: key policies differ from the built documents (-want +got):\n%s", name, format, diff)
			}
		}
	}
}

// TestCentralizedReplicas checks the shape of the one fixture with a
// multi-Region key: the key lives in the key account, its replica stack
// takes the primary's ARN as a parameter that matches only a multi-Region
// key of that account and region.
func TestCentralizedReplicas(t *testing.T) {
	m, pols := fixture.Load(t, "centralized")
	files := generate(t, m, pols, FormatYAML)
	var paths []string
	byPath := map[string]output.File{}
	for _, f := range files {
		paths = append(paths, f.Path)
		byPath[f.Path] = f
	}
	wantPaths := []string{
		"cloudformation/ledger-prod-eu-west-1.yaml",
		"cloudformation/ledger-prod.yaml",
		"cloudformation/ledger-test-eu-west-1.yaml",
		"cloudformation/ledger-test.yaml",
		"cloudformation/reports-prod.yaml",
		"cloudformation/reports-test.yaml",
	}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Fatalf("templates (-want +got):\n%s", diff)
	}
	tmpl := readTemplate(t, byPath["cloudformation/ledger-prod-eu-west-1.yaml"])
	params := tmpl["Parameters"].(map[string]any)
	p := params["TransactionsKeyPrimaryKeyArn"].(map[string]any)
	if got, want := p["AllowedPattern"], `^arn:aws:kms:us-east-1:500000000000:key/mrk-[0-9a-f]{32}$`; got != want {
		t.Errorf("AllowedPattern = %q, want %q", got, want)
	}
	r := resources(tmpl)["TransactionsReplicaKey"]
	if r["Type"] != "AWS::KMS::ReplicaKey" {
		t.Fatalf("TransactionsReplicaKey is %v", r["Type"])
	}
	props := r["Properties"].(map[string]any)
	if diff := cmp.Diff(map[string]any{"Ref": "TransactionsKeyPrimaryKeyArn"}, props["PrimaryKeyArn"]); diff != "" {
		t.Errorf("PrimaryKeyArn (-want +got):\n%s", diff)
	}
	outs := tmpl["Outputs"].(map[string]any)
	export := outs["TransactionsReplicaKeyArn"].(map[string]any)["Export"].(map[string]any)["Name"]
	if export != "kpgen-ledger-prod-transactions-eu-west-1-arn" {
		t.Errorf("replica export = %v", export)
	}
	primary := readTemplate(t, byPath["cloudformation/ledger-prod.yaml"])
	key := resources(primary)["TransactionsKey"]["Properties"].(map[string]any)
	if key["MultiRegion"] != true || key["EnableKeyRotation"] != true || key["RotationPeriodInDays"] != 180 {
		t.Errorf("TransactionsKey: MultiRegion %v, EnableKeyRotation %v, RotationPeriodInDays %v; want true, true, 180",
			key["MultiRegion"], key["EnableKeyRotation"], key["RotationPeriodInDays"])
	}
	meta := primary["Metadata"].(map[string]any)["kpgen"].(map[string]any)
	if meta["account_id"] != "500000000000" {
		t.Errorf("ledger-prod is deployed in account %v, want the key account 500000000000", meta["account_id"])
	}
}

// header declares what the specs below share. %s holds the applications.
const header = `
kpgen {
  version = 1
}
organization "o" {
  strategy = "decentralized"
  regions  = ["us-east-1", "eu-west-1", "ap-south-1"]
  deployer = "role/deploy"
}
account "dev" {
  id = "222222222222"
}
account "prod" {
  id = "333333333333"
}
classification "secret" {
  rank    = 2
  regions = ["eu-west-1"]
}
classification "public" {
  rank = 0
}
team "web" {
  administrators = ["role/WebAdmin"]
}
`

// regionsApp has keys whose primary regions differ within one stage,
// replicas in several regions, a key shared across stages, keys that cannot
// rotate, and names that meet in one logical id.
const regionsApp = `
application "app" {
  team = "web"
  stage "dev" {
    account = "dev"
  }
  stage "prod" {
    account = "prod"
  }
  data "residents" {
    classification = "secret"
    services       = ["s3"]
  }
  data "catalog" {
    classification = "public"
    services       = ["s3"]
    key            = "a-b"
  }
  key "a-b" {
    regions = ["us-east-1", "eu-west-1", "ap-south-1"]
  }
  key "c-d" {
    regions = ["ap-south-1", "us-east-1"]
  }
  key "signing" {
    spec                 = "ECC_NIST_P256"
    shared_across_stages = true
  }
  key "imported" {
    origin = "external"
  }
  key "no-rotation" {
    rotation_days = 0
  }
}
`

// TestRegions checks the stacks of regionsApp.
func TestRegions(t *testing.T) {
	m, pols := fixture.Build(t, header+regionsApp)
	files := generate(t, m, pols, FormatYAML)
	byPath := map[string]map[string]any{}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
		byPath[strings.TrimSuffix(path.Base(f.Path), ".yaml")] = readTemplate(t, f)
	}
	wantPaths := []string{
		"cloudformation/app-dev-ap-south-1-keys.yaml",
		"cloudformation/app-dev-ap-south-1.yaml",
		"cloudformation/app-dev-eu-west-1-keys.yaml",
		"cloudformation/app-dev-eu-west-1.yaml",
		"cloudformation/app-dev-us-east-1.yaml",
		"cloudformation/app-dev.yaml",
		"cloudformation/app-prod-ap-south-1-keys.yaml",
		"cloudformation/app-prod-ap-south-1.yaml",
		"cloudformation/app-prod-eu-west-1-keys.yaml",
		"cloudformation/app-prod-eu-west-1.yaml",
		"cloudformation/app-prod-us-east-1.yaml",
		"cloudformation/app-prod.yaml",
	}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Fatalf("templates (-want +got):\n%s", diff)
	}
	type res struct{ Type, Region string }
	ids := func(name string) map[string]res {
		out := map[string]res{}
		tmpl := byPath[name]
		region := tmpl["Metadata"].(map[string]any)["kpgen"].(map[string]any)["region"].(string)
		for id, r := range resources(tmpl) {
			out[id] = res{r["Type"].(string), region}
		}
		return out
	}
	cases := []struct {
		stack string
		want  map[string]res
	}{
		{"app-dev", map[string]res{
			"ABKey": {"AWS::KMS::Key", "us-east-1"}, "ABKeyAlias": {"AWS::KMS::Alias", "us-east-1"},
			"ImportedKey": {"AWS::KMS::Key", "us-east-1"}, "ImportedKeyAlias": {"AWS::KMS::Alias", "us-east-1"},
			"NoRotationKey": {"AWS::KMS::Key", "us-east-1"}, "NoRotationKeyAlias": {"AWS::KMS::Alias", "us-east-1"},
			"SigningKey": {"AWS::KMS::Key", "us-east-1"}, "SigningKeyAlias": {"AWS::KMS::Alias", "us-east-1"},
		}},
		{"app-dev-ap-south-1-keys", map[string]res{
			"CDKey": {"AWS::KMS::Key", "ap-south-1"}, "CDKeyAlias": {"AWS::KMS::Alias", "ap-south-1"},
		}},
		{"app-dev-eu-west-1-keys", map[string]res{
			"ResidentsKey": {"AWS::KMS::Key", "eu-west-1"}, "ResidentsKeyAlias": {"AWS::KMS::Alias", "eu-west-1"},
		}},
		{"app-dev-us-east-1", map[string]res{
			"CDReplicaKey": {"AWS::KMS::ReplicaKey", "us-east-1"}, "CDReplicaKeyAlias": {"AWS::KMS::Alias", "us-east-1"},
		}},
		{"app-dev-ap-south-1", map[string]res{
			"ABReplicaKey": {"AWS::KMS::ReplicaKey", "ap-south-1"}, "ABReplicaKeyAlias": {"AWS::KMS::Alias", "ap-south-1"},
		}},
		{"app-prod", map[string]res{
			"ABKey": {"AWS::KMS::Key", "us-east-1"}, "ABKeyAlias": {"AWS::KMS::Alias", "us-east-1"},
			"ImportedKey": {"AWS::KMS::Key", "us-east-1"}, "ImportedKeyAlias": {"AWS::KMS::Alias", "us-east-1"},
			"NoRotationKey": {"AWS::KMS::Key", "us-east-1"}, "NoRotationKeyAlias": {"AWS::KMS::Alias", "us-east-1"},
		}},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, ids(c.stack)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.stack, diff)
		}
	}
	// No stack both takes a primary's ARN and holds a primary key: a stack
	// of primaries never waits for another stack.
	for name, tmpl := range byPath {
		_, hasParams := tmpl["Parameters"]
		for id, r := range resources(tmpl) {
			if hasParams && r["Type"] == "AWS::KMS::Key" {
				t.Errorf("%s takes parameters and holds primary key %s", name, id)
			}
		}
	}

	props := func(stack, id string) map[string]any {
		return resources(byPath[stack])[id]["Properties"].(map[string]any)
	}
	rotation := func(p map[string]any) []any {
		return []any{p["EnableKeyRotation"], p["RotationPeriodInDays"]}
	}
	if got := rotation(props("app-dev", "ABKey")); !cmp.Equal(got, []any{true, 365}) {
		t.Errorf("ABKey rotation = %v, want true 365", got)
	}
	if got := rotation(props("app-dev", "NoRotationKey")); !cmp.Equal(got, []any{false, nil}) {
		t.Errorf("NoRotationKey rotation = %v, want false and no period", got)
	}
	for _, id := range []string{"SigningKey", "ImportedKey"} {
		p := props("app-dev", id)
		if _, ok := p["EnableKeyRotation"]; ok {
			t.Errorf("%s cannot rotate but sets EnableKeyRotation", id)
		}
	}
	if p := props("app-dev", "ImportedKey"); p["Origin"] != "EXTERNAL" {
		t.Errorf("ImportedKey Origin = %v", p["Origin"])
	}
	if p := props("app-dev", "SigningKey"); p["KeySpec"] != "ECC_NIST_P256" || p["KeyUsage"] != "SIGN_VERIFY" {
		t.Errorf("SigningKey KeySpec %v KeyUsage %v", p["KeySpec"], p["KeyUsage"])
	}
	var tagKeys []string
	for _, tag := range props("app-dev", "SigningKey")["Tags"].([]any) {
		tagKeys = append(tagKeys, tag.(map[string]any)["Key"].(string))
	}
	if diff := cmp.Diff([]string{"kpgen:application", "kpgen:key"}, tagKeys); diff != "" {
		t.Errorf("tags of a key shared across stages (-want +got):\n%s", diff)
	}
}

func TestLogicalBases(t *testing.T) {
	app := &model.Application{Name: "shop"}
	for _, n := range []string{"browsing-history", "a-b", "ab", "a-b2", "1st-key", "x"} {
		app.Keys = append(app.Keys, &model.Key{Name: n, Source: &schema.Key{}})
	}
	want := map[string]string{
		"browsing-history": "BrowsingHistory",
		"a-b":              "AB",
		"a-b2":             "AB2",
		"ab":               "Ab",
		"1st-key":          "1stKey",
		"x":                "X",
	}
	got, ds := logicalBases(app)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Names that meet are an error, not numbered: a number would follow the
	// keys' order, and adding a key could take another key's logical id.
	app.Keys = append(app.Keys, &model.Key{Name: "a--b", Source: &schema.Key{}})
	_, ds = logicalBases(app)
	if len(ds) != 1 || ds[0].Summary != "Two keys with one CloudFormation logical id" ||
		!strings.Contains(ds[0].Detail, `Keys "a-b" and "a--b" of application "shop" would both have the logical id ABKey`) {
		t.Errorf("want one error about a-b and a--b, got %v", ds)
	}
}

func TestPlainSafe(t *testing.T) {
	for _, s := range []string{"AWS::KMS::Key", "Fn::GetAtt", "SYMMETRIC_DEFAULT", "kms:ViaService", "kms:EncryptionContext:app", "Retain", "ABKey2"} {
		if !plainSafe(s) {
			t.Errorf("plainSafe(%q) = false", s)
		}
	}
	for _, s := range []string{"", "yes", "No", "ON", "off", "y", "N", "true", "False", "null", "~", "0123", "1e3", "0x1F", "1_000",
		"2012-10-17", "12:30", " a", "a ", "a: b", "a:", "a #b", "-a", "*a", "&a", "!a", "a,b", "[a]", "{a}", "Zürich", "a\nb", ".inf", "@a", "%a", "`a"} {
		if plainSafe(s) {
			t.Errorf("plainSafe(%q) = true", s)
		}
	}
}

// TestTemplateQuotas: a stage with more keys than one template's outputs
// allow, or whose policies make a template over 1 MiB, is an error at the
// stage, not a template CloudFormation refuses.
func TestTemplateQuotas(t *testing.T) {
	spec := func(keys, users int) string {
		var b strings.Builder
		b.WriteString(header + "application \"app\" {\n  team = \"web\"\n  stage \"dev\" {\n    account = \"dev\"\n  }\n")
		for i := range keys {
			var us []string
			for u := range users {
				us = append(us, fmt.Sprintf("%q", fmt.Sprintf("role/user-%d-%d-with-a-long-name-for-its-size", i, u)))
			}
			fmt.Fprintf(&b, "  key \"k%d\" {\n    users = [%s]\n    lint_ignore = { KP603 = \"test\" }\n  }\n", i, strings.Join(us, ", "))
		}
		return b.String() + "}\n"
	}
	for _, tt := range []struct {
		keys, users int
		want        string
	}{
		{100, 1, ""},
		{101, 1, "would hold 101 keys, which makes 202 outputs, over the 200"},
		{90, 60, "over the 1 MiB CloudFormation accepts"},
	} {
		m, pols := fixture.Build(t, spec(tt.keys, tt.users))
		_, ds := Generate(m, pols, FormatYAML)
		switch {
		case tt.want == "" && len(ds) != 0:
			t.Errorf("%d keys: want no error, got %v", tt.keys, ds)
		case tt.want != "" && (len(ds) != 1 || !strings.Contains(ds[0].Detail, tt.want)):
			t.Errorf("%d keys of %d users: want one error saying %q, got %v", tt.keys, tt.users, tt.want, ds)
		}
	}
}

// TestStackOfAKeyIsItsOwn: a key's stack follows from the key alone. A
// stage whose only key lives in eu-west-1 has that key in its eu-west-1
// stack, and adding a key in the primary region does not move it.
func TestStackOfAKeyIsItsOwn(t *testing.T) {
	app := func(extra string) string {
		return header + `application "app" {
  team = "web"
  stage "prod" {
    account = "prod"
  }
  data "residents" {
    classification = "secret"
    services       = ["s3"]
  }
` + extra + "}\n"
	}
	where := func(spec string) map[string]string {
		m, pols := fixture.Build(t, spec)
		files := generate(t, m, pols, FormatYAML)
		out := map[string]string{}
		for _, f := range files {
			for id := range resources(readTemplate(t, f)) {
				out[id] = path.Base(f.Path)
			}
		}
		return out
	}
	before := where(app(""))
	after := where(app("  data \"catalog\" {\n    classification = \"public\"\n    services       = [\"s3\"]\n  }\n"))
	if before["ResidentsKey"] != "app-prod-eu-west-1-keys.yaml" || after["ResidentsKey"] != before["ResidentsKey"] {
		t.Errorf("ResidentsKey in %q, then in %q; want app-prod-eu-west-1-keys.yaml both times", before["ResidentsKey"], after["ResidentsKey"])
	}
	if after["CatalogKey"] != "app-prod.yaml" {
		t.Errorf("CatalogKey in %q, want app-prod.yaml", after["CatalogKey"])
	}
}

// TestStackNames: a stack CloudFormation would refuse to create, for an
// application name that starts with a digit, is one lint error at the
// application, however many stages it has.
func TestStackNames(t *testing.T) {
	spec := header + `application "2fa" {
  team = "web"
  stage "dev" {
    account = "dev"
  }
  stage "test" {
    account = "dev"
  }
  data "codes" {
    classification = "public"
    services       = ["s3"]
  }
}
`
	m, pols := fixture.Build(t, spec)
	_, ds := Generate(m, pols, FormatYAML)
	line := strings.Count(header, "\n") + 1
	if len(ds) != 1 || ds[0].Summary != "Stack name CloudFormation refuses" || !strings.Contains(ds[0].Detail, "named 2fa-dev") || ds[0].Subject.Start.Line != line {
		t.Errorf("want one error about stack 2fa-dev at line %d, the application, got %v", line, ds)
	} // The letters at either end of the alphabet start a stack name; a
	// digit at either end of the digits does not.
	for name, refused := range map[string]bool{"a2fa": false, "z2fa": false, "0fa": true, "9fa": true} {
		m, pols := fixture.Build(t, strings.Replace(spec, `application "2fa"`, `application "`+name+`"`, 1))
		if _, ds := Generate(m, pols, FormatYAML); (len(ds) == 1) != refused || len(ds) > 1 {
			t.Errorf("application %q: %v, want refused %v", name, ds, refused)
		}
	}
}
