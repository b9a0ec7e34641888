package schema

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// base is a small valid spec; cases change one thing in it.
const base = `kpgen {
  version = 1
}

organization "acme" {
  strategy      = "hybrid"
  regions       = ["us-east-1"]
  security_team = "security"
}

account "dev" {
  id = "222222222222"
}

account "prod" {
  id = "333333333333"
}

classification "confidential" {
  rank = 2
}

team "security" {
  administrators = ["role/KeyAdmin"]
}

application "shop" {
  team = "security"

  stage "dev" {
    account = "dev"
  }

  data "orders" {
    classification = "confidential"
    services       = ["dynamodb"]
    users          = ["role/shop-api"]
  }

  key "orders" {
    deletion_window_days = 30
  }
}
`

func writeSpec(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// got is a diagnostic reduced to what a case checks.
type got struct {
	Summary string
	At      string // file:line:col, "" without a location
}

func summarize(t *testing.T, dir string) []got {
	t.Helper()
	_, diags, err := Load(dir)
	if err != nil {
		t.Fatalf("Load: unexpected I/O error: %v", err)
	}
	var out []got
	for _, d := range diags {
		g := got{Summary: d.Summary}
		if d.Subject != nil {
			g.At = fmt.Sprintf("%s:%d:%d", filepath.Base(d.Subject.Filename), d.Subject.Start.Line, d.Subject.Start.Column)
		}
		out = append(out, g)
	}
	return out
}

func TestLoadValid(t *testing.T) {
	dir := writeSpec(t, map[string]string{"main.kp.hcl": base})
	spec, diags, err := Load(dir)
	if err != nil || diags.HasErrors() {
		t.Fatalf("Load(base) = %v, %v", diags, err)
	}
	if got, want := spec.Organization.Strategy, "hybrid"; got != want {
		t.Errorf("strategy = %q, want %q", got, want)
	}
	app := spec.Applications[0]
	if got := app.Data[0].Users[0]; got.Value != "role/shop-api" || got.Range.Start.Line != 37 || got.Range.Start.Column != 23 {
		t.Errorf("users[0] = %q at %d:%d, want role/shop-api at 37:23", got.Value, got.Range.Start.Line, got.Range.Start.Column)
	}
	if k := app.Keys[0]; k.DeletionWindowDays == nil || *k.DeletionWindowDays != 30 || !k.Has("deletion_window_days") || k.Has("rotation_days") {
		t.Errorf("key attrs wrong: %+v", k)
	}
}

func TestLoadSplitAcrossFiles(t *testing.T) {
	i := strings.Index(base, "application")
	dir := writeSpec(t, map[string]string{"a.kp.hcl": base[:i], "b.kp.hcl": base[i:], "notes.txt": "not a spec"})
	spec, diags, err := Load(dir)
	if err != nil || diags.HasErrors() {
		t.Fatalf("Load = %v, %v", diags, err)
	}
	if diff := cmp.Diff([]string{filepath.Join(dir, "a.kp.hcl"), filepath.Join(dir, "b.kp.hcl")}, spec.FileNames); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if got := spec.Applications[0].DefRange.Filename; filepath.Base(got) != "b.kp.hcl" {
		t.Errorf("application range in %s, want b.kp.hcl", got)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []got
	}{
		{
			name:  "no spec files",
			files: map[string]string{"README.md": "# nothing"},
			want:  []got{{Summary: "No spec files"}},
		},
		{
			name:  "not UTF-8",
			files: map[string]string{"main.kp.hcl": "kpgen {\n  version = 1 # caf\xe9\n}\n"},
			want:  []got{{"Invalid character encoding", "main.kp.hcl:2:20"}},
		},
		{
			// HCL reads a key as a string: 1 and "1" are one key, and the
			// value of the first would be dropped.
			name:  "a map key written twice",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `deletion_window_days = 30`, "deletion_window_days = 30\n    tags = { 1 = \"a\", \"1\" = \"b\" }", 1)},
			want:  []got{{"Key written twice", "main.kp.hcl:42:23"}},
		},
		{
			name:  "syntax error",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `rank = 2`, `rank = `, 1)},
			want:  []got{{"Invalid expression", "main.kp.hcl:20:10"}},
		},
		{
			name:  "unknown attribute",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `rank = 2`, "rank = 2\n  rnak = 3", 1)},
			want:  []got{{"Unsupported argument", "main.kp.hcl:21:3"}},
		},
		{
			name:  "unknown block",
			files: map[string]string{"main.kp.hcl": base + "\nbucket \"x\" {\n}\n"},
			want:  []got{{"Unsupported block type", "main.kp.hcl:45:1"}},
		},
		{
			name:  "wrong type",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `rank = 2`, `rank = "high"`, 1)},
			want:  []got{{"Incorrect value type", "main.kp.hcl:20:10"}},
		},
		{
			name:  "out of range",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `deletion_window_days = 30`, `deletion_window_days = 3`, 1)},
			want:  []got{{"Value out of range", "main.kp.hcl:41:28"}},
		},
		{
			name:  "rotation between 0 and 90",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `deletion_window_days = 30`, `rotation_days = 30`, 1)},
			want:  []got{{"Value out of range", "main.kp.hcl:41:21"}},
		},
		{
			name:  "missing required attribute",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `id = "333333333333"`, ``, 1)},
			want:  []got{{"Missing required argument", "main.kp.hcl:15:1"}},
		},
		{
			// A version that is not a number is a type error, not a
			// version kpgen does not know.
			name:  "version not a number",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, "version = 1", "version = [1]", 1)},
			want:  []got{{"Incorrect value type", "main.kp.hcl:2:13"}},
		},
		{
			// A misspelt required argument is unknown, not also missing;
			// so is a misspelt required block.
			name:  "misspelt required argument and block",
			files: map[string]string{"main.kp.hcl": strings.NewReplacer(`    account = "dev"`, `    acount = "dev"`, `organization "acme"`, `organisation "acme"`).Replace(base)},
			want:  []got{{"Unsupported block type", "main.kp.hcl:5:1"}, {"Unsupported argument", "main.kp.hcl:31:5"}},
		},
		{
			// A misspelt argument does not hide an unrelated mistake.
			name:  "unknown argument and a value out of range",
			files: map[string]string{"main.kp.hcl": strings.NewReplacer(`rank = 2`, `rank = 500`, `deletion_window_days = 30`, `deletion_window_days = 30`+"\n    descriptio = \"x\"").Replace(base)},
			want:  []got{{"Value out of range", "main.kp.hcl:20:10"}, {"Unsupported argument", "main.kp.hcl:42:5"}},
		},
		{
			// Each missing argument of one block is reported.
			name:  "two required arguments missing from one block",
			files: map[string]string{"main.kp.hcl": strings.NewReplacer(`  strategy      = "hybrid"`+"\n", "", `  regions       = ["us-east-1"]`+"\n", "").Replace(base)},
			want:  []got{{"Missing required argument", "main.kp.hcl:5:1"}, {"Missing required argument", "main.kp.hcl:5:1"}},
		},
		{
			name:  "missing team, account and classification arguments: arguments, not blocks",
			files: map[string]string{"main.kp.hcl": strings.NewReplacer(`  team = "security"`+"\n", "", `    account = "dev"`+"\n", "", `    classification = "confidential"`+"\n", "").Replace(base)},
			want:  []got{{"Missing required argument", "main.kp.hcl:27:1"}, {"Missing required argument", "main.kp.hcl:29:3"}, {"Missing required argument", "main.kp.hcl:32:3"}},
		},
		{
			name:  "malformed account id",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `"333333333333"`, `"33333"`, 1)},
			want:  []got{{"Invalid value", "main.kp.hcl:16:8"}},
		},
		{
			name:  "name that could form a path",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `application "shop"`, `application "../shop"`, 1)},
			want:  []got{{"Invalid value", "main.kp.hcl:27:13"}},
		},
		{
			name:  "alias prefix of AWS's, in another case",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `security_team = "security"`, "security_team = \"security\"\n  alias_prefix  = \"AWS/x\"", 1)},
			want:  []got{{"Reserved value", "main.kp.hcl:9:19"}},
		},
		{
			name:  "alias prefix that only begins like AWS's",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `security_team = "security"`, "security_team = \"security\"\n  alias_prefix  = \"awsome/x\"", 1)},
		},
		{
			name:  "name Windows reserves for a device",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `application "shop"`, `application "lpt1"`, 1)},
			want:  []got{{"Reserved value", "main.kp.hcl:27:13"}},
		},
		{
			name:  "uppercase name",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `stage "dev"`, `stage "Dev"`, 1)},
			want:  []got{{"Invalid value", "main.kp.hcl:30:9"}},
		},
		{
			name:  "enum typo",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `"hybrid"`, `"hybird"`, 1)},
			want:  []got{{"Unsupported value", "main.kp.hcl:6:19"}},
		},
		{
			name:  "malformed region",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `["us-east-1"]`, `["us-east-1", "US East"]`, 1)},
			want:  []got{{"Invalid value", "main.kp.hcl:7:33"}},
		},
		{
			name:  "unsupported version",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `version = 1`, `version = 2`, 1)},
			want:  []got{{"Unsupported spec language version", "main.kp.hcl:2:13"}},
		},
		{
			name:  "missing organization",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `organization "acme"`, `# organization "acme"`, 1)[:0] + "kpgen {\n  version = 1\n}\n"},
			want: []got{
				{"Missing account block", "main.kp.hcl:1:1"},
				{"Missing application block", "main.kp.hcl:1:1"},
				{"Missing classification block", "main.kp.hcl:1:1"},
				{"Missing organization block", "main.kp.hcl:1:1"},
				{"Missing team block", "main.kp.hcl:1:1"},
			},
		},
		{
			name:  "organization twice across files",
			files: map[string]string{"a.kp.hcl": base, "b.kp.hcl": "organization \"other\" {\n  strategy = \"hybrid\"\n  regions = [\"us-east-1\"]\n}\n"},
			want:  []got{{"Duplicate organization block", "b.kp.hcl:1:1"}},
		},
		{
			name:  "reserved tag and context prefixes in any case",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, "  stage \"dev\" {", "  key \"k\" {\n    tags = { \"AWS:team\" = \"x\", \"Kpgen:x\" = \"y\" }\n    encryption_context = { \"Aws:s3:arn\" = \"a\" }\n  }\n  stage \"dev\" {", 1)},
			want:  []got{{"Invalid key", "main.kp.hcl:31:14"}, {"Invalid key", "main.kp.hcl:31:32"}, {"Invalid key", "main.kp.hcl:32:28"}},
		},
		{
			name:  "a key that breaks two rules is one mistake",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, "  stage \"dev\" {", "  key \"k\" {\n    tags = { \"aws:"+strings.Repeat("a", 130)+"\" = \"v\" }\n  }\n  stage \"dev\" {", 1)},
			want:  []got{{"Invalid key", "main.kp.hcl:31:14"}},
		},
		{
			name:  "a bad key whose value is a map is named",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, "  stage \"dev\" {", "  key \"k\" {\n    encryption_context = { \"a b\" = { x = \"y\" } }\n  }\n  stage \"dev\" {", 1)},
			want:  []got{{"Invalid key", "main.kp.hcl:31:28"}, {"Incorrect value type", "main.kp.hcl:31:36"}},
		},
		{
			name:  "empty and spaced map keys, located at the key",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, "  stage \"dev\" {", "  key \"k\" {\n    encryption_context = { \"\" = \"shop\", \"a b\" = \"x\" }\n  }\n  stage \"dev\" {", 1)},
			want:  []got{{"Invalid key", "main.kp.hcl:31:28"}, {"Invalid key", "main.kp.hcl:31:41"}},
		},
		{
			name:  "variable reference",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `account = "dev"`, `account = dev`, 1)},
			want:  []got{{"Variables not allowed", "main.kp.hcl:31:15"}},
		},
		{
			name:  "stage missing",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, "stage \"dev\" {\n    account = \"dev\"\n  }", "", 1)},
			want:  []got{{"Missing stage block", "main.kp.hcl:27:1"}},
		},
		{
			name:  "empty lint_ignore reason",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `rank = 2`, "rank = 2\n  lint_ignore = { KP103 = \"\" }", 1)},
			want:  []got{{"Invalid value", "main.kp.hcl:21:27"}},
		},
		{
			name:  "null lint_ignore reason",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `rank = 2`, "rank = 2\n  lint_ignore = { KP103 = null }", 1)},
			want:  []got{{"Null value in map", "main.kp.hcl:21:27"}},
		},
		{
			name:  "null in a list",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `rank = 2`, "rank = 2\n  regions = [\"us-east-1\", null]", 1)},
			want:  []got{{"Null value in list", "main.kp.hcl:21:27"}},
		},
		{
			name:  "bad lint_ignore rule ID",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `rank = 2`, "rank = 2\n  lint_ignore = { kp103 = \"why\" }", 1)},
			want:  []got{{"Invalid key", "main.kp.hcl:21:19"}},
		},
		{
			name:  "error in a later application",
			files: map[string]string{"main.kp.hcl": base + "\napplication \"two\" {\n  team = \"security\"\n  stage \"Dev\" {\n    account = \"dev\"\n  }\n}\n"},
			want:  []got{{"Invalid value", "main.kp.hcl:47:9"}},
		},
		{
			name:  "duplicate list element",
			files: map[string]string{"main.kp.hcl": strings.Replace(base, `["dynamodb"]`, `["dynamodb", "s3", "dynamodb"]`, 1)},
			want:  []got{{"Duplicate value", "main.kp.hcl:36:41"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSpec(t, tt.files)
			if diff := cmp.Diff(tt.want, summarize(t, dir)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadTooLarge(t *testing.T) {
	dir := writeSpec(t, map[string]string{"main.kp.hcl": base})
	big := filepath.Join(dir, "big.kp.hcl")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: the size check must refuse it without reading it.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	want := []got{{"Spec file too large", "big.kp.hcl:1:1"}}
	if diff := cmp.Diff(want, summarize(t, dir)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestLoadIOError(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "missing"))
	if err == nil {
		t.Fatal("Load of a missing directory: no error")
	}
	var ioErr *IOError
	if !errors.As(err, &ioErr) {
		t.Errorf("error %T, want *IOError", err)
	}
}

func TestSchemaCompiles(t *testing.T) {
	if _, err := compiled(); err != nil {
		t.Fatal(err)
	}
}

// TestOnlyLiterals: kpgen evaluates nothing. Templates, operators,
// conditionals, for expressions, splats and index expressions are refused
// where they are written, before HCL would evaluate them: nested template
// loops in a few kilobytes would otherwise take minutes and gigabytes.
func TestOnlyLiterals(t *testing.T) {
	loop := `%{for a in [1,2,3,4,5,6,7,8,9,10]}%{for b in [1,2,3,4,5,6,7,8,9,10]}x%{endfor}%{endfor}`
	for value, want := range map[string]string{
		`"${"dev"}"`:                  "Templates not allowed",
		`"d${"e"}v"`:                  "Templates not allowed",
		`"` + loop + `"`:              "Templates not allowed",
		`true ? "dev" : "prod"`:       "Expressions not allowed",
		`["dev", "prod"][0]`:          "Expressions not allowed",
		`[for a in ["dev"] : a][0]`:   "Expressions not allowed",
		`("dev")`:                     "Expressions not allowed",
		`upper("dev")`:                "Function calls not allowed",
		`dev`:                         "Variables not allowed",
		`{ (dev) = "x" }`:             "Expressions not allowed",
		`{ "k" = "${"x"}" }`:          "Templates not allowed",
		`["dev", ["a", 1 - 1]]`:       "Expressions not allowed",
		`{ for k in ["a"] : k => 1 }`: "Expressions not allowed",
	} {
		src := strings.Replace(base, `account = "dev"`, "account = "+value, 1)
		_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
		if len(diags) == 0 || diags[0].Summary != want || diags[0].Subject.Start.Line != 31 {
			t.Errorf("account = %s: %v; want %q on line 31", value, diags, want)
		}
	}
	// Literals of every kind still load: escaped template sequences, bare
	// and quoted map keys, a heredoc, and a negative number (refused by the
	// schema, where it is out of range).
	src := strings.Replace(base, `rank = 2`, "rank = 2\n  lint_ignore = { KP103 = <<EOT\nliteral $${x} and %%{y}\nEOT\n  }", 1)
	if _, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)}); len(diags) != 0 {
		t.Errorf("literals refused: %v", diags)
	}
	src = strings.Replace(base, `rank = 2`, `rank = -2`, 1)
	if _, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)}); len(diags) != 1 || diags[0].Summary != "Value out of range" {
		t.Errorf("rank = -2: %v, want the schema's range error", diags)
	}
}

