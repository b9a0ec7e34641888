package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kpgen/kpgen/internal/output"
)

func TestWindowsDevice(t *testing.T) {
	for path, want := range map[string]string{
		"iam/1/CON.json":             "CON.json",
		"iam/1/con":                  "con",
		"terraform/dev/lpt9.tf":      "lpt9.tf",
		"iam/1/sso/Com1.json":        "Com1.json",
		"iam/1/console.json":         "",
		"iam/1/com.json":             "",
		"iam/1/comx.json":            "",
		"policies/app/dev/key.json":  "",
		"cloudformation/aux-dev.yml": "",
	} {
		if got := windowsDevice(path); got != want {
			t.Errorf("windowsDevice(%q) = %q, want %q", path, got, want)
		}
	}
}

// manyKeysSpec is one stage with keys keys of users users each.
func manyKeysSpec(keys, users int) string {
	var b strings.Builder
	b.WriteString(`kpgen {
  version = 1
}
organization "o" {
  strategy = "decentralized"
  regions  = ["us-east-1"]
  deployer = "role/deploy"
}
account "dev" {
  id = "222222222222"
}
classification "internal" {
  rank = 1
}
team "web" {
  administrators = ["role/WebAdmin"]
}
application "app" {
  team        = "web"
  lint_ignore = { KP603 = "keys for the test", KP604 = "keys for the test" }
  stage "dev" {
    account = "dev"
  }
`)
	for i := range keys {
		var us []string
		for u := range users {
			us = append(us, fmt.Sprintf(`"role/user-%d-%d-with-a-long-name-for-its-size"`, i, u))
		}
		fmt.Fprintf(&b, "  key \"k%d\" {\n    users = [%s]\n  }\n", i, strings.Join(us, ", "))
	}
	return b.String() + "}\n"
}

// TestOutputChecksFollowOnly: the generators' checks are those of the
// outputs asked for. A stage over CloudFormation's quota stops a build of
// every output, not one of Terraform alone; a template that fits as YAML
// but not as JSON stops a build with --cfn-format json.
func TestOutputChecksFollowOnly(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	t.Setenv("KPGEN_CACHE", "off")
	run := func(spec string, args ...string) (int, string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.kp.hcl"), []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := Main(append([]string{"build", "-q", dir}, args...), &stdout, &stderr)
		return code, stderr.String()
	}
	many := manyKeysSpec(101, 1)
	if code, out := run(many); code != ExitRejected || !strings.Contains(out, "CloudFormation template over its quota") {
		t.Errorf("build of every output: exit %d\n%s", code, out)
	}
	if code, out := run(many, "--only", "terraform,policy"); code != 0 {
		t.Errorf("build --only terraform,policy: exit %d\n%s", code, out)
	}
	// 90 keys of 44 users: about 1.0 MB of YAML, 1.1 MB of JSON.
	large := manyKeysSpec(90, 44)
	if code, out := run(large); code != 0 {
		t.Errorf("YAML templates under 1 MiB: exit %d\n%s", code, out)
	}
	if code, out := run(large, "--cfn-format", "json"); code != ExitRejected || !strings.Contains(out, "CloudFormation template too large") {
		t.Errorf("JSON templates over 1 MiB: exit %d\n%s", code, out)
	}
}

