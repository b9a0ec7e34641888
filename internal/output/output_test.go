package output

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
	for _, p := range []string{"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", ".", "..", `a\b`, "a/", "policies/x\r::error::forged.json", "a/\x1b]0;t\x07.json", "a/b\u2028.json", "a/\u0085.json"} {
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
	manifest := `{"format_version": "1", "generator": "kpgen", "files": [{"path": "` + filepath.ToSlash(rel) + `", "sha256": ""}]}`
	if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, nil, nil); err == nil || !strings.Contains(err.Error(), "which kpgen never writes") {
		t.Fatalf("a manifest naming a path outside the directory: %v", err)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("the file outside the output directory was removed: %v", err)
	}
}

// TestReadManifestRefusesOtherFormats: a manifest of another format (a
// newer kpgen's) or of no format is refused, not overwritten.
func TestReadManifestRefusesOtherFormats(t *testing.T) {
	for _, manifest := range []string{
		`{"format_version": "99", "generator": "kpgen", "files": []}`,
		`{"format_version": null, "generator": "kpgen", "files": []}`,
		`{"format_version": "1", "generator": "other", "files": []}`,
		`{}`,
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Write(dir, nil, nil); err == nil || !strings.Contains(err.Error(), "this kpgen reads its manifest format 1 only") {
			t.Errorf("%s: %v", manifest, err)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, ManifestName)); string(data) != manifest {
			t.Errorf("%s was rewritten", manifest)
		}
	}
}

