package rules_test

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
	"github.com/kpgen/kpgen/lint/rules"
	"github.com/kpgen/kpgen/schema"
)

func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for i, r := range rules.All {
		if seen[r.ID] {
			t.Errorf("rule %s registered twice", r.ID)
		}
		seen[r.ID] = true
		if i > 0 && rules.All[i-1].ID >= r.ID {
			t.Errorf("registry not sorted by ID at %s", r.ID)
		}
		if !regexp.MustCompile(`^KP[1-8][0-9]{2}$`).MatchString(r.ID) {
			t.Errorf("%s: ID is not KPnnn", r.ID)
		}
		if r.Name == "" || r.Summary == "" || r.Principle == "" || (r.Check == nil && r.Policy == nil) {
			t.Errorf("%s: name, summary, principle and a check are required", r.ID)
		}
		for _, h := range []string{"## Why\n", "## Bad\n", "## Good\n", "## How to fix\n"} {
			if !strings.Contains(r.Doc, h) {
				t.Errorf("%s: documentation lacks the section %q", r.ID, strings.TrimSpace(h))
			}
		}
		if rules.ByID(r.ID) != r {
			t.Errorf("ByID(%s) does not find it", r.ID)
		}
	}
}

// TestRulesOfTheContract checks that every rule of the product's rule list
// exists with its severity.
func TestRulesOfTheContract(t *testing.T) {
	data, err := os.ReadFile("../../../shared/product/RULES.md")
	if err != nil {
		t.Skip("the product rule list is not available here: ", err)
	}
	row := regexp.MustCompile(`(?m)^\| (KP\d{3}) \| (error|warning) \|`)
	matches := row.FindAllStringSubmatch(string(data), -1)
	if len(matches) < 30 {
		t.Fatalf("found only %d rules in RULES.md", len(matches))
	}
	for _, m := range matches {
		r := rules.ByID(m[1])
		if r == nil {
			t.Errorf("%s of RULES.md is not implemented", m[1])
			continue
		}
		if r.Severity.String() != m[2] {
			t.Errorf("%s is a %s, RULES.md says %s", m[1], r.Severity, m[2])
		}
	}
}

// TestDocumentedRules checks that the rule table of docs/lint.md lists
// every registered rule, with its severity, and no other.
func TestDocumentedRules(t *testing.T) {
	data, err := os.ReadFile("../../docs/lint.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| (KP\d{3}) \| (error|warning) \|`)
	var documented []string
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		documented = append(documented, m[1])
		r := rules.ByID(m[1])
		if r == nil {
			t.Errorf("docs/lint.md lists %s, which is not a rule", m[1])
			continue
		}
		if r.Severity.String() != m[2] {
			t.Errorf("docs/lint.md says %s is a %s; the registry says %s", m[1], m[2], r.Severity)
		}
	}
	var registered []string
	for _, r := range rules.All {
		registered = append(registered, r.ID)
	}
	if diff := cmp.Diff(registered, documented); diff != "" {
		t.Errorf("rules in docs/lint.md (-registry +docs):\n%s", diff)
	}
}

// finding is a lint finding reduced to what fixtures declare: the line and
// the rule.
type finding struct {
	Line int
	Rule string
}

var wantComment = regexp.MustCompile(`# want ((?:KP\d{3} ?)+)`)