// A spec file refused unread has no bytes to key a result on: had it the
// key of an empty file, a build answered from the cache would pass a spec
// that kpgen refuses.
func TestCacheKeyOfRefusedSpec(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.kp.hcl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	readable, err := readSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	if readable.cacheKey("build") == "" {
		t.Fatal("a readable spec has no cache key")
	}
	if err := os.Remove(filepath.Join(dir, "main.kp.hcl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), filepath.Join(dir, "main.kp.hcl")); err != nil {
		t.Fatal(err)
	}
	refused, err := readSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !refused.diags.HasErrors() {
		t.Fatal("a symbolic link was read as a spec file")
	}
	if key := refused.cacheKey("build"); key != "" {
		t.Errorf("a spec with a refused file has the cache key %s", key)
	}
}

// TestDirectoryNamesPrintedOnOneLine: a spec or output directory whose name
// holds a line feed or an escape sequence is named on one line of stderr,
// escaped, so that it cannot start a line of its own in a CI log (a GitHub
// workflow command) or act on a terminal.
func TestDirectoryNamesPrintedOnOneLine(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	t.Setenv("KPGEN_CACHE", "off")
	dir := filepath.Join(t.TempDir(), "x\x1b[31m\n::error::forged")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.kp.hcl"), []byte(manyKeysSpec(1, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(dir, "generated", "policies", "app", "dev", "k0.json")
	for _, step := range []struct {
		name string
		args []string
		// prepare changes the outputs before the command runs.
		prepare func() error
		code    int
	}{
		{"build", []string{"build", dir}, nil, ExitOK},
		{"check, current", []string{"check", dir}, nil, ExitOK},
		{"check, edited", []string{"check", dir}, func() error { return os.WriteFile(policy, []byte("{}\n"), 0o644) }, ExitRejected},
		{"build, a file in the way", []string{"build", dir}, func() error { return os.Remove(filepath.Join(dir, "generated", "kpgen.manifest.json")) }, ExitUsage},
		{"fmt -check", []string{"fmt", dir, "-check"}, func() error {
			spec := strings.Replace(manyKeysSpec(1, 1), "version = 1", "version    = 1", 1)
			return os.WriteFile(filepath.Join(dir, "main.kp.hcl"), []byte(spec), 0o644)
		}, ExitRejected},
	} {
		if step.prepare != nil {
			if err := step.prepare(); err != nil {
				t.Fatal(err)
			}
		}
		var stdout, stderr bytes.Buffer
		code := Main(step.args, &stdout, &stderr)
		if code != step.code {
			t.Errorf("%s: exit %d, want %d\n%s", step.name, code, step.code, stderr.String())
		}
		for _, out := range []string{stdout.String(), stderr.String()} {
			if strings.Contains(out, "\x1b") {
				t.Errorf("%s printed an escape character:\n%q", step.name, out)
			}
			if startsWorkflowCommand(out) {
				t.Errorf("%s printed a line that starts a workflow command:\n%q", step.name, out)
			}
		}
		if !strings.Contains(stderr.String()+stdout.String(), `x\x1b[31m\x0a::error::forged`) {
			t.Errorf("%s does not name the directory, escaped:\n%q", step.name, stderr.String()+stdout.String())
		}
	}
}

// TestEverythingInTheWayOnLinesOfItsOwn: each thing in the way of a build
// is named on a line of its own.
func TestEverythingInTheWayOnLinesOfItsOwn(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	t.Setenv("KPGEN_CACHE", "off")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.kp.hcl"), []byte(manyKeysSpec(2, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	for _, key := range []string{"k0", "k1"} {
		if err := os.MkdirAll(filepath.Join(out, "policies", "app", "dev", key+".json"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"build", "-q", dir, "-o", out}, &stdout, &stderr); code != ExitUsage {
		t.Fatalf("exit %d, want %d\n%s", code, ExitUsage, stderr.String())
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if strings.Contains(l, "a directory is in the way") {
			lines = append(lines, l)
			if !strings.HasPrefix(l, "kpgen: cannot write ") {
				t.Errorf("a line of its own does not begin with kpgen: %q", l)
			}
		}
	}
	if len(lines) != 2 {
		t.Errorf("%d lines name a directory in the way, want 2:\n%s", len(lines), stderr.String())
	}
}

// TestUnknownFlagPrintedOnOneLine: cobra's message quotes an unknown flag as
// typed; a line feed in it stays escaped.
func TestUnknownFlagPrintedOnOneLine(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"lint", "--a\n::error::forged"}, &stdout, &stderr); code != ExitUsage {
		t.Errorf("exit %d, want %d", code, ExitUsage)
	}
	if startsWorkflowCommand(stderr.String()) {
		t.Errorf("a line starts a workflow command:\n%q", stderr.String())
	}
	if !strings.Contains(stderr.String(), `--a\x0a::error::forged`) {
		t.Errorf("the flag is not named, escaped:\n%q", stderr.String())
	}
}

// startsWorkflowCommand reports whether a line of out begins a GitHub
// workflow command.
func startsWorkflowCommand(out string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "::") {
			return true
		}
	}
	return false
}