func TestDiff(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/a.json", Data: []byte("one\ntwo\n")}
	write(t, dir, a)
	if d, err := Diff(dir, []File{a}, nil); err != nil || d != "" {
		t.Fatalf("Diff of a current directory = %q, %v", d, err)
	}
	changed := File{Path: "policies/a.json", Data: []byte("one\nthree\n")}
	d, err := Diff(dir, []File{changed}, nil)
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

// TestWriteNeverReplacesOthersFiles: a file kpgen did not write, in the way
// of an output, stops the write, and nothing is written; the same file
// holding exactly the output is taken over.
func TestWriteNeverReplacesOthersFiles(t *testing.T) {
	dir := t.TempDir()
	theirs := filepath.Join(dir, "terraform", "dev", "versions.tf")
	if err := os.MkdirAll(filepath.Dir(theirs), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(theirs, []byte("backend\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []File{
		{Path: "policies/app/dev/a.json", Data: []byte("a\n")},
		{Path: "terraform/dev/versions.tf", Data: []byte("generated\n")},
	}
	_, err := Write(dir, files, nil)
	if err == nil || !strings.Contains(err.Error(), "did not write") {
		t.Fatalf("Write over someone else's file: %v, want an error", err)
	}
	if got, _ := os.ReadFile(theirs); string(got) != "backend\n" {
		t.Errorf("their file holds %q", got)
	}
	for _, p := range []string{"policies", ManifestName} {
		if _, err := os.Lstat(filepath.Join(dir, p)); err == nil {
			t.Errorf("%s was left behind by a write that failed", p)
		}
	}

	if err := os.WriteFile(theirs, []byte("generated\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := write(t, dir, files...)
	if diff := cmp.Diff([]string{files[1].Path}, res.Unchanged); diff != "" {
		t.Errorf("unchanged (-want +got):\n%s", diff)
	}
}

// TestWriteKeepsChangedFiles: a file the previous build wrote and this one
// no longer makes is removed only if it still holds what kpgen wrote.
func TestWriteKeepsChangedFiles(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/app/dev/a.json", Data: []byte("a\n")}
	b := File{Path: "policies/app/dev/b.json", Data: []byte("b\n")}
	write(t, dir, a, b)
	edited := filepath.Join(dir, "policies", "app", "dev", "b.json")
	if err := os.WriteFile(edited, []byte("b, edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := write(t, dir)
	if diff := cmp.Diff(&Result{Removed: []string{a.Path}, Kept: []string{b.Path}}, res, cmpopts.IgnoreFields(Result{}, "Manifest")); diff != "" {
		t.Errorf("write (-want +got):\n%s", diff)
	}
	if got, _ := os.ReadFile(edited); string(got) != "b, edited by hand\n" {
		t.Errorf("the edited file holds %q", got)
	}
	m, err := ReadManifest(dir)
	if err != nil || len(m.Files) != 0 {
		t.Errorf("manifest after the write: %v %v, want no files", m, err)
	}
}

// TestManifestMustBeAFile: a manifest that is a symbolic link (to a device,
// say) or too large is refused before it is read.
func TestManifestMustBeAFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/dev/zero", filepath.Join(dir, ManifestName)); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, nil, nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Write with a symlinked manifest: %v", err)
	}
	if ok, _, _ := Current(dir); ok {
		t.Error("Current accepted a symlinked manifest")
	}
	if fi, err := os.Lstat(filepath.Join(dir, ManifestName)); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlinked manifest was replaced")
	}
}

// TestLock: an output directory that is a symbolic link is refused, however
// it is spelt; one that does not exist is made.
func TestLock(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	link := filepath.Join(root, "generated")
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{link, link + "/", link + "/."} {
		if _, err := Lock(dir); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("Lock(%q): %v, want a symbolic link error", dir, err)
		}
	}
	if _, err := Diff(link+"/", nil, nil); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Diff through a symlinked directory: %v", err)
	}
	fresh := filepath.Join(root, "out", "new")
	unlock, err := Lock(fresh)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if fi, err := os.Stat(fresh); err != nil || !fi.IsDir() {
		t.Errorf("Lock did not make the output directory: %v", err)
	}
}

// TestWriteEdgesOfOwnership: a stale output replaced by a directory is left
// alone and the write completes; every file in the way is named at once; a
// path that differs from one kpgen wrote only in case, and is that same file
// (a case-insensitive filesystem, emulated by a hard link), is kpgen's; Diff
// refuses what Write refuses.
func TestWriteEdgesOfOwnership(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/app/dev/a.json", Data: []byte("a\n")}
	b := File{Path: "policies/app/dev/b.json", Data: []byte("b\n")}
	write(t, dir, a, b)
	stale := filepath.Join(dir, "policies", "app", "dev", "b.json")
	if err := os.Remove(stale); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	res := write(t, dir, a)
	if diff := cmp.Diff([]string{b.Path}, res.Kept); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}

	// Two files in the way: both named, nothing written.
	for _, p := range []string{"terraform/dev/x.tf", "terraform/dev/y.tf"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("theirs\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	x := File{Path: "terraform/dev/x.tf", Data: []byte("x\n")}
	y := File{Path: "terraform/dev/y.tf", Data: []byte("y\n")}
	_, err := Write(dir, []File{a, x, y}, nil)
	if err == nil || !strings.Contains(err.Error(), "2 files kpgen did not write are in the way") || !strings.Contains(err.Error(), "x.tf") || !strings.Contains(err.Error(), "y.tf") {
		t.Errorf("Write over two files: %v", err)
	}
	if _, err := Diff(dir, []File{a, x, y}, nil); err == nil || !strings.Contains(err.Error(), "in the way") {
		t.Errorf("Diff over two files: %v", err)
	}

	// A case variant of a file kpgen wrote.
	upper := File{Path: "iam/1/Admin.json", Data: []byte("old\n")}
	write(t, dir, a, upper)
	if err := os.Link(filepath.Join(dir, "iam", "1", "Admin.json"), filepath.Join(dir, "iam", "1", "admin.json")); err != nil {
		t.Fatal(err)
	}
	lower := File{Path: "iam/1/admin.json", Data: []byte("new\n")}
	if _, err := Write(dir, []File{a, lower}, nil); err != nil {
		t.Errorf("Write over a case variant of kpgen's own file: %v", err)
	}
	// A different file that only differs in case from one kpgen wrote is
	// someone else's.
	other := filepath.Join(dir, "iam", "1", "OTHER.json")
	write(t, dir, a, File{Path: "iam/1/other.json", Data: []byte("kpgen\n")})
	if err := os.WriteFile(other, []byte("theirs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, []File{a, {Path: "iam/1/OTHER.json", Data: []byte("kpgen\n")}}, nil); err == nil {
		t.Error("Write replaced a file that differs from kpgen's only in case but is another file")
	}
}

// TestUnifiedDiffApplies: a diff of text that ends in a line feed has no
// empty last line of its own, so patch can apply it.
func TestUnifiedDiffApplies(t *testing.T) {
	got := unified("a/f", "b/f", []byte("one\ntwo\n"), []byte("one\nthree\n"))
	want := "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n one\n-two\n+three\n"
	if got != want {
		t.Errorf("unified =\n%s\nwant\n%s", got, want)
	}
	got = unified("a/f", "b/f", []byte("x\ny\n"), []byte("x\ny"))
	want = "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n x\n-y\n+y\n\\ No newline at end of file\n"
	if got != want {
		t.Errorf("unified of a lost last line feed =\n%s\nwant\n%s", got, want)
	}
}

// TestWriteRemovesOnlyItsOwnTemps: a killed build's temporary files are
// removed; a user's file with the marker in its name, even in kpgen's form
// for a file kpgen never wrote, and an output whose name holds the marker,
// are not.
func TestWriteRemovesOnlyItsOwnTemps(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "iam/111111111111/a.json", Data: []byte("a\n")}
	odd := File{Path: "iam/111111111111/.x.kpgen-tmp-1.json", Data: []byte("x\n")}
	write(t, dir, a, odd)
	sub := filepath.Join(dir, "iam", "111111111111")
	stale := []string{".a.json" + TempMarker + "123456", filepath.Join("..", "..", "."+ManifestName+TempMarker+"42")}
	kept := []string{".notes" + TempMarker + "keep", "notes" + TempMarker + "1", ".other.json" + TempMarker + "123"}
	for _, n := range append(slices.Clone(stale), kept...) {
		if err := os.WriteFile(filepath.Join(sub, n), []byte("t"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(t, dir, File{Path: a.Path, Data: []byte("a2\n")}, odd)
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(sub, n)); err == nil {
			t.Errorf("stale temporary file %s is still there", n)
		}
	}
	for _, n := range append(kept, odd.Path) {
		p := filepath.Join(sub, n)
		if n == odd.Path {
			p = filepath.Join(dir, filepath.FromSlash(n))
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", n, err)
		}
	}
}

// TestTempsThroughASymlinkStay: kpgen never reads or removes through a
// symbolic link, not even what looks like its own temporary file in a
// directory an output path names.
func TestTempsThroughASymlinkStay(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "terraform/prod/a.tf", Data: []byte("a\n")}
	p := File{Path: "policies/p.json", Data: []byte("p\n")}
	write(t, dir, a, p)
	elsewhere := t.TempDir()
	if err := os.Rename(filepath.Join(dir, "terraform"), filepath.Join(elsewhere, "terraform")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(elsewhere, "terraform"), filepath.Join(dir, "terraform")); err != nil {
		t.Fatal(err)
	}
	temp := filepath.Join(elsewhere, "terraform", "prod", ".a.tf"+TempMarker+"777")
	if err := os.WriteFile(temp, []byte("t"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A build of the policies alone keeps the terraform entries of the
	// manifest, and looks beside them for temporary files.
	if _, err := Write(dir, []File{p}, func(path string) bool { return !strings.HasPrefix(path, "policies/") }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(temp); err != nil {
		t.Errorf("a file behind a symbolic link was removed: %v", err)
	}
}

// TestWriteCaseRename: an output renamed in case only is, on a filesystem
// that ignores case, the file just written under its new name; the build
// must not remove it as the old name's stale file.
func TestWriteCaseRename(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, File{Path: "iam/1/Reader.json", Data: []byte("r\n")})
	probe := filepath.Join(dir, "iam", "1", "reader.json")
	_, err := os.Stat(probe)
	insensitive := err == nil
	res := write(t, dir, File{Path: "iam/1/reader.json", Data: []byte("r\n")})
	if _, err := os.Stat(probe); err != nil {
		t.Fatalf("the output just written is gone (removed: %v)", res.Removed)
	}
	if !insensitive && !slices.Equal(res.Removed, []string{"iam/1/Reader.json"}) {
		t.Errorf("on a case-sensitive filesystem the old name is stale: removed %v", res.Removed)
	}
	// Renamed back with new content: on a filesystem that ignores case the
	// old entry is the new file, neither removed nor reported as kept.
	res = write(t, dir, File{Path: "iam/1/Reader.json", Data: []byte("r2\n")})
	if insensitive && (len(res.Removed) != 0 || len(res.Kept) != 0) {
		t.Errorf("case rename with new content: removed %v, kept %v", res.Removed, res.Kept)
	}
	if !insensitive && !slices.Equal(res.Removed, []string{"iam/1/reader.json"}) {
		t.Errorf("on a case-sensitive filesystem the old name is stale: removed %v", res.Removed)
	}
}

// writeManifest replaces dir's manifest with entries, as a build killed
// halfway leaves it.
// wantFinished: dir holds a finished build, its manifest naming nothing
// pending and the directory current.
func wantFinished(t *testing.T, dir string) {
	t.Helper()
	if m, err := ReadManifest(dir); err != nil || len(m.Pending) != 0 {
		t.Errorf("manifest after the build: %+v, %v; want nothing pending", m, err)
	}
	if ok, _, _ := Current(dir); !ok {
		t.Error("the directory is not current after the build")
	}
}

func writeManifest(t *testing.T, dir string, entries ...ManifestEntry) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, ManifestName), manifestOf(entries).encode(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWriteAfterAnInterruptedBuild: the manifest a build leaves when it is
// killed among its renames lists a rewritten file with its old and its new
// content. The next build owns the file whichever it holds: it removes it
// when it no longer makes it, and reports nothing as kept.
func TestWriteAfterAnInterruptedBuild(t *testing.T) {
	for _, content := range []string{"old\n", "new\n"} {
		dir := t.TempDir()
		a := File{Path: "policies/app/dev/a.json", Data: []byte("a\n")}
		b := File{Path: "policies/app/dev/b.json", Data: []byte("old\n")}
		write(t, dir, a, b)
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(b.Path)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		writeManifest(t, dir, entryOf(a.Path, a.Data), entryOf(b.Path, []byte("old\n")), entryOf(b.Path, []byte("new\n")))
		if ok, _, _ := Current(dir); ok {
			t.Errorf("%q: a directory whose build was interrupted is current", content)
		}
		res := write(t, dir, a)
		if diff := cmp.Diff([]string{b.Path}, res.Removed); diff != "" || len(res.Kept) != 0 {
			t.Errorf("%q: removed (-want +got):\n%s kept %v", content, diff, res.Kept)
		}
		if ok, _, _ := Current(dir); !ok {
			t.Errorf("%q: not current after the next build", content)
		}
	}
}

// TestEmptyDirectoryOfAnInterruptedBuild: a build killed after it removed
// the last stale file of a directory, before the directory, leaves it empty
// and the file listed; the next build removes the directory.
func TestEmptyDirectoryOfAnInterruptedBuild(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/app/prod/a.json", Data: []byte("a\n")}
	b := File{Path: "policies/app/dev/b.json", Data: []byte("b\n")}
	write(t, dir, a, b)
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(b.Path))); err != nil {
		t.Fatal(err)
	}
	write(t, dir, a)
	if _, err := os.Stat(filepath.Join(dir, "policies", "app", "dev")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the emptied directory of a stale file is still there: %v", err)
	}
	// Killed between the removals of two directories: the stale file's
	// own directory is gone, its parent left empty.
	c := File{Path: "policies/old/dev/c.json", Data: []byte("c\n")}
	write(t, dir, a, c)
	if err := os.RemoveAll(filepath.Join(dir, "policies", "old", "dev")); err != nil {
		t.Fatal(err)
	}
	write(t, dir, a)
	if _, err := os.Stat(filepath.Join(dir, "policies", "old")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the emptied parent of a stale file's directory is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(a.Path))); err != nil {
		t.Errorf("an output is gone: %v", err)
	}
}

// TestTempsOfAnInterruptedBuild: the temporary files a killed build left
// make the directory not current, check names them, and the next build
// removes them, also beside outputs it no longer makes.
func TestTempsOfAnInterruptedBuild(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/app/dev/a.json", Data: []byte("a\n")}
	b := File{Path: "policies/app/prod/b.json", Data: []byte("b\n")}
	write(t, dir, a, b)
	temp := filepath.Join(dir, "policies", "app", "prod", ".b.json"+TempMarker+"99")
	if err := os.WriteFile(temp, []byte("b2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := Current(dir); ok {
		t.Error("a directory with a temporary file of an interrupted build is current")
	}
	d, err := Diff(dir, []File{a, b}, nil)
	if err != nil || !strings.Contains(d, ".b.json"+TempMarker+"99 (a temporary file of a build that did not finish") {
		t.Errorf("Diff does not name the temporary file: %v\n%s", err, d)
	}
	write(t, dir, a) // b is no longer made
	if _, err := os.Stat(temp); err == nil {
		t.Error("the temporary file beside an output no longer made is still there")
	}
}

// TestEverythingInTheWayIsNamed: every directory, link or file kpgen did
// not write in the way of an output is named in one error.
func TestEverythingInTheWayIsNamed(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"policies/app/dev/a.json", "policies/app/prod/a.json"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "policies", "app", "dev", "b.json"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []File{
		{Path: "policies/app/dev/a.json", Data: []byte("a\n")},
		{Path: "policies/app/prod/a.json", Data: []byte("a\n")},
		{Path: "policies/app/dev/b.json", Data: []byte("b\n")},
	}
	_, err := Write(dir, files, nil)
	if err == nil {
		t.Fatal("Write succeeded with three things in the way")
	}
	for _, want := range []string{filepath.Join("dev", "a.json") + ": a directory is in the way", filepath.Join("prod", "a.json") + ": a directory is in the way", filepath.Join("dev", "b.json") + ": a file kpgen did not write"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
}

// TestKeepAfterAnInterruptedBuild: a build that leaves a file alone (--only)
// keeps one manifest entry for it, the one whose content the file holds,
// even when the interrupted build before listed two.
func TestKeepAfterAnInterruptedBuild(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/app/dev/a.json", Data: []byte("a\n")}
	tf := File{Path: "terraform/dev/app.tf", Data: []byte("new\n")}
	write(t, dir, a, tf)
	writeManifest(t, dir, entryOf(a.Path, a.Data), entryOf(tf.Path, []byte("old\n")), entryOf(tf.Path, tf.Data))
	keepTerraform := func(p string) bool { return strings.HasPrefix(p, "terraform/") }
	if _, err := Write(dir, []File{a}, keepTerraform); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ManifestEntry{entryOf(a.Path, a.Data), entryOf(tf.Path, tf.Data)}, m.Files); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	if ok, _, _ := Current(dir); !ok {
		t.Error("not current after the build")
	}
}

// TestUserFilesLikeTemps: a file named like a temporary file, beside no
// output of this build or the last, is the user's: it stays, and so does its
// directory.
func TestUserFilesLikeTemps(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/app/dev/a.json", Data: []byte("a\n")}
	write(t, dir, a)
	mine := filepath.Join(dir, "mynotes", ".todo"+TempMarker+"2024")
	if err := os.MkdirAll(filepath.Dir(mine), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, dir, a)
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a user's file was removed: %v", err)
	}
	if ok, _, _ := Current(dir); !ok {
		t.Error("a user's file makes the directory not current")
	}
}

// TestTempNamesBesideUnlistedPaths: a file named like a temporary file,
// beside an output that no manifest names yet, is not kpgen's: a build
// writes its output beside it and leaves it alone.
func TestTempNamesBesideUnlistedPaths(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/app/dev/a.json", Data: []byte("a\n")}
	mine := filepath.Join(dir, "policies", "app", "dev", ".a.json"+TempMarker+"42")
	if err := os.MkdirAll(filepath.Dir(mine), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine, []byte("my notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, err := Diff(dir, []File{a}, nil); err != nil || strings.Contains(d, TempMarker) {
		t.Errorf("Diff = %q, %v; want no word of the user's file", d, err)
	}
	stats, err := Write(dir, []File{a}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(mine); err != nil || string(got) != "my notes\n" {
		t.Errorf("the user's file holds %q, %v after the build; want it untouched", got, err)
	}
	if len(stats.Removed) != 0 {
		t.Errorf("the build reports %q removed, want none", stats.Removed)
	}
}

// TestKeepWhatTheUserEdited: after an interrupted build, a file left alone
// (--only) that the user edited since stays listed, so that the next full
// build overwrites it; one the interrupted build never wrote is dropped.
func TestKeepWhatTheUserEdited(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "policies/app/dev/a.json", Data: []byte("a\n")}
	tf := File{Path: "terraform/dev/app.tf", Data: []byte("new\n")}
	write(t, dir, a, tf)
	writeManifest(t, dir, entryOf(a.Path, a.Data), entryOf(tf.Path, []byte("old\n")), entryOf(tf.Path, tf.Data),
		entryOf("terraform/dev/never.tf", []byte("x\n")))
	if err := os.WriteFile(filepath.Join(dir, "terraform", "dev", "app.tf"), []byte("user edit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	keepTerraform := func(p string) bool { return strings.HasPrefix(p, "terraform/") }
	if _, err := Write(dir, []File{a}, keepTerraform); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ManifestEntry{entryOf(a.Path, a.Data), entryOf(tf.Path, tf.Data)}, m.Files); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	if _, err := Write(dir, []File{a, tf}, nil); err != nil {
		t.Errorf("the full build refuses the edited file: %v", err)
	}
}

// TestWriteKeptAndProduced: a file that a build both writes and is asked to
// keep is listed once, with its new content, and Diff and Current agree with
// what Write left.
func TestWriteKeptAndProduced(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, File{Path: "a/x.json", Data: []byte("one\n")})
	files := []File{{Path: "a/x.json", Data: []byte("two\n")}}
	keepA := func(p string) bool { return strings.HasPrefix(p, "a/") }
	if _, err := Write(dir, files, keepA); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 1 || m.Files[0].Path != "a/x.json" {
		t.Fatalf("manifest lists %v, want a/x.json once", m.Files)
	}
	if d, err := Diff(dir, files, keepA); err != nil || d != "" {
		t.Errorf("Diff after Write = %q, %v; want no difference", d, err)
	}
}

// TestWritePendingBeforeTemps: before a build writes the temporary file of
// an output its manifest does not list, the manifest on disk names that
// path as pending; once the build is done, no path is pending.
func TestWritePendingBeforeTemps(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, File{Path: "a/old.json", Data: []byte("old\n")})
	var pendingAtRender []string
	fresh := File{Path: "b/new.json", Render: func() []byte {
		m, err := ReadManifest(dir)
		if err != nil {
			t.Error(err)
		} else {
			pendingAtRender = m.Pending
		}
		return []byte("new\n")
	}}
	write(t, dir, File{Path: "a/old.json", Data: []byte("old\n")}, fresh)
	if !slices.Equal(pendingAtRender, []string{"b/new.json"}) {
		t.Errorf("pending while rendering: %q, want b/new.json", pendingAtRender)
	}
	m, err := ReadManifest(dir)
	if err != nil || len(m.Pending) != 0 || len(m.Files) != 2 {
		t.Errorf("manifest after the build: %+v, %v; want two files and nothing pending", m, err)
	}
	if ok, _, _ := Current(dir); !ok {
		t.Error("the directory is not current after a build")
	}
	// Nothing new: the manifest is not written again.
	before, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	res := write(t, dir, File{Path: "a/old.json", Data: []byte("old\n")}, File{Path: "b/new.json", Data: []byte("new\n")})
	after, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	if len(res.Written) != 0 || !bytes.Equal(before, after) {
		t.Errorf("an unchanged rebuild wrote %v or changed the manifest", res.Written)
	}
}

// TestWriteAfterKilledBeforeListing: a build killed after it wrote the
// temporary files of outputs no manifest entry lists leaves them beside
// pending paths; the next build, whatever it makes, removes them and the
// directories they alone were in, and nothing else.
func TestWriteAfterKilledBeforeListing(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, File{Path: "kept.json", Data: []byte("k\n")})
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	m.Pending = []string{"apps/x/new.json"}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), m.encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	temp := filepath.Join(dir, "apps", "x", ".new.json"+TempMarker+"4242")
	user := filepath.Join(dir, "apps", "notes.txt")
	if err := os.MkdirAll(filepath.Dir(temp), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{temp, user} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _, _ := Current(dir); ok {
		t.Error("a directory with a pending path is current")
	}
	d, err := Diff(dir, []File{{Path: "kept.json", Data: []byte("k\n")}}, nil)
	if err != nil || !strings.Contains(d, ".new.json"+TempMarker+"4242 (a temporary file") {
		t.Errorf("Diff = %q, %v; want the temporary file named", d, err)
	}
	write(t, dir, File{Path: "kept.json", Data: []byte("k\n")})
	if _, err := os.Stat(filepath.Dir(temp)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the temporary file or its directory is still there: %v", err)
	}
	if _, err := os.Stat(user); err != nil {
		t.Errorf("a file kpgen did not write is gone: %v", err)
	}
	wantFinished(t, dir)
}

// TestWriteRemovesDirOfStaleAndTemp: a file no longer made and the
// temporary file a killed build left beside it go, and so does the
// directory they were alone in.
func TestWriteRemovesDirOfStaleAndTemp(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, File{Path: "policies/app/dev/a.json", Data: []byte("a\n")}, File{Path: "policies/app/prod/a.json", Data: []byte("a\n")})
	temp := filepath.Join(dir, "policies", "app", "dev", ".a.json"+TempMarker+"123")
	if err := os.WriteFile(temp, []byte("t"), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, dir, File{Path: "policies/app/prod/a.json", Data: []byte("a\n")})
	if _, err := os.Stat(filepath.Join(dir, "policies", "app", "dev")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the directory of the stale file is still there: %v", err)
	}
}