// TestInvalidFixtures lints every fixtures/invalid/KPnnn case and compares
// its findings with what the case declares: "# want KPnnn" comments on the
// lines of a spec, or a want.txt of "LINE KPnnn" lines for a policy file.
// Every rule must have a case, and its case must trigger it.
func TestInvalidFixtures(t *testing.T) {
	dirs, _ := filepath.Glob("../../fixtures/invalid/KP*")
	covered := map[string]bool{}
	for _, dir := range dirs {
		id := filepath.Base(dir)
		t.Run(id, func(t *testing.T) {
			var got, want []finding
			if _, err := os.Stat(filepath.Join(dir, "policy.json")); err == nil {
				got, want = lintPolicyFile(t, dir)
			} else {
				got, want = lintSpec(t, dir)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			for _, w := range want {
				if w.Rule == id {
					covered[id] = true
				}
			}
		})
	}
	for _, r := range rules.All {
		if !covered[r.ID] {
			t.Errorf("%s has no fixtures/invalid/%s case that triggers it", r.ID, r.ID)
		}
	}
}

func lintSpec(t *testing.T, dir string) (got, want []finding) {
	spec, diags, err := schema.Load(dir)
	if err != nil || diags.HasErrors() {
		t.Fatalf("case does not load: %v %v", err, diags)
	}
	m, mdiags := model.Build(spec)
	if mdiags.HasErrors() {
		t.Fatalf("case does not resolve: %s", mdiags[0].Detail)
	}
	ds := lint.Run(m, policy.Build(m), rules.All)
	got = findings(t, ds)
	f, err := os.Open(filepath.Join(dir, "main.kp.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if m := wantComment.FindStringSubmatch(sc.Text()); m != nil {
			for _, id := range strings.Fields(m[1]) {
				want = append(want, finding{line, id})
			}
		}
	}
	return got, sorted(want)
}

func lintPolicyFile(t *testing.T, dir string) (got, want []finding) {
	path := filepath.Join(dir, "policy.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got = findings(t, lint.RunPolicyFile(path, data, rules.All))
	wants, err := os.ReadFile(filepath.Join(dir, "want.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(wants)), "\n") {
		var f finding
		if _, err := fmt.Sscanf(l, "%d %s", &f.Line, &f.Rule); err != nil {
			t.Fatalf("want.txt: %q: %v", l, err)
		}
		want = append(want, f)
	}
	return got, sorted(want)
}

// findings reduces diagnostics to a sorted set of (line, rule); a case may
// trigger a rule at one place for several key instances.
func findings(t *testing.T, ds diag.Diagnostics) []finding {
	t.Helper()
	var out []finding
	for _, d := range ds {
		if d.Rule == "" {
			t.Errorf("unexpected %s without a rule: %s: %s", d.Severity, d.Summary, d.Detail)
			continue
		}
		if d.Subject == nil {
			t.Errorf("%s finding without a location: %s", d.Rule, d.Summary)
			continue
		}
		f := finding{d.Subject.Start.Line, d.Rule}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return sorted(out)
}

func sorted(fs []finding) []finding {
	slices.SortFunc(fs, func(a, b finding) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return fs
}

// TestValidFixturesLintClean: the example specs break no rule.
func TestValidFixturesLintClean(t *testing.T) {
	for _, name := range fixture.Names {
		spec, diags, err := schema.Load(filepath.Join("..", "..", "fixtures", name))
		if err != nil || diags.HasErrors() {
			t.Fatalf("%s does not load: %v %v", name, err, diags)
		}
		m, _ := model.Build(spec)
		for _, d := range lint.Run(m, policy.Build(m), rules.All) {
			t.Errorf("%s: %s %s: %s", name, d.Rule, d.Summary, d.Detail)
		}
	}
}

func TestSuppressions(t *testing.T) {
	base := invalidSpec(t, "KP203")
	tests := []struct {
		name string
		edit func(string) string
		want []string // "LINE RULE summary", or "LINE:COLUMN summary" of a lint_ignore entry
	}{
		{
			name: "on the stage at fault",
			edit: func(s string) string {
				return strings.Replace(s, `account = "shop-dev" # want KP203`, "account     = \"shop-dev\"\n    lint_ignore = { KP203 = \"one account until the split\" }", 1)
			},
		},
		{
			name: "on the enclosing application",
			edit: func(s string) string {
				return strings.Replace(s, "  team = \"web\"\n", "  team        = \"web\"\n  lint_ignore = { KP203 = \"one account until the split\" }\n", 1)
			},
		},
		{
			name: "on the organization: that block only, not the applications beside it",
			edit: func(s string) string {
				return strings.Replace(s, "  deployer      = \"role/kpgen-deploy\"\n", "  deployer      = \"role/kpgen-deploy\"\n  lint_ignore   = { KP203 = \"accounts are being split\" }\n", 1)
			},
			want: []string{"12:21-26 Unused lint_ignore", "53 KP203 Stages share an account"},
		},
		{
			name: "elsewhere: the finding stays and the suppression is unused",
			edit: func(s string) string {
				return strings.Replace(s, "account \"shop-dev\" {\n", "account \"shop-dev\" {\n  lint_ignore = { KP203 = \"wrong place\" }\n", 1)
			},
			want: []string{"19:19-24 Unused lint_ignore", "53 KP203 Stages share an account"},
		},
		{
			name: "on a block after the finding: the finding stays",
			edit: func(s string) string {
				return strings.Replace(s, "  data \"catalog\" {\n", "  data \"catalog\" {\n    lint_ignore = { KP203 = \"wrong place\" }\n", 1)
			},
			want: []string{"52 KP203 Stages share an account", "56:21-26 Unused lint_ignore"},
		},
		{
			name: "on the stage and on the application: each is used",
			edit: func(s string) string {
				s = strings.Replace(s, `account = "shop-dev" # want KP203`, "account     = \"shop-dev\"\n    lint_ignore = { KP203 = \"one account until the split\" }", 1)
				return strings.Replace(s, "  team = \"web\"\n", "  team        = \"web\"\n  lint_ignore = { KP203 = \"one account until the split\" }\n", 1)
			},
		},
		{
			name: "on the kpgen block: that block only, not the spec",
			edit: func(s string) string {
				return strings.Replace(s, "  version = 1\n", "  version     = 1\n  lint_ignore = { KP203 = \"not here\" }\n", 1)
			},
			want: []string{"5:19-24 Unused lint_ignore", "53 KP203 Stages share an account"},
		},
		{
			name: "an unknown rule",
			edit: func(s string) string {
				return strings.Replace(s, "  team = \"web\"\n", "  team        = \"web\"\n  lint_ignore = { KP999 = \"no such rule\" }\n", 1)
			},
			want: []string{"46:19-24 Unknown rule in lint_ignore", "53 KP203 Stages share an account"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range lintDiags(t, tt.edit(base), rules.All) {
				s := strconv.Itoa(d.Subject.Start.Line) + " "
				if d.Rule != "" {
					s += d.Rule + " "
				} else {
					s = fmt.Sprintf("%d:%d-%d ", d.Subject.Start.Line, d.Subject.Start.Column, d.Subject.End.Column)
				}
				got = append(got, s+d.Summary)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAbsoluteRulesCannotBeSilenced: lint_ignore naming an absolute rule
// is an error on every block, so on every block that encloses a finding of
// the rule, and the rule's findings stay.
func TestAbsoluteRulesCannotBeSilenced(t *testing.T) {
	topLevelBlock := regexp.MustCompile(`(?m)^[a-z_]+( "[^"]*")? \{\n`)
	n := 0
	for _, r := range rules.All {
		if !r.Absolute {
			continue
		}
		base, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "invalid", r.ID, "main.kp.hcl"))
		if errors.Is(err, fs.ErrNotExist) {
			continue // a hygiene rule shown on a policy file
		}
		if err != nil {
			t.Fatal(err)
		}
		ignore := "  lint_ignore = { " + r.ID + " = \"we know\" }\n"
		blocks := topLevelBlock.FindAllIndex(base, -1)
		src := topLevelBlock.ReplaceAllString(string(base), "${0}"+ignore)
		spec, diags := schema.Parse("", []string{"t.kp.hcl"}, [][]byte{[]byte(src)})
		if diags.HasErrors() {
			t.Fatalf("%s does not load: %v", r.ID, diags)
		}
		m, _ := model.Build(spec)
		refused, fired := 0, false
		for _, d := range lint.Run(m, policy.Build(m), rules.All) {
			if d.Summary == "Rule cannot be silenced" && d.Severity == diag.Error {
				refused++
			}
			fired = fired || d.Rule == r.ID
		}
		if refused != len(blocks) || !fired {
			t.Errorf("%s with lint_ignore on each of %d blocks: %d refused, still fires=%v; want every one refused, and the rule firing", r.ID, len(blocks), refused, fired)
		}
		n++
	}
	if n < 4 {
		t.Errorf("checked %d absolute rules, want at least 4", n)
	}
}

// TestSuppressionOnData: a data block may carry lint_ignore for a finding
// inside it.
func TestSuppressionOnData(t *testing.T) {
	base := invalidSpec(t, "KP102")
	src := strings.Replace(base, `    key_type       = "aws_managed" # want KP102`, "    key_type       = \"aws_managed\"\n    lint_ignore    = { KP102 = \"moves to its own key next quarter\" }", 1)
	if got := lintSource(t, src); len(got) != 0 {
		t.Errorf("findings %q; want none", got)
	}
}

// TestSuppressionInAnotherFile: a block of one file does not enclose a
// finding of another, even where their lines overlap.
func TestSuppressionInAnotherFile(t *testing.T) {
	base := invalidSpec(t, "KP203")
	s := base
	i := strings.Index(s, "application \"shop\" {")
	team := "team \"web\" {\n  administrators = [\"role/WebKeyOperator\"]\n}\n"
	if i < 0 || !strings.Contains(s, team) {
		t.Fatal("fixture changed: no application shop or team web as expected")
	}
	padded := "team \"web\" {\n  lint_ignore    = { KP203 = \"wrong file\" }\n" + strings.Repeat("  # padding\n", 20) + "  administrators = [\"role/WebKeyOperator\"]\n}\n"
	other := padded + strings.Replace(s[:i], team, "", 1)
	app := strings.Replace(s[i:], " # want KP203", "", 1)
	spec, diags := schema.Parse("", []string{"a.kp.hcl", "b.kp.hcl"}, [][]byte{[]byte(other), []byte(app)})
	if diags.HasErrors() {
		t.Fatalf("does not load: %v", diags)
	}
	m, _ := model.Build(spec)
	var got []string
	for _, d := range lint.Run(m, policy.Build(m), rules.All) {
		got = append(got, fmt.Sprintf("%s:%d %s", d.Subject.Filename, d.Subject.Start.Line, d.Summary))
	}
	want := []string{"a.kp.hcl:2 Unused lint_ignore", "b.kp.hcl:9 Stages share an account"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestSuppressionOnBudget: the budget's finding is silenced on the budget
// block or on the organization block around it.
func TestSuppressionOnBudget(t *testing.T) {
	base := invalidSpec(t, "KP601")
	for name, edit := range map[string][2]string{
		"budget":       {"    max_keys = 3 # want KP601\n", "    max_keys    = 3\n    lint_ignore = { KP601 = \"the fourth key is temporary\" }\n"},
		"organization": {"  deployer      = \"role/kpgen-deploy\"\n", "  deployer      = \"role/kpgen-deploy\"\n  lint_ignore   = { KP601 = \"the budget is being raised\" }\n"},
	} {
		t.Run(name, func(t *testing.T) {
			src := strings.Replace(base, edit[0], edit[1], 1)
			if src == base {
				t.Fatalf("the fixture has no %q", edit[0])
			}
			for _, d := range lintDiags(t, src, rules.All) {
				t.Errorf("%s %s: %s", d.Rule, d.Summary, d.Detail)
			}
		})
	}
}

// lintDiags lints one spec file's text with rs and returns the findings.
func lintDiags(t *testing.T, src string, rs []*lint.Rule) diag.Diagnostics {
	t.Helper()
	spec, diags := schema.Parse("", []string{"t.kp.hcl"}, [][]byte{[]byte(src)})
	if diags.HasErrors() {
		t.Fatalf("does not load: %v", diags)
	}
	m, ds := model.Build(spec)
	if ds.HasErrors() {
		t.Fatalf("no model: %v", ds)
	}
	return lint.Run(m, policy.Build(m), rs)
}

// lintSource lints one spec file's text and returns its findings as
// "LINE RULE summary".
func lintSource(t *testing.T, src string) []string {
	t.Helper()
	var got []string
	for _, d := range lintDiags(t, src, rules.All) {
		got = append(got, strconv.Itoa(d.Subject.Start.Line)+" "+d.Rule+" "+d.Summary)
	}
	return got
}

// TestKP302ComparesHosts: DocumentDB and Neptune call KMS through RDS's
// host, so a key whose services are rds serves their data.
func TestKP302ComparesHosts(t *testing.T) {
	base := invalidSpec(t, "KP302")
	src := strings.Replace(base, `services       = ["rds", "s3"] # want KP302`, `services       = ["docdb", "neptune", "rds"]`, 1)
	if got := lintSource(t, src); len(got) != 0 {
		t.Errorf("want no findings, got %q", got)
	}
	src = strings.Replace(base, `services       = ["rds", "s3"] # want KP302`, `services       = ["docdb", "dynamodb"]`, 1)
	if got := lintSource(t, src); !slices.Equal(got, []string{"69 KP302 Service not allowed by the key"}) {
		t.Errorf("want KP302 for dynamodb at line 69, got %q", got)
	}
}

// TestReviewedVerdicts holds verdicts on specs where a rule once judged
// wrong: each edit of a fixture, and the findings it must give.
func TestReviewedVerdicts(t *testing.T) {
	read := func(name string) string {
		if !strings.HasSuffix(name, ".kp.hcl") {
			return invalidSpec(t, name)
		}
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	tests := []struct {
		name, base string
		edit       func(string) string
		want       []string
	}{
		{
			// The operators' pattern matching the administrators' roles
			// gives the administrators nothing they lack: only KP407.
			name: "KP408 has a direction",
			base: "KP408-identity-center",
			edit: strings.NewReplacer(`["sso:Platform"] # want KP408`, `["sso:Platform_Security"]`, `["sso:Platform_Shop"] # want KP407`, `["sso:Platform"]`).Replace,
			want: []string{"29 KP407 Permission sets whose roles one pattern matches"},
		},
		{
			// The security team's administrator, written on a key as a full
			// ARN, is still the security team's; the break-glass role of
			// the production-only account beside it is not.
			name: "KP205 compares principals",
			base: "KP205-security-principals",
			edit: func(s string) string { return s },
			want: []string{"58 KP205 Principal crosses the production boundary"},
		},
		{
			// Under centralized every key lives in the key account, and
			// its deployer creates the keys of every stage there.
			name: "KP205 exempts the key account's deployer under centralized",
			base: "centralized-deployer.kp.hcl",
			edit: func(s string) string { return s },
		},
		{
			// A key's explicit administrator role/KeyAdmin is its own
			// team's, not that of another team writing role/KeyAdmin for
			// its own accounts.
			name: "KP201 binds relative administrators",
			base: "relative-admins-of-two-teams.kp.hcl",
			edit: func(s string) string { return s },
		},
		{
			// ... but in an account where the other team has an
			// application, its role/KeyAdmin is its own.
			name: "KP201 sees another team's relative administrator in its account",
			base: "relative-admins-of-two-teams.kp.hcl",
			edit: strings.NewReplacer(`    account = "data-prod"`, `    account = "web-prod"`).Replace,
			want: []string{
				"41 KP201 Administrator shared between teams",
				"59 KP403 Administrators from several teams",
				"59 KP201 Administrator from another application's team",
				"71 KP403 Administrators from several teams",
			},
		},
		{
			// Two teams that both write role/Admin, each in its own
			// accounts, share no administrator.
			name: "KP403 binds relative administrators",
			base: "KP403",
			edit: strings.NewReplacer(
				`    administrators = ["arn:aws:iam::111111111111:role/KeyAdministrator", "role/DataKeyAdmin"] # want KP403`, `    administrators = ["role/Admin"]`,
				`administrators = ["role/DataKeyAdmin"]`, `administrators = ["role/Admin"]`,
			).Replace,
		},
		{
			// Every classification a key protects must allow delegation,
			// not only the most sensitive one.
			name: "KP404 asks every classification",
			base: "KP404",
			edit: strings.NewReplacer(
				"  rotation     = true\n}", "  rotation     = true\n  iam_delegation = true\n}",
				`    users          = ["role/shop-api"]`, `    users          = ["role/shop-api"]`+"\n    key            = \"reviews\"",
				`    iam_delegation = true # want KP404`, `    iam_delegation = true # want KP404`+"\n    lint_ignore    = { KP101 = \"both on one key for the test\" }",
			).Replace,
			want: []string{"77 KP404 IAM delegation not allowed for the classification", "77 KP405 IAM delegation on sensitive data"},
		},
		{
			// Two classifications that forbid delegation are one finding
			// of KP404, and KP405 leaves forbidden delegation to it.
			name: "KP404 once per key",
			base: "KP404",
			edit: strings.NewReplacer(
				`    users          = ["role/shop-api"]`, `    users          = ["role/shop-api"]`+"\n    key            = \"reviews\"",
				`    iam_delegation = true # want KP404`, `    iam_delegation = true`+"\n    lint_ignore    = { KP101 = \"both on one key for the test\" }",
			).Replace,
			want: []string{"76 KP404 IAM delegation not allowed for the classification"},
		},
		{
			// The security team has applications in every account: its
			// relative role/KeyAdmin is the role web's names there, so the
			// keys' administrators come from two teams (and the operators,
			// web's, are administrators too).
			name: "KP403 sees the security team in every account",
			base: "KP201",
			edit: func(s string) string {
				s = s[:strings.Index(s, "\napplication \"billing\"")] + "\n"
				return strings.NewReplacer(
					`administrators = ["arn:aws:iam::111111111111:role/KeyAdministrator"]`, `administrators = ["role/KeyAdmin"]`,
					`administrators = ["role/WebKeyOperator"]`, `administrators = ["role/KeyAdmin"]`,
				).Replace(s)
			},
			want: []string{
				"41 KP408 Operator is also an administrator", "41 KP408 Operator is also an administrator",
				"55 KP403 Administrators from several teams", "61 KP403 Administrators from several teams",
			},
		},
		{
			// shop's production stage moves into data's production
			// account, and its key names data's role there by its full
			// ARN: that is the role both teams' role/KeyAdmin names in
			// that account (KP403, KP201 twice), and a production
			// account's role on shop's development key (KP205).
			name: "KP403 sees a full ARN in the key's account as the relative role",
			base: "relative-admins-of-two-teams.kp.hcl",
			edit: strings.NewReplacer(
				"  stage \"prod\" {\n    account = \"web-prod\"\n  }", "  stage \"prod\" {\n    account = \"data-prod\"\n  }",
				"    administrators = [\"role/KeyAdmin\"]\n  }", "    administrators = [\"arn:aws:iam::555555555555:role/KeyAdmin\"]\n  }",
			).Replace,
			want: []string{
				"41 KP201 Administrator shared between teams",
				"59 KP403 Administrators from several teams",
				"59 KP201 Administrator from another application's team",
				"59 KP205 Principal crosses the production boundary",
				"71 KP403 Administrators from several teams",
			},
		},
		{
			// Under hybrid the security team administers every key; an
			// application it owns itself does not make its administrators
			// "another team's" for KP201 (KP408 and KP403 say what is
			// wrong with web naming the same role).
			name: "KP201 leaves the security team's own applications to it",
			base: "KP201",
			edit: strings.NewReplacer(
				"application \"shop\" {\n  team = \"web\"", "application \"shop\" {\n  team = \"security\"",
				`administrators = ["role/WebKeyOperator"]`, `administrators = ["arn:aws:iam::111111111111:role/KeyAdministrator"]`,
				`    users          = ["role/shop-api"] # want KP201`, `    users          = ["role/billing-api"]`,
			).Replace,
			want: []string{
				"41 KP408 Operator is also an administrator",
				"55 KP403 Administrators from several teams", "61 KP403 Administrators from several teams", "79 KP403 Administrators from several teams",
			},
		},
		{
			// Under centralized the administrators' permission set is
			// bound in the key account and the users' in the stage's: one
			// pattern's roles are never the other's (only KP407 remains).
			name: "KP401 compares Identity Center patterns in one account only",
			base: "KP401-identity-center",
			edit: strings.NewReplacer(
				"  strategy = \"decentralized\"\n  regions  = [\"us-east-1\"]\n  deployer = \"role/deploy\"\n}\n",
				"  strategy      = \"centralized\"\n  security_team = \"web\"\n  key_account   = \"security\"\n  regions       = [\"us-east-1\"]\n  deployer      = \"role/deploy\"\n}\n\naccount \"security\" {\n  id = \"111111111111\"\n}\n",
			).Replace,
			want: []string{"42 KP407 Permission sets whose roles one pattern matches"},
		},
		{
			// Data sets joined through a third that uses both their
			// services are one flow of data, whatever their order.
			name: "KP301 follows services through every data set",
			base: "KP301",
			edit: strings.NewReplacer(
				"    services       = [\"rds\"]\n    users          = [\"role/shop-api\"]\n    key            = \"money\"\n  }\n",
				"    services       = [\"s3\"]\n    users          = [\"role/shop-api\"]\n    key            = \"money\"\n  }\n\n  data \"ledger\" {\n    classification = \"confidential\"\n    services       = [\"dynamodb\", \"s3\"]\n    users          = [\"role/shop-api\"]\n    key            = \"money\"\n  }\n",
				`    services       = ["redshift"]`, `    services       = ["dynamodb"]`,
			).Replace,
		},
		{
			// A permission set's pattern matches the roles Identity Center
			// makes for it, written as IAM roles: those roles use the keys
			// of both applications.
			name: "KP201 matches a permission set's pattern against roles",
			base: "KP201",
			edit: strings.NewReplacer(
				`    users          = ["role/shop-api"]`+"\n", `    users          = ["sso:ShopApi"]`+"\n",
				`    users          = ["role/shop-api"] # want KP201`, `    users          = ["role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ShopApi_0123456789abcdef"]`,
			).Replace,
			want: []string{"82 KP201 Principal shared between applications"},
		},
		{
			// ... and the roles of a permission set whose name holds it.
			name: "KP201 matches a permission set's pattern against another's roles",
			base: "KP201",
			edit: strings.NewReplacer(
				`    users          = ["role/shop-api"]`+"\n", `    users          = ["sso:ShopApi"]`+"\n",
				`    users          = ["role/shop-api"] # want KP201`, `    users          = ["sso:ShopApi_ReadOnly"]`,
			).Replace,
			want: []string{"82 KP201 Principal shared between applications", "82 KP407 Permission sets whose roles one pattern matches"},
		},
		{
			// sso:Dev reaches the roles of sso:Dev_Orders, which shop
			// uses; the roles of sso:Dev_Invoices, which only billing's
			// grants reach, are billing's alone.
			name: "KP201 does not join roles through a third permission set",
			base: "KP201",
			edit: strings.NewReplacer(
				`    users          = ["role/shop-api"]`+"\n", `    users          = ["sso:Dev_Orders"]`+"\n",
				`    users          = ["role/shop-api"] # want KP201`, `    users          = ["sso:Dev_Invoices", "sso:Dev"]`,
			).Replace,
			want: []string{
				// in column order: KP407 at sso:Dev_Invoices, KP201 at sso:Dev
				"64 KP407 Permission sets whose roles one pattern matches",
				"82 KP407 Permission sets whose roles one pattern matches",
				"82 KP201 Principal shared between applications",
			},
		},
		{
			name: "KP201 leaves permission sets of their own alone",
			base: "KP201",
			edit: strings.NewReplacer(
				`    users          = ["role/shop-api"]`+"\n", `    users          = ["sso:ShopApi"]`+"\n",
				`    users          = ["role/shop-api"] # want KP201`, `    users          = ["sso:BillingApi", "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_BillingApi_0123456789abcdef"]`,
			).Replace,
		},
		{
			// A service principal may serve several applications.
			name: "KP201 lets service principals be shared",
			base: "KP201",
			edit: strings.NewReplacer(
				`    users          = ["role/shop-web"]`, `    users          = ["role/shop-web", "service:sns"]`,
				`    users          = ["role/shop-api"] # want KP201`, `    users          = ["role/billing-api", "service:sns"]`,
			).Replace,
		},
		{
			// Under hybrid the owning team's administrators operate the
			// keys: a development account's operator on a production key
			// crosses the boundary.
			name: "KP205 checks operators",
			base: "KP205",
			edit: strings.NewReplacer(
				`    users          = ["arn:aws:iam::222222222222:role/tester"] # want KP204 KP205`, `    users          = ["role/shop-web"]`,
				`administrators = ["role/WebKeyOperator"]`, `administrators = ["arn:aws:iam::222222222222:role/WebKeyOperator"]`,
			).Replace,
			// One finding for each of the three production keys it operates.
			want: slices.Repeat([]string{"41 KP205 Principal crosses the production boundary"}, 3),
		},
		{
			// Only under centralized is the deployer exempt.
			name: "KP205 checks the deployer under hybrid",
			base: "KP205",
			edit: strings.NewReplacer(
				`    users          = ["arn:aws:iam::222222222222:role/tester"] # want KP204 KP205`, `    users          = ["role/shop-web"]`,
				`  deployer      = "role/kpgen-deploy"`, `  deployer      = "arn:aws:iam::222222222222:role/kpgen-deploy"`,
			).Replace,
			// One finding for each of the three production keys it
			// administers; and it cannot create keys in the production
			// account.
			want: append(slices.Repeat([]string{"11 KP205 Principal crosses the production boundary"}, 3), "22 KP406 Keys cannot be created by their own account"),
		},
		{
			// One finding per key, however many users it has.
			name: "KP303 once per key",
			base: "KP303",
			edit: strings.NewReplacer(`    users          = ["role/shop-api"]
    key            = "tokens"`, `    users          = ["role/shop-api", "role/shop-worker"]
    key            = "tokens"`).Replace,
			want: []string{"75 KP303 Key use not tied to a service"},
		},
		{
			// The Identity Center pattern matches the role's full ARN too.
			name: "KP401 matches an Identity Center role written as an ARN",
			base: "KP401-identity-center",
			edit: strings.NewReplacer(`    users          = ["sso:KeyAdmins_Analysts"] # want KP401 KP407`, `    users          = ["arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_KeyAdmins_0123456789abcdef"]`).Replace,
			want: []string{"36 KP401 Administrator is also a user"},
		},
		{
			// With iam_delegation the account root statement lets the
			// deploying role pass AWS's lockout safety check.
			name: "KP406 exempts keys that delegate to IAM",
			base: "KP406",
			edit: strings.NewReplacer(
				"classification \"public\" {\n  rank = 0\n}", "classification \"public\" {\n  rank           = 0\n  iam_delegation = true\n}",
				`    users          = ["role/shop-web"]`, `    users          = ["role/shop-web"]`+"\n    key            = \"k\"",
				"    users          = [\"role/shop-api\"]\n  }\n", "    users          = [\"role/shop-api\"]\n    key_type       = \"aws_managed\"\n  }\n\n  key \"k\" {\n    iam_delegation = true\n  }\n",
				"  min_key_type = \"customer_managed\"\n", "",
			).Replace,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lintSource(t, tt.edit(read(tt.base)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestKP602SaysTheBudgetAsWritten: a budget just under the cost is printed
// as written, not rounded to the cost it is below.
func TestKP602SaysTheBudgetAsWritten(t *testing.T) {
	base := invalidSpec(t, "KP602")
	src := regexp.MustCompile(`max_monthly_usd = [0-9.]+`).ReplaceAllString(base, "max_monthly_usd = 5.999")
	ds := lintDiags(t, src, []*lint.Rule{rules.KP602})
	if len(ds) != 1 {
		t.Fatalf("KP602 gives %d findings on a budget under the cost, want 1", len(ds))
	}
	if !strings.Contains(ds[0].Detail, "over the budget of USD 5.999.") {
		t.Errorf("KP602 says %q; want the budget as written, 5.999", ds[0].Detail)
	}
}

// TestFindingAdvice: where a rule's advice depends on the spec, it gives
// the advice that fits.
func TestFindingAdvice(t *testing.T) {
	tests := []struct {
		base, rule, want string
		edit             *strings.Replacer
	}{
		{
			// Under hybrid the security team administers keys.
			base: "KP402", rule: "KP402", want: "Give the key administrators: the security team's administrators,",
			edit: strings.NewReplacer(),
		},
		{
			// A key whose data is in S3 can be tied to S3, which passes
			// the caller's encryption context on.
			base: "KP303", rule: "KP303", want: `set services = ["s3"] on the key.`,
			edit: strings.NewReplacer(
				`    services       = ["secretsmanager"]`, `    services       = ["s3"]`,
				`    services = [] # want KP303`, "    services           = []\n    encryption_context = { app = \"shop\" }",
			),
		},
	}
	for _, tt := range tests {
		base := invalidSpec(t, tt.base)
		found := false
		for _, d := range lintDiags(t, tt.edit.Replace(base), []*lint.Rule{rules.ByID(tt.rule)}) {
			found = true
			if !strings.Contains(d.Detail, tt.want) {
				t.Errorf("%s on %s says %q; want it to say %q", tt.rule, tt.base, d.Detail, tt.want)
			}
		}
		if !found {
			t.Errorf("%s does not fire on %s", tt.rule, tt.base)
		}
	}
}

// TestKP507Advice: a SYMMETRIC_DEFAULT key of AWS's material is advised
// only where the classification allows one; one that requires imported
// material (KP102) does not.
func TestKP507Advice(t *testing.T) {
	base := invalidSpec(t, "KP507")
	const advice = "SYMMETRIC_DEFAULT key whose material AWS makes"
	for minType, advised := range map[string]bool{"customer_managed": true, "external": false} {
		src := strings.Replace(base, `min_key_type = "customer_managed"`, `min_key_type = "`+minType+`"`, 1)
		var ds diag.Diagnostics
		for _, d := range lintDiags(t, src, []*lint.Rule{rules.KP507}) {
			if d.Rule == "KP507" {
				ds = append(ds, d)
			}
		}
		if len(ds) == 0 {
			t.Fatalf("min_key_type %s: no finding", minType)
		}
		for _, d := range ds {
			if got := strings.Contains(d.Detail, advice); got != advised {
				t.Errorf("min_key_type %s, line %d: advises a key of AWS's material: %v, want %v:\n%s", minType, d.Subject.Start.Line, got, advised, d.Detail)
			}
		}
	}
}

// TestKP504Advice: a key that names no regions is told to add a region of
// the data to the organization's, which is what fixes it; a key that names
// regions is told to remove the one at fault.
func TestKP504Advice(t *testing.T) {
	for dir, advice := range map[string]string{
		"KP504-organization-regions": "Add a region of the data to organization.regions",
		"KP504":                      "Remove the region",
	} {
		src := invalidSpec(t, dir)
		ds := lintDiags(t, src, []*lint.Rule{rules.KP504})
		if len(ds) != 1 || !strings.Contains(ds[0].Detail, advice) {
			t.Errorf("%s: findings %v, want one that says %q", dir, ds, advice)
		}
	}
	// A key block that names no regions is kept as a derived key is.
	src := invalidSpec(t, "KP504-organization-regions")
	explicit := strings.Replace(src, `    users          = ["role/shop-api"]
  }
}`, `    users          = ["role/shop-api"]
    key            = "profiles"
  }

  key "profiles" {}
}`, 1)
	if explicit == src {
		t.Fatal("the fixture changed; the edit no longer applies")
	}
	ds := lintDiags(t, explicit, []*lint.Rule{rules.KP504})
	if len(ds) != 1 || !strings.Contains(ds[0].Detail, "Add a region of the data to organization.regions") || !strings.Contains(ds[0].Detail, `The key "profiles"`) {
		t.Errorf("a key block without regions: findings %v, want the advice to add a region to organization.regions", ds)
	}
}

// TestOneFindingPerKeyNamesEveryInstance: a finding that holds for every
// stage's instance of a key, at one place, is reported once and names them
// all.
func TestOneFindingPerKeyNamesEveryInstance(t *testing.T) {
	for id, want := range map[string]string{
		"KP401": "role/WebKeyOperator is both an operator and a user of shop/dev/orders and shop/prod/orders.",
		"KP402": "Nobody could change the policy of shop/dev/reviews and shop/prod/reviews after it is created",
	} {
		src := invalidSpec(t, id)
		var ds diag.Diagnostics
		for _, d := range lintDiags(t, src, rules.All) {
			if d.Rule == id {
				ds = append(ds, d)
			}
		}
		if len(ds) != 1 || !strings.Contains(ds[0].Detail, want) {
			t.Errorf("%s: findings %v, want one that says %q", id, ds, want)
		}
	}
}

// TestKP402OneAccount: stages in one account make one account of the advice,
// named once.
func TestKP402OneAccount(t *testing.T) {
	src := invalidSpec(t, "KP402")
	one := strings.Replace(src, `account = "shop-prod"`, `account = "shop-dev"`, 1)
	var got []string
	for _, d := range lintDiags(t, one, rules.All) {
		if d.Rule == "KP402" {
			got = append(got, d.Detail)
		}
	}
	if len(got) != 1 || !strings.HasSuffix(got[0], "or a deployer for account shop-dev.") {
		t.Errorf("findings %q, want one that ends in the one account, named once", got)
	}
}

// TestFindingTexts: findings whose fixtures are checked by line only say
// what they should: which keys, which instances, which accounts.
func TestFindingTexts(t *testing.T) {
	for _, c := range []struct {
		dir, rule string
		want      []string
	}{
		{"KP205-shared-account", "KP205", []string{
			"arn:aws:iam::222222222222:role/shop-web uses shop/prod/catalog, a key of a production stage, and shop/dev/catalog, a key of a non-production stage: account 222222222222 hosts stages of both kinds",
			"arn:aws:iam::222222222222:role/shop-api uses shop/prod/orders, a key of a production stage, and shop/dev/orders, a key of a non-production stage: account 222222222222 hosts stages of both kinds, so one role uses the keys of both. Production and non-production keys must not share principals. Give production stages accounts of their own (KP203, KP208).",
		}},
		{"KP811", "KP811", []string{`The key "reviews" of application "shop" requires the encryption context store = "東京-1" in its key policy, and the text holds U+6771 at its start.`}},
		{"KP402", "KP402", []string{"or a deployer for accounts shop-dev and shop-prod."}},
		{"KP401", "KP401", []string{"role/WebKeyOperator is both an operator and a user of shop/dev/orders and shop/prod/orders."}},
	} {
		src := invalidSpec(t, c.dir)
		var got []string
		for _, d := range lintDiags(t, src, rules.All) {
			if d.Rule == c.rule {
				got = append(got, d.Detail)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %d findings of %s, want %d: %q", c.dir, len(got), c.rule, len(c.want), got)
			continue
		}
		for i, w := range c.want {
			if !strings.HasPrefix(got[i], w) && !strings.Contains(got[i], w) {
				t.Errorf("%s: finding %d says %q, want %q", c.dir, i, got[i], w)
			}
		}
		if c.rule == "KP401" && !strings.HasPrefix(got[0], c.want[0]) {
			t.Errorf("%s: %q does not begin with the principal as written", c.dir, got[0])
		}
	}
}

// TestKP207Words: the rule reads the words of a stage's name, and a stage
// that says what it is, either way, is left alone.
func TestKP207Words(t *testing.T) {
	base := invalidSpec(t, "KP207")
	for stage, want := range map[string]bool{
		`stage "live-2" {`:                            true,
		`stage "eu-prd" {`:                            true,
		`stage "preprod" {`:                           false,
		`stage "pre-prod" {`:                          false,
		`stage "non-prod-eu" {`:                       false,
		`stage "eu-not-live" {`:                       false,
		`stage "production2" {`:                       false,
		`stage "production" {`:                        false, // production by default
		"stage \"prod-eu\" {\n    production = false": false,
		"stage \"prod-eu\" {\n    production = true":  false,
	} {
		src := strings.Replace(base, `stage "prod-eu" { # want KP207`, stage, 1)
		got := lintSource(t, src)
		if fired := slices.ContainsFunc(got, func(f string) bool { return strings.Contains(f, "KP207") }); fired != want {
			t.Errorf("%s: findings %q, want KP207 %v", stage, got, want)
		}
	}
}

// TestKP207NamesTheFirstWord: the finding quotes the first word of the
// name that says production.
func TestKP207NamesTheFirstWord(t *testing.T) {
	base := invalidSpec(t, "KP207")
	src := strings.Replace(base, `stage "prod-eu" { # want KP207`, `stage "prod-live" {`, 1)
	ds := lintDiags(t, src, []*lint.Rule{rules.KP207})
	if len(ds) != 1 || !strings.Contains(ds[0].Detail, `has "prod" in its name`) {
		t.Errorf("got %v, want one finding quoting \"prod\"", ds)
	}
}

// TestKP208LeavesOneApplicationToKP203: production and non-production
// stages of one application in one account are KP203's, not KP208's
// (KP205 reports the principals the move puts across the boundary).
func TestKP208LeavesOneApplicationToKP203(t *testing.T) {
	base := invalidSpec(t, "KP208")
	src := strings.Replace(base, `  stage "dev" {
    account = "shop-dev"
  }`, `  stage "dev" {
    account = "shop-prod"
  }`, 1)
	src = strings.Replace(src, `account = "shop-prod" # want KP208`, `account = "shop-dev"`, 1)
	got := lintSource(t, src)
	if !slices.Contains(got, "53 KP203 Stages share an account") || slices.ContainsFunc(got, func(f string) bool { return strings.Contains(f, "KP208") }) {
		t.Errorf("findings %q, want KP203 and no KP208", got)
	}
}

// TestKP208Centralized: the finding says what the account's two kinds of
// stage share under each strategy: under centralized no key lives there,
// only workloads; under decentralized each team administers its own keys.
func TestKP208Centralized(t *testing.T) {
	base := invalidSpec(t, "KP208")
	for strategy, want := range map[string]string{
		"hybrid":        "the security team's administrators and the account's deployer manage the keys of both",
		"decentralized": "its deployer manages the keys of both, and its IAM serves both",
		"centralized":   "the workloads of both share its IAM",
	} {
		src := strings.Replace(base, `strategy      = "hybrid"`, `strategy      = "`+strategy+`"`+"\n  key_account   = \"security\"", 1)
		var found []string
		for _, d := range lintDiags(t, src, []*lint.Rule{rules.KP208}) {
			found = append(found, d.Detail)
		}
		if len(found) != 1 || !strings.Contains(found[0], want) {
			t.Errorf("%s: %q, want one finding saying %q", strategy, found, want)
		}
	}
}

// TestKP208Accounts: an account is reported once, at the stage that first
// mixes two applications' kinds, whatever stages of one application came
// before; accounts are compared by ID.
func TestKP208Accounts(t *testing.T) {
	base := invalidSpec(t, "KP208")
	news := "\napplication \"news\" {\n  team = \"web\"\n\n  stage \"dev\" {\n    account = \"shop-prod\"\n  }\n\n  data \"articles\" {\n    classification = \"public\"\n    services       = [\"s3\"]\n    users          = [\"role/news-web\"]\n  }\n}\n"
	kp208 := func(src string) []string {
		var out []string
		for _, d := range lintDiags(t, src, []*lint.Rule{rules.KP208}) {
			out = append(out, fmt.Sprintf("%d %s", d.Subject.Start.Line, d.Detail))
		}
		return out
	}
	tests := []struct {
		name, src string
		want      []string // line and the start of the detail
	}{
		{"the fixture", base, []string{`73 Account shop-prod hosts production stage "prod" of application "shop" and non-production stage "dev" of application "blog"`}},
		{"after a stage of the same application", strings.Replace(base, "  stage \"dev\" {\n    account = \"shop-dev\"\n  }", "  stage \"dev\" {\n    account = \"shop-prod\"\n  }", 1),
			[]string{`73 Account shop-prod hosts production stage "prod" of application "shop" and non-production stage "dev" of application "blog"`}},
		{"once per application", base + news, []string{`73 Account shop-prod hosts production stage "prod"`, `87 Account shop-prod hosts production stage "prod" of application "shop" and non-production stage "dev" of application "news"`}},
		{"one accepted, another not", strings.Replace(base, `account = "shop-prod" # want KP208`, "account     = \"shop-prod\"\n    lint_ignore = { KP208 = \"a sandbox until the split\" }", 1) + news,
			[]string{`88 Account shop-prod hosts production stage "prod" of application "shop" and non-production stage "dev" of application "news"`}},
		{"by account ID", strings.Replace(strings.Replace(base, "account \"shop-prod\" {\n  id = \"333333333333\"\n}\n", "account \"shop-prod\" {\n  id = \"333333333333\"\n}\n\naccount \"blog-dev\" {\n  id = \"333333333333\"\n}\n", 1), `account = "shop-prod" # want KP208`, `account = "blog-dev"`, 1),
			[]string{`77 Account blog-dev hosts production stage "prod" of application "shop" and non-production stage "dev" of application "blog"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := kp208(tt.src)
			if len(got) != len(tt.want) {
				t.Fatalf("findings %q, want %d", got, len(tt.want))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("finding %q, want it to start %q", got[i], tt.want[i])
				}
			}
		})
	}
}

// TestKP201Details: where roles meet through an Identity Center pattern the
// finding names the other principals; a principal shared as such does not
// name itself, nor a principal that reaches no other application; a role
// outside Identity Center's path is not one of its roles; every later
// application is reported.
func TestKP201Details(t *testing.T) {
	base := invalidSpec(t, "KP201")
	const role = "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123456789abcdef"
	users := func(shop, billing string) string {
		return strings.NewReplacer(
			`    users          = ["role/shop-api"]`+"\n", `    users          = [`+shop+`]`+"\n",
			`    users          = ["role/shop-api"] # want KP201`, `    users          = [`+billing+`]`,
		).Replace(base)
	}
	news := "\napplication \"news\" {\n  team = \"web\"\n\n  stage \"dev\" {\n    account = \"shop-dev\"\n  }\n\n  stage \"prod\" {\n    account = \"shop-prod\"\n  }\n\n  data \"articles\" {\n    classification = \"confidential\"\n    services       = [\"s3\"]\n    users          = [\"sso:Dev\"]\n  }\n}\n"
	tests := []struct {
		name, src string
		want      []string // "LINE:COL start of the detail"
	}{
		{"the fixture", base, []string{`82:23 arn:aws:iam::222222222222:role/shop-api uses keys of the applications "shop", "billing".`}},
		{"a role and the pattern that reaches it", users(`"sso:Dev"`, `"`+role+`"`),
			[]string{`82:23 arn:aws:iam::222222222222:` + role + ` and arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Dev_* name some of the same roles`}},
		{"a shared role beside a pattern of the same application", users(`"`+role+`"`, `"`+role+`", "sso:Dev"`),
			[]string{`82:23 arn:aws:iam::222222222222:` + role + ` uses keys of the applications "shop", "billing".`,
				`82:98 arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Dev_* and arn:aws:iam::222222222222:` + role + ` name some`}},
		{"a role outside Identity Center's path", users(`"sso:Dev"`, `"role/AWSReservedSSO_Dev_0123456789abcdef"`), nil},
		{"every later application", users(`"`+role+`"`, `"sso:Dev"`) + news,
			[]string{`82:23 arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Dev_* and`, `100:23 arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Dev_* and`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range lintDiags(t, tt.src, []*lint.Rule{rules.KP201}) {
				got = append(got, fmt.Sprintf("%d:%d %s", d.Subject.Start.Line, d.Subject.Start.Column, d.Detail))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("findings:\n%s\nwant %d", strings.Join(got, "\n"), len(tt.want))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("finding\n%s\nwant it to start\n%s", got[i], tt.want[i])
				}
			}
		})
	}
}

// invalidSpec returns the spec of fixtures/invalid/DIR.
func invalidSpec(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../../fixtures/invalid", dir, "main.kp.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
