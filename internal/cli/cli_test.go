package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/lint/rules"
	"github.com/kpgen/kpgen/schema"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the golden files of this package")

func TestMain(m *testing.M) {
	// Tests that run kpgen in this process do not share a cache with the
	// user's kpgen; the scripts get a cache of their own (see Setup).
	if os.Getenv("KPGEN_CACHE") == "" {
		os.Setenv("KPGEN_CACHE", "off")
	}
	testscript.Main(m, map[string]func(){
		"kpgen": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each is a
// txtar archive of spec files and kpgen invocations with their expected
// output and exit status.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Fixtures are shared with the docs and the other tests.
			fixtures, err := filepath.Abs("../../fixtures")
			env.Setenv("FIXTURES", fixtures)
			env.Setenv("NO_COLOR", "1")
			env.Setenv("KPGEN_CACHE", filepath.Join(env.WorkDir, ".kpgen-cache"))
			return err
		},
	})
}

// fixtures are the example specs that golden files are kept for.
var fixtures = fixture.Names

// TestPlanGolden compares `kpgen plan` of every fixture, in every format,
// with the reviewed output in fixtures/NAME/golden/.
func TestPlanGolden(t *testing.T) {
	for _, name := range fixtures {
		for _, f := range []struct{ format, file string }{{"text", "plan.txt"}, {"markdown", "plan.md"}, {"json", "plan.json"}} {
			t.Run(name+"/"+f.format, func(t *testing.T) {
				dir := filepath.Join("..", "..", "fixtures", name)
				var stdout, stderr bytes.Buffer
				if code := Main([]string{"plan", dir, "--format", f.format}, &stdout, &stderr); code != 0 {
					t.Fatalf("kpgen plan exited %d:\n%s", code, stderr.String())
				}
				golden(t, filepath.Join(dir, "golden", f.file), stdout.Bytes())
			})
		}
	}
}

// golden compares got with a golden file, or rewrites the file under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update to create it, then review it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from what kpgen prints now (-want +got); run go test ./internal/cli -update and review the diff:\n%s", path, diff)
	}
}

// TestBuildGolden checks that the committed outputs of every fixture, in
// fixtures/NAME/generated, are what kpgen build writes: they are the golden
// files of the generators. -update rebuilds them.
func TestBuildGolden(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "fixtures", name)
			var stdout, stderr bytes.Buffer
			cmd := "check"
			if *update {
				cmd = "build"
			}
			if code := Main([]string{cmd, dir}, &stdout, &stderr); code != 0 {
				t.Errorf("kpgen %s %s exited %d; run go test ./internal/cli -update and review the diff:\n%s%s", cmd, dir, code, stdout.String(), stderr.String())
			}
		})
	}
}

// TestBuildDeterministic builds every fixture twice, once on one CPU, and
// compares the trees byte for byte.
func TestBuildDeterministic(t *testing.T) {
	for _, name := range fixtures {
		dir := filepath.Join("..", "..", "fixtures", name)
		a, b := t.TempDir(), t.TempDir()
		var out bytes.Buffer
		if code := Main([]string{"build", "-q", dir, "-o", a}, &out, &out); code != 0 {
			t.Fatalf("build %s: exit %d\n%s", name, code, out.String())
		}
		prev := runtime.GOMAXPROCS(1)
		code := Main([]string{"build", "-q", dir, "-o", b}, &out, &out)
		runtime.GOMAXPROCS(prev)
		if code != 0 {
			t.Fatalf("build %s: exit %d\n%s", name, code, out.String())
		}
		if diff := cmp.Diff(readTree(t, a), readTree(t, b)); diff != "" {
			t.Errorf("%s: two builds differ (-first +second):\n%s", name, diff)
		}
	}
}