// TestNoCodeInStrings: spec text that CloudFormation or IAM would read as
// code is refused where it is written.
func TestNoCodeInStrings(t *testing.T) {
	for edit, want := range map[string]string{
		`key "k" { description = "{{resolve:secretsmanager:db:SecretString:password}}" }`: "Dynamic reference not allowed",
		`key "k" { tags = { team = "x {{resolve:ssm:/a}}" } }`:                            "Dynamic reference not allowed",
		`key "k" { encryption_context = { app = "$${aws:username}" } }`:                   "Policy variable not allowed",
		`key "k" { tags = { "{{resolve:ssm:x}}" = "web" } }`:                              "Dynamic reference not allowed",
	} {
		src := strings.Replace(base, "  stage \"dev\" {", "  "+edit+"\n  stage \"dev\" {", 1)
		_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
		if len(diags) != 1 || diags[0].Summary != want || diags[0].Subject.Start.Line != 30 {
			t.Errorf("%s: %v; want %q on line 30", edit, diags, want)
		}
	}
	// A dollar sign alone is text.
	src := strings.Replace(base, "  stage \"dev\" {", "  key \"k\" { encryption_context = { app = \"$5 {x}\" } }\n  stage \"dev\" {", 1)
	if _, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)}); len(diags) != 0 {
		t.Errorf("plain dollar refused: %v", diags)
	}
}

