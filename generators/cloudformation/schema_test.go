package cloudformation

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/output"
)

// registryDir holds the CloudFormation registry schemas of the AWS::KMS
// resources, which are not part of this repository: KPGEN_CFN_REGISTRY
// names their directory, and the tests that need them skip without them.
var registryDir = cmp.Or(os.Getenv("KPGEN_CFN_REGISTRY"), "../../../shared/reference/cloudformation")

// registrySchema is the part of a CloudFormation registry schema that says
// what a resource's Properties may hold.
type registrySchema struct {
	TypeName           string                     `json:"typeName"`
	Properties         map[string]json.RawMessage `json:"properties"`
	Required           []string                   `json:"required"`
	Definitions        map[string]json.RawMessage `json:"definitions"`
	ReadOnlyProperties []string                   `json:"readOnlyProperties"`
}

// loadRegistry compiles, for each resource type, a JSON Schema of its
// Properties object: the registry's properties less the read-only ones
// (which a template cannot set), its required list, no other property.
func loadRegistry(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	if _, err := os.Stat(registryDir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("the CloudFormation registry schemas are not in %s", registryDir)
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{"aws-kms-key.json", "aws-kms-alias.json", "aws-kms-replicakey.json"} {
		data, err := os.ReadFile(filepath.Join(registryDir, name))
		if err != nil {
			t.Fatal(err)
		}
		var reg registrySchema
		if err := json.Unmarshal(data, &reg); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, ro := range reg.ReadOnlyProperties {
			delete(reg.Properties, strings.TrimPrefix(ro, "/properties/"))
		}
		schema := map[string]any{
			"type":                 "object",
			"properties":           reg.Properties,
			"additionalProperties": false,
		}
		if len(reg.Required) > 0 {
			schema["required"] = reg.Required
		}
		if len(reg.Definitions) > 0 {
			schema["definitions"] = reg.Definitions
		}
		src, err := json.Marshal(schema)
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource(name, bytes.NewReader(src)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s, err := c.Compile(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[reg.TypeName] = s
	}
	if len(out) != 3 {
		t.Fatalf("registry schemas for %d types, want 3", len(out))
	}
	return out
}

// asJSON turns a template read back from YAML or JSON into the values
// encoding/json produces, which is what the validator takes.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// intrinsic reports whether v is a call of an intrinsic function, and
// returns its name and argument.
func intrinsic(v any) (string, any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	for k, arg := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, arg, true
		}
	}
	return "", nil, false
}

// resolveIntrinsics replaces each intrinsic function by a placeholder
// string, as CloudFormation does before it checks the resource (every
// function kpgen uses yields a string), and returns the functions found.
func resolveIntrinsics(v any, found *[]map[string]any) any {
	if name, arg, ok := intrinsic(v); ok {
		*found = append(*found, map[string]any{name: arg})
		return "resolved-" + strings.ToLower(strings.TrimPrefix(name, "Fn::"))
	}
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = resolveIntrinsics(e, found)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = resolveIntrinsics(e, found)
		}
		return out
	}
	return v
}

// terraformAlias is the alias pattern of the Terraform provider, stricter
// than CloudFormation's: the same aliases go to both.
var terraformAlias = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)