// TestWriteFailureKeepsManifest: a build refused before it writes anything
// (a file it did not write in the way) leaves the manifest as it was, or
// none where there was none.
func TestWriteFailureKeepsManifest(t *testing.T) {
	dir := t.TempDir()
	inTheWay := filepath.Join(dir, "b", "new.json")
	if err := os.MkdirAll(filepath.Dir(inTheWay), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inTheWay, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []File{{Path: "a/old.json", Data: []byte("old\n")}, {Path: "b/new.json", Data: []byte("new\n")}}
	if _, err := Write(dir, files, nil); err == nil {
		t.Fatal("a build over a file kpgen did not write succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused first build left a manifest: %v", err)
	}
	write(t, dir, files[0])
	// Byte for byte, even a manifest kpgen would write otherwise.
	before, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	before = append(bytes.Replace(before, []byte("{"), []byte(`{"note": "kept", `), 1), '\n')
	if err := os.WriteFile(filepath.Join(dir, ManifestName), before, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, files, nil); err == nil {
		t.Fatal("a build over a file kpgen did not write succeeded")
	}
	if after, _ := os.ReadFile(filepath.Join(dir, ManifestName)); !bytes.Equal(before, after) {
		t.Errorf("a refused build changed the manifest:\n%s\nwas\n%s", after, before)
	}
}

// TestWriteRemovesDirsOfPending: the directories a killed build made for
// an output it never got to write go with the next build of a spec that
// does not make it, but never through a symbolic link.
func TestWriteRemovesDirsOfPending(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "policies", "app83", "dev"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(outside, "dev"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}
	m := manifestOf(nil)
	m.Pending = []string{"linked/dev/x.json", "policies/app83/dev/customers.json", "policies/app83/prod/customers.json"}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), m.encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, dir, File{Path: "policies/other/a.json", Data: []byte("a\n")})
	if _, err := os.Stat(filepath.Join(dir, "policies", "app83")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the directories made for a pending output are still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "dev")); err != nil {
		t.Errorf("a directory behind a symbolic link was removed: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "linked")); err != nil {
		t.Errorf("a symbolic link was removed: %v", err)
	}
}

