package output

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestWriteRenameFailsPartWay: a rename that fails after others succeeded
// (b's target became a directory while another file rendered) leaves the
// replaced file with its new content, listed; the new file already renamed
// removed; the paths not yet written still pending; and the next build that
// no longer makes the replaced file removes it as kpgen's.
func TestWriteRenameFailsPartWay(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // files in order
	dir := t.TempDir()
	write(t, dir, File{Path: "d/a.json", Data: []byte("a1\n")})
	bTarget := filepath.Join(dir, "d", "b.json")
	files := []File{
		{Path: "d/a.json", Data: []byte("a2\n")},
		{Path: "d/n.json", Data: []byte("n\n")},
		{Path: "d/b.json", Data: []byte("b\n")},
		{Path: "d/c.json", Render: func() []byte {
			if err := os.MkdirAll(filepath.Join(bTarget, "x"), 0o755); err != nil {
				t.Error(err)
			}
			return []byte("c\n")
		}},
	}
	if _, err := Write(dir, files, nil); err == nil {
		t.Fatal("Write succeeded although a rename failed")
	}
	m, err := ReadManifest(dir)
	must(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "d", "a.json"))
	must(t, err)
	if string(got) != "a2\n" || !slices.Contains(m.Files, entryOf("d/a.json", got)) {
		t.Errorf("a holds %q; the manifest %+v does not list it with that content", got, m.Files)
	}
	if _, err := os.Stat(filepath.Join(dir, "d", "n.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a new file renamed before the failure is still there: %v", err)
	}
	if want := []string{"d/b.json", "d/c.json", "d/n.json"}; !slices.Equal(m.Pending, want) {
		t.Errorf("pending after the failure: %q, want %q", m.Pending, want)
	}
	must(t, os.RemoveAll(bTarget))
	res := write(t, dir, File{Path: "d/b.json", Data: []byte("b\n")})
	if !slices.Equal(res.Removed, []string{"d/a.json"}) || len(res.Kept) != 0 {
		t.Errorf("the next build removed %v and kept %v; want d/a.json removed", res.Removed, res.Kept)
	}
}

// TestPendingKeepsPrevious: the pending list a build writes before its
// temporary files keeps the paths an earlier unfinished build left pending.
func TestPendingKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	k := File{Path: "k.json", Data: []byte("k\n")}
	write(t, dir, k)
	m, err := ReadManifest(dir)
	must(t, err)
	m.Pending = []string{"p/old.json"}
	must(t, os.WriteFile(filepath.Join(dir, ManifestName), m.encode(), 0o644))
	var atRender []string
	q := File{Path: "q/new.json", Render: func() []byte {
		if m, err := ReadManifest(dir); err == nil {
			atRender = m.Pending
		}
		return []byte("q\n")
	}}
	write(t, dir, k, q)
	if want := []string{"p/old.json", "q/new.json"}; !slices.Equal(atRender, want) {
		t.Errorf("pending while rendering: %q, want %q", atRender, want)
	}
}

// TestEmptyManifestNotCurrent: a directory whose manifest lists nothing is
// never taken for a build's result.
func TestEmptyManifestNotCurrent(t *testing.T) {
	dir := t.TempDir()
	write(t, dir)
	if ok, _, _ := Current(dir); ok {
		t.Error("a directory with an empty manifest is current")
	}
}

// TestPendingOutsideRefused: a pending path that would leave the output
// directory is refused, and nothing outside it is touched.
func TestPendingOutsideRefused(t *testing.T) {
	root := t.TempDir()
	dir, victim := filepath.Join(root, "out"), filepath.Join(root, "victim")
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.MkdirAll(filepath.Join(victim, "empty"), 0o755))
	temp := filepath.Join(victim, ".x.json"+TempMarker+"1")
	must(t, os.WriteFile(temp, []byte("v"), 0o644))
	m := manifestOf(nil)
	m.Pending = []string{"../victim/x.json", "../victim/empty/y.json"}
	must(t, os.WriteFile(filepath.Join(dir, ManifestName), m.encode(), 0o644))
	if _, err := Write(dir, []File{{Path: "a.json", Data: []byte("a\n")}}, nil); err == nil || !strings.Contains(err.Error(), "which kpgen never writes") {
		t.Errorf("Write with a pending path outside: %v, want it refused", err)
	}
	for _, p := range []string{temp, filepath.Join(victim, "empty")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s, outside the output directory, is gone: %v", p, err)
		}
	}
}

// TestManifestListingItselfRefused: a manifest that lists itself is not
// kpgen's.
func TestManifestListingItselfRefused(t *testing.T) {
	dir := t.TempDir()
	writeManifest(t, dir, entryOf(ManifestName, []byte("x")))
	if _, err := Write(dir, nil, nil); err == nil || !strings.Contains(err.Error(), "which kpgen never writes") {
		t.Errorf("Write: %v, want the manifest refused", err)
	}
}

