package terraform

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the golden modules of this package")

func generate(t *testing.T, m *model.Model, pols []*policy.KeyPolicy) []output.File {
	t.Helper()
	files, diags := Generate(m, pols)
	if len(diags) > 0 {
		t.Fatalf("Generate: %s", fixture.Summaries(diags))
	}
	if len(files) == 0 {
		t.Fatal("Generate wrote no files")
	}
	return files
}

// TestGolden compares the modules of every fixture with the committed
// ones in fixtures/NAME/generated/terraform. -update rewrites them.
func TestGolden(t *testing.T) {
	for _, name := range fixture.Names {
		t.Run(name, func(t *testing.T) {
			m, pols := fixture.Load(t, name)
			fixture.CheckGolden(t, filepath.Join("..", "..", "fixtures", name, "generated"), "terraform", generate(t, m, pols), *update, "./generators/terraform")
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, name := range fixture.Names {
		m, pols := fixture.Load(t, name)
		if diff := cmp.Diff(fixture.Contents(generate(t, m, pols)), fixture.Contents(generate(t, m, pols))); diff != "" {
			t.Errorf("%s: two runs differ:\n%s", name, diff)
		}
	}
}

// arguments are the arguments of each resource type kpgen writes, from the
// Terraform AWS provider's documentation (r/kms_key, r/kms_external_key,
// r/kms_replica_key, r/kms_replica_external_key, r/kms_alias). The
// meta-arguments provider and lifecycle are checked apart.
var arguments = map[string]struct{ allowed, required []string }{
	"aws_kms_key": {allowed: []string{"description", "key_usage", "customer_master_key_spec", "policy",
		"bypass_policy_lockout_safety_check", "deletion_window_in_days", "is_enabled", "enable_key_rotation",
		"rotation_period_in_days", "multi_region", "tags", "custom_key_store_id", "xks_key_id", "region"}},
	"aws_kms_external_key": {allowed: []string{"description", "enabled", "key_spec", "key_usage", "multi_region",
		"policy", "deletion_window_in_days", "valid_to", "tags", "bypass_policy_lockout_safety_check",
		"key_material_base64"}},
	"aws_kms_alias": {allowed: []string{"name", "name_prefix", "target_key_id"},
		required: []string{"name", "target_key_id"}},
	"aws_kms_replica_key": {allowed: []string{"primary_key_arn", "description", "enabled", "policy",
		"deletion_window_in_days", "tags", "bypass_policy_lockout_safety_check"},
		required: []string{"primary_key_arn"}},
	"aws_kms_replica_external_key": {allowed: []string{"primary_key_arn", "description", "enabled", "policy",
		"deletion_window_in_days", "tags", "bypass_policy_lockout_safety_check", "key_material_base64", "valid_to"},
		required: []string{"primary_key_arn"}},
}

// parseModules parses every generated file with HCL's native syntax parser,
// by module directory.
func parseModules(t *testing.T, files []output.File) map[string][]*hcl.File {
	t.Helper()
	p := hclparse.NewParser()
	out := map[string][]*hcl.File{}
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".tf") {
			t.Errorf("%s is not a .tf file", f.Path)
			continue
		}
		hf, diags := p.ParseHCL(f.Content(), f.Path)
		if diags.HasErrors() {
			t.Errorf("%s does not parse: %s", f.Path, diags.Error())
			continue
		}
		out[path.Dir(f.Path)] = append(out[path.Dir(f.Path)], hf)
	}
	return out
}

// checkModule checks each aws_kms_* resource of a module against the
// provider's arguments: nothing unknown, nothing required missing, a
// provider that the module declares, no block but lifecycle {
// prevent_destroy }, and every reference naming a resource of the module.
// It returns the problems and counts the resources checked by type.
func checkModule(hfs []*hcl.File, seen map[string]int) []string {
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	providers := map[string]bool{}
	resources := map[string]bool{}
	var refs []hcl.Traversal
	var where []string
	for _, hf := range hfs {
		for _, b := range hf.Body.(*hclsyntax.Body).Blocks {
			switch b.Type {
			case "provider":
				if a := b.Body.Attributes["alias"]; a != nil {
					alias, _ := a.Expr.Value(nil)
					providers["aws."+alias.AsString()] = true
				}
			case "resource":
				resources[b.Labels[0]+"."+b.Labels[1]] = true
			case "output":
				for _, tr := range b.Body.Attributes["value"].Expr.Variables() {
					refs = append(refs, tr)
					where = append(where, "output "+b.Labels[0])
				}
			}
		}
	}
	for _, hf := range hfs {
		for _, b := range hf.Body.(*hclsyntax.Body).Blocks {
			if b.Type != "resource" {
				continue
			}
			typ := b.Labels[0]
			id := hf.Body.MissingItemRange().Filename + ": " + typ + "." + b.Labels[1]
			args, ok := arguments[typ]
			if !ok {
				report("%s: a resource type kpgen does not make", id)
				continue
			}
			seen[typ]++
			for _, name := range slices.Sorted(maps.Keys(b.Body.Attributes)) {
				attr := b.Body.Attributes[name]
				if name == "provider" {
					tr, diags := hcl.AbsTraversalForExpr(attr.Expr)
					if diags.HasErrors() || len(tr) != 2 || !providers[tr.RootName()+"."+tr[1].(hcl.TraverseAttr).Name] {
						report("%s: provider is not one of the module's providers", id)
					}
					continue
				}
				if !slices.Contains(args.allowed, name) {
					report("%s: argument %s is not an argument of %s", id, name, typ)
				}
				for _, tr := range attr.Expr.Variables() {
					refs = append(refs, tr)
					where = append(where, id)
				}
			}
			if _, ok := b.Body.Attributes["provider"]; !ok {
				report("%s: no provider", id)
			}
			for _, req := range args.required {
				if _, ok := b.Body.Attributes[req]; !ok {
					report("%s: required argument %s is missing", id, req)
				}
			}
			for _, nb := range b.Body.Blocks {
				if nb.Type != "lifecycle" || len(nb.Body.Attributes) != 1 || nb.Body.Attributes["prevent_destroy"] == nil {
					report("%s: block %s is not lifecycle { prevent_destroy }", id, nb.Type)
				}
			}
		}
	}
	for i, tr := range refs {
		if len(tr) != 3 || !resources[tr.RootName()+"."+tr[1].(hcl.TraverseAttr).Name] {
			report("%s: reference to %s, which the module does not declare", where[i], tr.RootName())
		}
	}
	return problems
}

// TestProviderArguments checks every generated module with checkModule.
func TestProviderArguments(t *testing.T) {
	var files []output.File
	for _, name := range fixture.Names {
		m, pols := fixture.Load(t, name)
		files = append(files, generate(t, m, pols)...)
	}
	m, pols := fixture.Build(t, regionsSpec)
	files = append(files, generate(t, m, pols)...)
	m, pols = fixture.Build(t, fixture.TrickySpec())
	files = append(files, generate(t, m, pols)...)

	seen := map[string]int{}
	for dir, hfs := range parseModules(t, files) {
		for _, p := range checkModule(hfs, seen) {
			t.Errorf("module %s: %s", dir, p)
		}
	}
	for typ := range arguments {
		if seen[typ] == 0 {
			t.Errorf("no %s checked", typ)
		}
	}
	t.Logf("checked %v", seen)
}

// TestCheckModuleRejects proves checkModule can fail.
func TestCheckModuleRejects(t *testing.T) {
	src := `
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
resource "aws_kms_key" "a" {
  provider = aws.us_east_1
  enabled  = true
}
resource "aws_kms_external_key" "b" {
  provider            = aws.us_east_1
  enable_key_rotation = true
}
resource "aws_kms_alias" "a" {
  provider = aws.eu_west_1
  name     = "alias/a"
}
resource "aws_kms_replica_key" "r" {
  multi_region = true
  lifecycle {
    ignore_changes = [tags]
  }
}
resource "aws_kms_grant" "g" {
}
output "x" {
  value = aws_kms_key.missing.arn
}
`
	hf, diags := hclparse.NewParser().ParseHCL([]byte(src), "bad.tf")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := checkModule([]*hcl.File{hf}, map[string]int{})
	want := []string{
		"bad.tf: aws_kms_key.a: argument enabled is not an argument of aws_kms_key",
		"bad.tf: aws_kms_external_key.b: argument enable_key_rotation is not an argument of aws_kms_external_key",
		"bad.tf: aws_kms_alias.a: provider is not one of the module's providers",
		"bad.tf: aws_kms_alias.a: required argument target_key_id is missing",
		"bad.tf: aws_kms_replica_key.r: argument multi_region is not an argument of aws_kms_replica_key",
		"bad.tf: aws_kms_replica_key.r: no provider",
		"bad.tf: aws_kms_replica_key.r: required argument primary_key_arn is missing",
		"bad.tf: aws_kms_replica_key.r: block lifecycle is not lifecycle { prevent_destroy }",
		"bad.tf: aws_kms_grant.g: a resource type kpgen does not make",
		"output x: reference to aws_kms_key, which the module does not declare",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// regionsSpec has a multi-Region key whose primary is not in the first
// region, an external multi-Region key, an asymmetric key shared across
// stages, a key without rotation, names that meet once - and / become _,
// and an application named like a file of the module.
const regionsSpec = `
kpgen {
  version = 1
}
organization "o" {
  strategy = "decentralized"
  regions  = ["us-east-1", "eu-west-1"]
  deployer = "role/deploy"
}
account "dev" {
  id = "222222222222"
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
application "versions" {
  team = "web"
  stage "dev" {
    account = "dev"
  }
  stage "prod" {
    account = "prod"
  }
  key "a-b" {
    regions = ["eu-west-1", "us-east-1"]
  }
  key "b" {
  }
  key "imported" {
    origin  = "external"
    regions = ["us-east-1", "eu-west-1"]
  }
  key "signing" {
    spec                 = "RSA_2048"
    usage                = "SIGN_VERIFY"
    shared_across_stages = true
  }
  key "no-rotation" {
    rotation_days = 0
  }
}
application "versions-dev" {
  team = "web"
  stage "c" {
    account = "dev"
  }
  key "b" {
  }
}
`

// attrs returns the attributes of a resource as source text.
func attrs(t *testing.T, files map[string][]*hcl.File, dir, typ, name string) map[string]string {
	t.Helper()
	for _, hf := range files[dir] {
		for _, b := range hf.Body.(*hclsyntax.Body).Blocks {
			if b.Type == "resource" && b.Labels[0] == typ && b.Labels[1] == name {
				out := map[string]string{}
				for n, a := range b.Body.Attributes {
					out[n] = strings.TrimSpace(string(a.Expr.Range().SliceBytes(hf.Bytes)))
				}
				for _, nb := range b.Body.Blocks {
					out[nb.Type+"{}"] = ""
				}
				return out
			}
		}
	}
	t.Fatalf("%s: no resource %s.%s", dir, typ, name)
	return nil
}

// TestNamesThatMeet: key instances whose names meet in one Terraform name
// are an error, not numbered: a number would follow the keys' order, and
// removing one key would rename another (destroying it, to Terraform).
func TestNamesThatMeet(t *testing.T) {
	spec := strings.Replace(regionsSpec, `stage "c" {`, `stage "a" {`, 1)
	m, pols := fixture.Build(t, spec)
	_, ds := Generate(m, pols)
	if len(ds) != 1 || ds[0].Summary != "Two keys with one Terraform name" ||
		!strings.Contains(ds[0].Detail, "versions/dev/a-b and versions-dev/a/b would both be named versions_dev_a_b") {
		t.Fatalf("want one error about versions_dev_a_b, got %v", ds)
	}
	if got, want := ds[0].Subject.Start.Line, strings.Count(spec[:strings.LastIndex(spec, `key "b" {`)], "\n")+1; got != want {
		t.Errorf("reported at line %d, want %d (key b of versions-dev)", got, want)
	}
}

func TestResources(t *testing.T) {
	m, pols := fixture.Build(t, regionsSpec)
	files := generate(t, m, pols)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	want := []string{
		"terraform/dev/app_versions.tf", "terraform/dev/outputs.tf", "terraform/dev/versions-dev.tf", "terraform/dev/versions.tf",
		"terraform/prod/app_versions.tf", "terraform/prod/outputs.tf", "terraform/prod/versions.tf",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	mods := parseModules(t, files)

	ab := attrs(t, mods, "terraform/dev", "aws_kms_key", "versions_dev_a_b")
	if ab["provider"] != "aws.eu_west_1" || ab["multi_region"] != "true" || ab["rotation_period_in_days"] != "365" {
		t.Errorf("key a-b: %v", ab)
	}
	if _, ok := ab["lifecycle{}"]; ok {
		t.Errorf("key a-b of stage dev is protected from destroy")
	}
	abr := attrs(t, mods, "terraform/dev", "aws_kms_replica_key", "versions_dev_a_b_us_east_1")
	if abr["provider"] != "aws.us_east_1" || abr["primary_key_arn"] != "aws_kms_key.versions_dev_a_b.arn" {
		t.Errorf("replica of a-b: %v", abr)
	}
	if b := attrs(t, mods, "terraform/dev", "aws_kms_key", "versions_dev_c_b"); !strings.Contains(b["tags"], `"versions-dev"`) {
		t.Errorf("versions_dev_c_b is not the key of application versions-dev: %v", b["tags"])
	}

	ext := attrs(t, mods, "terraform/prod", "aws_kms_external_key", "versions_prod_imported")
	for _, a := range []string{"key_spec", "key_usage", "multi_region"} {
		if _, ok := ext[a]; !ok {
			t.Errorf("external key: no %s: %v", a, ext)
		}
	}
	// No enabled: the key is disabled until its material is imported, and
	// every plan would show a change.
	for _, a := range []string{"enable_key_rotation", "rotation_period_in_days", "is_enabled", "enabled", "customer_master_key_spec"} {
		if _, ok := ext[a]; ok {
			t.Errorf("external key sets %s", a)
		}
	}
	if _, ok := ext["lifecycle{}"]; !ok {
		t.Errorf("production key imported is not protected from destroy")
	}
	extr := attrs(t, mods, "terraform/prod", "aws_kms_replica_external_key", "versions_prod_imported_eu_west_1")
	if _, ok := extr["enabled"]; ok || extr["primary_key_arn"] != "aws_kms_external_key.versions_prod_imported.arn" {
		t.Errorf("replica of imported: %v", extr)
	}
	if _, ok := extr["lifecycle{}"]; !ok {
		t.Errorf("replica of production key imported is not protected from destroy")
	}
	alias := attrs(t, mods, "terraform/prod", "aws_kms_alias", "versions_prod_imported")
	if alias["target_key_id"] != "aws_kms_external_key.versions_prod_imported.id" {
		t.Errorf("alias of imported: %v", alias)
	}

	sign := attrs(t, mods, "terraform/dev", "aws_kms_key", "versions_signing")
	if sign["customer_master_key_spec"] != `"RSA_2048"` || sign["key_usage"] != `"SIGN_VERIFY"` || sign["enable_key_rotation"] != "" {
		t.Errorf("key signing: %v", sign)
	}
	if strings.Contains(sign["tags"], "kpgen:stage") {
		t.Errorf("key signing is shared across stages but tagged with a stage: %s", sign["tags"])
	}
	if _, ok := sign["lifecycle{}"]; !ok {
		t.Errorf("key signing, shared by stages dev and prod, is not protected from destroy")
	}
	if _, ok := attrs(t, mods, "terraform/dev", "aws_kms_key", "versions_dev_no_rotation")["rotation_period_in_days"]; ok {
		t.Errorf("key no-rotation has a rotation period")
	}
	if got := attrs(t, mods, "terraform/dev", "aws_kms_key", "versions_dev_no_rotation")["enable_key_rotation"]; got != "false" {
		t.Errorf("key no-rotation: enable_key_rotation = %s", got)
	}

	// Both modules hold an external key: they ask for the provider release
	// that has key_spec, and have a provider for each region they use.
	for _, f := range files {
		if path.Base(f.Path) != "versions.tf" {
			continue
		}
		if want := `version = ">= 6.11, < 7.0"`; !bytes.Contains(f.Content(), []byte(want)) {
			t.Errorf("%s does not require %s:\n%s", f.Path, want, f.Content())
		}
		for _, r := range []string{"us_east_1", "eu_west_1"} {
			if !bytes.Contains(f.Content(), []byte(`alias               = "`+r+`"`)) {
				t.Errorf("%s: no provider for %s", f.Path, r)
			}
		}
	}
}

func TestMinimumProvider(t *testing.T) {
	key := func(origin string, rotation int) *policy.KeyPolicy {
		return &policy.KeyPolicy{Instance: &model.KeyInstance{Key: &model.Key{Spec: "SYMMETRIC_DEFAULT", Origin: origin, RotationDays: rotation}}}
	}
	for _, c := range []struct {
		keys []*policy.KeyPolicy
		want string
	}{
		{[]*policy.KeyPolicy{key("aws_kms", 0)}, "5.0"},
		{[]*policy.KeyPolicy{key("aws_kms", 0), key("aws_kms", 365)}, "5.49"},
		{[]*policy.KeyPolicy{key("external", 0), key("aws_kms", 365)}, "6.11"},
	} {
		got, why := (&module{keys: c.keys}).minimumProvider()
		if got != c.want {
			t.Errorf("minimum provider = %s, want %s (%s)", got, c.want, strings.Join(why, " "))
		}
	}
}

func TestIdentifier(t *testing.T) {
	for in, want := range map[string]string{
		"shop/prod/browsing-history": "shop_prod_browsing_history",
		"app/key":                    "app_key",
		"1app/dev/k":                 "k_1app_dev_k",
	} {
		if got := identifier(in); got != want {
			t.Errorf("identifier(%q) = %q, want %q", in, got, want)
		}
		if !hclsyntax.ValidIdentifier(identifier(in)) {
			t.Errorf("identifier(%q) is not an HCL identifier", in)
		}
	}
}

// TestFormatted: every file is already in canonical format, as terraform fmt
// and hclwrite.Format write it; kpgen formats each file once, as hclwrite
// writes its tokens, and never runs the formatter twice.
func TestFormatted(t *testing.T) {
	for _, name := range fixture.Names {
		m, pols := fixture.Load(t, name)
		for _, f := range generate(t, m, pols) {
			got := f.Content()
			if want := hclwrite.Format(got); !bytes.Equal(want, got) {
				t.Errorf("%s: not in canonical format (-formatted +got):\n%s", f.Path, cmp.Diff(string(want), string(got)))
			}
		}
	}
}