// TestHiddenCharacters: a control character (but tab and newline) or a
// bidirectional formatting character in any string is refused where it is
// written, whether it comes escaped or raw; the characters of ordinary
// text stay.
func TestHiddenCharacters(t *testing.T) {
	for _, edit := range []string{
		`key "k" { description = "a\u0000b" }`,
		`key "k" { description = "colour\u001b[31mred" }`,
		`key "k" { description = "shown\rhidden" }`,
		`key "k" { description = "del\u007f" }`,
		`key "k" { description = "next\u0085line" }`,
		`key "k" { description = "safe \u202egnirts" }`,
		"key \"k\" { description = \"raw \u2066isolate\u2069\" }",
		`key "k" { tags = { note = "a\u202eb" } }`,
		`key "k" { tags = { "a\u202db" = "x" } }`,
		`key "k" { encryption_context = { app = "shop\u202a" } }`,
	} {
		src := strings.Replace(base, "  stage \"dev\" {", "  "+edit+"\n  stage \"dev\" {", 1)
		_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
		if len(diags) != 1 || diags[0].Summary != "Hidden character in a string" || diags[0].Subject.Start.Line != 30 {
			t.Errorf("%q: %v; want one hidden character on line 30", edit, diags)
		}
	}
	text := `key "k" {
    description = <<EOT
Two lines,	a tab, Zürich, a right-to-left mark \u200f, a joiner \u200d.
EOT
  }`
	src := strings.Replace(base, "  stage \"dev\" {", "  "+text+"\n  stage \"dev\" {", 1)
	if _, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)}); len(diags) != 0 {
		t.Errorf("ordinary text refused: %v", diags)
	}
}