// TestTempNamesThatAreNotTemps: only a regular file named exactly as kpgen
// names a temporary file (digits after the marker) that is not itself an
// output is a leftover; a directory, a link, a user's file with another
// suffix and an output so named stay, and the directory is current.
func TestTempNamesThatAreNotTemps(t *testing.T) {
	dir := t.TempDir()
	files := []File{{Path: "d/a.json", Data: []byte("a\n")}, {Path: "d/.a.json" + TempMarker + "1", Data: []byte("o\n")}}
	write(t, dir, files...)
	sub := filepath.Join(dir, "d", ".a.json"+TempMarker+"5")
	must(t, os.MkdirAll(sub, 0o755))
	must(t, os.WriteFile(filepath.Join(sub, "f"), []byte("f"), 0o644))
	link := filepath.Join(dir, "d", ".a.json"+TempMarker+"6")
	must(t, os.Symlink(t.TempDir(), link))
	mine := filepath.Join(dir, "d", ".a.json"+TempMarker+"keep")
	must(t, os.WriteFile(mine, []byte("m"), 0o644))
	write(t, dir, files...)
	for _, p := range []string{sub, link, mine, filepath.Join(dir, "d", ".a.json"+TempMarker+"1")} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
	wantFinished(t, dir)
}

// TestLinkWhereAnOutputGoes: a symbolic link where an output goes is
// refused, and named as one.
func TestLinkWhereAnOutputGoes(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "d"), 0o755))
	must(t, os.Symlink(filepath.Join(t.TempDir(), "x"), filepath.Join(dir, "d", "a.json")))
	if _, err := Write(dir, []File{{Path: "d/a.json", Data: []byte("a\n")}}, nil); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Write: %v, want the symbolic link refused", err)
	}
}

// TestKeepPicksTheContentOnDisk: of two entries an unfinished build left for
// a kept file, the one whose content the file holds stays, even the older.
func TestKeepPicksTheContentOnDisk(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "p/a.json", Data: []byte("a\n")}
	tf := File{Path: "terraform/dev/app.tf", Data: []byte("old\n")}
	write(t, dir, a, tf)
	writeManifest(t, dir, entryOf(a.Path, a.Data), entryOf(tf.Path, []byte("old\n")), entryOf(tf.Path, []byte("new\n")))
	if _, err := Write(dir, []File{a}, func(p string) bool { return strings.HasPrefix(p, "terraform/") }); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(dir)
	must(t, err)
	if !slices.Contains(m.Files, entryOf(tf.Path, []byte("old\n"))) {
		t.Errorf("manifest %+v does not keep the content on disk", m.Files)
	}
	if ok, _, _ := Current(dir); !ok {
		t.Error("the directory is not current")
	}
}

// TestCaseRenameOnInsensitiveFilesystem: a filesystem that ignores case,
// played by a hard link, holds the old name and the new as one file; the
// build must not remove the file it just wrote.
func TestCaseRenameOnInsensitiveFilesystem(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, File{Path: "iam/1/Reader.json", Data: []byte("r\n")})
	must(t, os.Link(filepath.Join(dir, "iam", "1", "Reader.json"), filepath.Join(dir, "iam", "1", "reader.json")))
	res := write(t, dir, File{Path: "iam/1/reader.json", Data: []byte("r\n")})
	if len(res.Removed) != 0 {
		t.Errorf("removed %v: the file just written", res.Removed)
	}
}

// TestDiffKeepsEditedStale: Diff does not show a file no longer made, but
// edited since kpgen wrote it, as one a build would remove.
func TestDiffKeepsEditedStale(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "p/a.json", Data: []byte("a\n")}
	write(t, dir, a, File{Path: "p/b.json", Data: []byte("b\n")})
	must(t, os.WriteFile(filepath.Join(dir, "p", "b.json"), []byte("edited\n"), 0o644))
	d, err := Diff(dir, []File{a}, nil)
	if err != nil || strings.Contains(d, "--- a/p/b.json") {
		t.Errorf("Diff = %v\n%s\nwant no removal of the edited file", err, d)
	}
}

// TestUnchangedRebuildLeavesManifest: a rebuild that changes nothing does
// not replace the manifest file.
func TestUnchangedRebuildLeavesManifest(t *testing.T) {
	dir := t.TempDir()
	a := File{Path: "p/a.json", Data: []byte("a\n")}
	write(t, dir, a)
	before, err := os.Stat(filepath.Join(dir, ManifestName))
	must(t, err)
	write(t, dir, a)
	after, err := os.Stat(filepath.Join(dir, ManifestName))
	must(t, err)
	if !os.SameFile(before, after) {
		t.Error("an unchanged rebuild replaced the manifest")
	}
}

// TestWriteFileAtomicFailureLeavesNoTemp: a write that fails (a rename onto
// a directory) leaves no temporary file.
func TestWriteFileAtomicFailureLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "sub", "x"), 0o755))
	if err := WriteFileAtomic(filepath.Join(dir, "sub"), []byte("x"), 0); err == nil {
		t.Fatal("WriteFileAtomic over a directory succeeded")
	}
	entries, err := os.ReadDir(dir)
	must(t, err)
	if len(entries) != 1 {
		t.Errorf("%d entries in the directory, want 1: a temporary file is left", len(entries))
	}
}