// readTree returns every file under dir by relative path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestLintGolden keeps the text and JSON output of lint on a failing case,
// and the rule table, as reviewed golden files.
func TestLintGolden(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	dir := filepath.Join("..", "..", "fixtures", "invalid", "KP205")
	for _, f := range []struct{ format, file string }{{"text", "lint-KP205.txt"}, {"json", "lint-KP205.json"}} {
		var stdout, stderr bytes.Buffer
		if code := Main([]string{"lint", dir, "--format", f.format}, &stdout, &stderr); code != 1 {
			t.Fatalf("lint --format %s exited %d, want 1:\n%s", f.format, code, stderr.String())
		}
		golden(t, filepath.Join("testdata", "golden", f.file), stdout.Bytes())
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"rules"}, &stdout, &stderr); code != 0 {
		t.Fatalf("rules exited %d", code)
	}
	golden(t, filepath.Join("testdata", "golden", "rules.txt"), stdout.Bytes())
}

// TestAnnotationPathsFromTheRepositoryRoot: workflow annotations and SARIF
// name files relative to the root of the git repository that holds them,
// as GitHub reads them, whichever directory kpgen runs in; a spec in no
// repository keeps its path as given.
func TestAnnotationPathsFromTheRepositoryRoot(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	src, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "invalid", "KP205", "main.kp.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	goldenFile, err := filepath.Abs(filepath.Join("testdata", "golden", "lint-KP205.github"))
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	for _, d := range []string{".git", "keys", "ci"} {
		if err := os.Mkdir(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "keys", "main.kp.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(repo, "ci"))
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"lint", "../keys", "--format", "github"}, &stdout, &stderr); code != 1 {
		t.Fatalf("lint --format github exited %d, want 1:\n%s", code, stderr.String())
	}
	golden(t, goldenFile, stdout.Bytes())
	stdout.Reset()
	if code := Main([]string{"lint", filepath.Join(repo, "keys"), "--format", "sarif"}, &stdout, &stderr); code != 1 {
		t.Fatalf("lint --format sarif exited %d, want 1:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"uri": "keys/main.kp.hcl"`) {
		t.Errorf("SARIF does not name keys/main.kp.hcl from the repository's root:\n%s", stdout.String())
	}
	// Reached through a symbolic link from outside the repository, the
	// spec is still named from the repository's root; with the cache on,
	// the same spec elsewhere is not answered with these paths.
	t.Setenv("KPGEN_CACHE", t.TempDir())
	outside := t.TempDir()
	if err := os.Symlink(filepath.Join(repo, "keys"), filepath.Join(outside, "link")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(outside)
	for range 2 { // the second from the cache
		stdout.Reset()
		Main([]string{"lint", "link", "--format", "github"}, &stdout, &stderr)
		if !strings.HasPrefix(stdout.String(), "::error file=keys/main.kp.hcl,") {
			t.Errorf("through a symbolic link:\n%s", stdout.String())
		}
	}
	// Outside any repository the path stays as given.
	alone := filepath.Join(t.TempDir(), "link")
	if err := os.Mkdir(alone, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(alone, "main.kp.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(alone))
	stdout.Reset()
	Main([]string{"lint", "link", "--format", "github"}, &stdout, &stderr)
	if !strings.HasPrefix(stdout.String(), "::error file=link/main.kp.hcl,") {
		t.Errorf("outside a repository:\n%s", stdout.String())
	}
}

// TestSARIFValidates checks lint's SARIF output against the OASIS SARIF
// 2.1.0 schema, from the file KPGEN_SARIF_SCHEMA names (the schema is not
// part of the repository).
func TestSARIFValidates(t *testing.T) {
	schemaPath := os.Getenv("KPGEN_SARIF_SCHEMA")
	if schemaPath == "" {
		schemaPath = filepath.Join("..", "..", "..", "shared", "reference", "sarif", "sarif-schema-2.1.0.json")
	}
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Skip("the SARIF schema is not available here: ", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	for _, dir := range []string{"invalid/KP205", "invalid/KP101", "invalid/bad-region", "retail", empty} {
		var stdout, stderr bytes.Buffer
		path := dir
		if dir != empty {
			path = filepath.Join("..", "..", "fixtures", dir)
		}
		Main([]string{"lint", path, "--format", "sarif"}, &stdout, &stderr)
		var doc any
		if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
			t.Fatalf("%s: SARIF output is not JSON: %v", dir, err)
		}
		if err := s.Validate(doc); err != nil {
			t.Errorf("%s: SARIF output does not validate: %#v", dir, err)
		}
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct {
						Rules []struct{ ID string }
					}
				}
				Invocations []struct {
					ExecutionSuccessful        bool
					ToolExecutionNotifications []struct{ Level string }
				}
				Results []struct {
					RuleID    string
					Locations []any
				}
			}
		}
		if err := json.Unmarshal(stdout.Bytes(), &log); err != nil || len(log.Runs) != 1 {
			t.Fatalf("%s: SARIF log with %d runs: %v", dir, len(log.Runs), err)
		}
		run := log.Runs[0]
		if n := len(run.Tool.Driver.Rules); n != len(rules.All)+1 {
			t.Errorf("%s: %d rules in the SARIF driver, want %d and spec-check", dir, n, len(rules.All))
		}
		// Code scanning refuses a whole log for one result without a
		// location, and wants a rule for each.
		for _, r := range run.Results {
			if r.RuleID == "" || len(r.Locations) == 0 {
				t.Errorf("%s: a result with rule %q and %d locations", dir, r.RuleID, len(r.Locations))
			}
		}
		switch dir {
		case "retail":
		case empty:
			if len(run.Results) != 0 || len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].ToolExecutionNotifications) != 1 {
				t.Errorf("empty directory: want no result and one error notification, got %+v", run)
			}
		default:
			if len(run.Results) == 0 {
				t.Errorf("%s: no results", dir)
			}
		}
	}
}

