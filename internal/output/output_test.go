package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCheckPath(t *testing.T) {
	for _, p := range []string{"policies/a/b.json", "terraform/123456789012/versions.tf", "kpgen.manifest.json"} {
		if err := CheckPath(p); err != nil {
			t.Errorf("CheckPath(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range []string{"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", ".", "..", `a\b`, "a/"} {
		if err := CheckPath(p); err == nil {
			t.Errorf("CheckPath(%q) = nil, want an error", p)
		}
	}
}

func write(t *testing.T, dir string, files ...File) *Result {
	t.Helper()
	res, err := Write(dir, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestWriteRemovesOnlyWhatItWrote(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/app/dev/a.json", Data: []byte("a\n")}
	b := File{Path: "policies/app/dev/b.json", Data: []byte("b\n")}
	res := write(t, dir, a, b)
	if diff := cmp.Diff([]string{a.Path, b.Path}, res.Written); diff != "" {
		t.Errorf("written (-want +got):\n%s", diff)
	}
	// Someone else's file beside kpgen's.
	mine := filepath.Join(dir, "policies", "app", "dev", "README")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(filepath.Join(dir, a.Path))
	res = write(t, dir, a)
	if diff := cmp.Diff(&Result{Unchanged: []string{a.Path}, Removed: []string{b.Path}}, res, cmpopts.IgnoreFields(Result{}, "Manifest")); diff != "" {
		t.Errorf("second write (-want +got):\n%s", diff)
	}
	if after, _ := os.Stat(filepath.Join(dir, a.Path)); !after.ModTime().Equal(info.ModTime()) {
		t.Error("an unchanged file was rewritten")
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file kpgen did not write was touched: %v", err)
	}
	// Removing the last file of a directory removes the directory, but not
	// one that holds someone else's file.
	res = write(t, dir)
	if diff := cmp.Diff([]string{a.Path}, res.Removed); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file kpgen did not write was touched: %v", err)
	}
}

func TestWriteRefusesSymlinks(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(dir, "policies")); err != nil {
		t.Fatal(err)
	}
	_, err := Write(dir, []File{{Path: "policies/a.json", Data: []byte("x")}}, nil)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Write through a symlink: %v, want a symbolic link error", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("wrote %d files through the symlink", len(entries))
	}
}

func TestReadManifestRefusesEscapes(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(dir, victim)
	manifest := `{"format_version": "1", "files": [{"path": "` + filepath.ToSlash(rel) + `", "sha256": ""}]}`
	if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, nil, nil); err == nil {
		t.Fatal("a manifest naming a path outside the directory was accepted")
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("the file outside the output directory was removed: %v", err)
	}
}

func TestDiff(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/a.json", Data: []byte("one\ntwo\n")}
	write(t, dir, a)
	if d, err := Diff(dir, []File{a}); err != nil || d != "" {
		t.Fatalf("Diff of a current directory = %q, %v", d, err)
	}
	changed := File{Path: "policies/a.json", Data: []byte("one\nthree\n")}
	d, err := Diff(dir, []File{changed})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--- a/policies/a.json", "+++ b/policies/a.json", "-two", "+three"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}

func TestCurrent(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/a.json", Render: func() []byte { return []byte("a\n") }}
	res := write(t, dir, a)
	ok, sha, n := Current(dir)
	if !ok || sha != res.Manifest || n != 1 {
		t.Fatalf("Current after a write = %v, %q, %d; want true, %q, 1", ok, sha, n, res.Manifest)
	}
	if err := os.WriteFile(filepath.Join(dir, "policies", "a.json"), []byte("edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := Current(dir); ok {
		t.Error("Current does not notice an edited file")
	}
	if ok, _, _ := Current(t.TempDir()); ok {
		t.Error("an empty directory is current")
	}
}