// TestHiddenFilesIgnored: an editor's lock (a dangling link) or backup that
// starts with a dot is not part of the spec.
func TestHiddenFilesIgnored(t *testing.T) {
	dir := writeSpec(t, map[string]string{"main.kp.hcl": base, ".backup.kp.hcl": "not hcl {"})
	if err := os.Symlink("user@host.1234:1700000000", filepath.Join(dir, ".#main.kp.hcl")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if _, diags, err := Load(dir); err != nil || len(diags) != 0 {
		t.Errorf("Load = %v, %v; want the spec without its hidden files", diags, err)
	}
}

// TestNameAdvice: a reference that is no name says why, pointing at a
// look-alike character, and suggests the declared name; a fraction where a
// whole number belongs is named as such.
func TestNameAdvice(t *testing.T) {
	for edit, want := range map[[2]string]string{
		{`account = "dev"`, `account = "d` + "\u0435" + `v"`}:                               `It holds "е" (U+0435), which is not an ASCII letter, digit or hyphen. Did you mean "dev"?`,
		{`team = "security"`, `team = "Security"`}:                                          `Did you mean "security"?`,
		{`rank = 2`, `rank = 2.5`}:                                                          `must be a whole number, not 2.5.`,
		{`["dynamodb"]`, `["DynamoDB"]`}:                                                    `Did you mean "dynamodb"?`,
		{`["us-east-1"]`, `["US-EAST-1"]`}:                                                  `Did you mean "us-east-1"?`,
		{"deletion_window_days = 30", "deletion_window_days = 30\n    spec = \"rsa_2048\""}: `Did you mean "RSA_2048"?`,
	} {
		src := strings.Replace(base, edit[0], edit[1], 1)
		_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
		if len(diags) != 1 || !strings.Contains(diags[0].Detail, want) {
			t.Errorf("%s: %v; want a detail saying %q", edit[1], diags, want)
		}
	}
}

// TestLineEndings: a spec checked out with CRLF line endings reads as the
// same spec: a heredoc's line breaks are LF, positions are the same.
func TestLineEndings(t *testing.T) {
	src := strings.Replace(base, "deletion_window_days = 30", "deletion_window_days = 30\n    description = <<-EOT\n      Line one\n      Line two\n    EOT", 1)
	lf, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	crlf, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(strings.ReplaceAll(src, "\n", "\r\n"))})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	a, b := lf.Applications[0].Keys[0], crlf.Applications[0].Keys[0]
	if a.Description != "Line one\nLine two\n" || b.Description != a.Description {
		t.Errorf("descriptions %q (LF) and %q (CRLF), want both %q", a.Description, b.Description, "Line one\nLine two\n")
	}
	if a.DefRange != b.DefRange {
		t.Errorf("key block at %v (LF) and %v (CRLF)", a.DefRange, b.DefRange)
	}
}

