package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreCommitHooks runs the real pre-commit framework in a temporary user
// repository that uses this repository's hooks: a clean spec passes, a spec
// change without a rebuild fails kpgen-check, a separation-of-duties
// violation fails kpgen-lint, and a commit that only deletes an output
// fails kpgen-check.
func TestPreCommitHooks(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the pre-commit test builds kpgen through pre-commit")
	}
	if _, err := exec.LookPath("pre-commit"); err != nil {
		t.Skip("pre-commit is not installed (Debian package pre-commit); skipping the hooks test")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed; skipping the hooks test")
	}
	tmp := t.TempDir()
	hooks := filepath.Join(tmp, "kpgen")
	user := filepath.Join(tmp, "user")
	env := append(os.Environ(),
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "pre-commit-home"),
		"GIT_AUTHOR_NAME=kpgen", "GIT_AUTHOR_EMAIL=kpgen@example.com",
		"GIT_COMMITTER_NAME=kpgen", "GIT_COMMITTER_EMAIL=kpgen@example.com",
		"GOTOOLCHAIN=local", "NO_COLOR=1",
	)
	run := func(dir string, name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	must := func(dir string, name string, args ...string) {
		t.Helper()
		if out, err := run(dir, name, args...); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}

	// The hooks repository: this project's files as they are now.
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	files, err := run(root, "git", "ls-files", "--cached", "--others", "--exclude-standard")
	if err != nil {
		t.Skip("not in a git checkout of kpgen: ", err)
	}
	for _, f := range strings.Fields(files) {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue // deleted in the work tree
		}
		dst := filepath.Join(hooks, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must(hooks, "git", "init", "-q")
	must(hooks, "git", "add", "-A")
	must(hooks, "git", "commit", "-q", "-m", "hooks")
	rev, err := run(hooks, "git", "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}

	// The user repository: the retail example at its root, built.
	spec, err := os.ReadFile(filepath.Join(root, "fixtures", "retail", "main.kp.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(user, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(user, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.kp.hcl", string(spec))
	write(".pre-commit-config.yaml", "repos:\n  - repo: "+hooks+"\n    rev: "+strings.TrimSpace(rev)+"\n    hooks:\n      - id: kpgen-fmt\n      - id: kpgen-lint\n      - id: kpgen-check\n")
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"build", "-q", user}, &stdout, &stderr); code != 0 {
		t.Fatalf("build: %s", stderr.String())
	}
	must(user, "git", "init", "-q")
	must(user, "git", "add", "-A")
	must(user, "git", "commit", "-q", "-m", "spec")

	if out, err := run(user, "pre-commit", "run", "--all-files"); err != nil {
		t.Fatalf("pre-commit on a clean spec failed: %v\n%s", err, out)
	}

	// A new user without a rebuild: the outputs are stale.
	write("main.kp.hcl", strings.Replace(string(spec), `users          = ["role/storefront-api"]`, `users          = ["role/storefront-api", "role/storefront-reports"]`, 1))
	out, err := run(user, "pre-commit", "run", "--all-files")
	if err == nil || !strings.Contains(out, "kpgen check") || !strings.Contains(out, "role/storefront-reports") {
		t.Errorf("pre-commit on a stale build: %v, want kpgen-check to fail with the diff\n%s", err, out)
	}
	if !passed(out, "kpgen lint") {
		t.Errorf("kpgen-lint should pass on the changed spec:\n%s", out)
	}

	// The owning team's operator also uses the key: separation of duties.
	write("main.kp.hcl", strings.Replace(string(spec), `users          = ["role/storefront-api"]`, `users          = ["role/storefront-api", "role/WebKeyOperator"]`, 1))
	out, err = run(user, "pre-commit", "run", "--all-files")
	if err == nil || !strings.Contains(out, "KP401") {
		t.Errorf("pre-commit with an operator as user: %v, want kpgen-lint to fail with KP401\n%s", err, out)
	}

	// A commit that only deletes an output: pre-commit passes no file to
	// the hooks, and kpgen-check still runs.
	write("main.kp.hcl", string(spec))
	must(user, "git", "rm", "-q", "generated/policies/storefront/dev/catalog.json")
	out, err = run(user, "pre-commit", "run")
	if err == nil || !strings.Contains(out, "kpgen check") || passed(out, "kpgen check") {
		t.Errorf("pre-commit after deleting an output: %v, want kpgen-check to fail\n%s", err, out)
	}
}

// passed reports whether pre-commit's output marks the hook as passed.
func passed(out, hook string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, hook) {
			return strings.HasSuffix(strings.TrimSpace(line), "Passed")
		}
	}
	return false
}