// TestRegistrySchemas validates the Properties of every resource of every
// template, both formats, against the CloudFormation registry schema of its
// type, and checks that every Ref and Fn::GetAtt names a resource or
// parameter of the template and that export names are unique.
func TestRegistrySchemas(t *testing.T) {
	schemas := loadRegistry(t)
	var all []output.File
	for _, name := range fixture.Names {
		m, pols := fixture.Load(t, name)
		all = append(all, generate(t, m, pols, FormatYAML)...)
		all = append(all, generate(t, m, pols, FormatJSON)...)
	}
	for _, src := range []string{fixture.TrickySpec(), header + regionsApp} {
		m, pols := fixture.Build(t, src)
		all = append(all, generate(t, m, pols, FormatYAML)...)
		all = append(all, generate(t, m, pols, FormatJSON)...)
	}

	checked := map[string]int{}
	for _, f := range all {
		tmpl := asJSON(t, readTemplate(t, f)).(map[string]any)
		res, _ := tmpl["Resources"].(map[string]any)
		params, _ := tmpl["Parameters"].(map[string]any)
		if len(res) == 0 {
			t.Errorf("%s: no resources", f.Path)
		}
		var calls []map[string]any
		for id, r := range res {
			r := r.(map[string]any)
			typ, _ := r["Type"].(string)
			s := schemas[typ]
			if s == nil {
				t.Errorf("%s: %s has type %q, which kpgen does not make", f.Path, id, typ)
				continue
			}
			if typ != "AWS::KMS::Alias" && (r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain") {
				t.Errorf("%s: %s is not retained on deletion and replacement", f.Path, id)
			}
			props := resolveIntrinsics(r["Properties"], &calls)
			if err := s.Validate(props); err != nil {
				t.Errorf("%s: %s (%s) does not match the registry schema: %#v", f.Path, id, typ, err)
			}
			if typ == "AWS::KMS::Alias" {
				if a, _ := props.(map[string]any)["AliasName"].(string); !terraformAlias.MatchString(a) {
					t.Errorf("%s: %s: alias %q", f.Path, id, a)
				}
			}
			checked[typ]++
		}
		exports := map[string]bool{}
		for id, o := range tmpl["Outputs"].(map[string]any) {
			o := o.(map[string]any)
			resolveIntrinsics(o["Value"], &calls)
			name, _ := o["Export"].(map[string]any)["Name"].(string)
			if exports[name] || !strings.HasPrefix(name, "kpgen-") {
				t.Errorf("%s: output %s exports %q", f.Path, id, name)
			}
			exports[name] = true
		}
		for _, c := range calls {
			switch {
			case c["Ref"] != nil:
				target, _ := c["Ref"].(string)
				if res[target] == nil && params[target] == nil {
					t.Errorf("%s: Ref %q names nothing in the template", f.Path, target)
				}
			case c["Fn::GetAtt"] != nil:
				args, _ := c["Fn::GetAtt"].([]any)
				if len(args) != 2 || res[args[0].(string)] == nil || args[1] != "Arn" {
					t.Errorf("%s: Fn::GetAtt %v", f.Path, args)
				}
			default:
				t.Errorf("%s: unexpected intrinsic function %v", f.Path, c)
			}
		}
	}
	for _, typ := range []string{"AWS::KMS::Key", "AWS::KMS::Alias", "AWS::KMS::ReplicaKey"} {
		if checked[typ] == 0 {
			t.Errorf("no %s checked", typ)
		}
	}
	t.Logf("validated %v", checked)
}

// TestRegistryRejects proves the validation above can fail.
func TestRegistryRejects(t *testing.T) {
	schemas := loadRegistry(t)
	bad := []struct {
		typ   string
		props string
	}{
		{"AWS::KMS::Key", `{"KeyPolicy": {}, "Origin": "AWS_CLOUDHSM"}`},
		{"AWS::KMS::Key", `{"KeyPolicy": {}, "PendingWindowInDays": 31}`},
		{"AWS::KMS::Key", `{"KeyPolicy": {}, "Arn": "arn:aws:kms:us-east-1:111111111111:key/x"}`},
		{"AWS::KMS::Key", `{"KeyPolicy": {}, "Tags": [{"Key": "k"}]}`},
		{"AWS::KMS::Alias", `{"AliasName": "alias/a b", "TargetKeyId": "k"}`},
		{"AWS::KMS::Alias", `{"AliasName": "alias/a"}`},
		{"AWS::KMS::ReplicaKey", `{"PrimaryKeyArn": "arn"}`},
		{"AWS::KMS::ReplicaKey", `{"PrimaryKeyArn": "arn", "KeyPolicy": {}, "KeySpec": "SYMMETRIC_DEFAULT"}`},
	}
	for _, b := range bad {
		var v any
		if err := json.Unmarshal([]byte(b.props), &v); err != nil {
			t.Fatal(err)
		}
		if err := schemas[b.typ].Validate(v); err == nil {
			t.Errorf("%s %s passes validation", b.typ, b.props)
		}
	}
}