// TestUnsupportedAdvice: an argument or block in the wrong place is told
// where it belongs and what the block holds.
func TestUnsupportedAdvice(t *testing.T) {
	for edit, want := range map[string]string{
		"deletion_window_days = 30\n    key_account = \"dev\"":         `"key_account" belongs in an organization block. A key block holds: description, users,`,
		"deletion_window_days = 30\n    budget {\n    }":               `"budget" belongs in an organization block.`,
		"deletion_window_days = 30\n    colour = \"red\"":              `A key block holds: description,`,
		"deletion_window_days = 30\n    classification \"x\" {\n    }": `"classification" belongs in the top level of a spec file.`,
		"deletion_window_days = 30\n    rank = 2":                      `"rank" belongs in a classification block.`,
	} {
		src := strings.Replace(base, "deletion_window_days = 30", edit, 1)
		_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
		if len(diags) != 1 || !strings.Contains(diags[0].Detail, want) {
			t.Errorf("%q: %v; want a detail saying %q", edit, diags, want)
		}
	}
	// At the top level of a file, too.
	for extra, want := range map[string]string{
		"stage \"x\" {\n  account = \"dev\"\n}\n": `"stage" belongs in an application block. A spec file holds the blocks kpgen {},`,
		"strategy = \"hybrid\"\n":                 `"strategy" belongs in an organization block.`,
	} {
		_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(base + extra)})
		if len(diags) != 1 || !strings.Contains(diags[0].Detail, want) {
			t.Errorf("%q: %v; want a detail saying %q", extra, diags, want)
		}
	}
}