// TestOneEntry: two spellings of a path are one file where a directory
// lists one entry for the names that differ, as on a filesystem that
// ignores case but gives each spelling an inode of its own; two where it
// lists both, or cannot be listed.
func TestOneEntry(t *testing.T) {
	listing := func(dirs map[string][]string) func(string) ([]string, error) {
		return func(dir string) ([]string, error) {
			names, ok := dirs[filepath.ToSlash(dir)]
			if !ok {
				return nil, errors.New("cannot list " + dir)
			}
			return names, nil
		}
	}
	cases := []struct {
		a, b string
		dirs map[string][]string
		want bool
	}{
		{"/out/iam/ledger-writer.json", "/out/iam/Ledger-Writer.json", map[string][]string{"/out/iam": {"ledger-writer.json", "ledger-reader.json"}}, true},
		{"/out/iam/ledger-writer.json", "/out/iam/Ledger-Writer.json", map[string][]string{"/out/iam": {"Ledger-Writer.json", "ledger-writer.json"}}, false},
		{"/out/sso/Analysts/p.json", "/out/sso/ANALYSTS/p.json", map[string][]string{"/out/sso": {"ANALYSTS"}}, true},
		{"/out/sso/Analysts/p.json", "/out/sso/ANALYSTS/p.json", map[string][]string{"/out/sso": {"ANALYSTS", "Analysts"}}, false},
		{"/out/sso/Analysts/p.json", "/out/sso/ANALYSTS/P.json", map[string][]string{"/out/sso": {"ANALYSTS"}, "/out/sso/Analysts": {"p.json", "P.json"}}, false},
		{"/Out/a", "/out/a", map[string][]string{"/": {"out"}}, true},
		{"Out/a", "out/a", map[string][]string{".": {"Out"}}, true},
		{"/out/iam/a.json", "/out/iam/A.json", nil, false},
		{"/out/iam/a.json", "/out/iam/b.json", map[string][]string{"/out/iam": {"a.json"}}, false},
		{"/out/iam/a.json", "/out/iam/a.json", nil, true},
	}
	for _, c := range cases {
		if got := oneEntry(filepath.FromSlash(c.a), filepath.FromSlash(c.b), listing(c.dirs)); got != c.want {
			t.Errorf("oneEntry(%s, %s) with %v = %v, want %v", c.a, c.b, c.dirs, got, c.want)
		}
	}
}