// TestOutputErrorNamesTheDirectory: a temporary file kpgen could not make
// is reported as the directory it could not write in; any other file by
// its own name; a stale output it could not remove as one it could not
// remove, not write.
func TestOutputErrorNamesTheDirectory(t *testing.T) {
	for _, c := range []struct {
		op, path, want string
	}{
		{"open", filepath.Join("gen", "policies", ".a.json"+output.TempMarker+"42"), "cannot write in " + filepath.Join("gen", "policies") + ": permission denied"},
		{"open", filepath.Join("gen", "policies", "a.json"), "cannot write " + filepath.Join("gen", "policies", "a.json") + ": permission denied"},
		{"remove", filepath.Join("gen", "policies", "a.json"), "cannot remove " + filepath.Join("gen", "policies", "a.json") + ": permission denied"},
	} {
		err := outputError(&fs.PathError{Op: c.op, Path: c.path, Err: fs.ErrPermission}, "cannot write")
		var ee *exitError
		if !errors.As(err, &ee) || ee.msg != c.want || ee.code != ExitUsage {
			t.Errorf("%s: %#v, want exit %d with %q", c.path, err, ExitUsage, c.want)
		}
	}
}

// TestKeptBehindLink: a stale output behind a directory a user replaced by
// a symbolic link is kept, and build says a link is in the way, not that
// the file changed.
func TestKeptBehindLink(t *testing.T) {
	t.Setenv("KPGEN_CACHE", "off")
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "retail", "main.kp.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	spec, out := filepath.Join(dir, "spec"), filepath.Join(dir, "out")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(spec, 0o755))
	must(os.WriteFile(filepath.Join(spec, "main.kp.hcl"), src, 0o644))
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"build", "-q", spec, "-o", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("first build exited %d:\n%s", code, stderr.String())
	}
	away := filepath.Join(dir, "away")
	must(os.Rename(filepath.Join(out, "policies", "storefront"), away))
	must(os.Symlink(away, filepath.Join(out, "policies", "storefront")))
	renamed := strings.ReplaceAll(string(src), `application "storefront"`, `application "shop"`)
	must(os.WriteFile(filepath.Join(spec, "main.kp.hcl"), []byte(renamed), 0o644))
	stderr.Reset()
	if code := Main([]string{"build", spec, "-o", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("second build exited %d:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "kpgen could not reach it: ") || !strings.Contains(stderr.String(), "symbolic link") || strings.Contains(stderr.String(), "changed since kpgen wrote it") {
		t.Errorf("build says:\n%s\nwant each file behind the link kept because a symbolic link is in the way", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(away, "prod", "customer.json")); err != nil {
		t.Errorf("a file behind the link: %v", err)
	}
}

// TestBuiltWithEmptyManifest: a manifest that lists no file (a spec without
// keys) suggests no options, rather than an empty --only.
func TestBuiltWithEmptyManifest(t *testing.T) {
	dir := t.TempDir()
	if _, err := output.Write(dir, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, output.ManifestName)); err != nil {
		t.Fatalf("no manifest written: %v", err)
	}
	if got := builtWith(dir, outputKinds, "yaml"); got != "" {
		t.Errorf("builtWith = %q, want none", got)
	}
}

// TestFmtAllOrNone: when a file cannot be written after others were
// rewritten (a sticky directory refuses a rename over another user's file,
// which writable cannot foresee), fmt puts the others back, so that it
// changes every file or none, and names none as changed.
func TestFmtAllOrNone(t *testing.T) {
	dir := t.TempDir()
	messy := map[string]string{
		"a.kp.hcl": "kpgen {\n  version    = 1\n}\n",
		"b.kp.hcl": "team \"ops\" {\n  administrators    =   [\"role/Ops\"]\n}\n",
	}
	for name, src := range messy {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	defer func(w func(string, []byte, os.FileMode) error) { writeFileAtomic = w }(writeFileAtomic)
	writeFileAtomic = func(path string, data []byte, perm os.FileMode) error {
		if filepath.Base(path) == "b.kp.hcl" {
			return &fs.PathError{Op: "rename", Path: path, Err: fs.ErrPermission}
		}
		return output.WriteFileAtomic(path, data, perm)
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"fmt", dir}, &stdout, &stderr); code != ExitUsage {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitUsage, stderr.String())
	}
	if stdout.Len() > 0 {
		t.Errorf("fmt named files as changed:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "no file was changed") {
		t.Errorf("stderr does not say that no file was changed:\n%s", stderr.String())
	}
	for name, src := range messy {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != src {
			t.Errorf("%s was changed:\n%s", name, got)
		}
	}
}