// TestTooManyValues: a list or map longer than any attribute needs is
// refused at its first value too many, before HCL evaluates it.
func TestTooManyValues(t *testing.T) {
	list := "[" + strings.Repeat(`"us-east-1", `, MaxValues+1) + "]"
	entries := make([]string, MaxValues+1)
	for i := range entries {
		entries[i] = fmt.Sprintf("t%d = \"x\"", i)
	}
	for attr, value := range map[string]string{
		"regions":     list,
		"lint_ignore": "{ " + strings.Join(entries, ", ") + " }",
	} {
		src := strings.Replace(base, `rank = 2`, "rank = 2\n  "+attr+" = "+value, 1)
		_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
		if len(diags) != 1 || diags[0].Summary != "Too many values" || diags[0].Subject.Start.Column < 1000 {
			t.Errorf("%s: %v; want Too many values at the value after the %dth", attr, diags, MaxValues)
		}
	}
}

// TestHugeNumbers: a number out of every range is refused, and said short.
func TestHugeNumbers(t *testing.T) {
	for _, value := range []string{"1e400", strings.Repeat("9", 60)} {
		src := strings.Replace(base, `rank = 2`, "rank = "+value, 1)
		_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
		if len(diags) != 1 || diags[0].Summary != "Value out of range" || len(diags[0].Detail) > 300 {
			t.Errorf("rank = %s: %v", value, diags)
		}
	}
}