// TestInvalidCorpus validates every bad-input case of fixtures/invalid (the
// directories not named after a rule) and compares the diagnostics with
// the reviewed diagnostics.txt beside each: exit 1, a file:line:col, the
// source line, and no stack trace.
func TestInvalidCorpus(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	root, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "invalid"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	n := 0
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "KP") {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main([]string{"validate", e.Name()}, &stdout, &stderr)
			if code != ExitRejected {
				t.Errorf("exit %d, want %d\n%s%s", code, ExitRejected, stdout.String(), stderr.String())
			}
			out := stdout.String()
			if !regexp.MustCompile(`on ` + regexp.QuoteMeta(e.Name()) + `/main\.kp\.hcl:\d+:\d+`).MatchString(out) {
				t.Errorf("no file:line:col in:\n%s", out)
			}
			if strings.Contains(out+stderr.String(), "goroutine") {
				t.Errorf("a stack trace:\n%s", out)
			}
			golden(t, filepath.Join(e.Name(), "diagnostics.txt"), stdout.Bytes())
		})
	}
	if n < 15 {
		t.Errorf("only %d bad-input cases", n)
	}
}

// TestInvalidMadeAtRunTime covers the bad inputs a repository cannot hold:
// an empty directory and a file over the size limit (sparse, refused
// without being read).
func TestInvalidMadeAtRunTime(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	empty := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"validate", empty}, &stdout, &stderr); code != ExitRejected || !strings.Contains(stdout.String(), "Error: No spec files") {
		t.Errorf("empty directory: exit %d\n%s", code, stdout.String())
	}
	big := t.TempDir()
	f, err := os.Create(filepath.Join(big, "huge.kp.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(schema.MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	stdout.Reset()
	code := Main([]string{"validate", big}, &stdout, &stderr)
	if code != ExitRejected || !strings.Contains(stdout.String(), "Error: Spec file too large") || !strings.Contains(stdout.String(), "huge.kp.hcl:1:1") {
		t.Errorf("file over the limit: exit %d\n%s", code, stdout.String())
	}

	// lint-policy reports a policy file over its limit as a finding, and
	// goes on with the next file.
	huge := filepath.Join(big, "huge.json")
	if err := os.WriteFile(huge, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, maxPolicyFile+1); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	code = Main([]string{"lint-policy", "--format", "json", huge, "../../fixtures/invalid/KP801/policy.json"}, &stdout, &stderr)
	var res struct {
		Diagnostics []struct{ Rule, Summary string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("lint-policy output is not JSON: %v\n%s", err, stdout.String())
	}
	var got []string
	for _, d := range res.Diagnostics {
		got = append(got, d.Rule+" "+d.Summary)
	}
	slices.Sort(got)
	if code != ExitRejected || len(got) != 2 || got[0] != " Policy file too large" || !strings.HasPrefix(got[1], "KP801 ") {
		t.Errorf("lint-policy of a huge file and a bad one: exit %d, %q", code, got)
	}
}

// TestLintPolicyEndlessFile: a device or a pipe has no size to check
// first; lint-policy stops reading it at the limit.
func TestLintPolicyEndlessFile(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	var stdout, stderr bytes.Buffer
	code := Main([]string{"lint-policy", "/dev/zero"}, &stdout, &stderr)
	if code != ExitRejected || !strings.Contains(stdout.String(), "Error: Policy file too large") || !strings.Contains(stdout.String(), "/dev/zero is over 1 MiB") {
		t.Errorf("lint-policy /dev/zero: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}

// TestReadmeTour keeps the spec of the README's tour valid.
func TestReadmeTour(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```hcl\n")
	src, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("the README has no hcl block")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.kp.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"validate", dir}, &stdout, &stderr); code != 0 {
		t.Errorf("the README's spec does not validate:\n%s%s", stdout.String(), stderr.String())
	}
}

// failingWriter fails every write, as a full disk or a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestLostOutputFails: a command whose output cannot be written fails with
// exit 2 and says why, whatever it found.
func TestLostOutputFails(t *testing.T) {
	for _, args := range [][]string{
		{"validate", "../../fixtures/retail"},
		{"plan", "../../fixtures/retail"},
		{"explain", "KP101"},
		{"version"},
		{"completion", "bash"},
	} {
		var stderr bytes.Buffer
		if code := Main(args, failingWriter{}, &stderr); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
		if want := "cannot write the output: no space left on device"; !strings.Contains(stderr.String(), want) {
			t.Errorf("%v: stderr %q, want %q", args, stderr.String(), want)
		}
		if strings.Contains(stderr.String(), "--help") {
			t.Errorf("%v: a lost output is blamed on the command line: %q", args, stderr.String())
		}
	}
}

// TestDocExamplesFormatted: every hcl example of the README, the docs and
// the rule documentation parses and is in the layout kpgen fmt makes, as a
// spec copied from them should be.
func TestDocExamplesFormatted(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../../README.md", "../../docs/*.md", "../../lint/rules/*.md"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	blocks := 0
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		rest := string(data)
		for {
			var src string
			var ok bool
			if _, rest, ok = strings.Cut(rest, "```hcl\n"); !ok {
				break
			}
			if src, rest, ok = strings.Cut(rest, "```"); !ok {
				t.Fatalf("%s: an hcl block is not closed", name)
			}
			blocks++
			formatted, diags := schema.Format([]byte(src), name)
			if diags.HasErrors() {
				t.Errorf("%s: an hcl example does not parse: %v\n%s", name, diags[0].Summary, src)
				continue
			}
			if string(formatted) != src {
				t.Errorf("%s: an hcl example is not as kpgen fmt writes it:\n%s", name, cmp.Diff(src, string(formatted)))
			}
		}
	}
	if blocks < 50 {
		t.Errorf("found only %d hcl examples", blocks)
	}
}