// TestLongNumbersKeepTheirValue: a number written with many digits but in
// range keeps its exact value, so a fraction is still refused where a whole
// number belongs.
func TestLongNumbersKeepTheirValue(t *testing.T) {
	src := strings.Replace(base, `rank = 2`, "rank = 2.00000000000000000000000000000000000000001", 1)
	_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
	if len(diags) != 1 || diags[0].Summary != "Incorrect value type" {
		t.Errorf("rank of 2 and a tiny fraction: %v; want it refused as no whole number", diags)
	}
}

// TestLimitMessages: a value over a limit is told in the spec's terms
// (entries, characters) with the limit and the count, not in the JSON
// Schema library's (properties, length).
func TestLimitMessages(t *testing.T) {
	var tags []string
	for i := range 41 {
		tags = append(tags, fmt.Sprintf("k%d = \"v\"", i))
	}
	for edit, want := range map[string]string{
		"deletion_window_days = 30\n    tags = { " + strings.Join(tags, ", ") + " }":         "has 41 entries, but at most 40 are allowed; remove some.",
		"deletion_window_days = 30\n    description = \"" + strings.Repeat("d", 8193) + "\"": "is 8193 characters long, but at most 8192 are allowed",
	} {
		src := strings.Replace(base, "deletion_window_days = 30", edit, 1)
		_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
		if len(diags) != 1 || !strings.Contains(diags[0].Detail, want) || strings.Contains(diags[0].Detail, "propert") {
			t.Errorf("%.60q: %v; want a detail saying %q", edit, diags, want)
		}
	}
}

// TestLintIgnoreKeyCase: a rule ID in lower case is refused with the ID in
// upper case offered; a key that is no rule ID in any case gets no offer.
func TestLintIgnoreKeyCase(t *testing.T) {
	for key, want := range map[string]string{"kp103": " Rule IDs are written in upper case: KP103.", "kx103": ""} {
		dir := writeSpec(t, map[string]string{"main.kp.hcl": strings.Replace(base, `rank = 2`, "rank = 2\n  lint_ignore = { "+key+" = \"why\" }", 1)})
		_, diags, err := Load(dir)
		if err != nil || len(diags) != 1 {
			t.Fatalf("%s: want one diagnostic, got %v %v", key, err, diags)
		}
		if got := diags[0].Detail; !strings.HasSuffix(got, "KP203 = \"why\" }."+want) {
			t.Errorf("%s: detail %q, want it to end %q", key, got, want)
		}
	}
}

// TestLintIgnoreKeyNotAnID: a key that only begins like a rule ID gets no
// upper-case offer.
func TestLintIgnoreKeyNotAnID(t *testing.T) {
	dir := writeSpec(t, map[string]string{"main.kp.hcl": strings.Replace(base, `rank = 2`, "rank = 2\n  lint_ignore = { kp1034 = \"why\" }", 1)})
	_, diags, _ := Load(dir)
	if len(diags) != 1 || strings.Contains(diags[0].Detail, "upper case") {
		t.Errorf("got %v, want one diagnostic without an upper-case offer", diags)
	}
}
