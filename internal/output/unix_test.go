//go:build unix

package output

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestWriteModes: a new output, and the manifest, get what the umask leaves
// of 0666, as any new file does; a replaced output keeps the mode it had.
func TestWriteModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	write(t, dir, File{Path: "policies/a.json", Data: []byte("1\n")})
	mode := func(rel string) os.FileMode {
		t.Helper()
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if got := mode("policies/a.json"); got != 0o640 {
		t.Errorf("new output: mode %o, want 640 under umask 027", got)
	}
	if got := mode(ManifestName); got != 0o640 {
		t.Errorf("manifest: mode %o, want 640 under umask 027", got)
	}
	if err := os.Chmod(filepath.Join(dir, "policies", "a.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	write(t, dir, File{Path: "policies/a.json", Data: []byte("2\n")})
	if got := mode("policies/a.json"); got != 0o600 {
		t.Errorf("replaced output: mode %o, want the 600 it had", got)
	}
	// Modes the umask would narrow are kept exactly too.
	if err := os.Chmod(filepath.Join(dir, "policies", "a.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, ManifestName), 0o604); err != nil {
		t.Fatal(err)
	}
	write(t, dir, File{Path: "policies/a.json", Data: []byte("3\n")})
	if got := mode("policies/a.json"); got != 0o644 {
		t.Errorf("replaced output: mode %o, want the 644 it had", got)
	}
	if got := mode(ManifestName); got != 0o604 {
		t.Errorf("replaced manifest: mode %o, want the 604 it had", got)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := mode("f"); got != 0o644 {
		t.Errorf("WriteFileAtomic with perm 644 under umask 027: mode %o", got)
	}
}

// TestCreateTempMode: a temporary file is created with the mode of the
// file it replaces, never more open even before its data is written.
func TestCreateTempMode(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for perm, want := range map[os.FileMode]os.FileMode{0: 0o644, 0o600: 0o600, 0o640: 0o640} {
		f, err := createTemp(dir, "a.json", perm)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := f.Stat()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("createTemp(perm %o): mode %o, want %o", perm, got, want)
		}
	}
}

// TestUnremovableTempStaysPending: a temporary file a build cannot remove
// stays pending, whether the build changed files or not, and the directory
// is not current. (Root removes anything: the test needs another user.)
func TestUnremovableTempStaysPending(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can remove the file")
	}
	dir := t.TempDir()
	a := File{Path: "d/a.json", Data: []byte("a\n")}
	write(t, dir, a)
	must(t, os.WriteFile(filepath.Join(dir, "d", ".a.json"+TempMarker+"5"), []byte("t"), 0o644))
	must(t, os.Chmod(filepath.Join(dir, "d"), 0o555))
	defer func() { _ = os.Chmod(filepath.Join(dir, "d"), 0o755) }()
	for _, build := range []string{"changed", "unchanged"} {
		write(t, dir, a, File{Path: "e/b.json", Data: []byte("b\n")})
		if m, err := ReadManifest(dir); err != nil || !slices.Equal(m.Pending, []string{"d/a.json"}) {
			t.Errorf("%s build: manifest %+v, %v; want d/a.json pending", build, m, err)
		}
	}
	if ok, _, _ := Current(dir); ok {
		t.Error("current with a temporary file left")
	}
}

// TestUnremovableStaleStaysListed: a file no longer made that cannot be
// removed fails the build and stays listed, and so does an edited one kept,
// so that the next build removes the one and reports the other. (Root
// removes anything: the test needs another user.)
func TestUnremovableStaleStaysListed(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can remove the file")
	}
	dir := t.TempDir()
	k := File{Path: "k.json", Data: []byte("k\n")}
	write(t, dir, k, File{Path: "d/e.json", Data: []byte("e\n")}, File{Path: "d/s.json", Data: []byte("s\n")})
	must(t, os.WriteFile(filepath.Join(dir, "d", "e.json"), []byte("edited\n"), 0o644))
	must(t, os.Chmod(filepath.Join(dir, "d"), 0o555))
	_, err := Write(dir, []File{k}, nil)
	must(t, os.Chmod(filepath.Join(dir, "d"), 0o755))
	if err == nil {
		t.Fatal("Write succeeded although a stale file could not be removed")
	}
	m, err := ReadManifest(dir)
	must(t, err)
	var paths []string
	for _, e := range m.Files {
		paths = append(paths, e.Path)
	}
	for _, p := range []string{"d/s.json", "d/e.json"} {
		if !slices.Contains(paths, p) {
			t.Errorf("%s is no longer listed: %q", p, paths)
		}
	}
	res := write(t, dir, k)
	if !slices.Equal(res.Removed, []string{"d/s.json"}) || !slices.Equal(res.Kept, []string{"d/e.json"}) {
		t.Errorf("the next build removed %v and kept %v", res.Removed, res.Kept)
	}
}

// TestWriteTempFailureLeavesNoTemp: a temporary file whose write fails
// (past the file size limit; Go ignores SIGXFSZ) is removed, and the
// refused build leaves none.
func TestWriteTempFailureLeavesNoTemp(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	write(t, dir, File{Path: "d/a.json", Data: []byte("a\n")})
	// The limit is far above what the test binary's own files reach
	// meanwhile (go test's log of the files a test opens is one of them,
	// and a write past the limit would fail it).
	limit := old
	limit.Cur = 16 << 20
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Skip(err)
	}
	_, err := Write(dir, []File{{Path: "d/a.json", Data: []byte("a\n")}, {Path: "d/big.json", Data: make([]byte, 32<<20)}}, nil)
	must(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old))
	if err == nil {
		t.Fatal("a write past the file size limit succeeded")
	}
	entries, err := os.ReadDir(filepath.Join(dir, "d"))
	must(t, err)
	for _, e := range entries {
		if strings.Contains(e.Name(), TempMarker) {
			t.Errorf("temporary file %s left by a refused build", e.Name())
		}
	}
}

// TestStaleBehindLinkKept: a stale output behind a directory replaced by a
// symbolic link is kept, not reached through the link, and the result says
// a link blocked it rather than that it changed.
func TestStaleBehindLinkKept(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	k := File{Path: "keep.json", Data: []byte("k\n")}
	write(t, dir, k, File{Path: "d/s.json", Data: []byte("s\n")}, File{Path: "e.json", Data: []byte("e\n")})
	must(t, os.Rename(filepath.Join(dir, "d"), filepath.Join(elsewhere, "d")))
	must(t, os.Symlink(filepath.Join(elsewhere, "d"), filepath.Join(dir, "d")))
	must(t, os.WriteFile(filepath.Join(dir, "e.json"), []byte("edited\n"), 0o644))
	res := write(t, dir, k)
	if !slices.Equal(res.Kept, []string{"d/s.json", "e.json"}) {
		t.Fatalf("kept %v, want d/s.json and e.json", res.Kept)
	}
	if why := res.Blocked["d/s.json"]; !strings.Contains(why, "symbolic link") {
		t.Errorf("d/s.json blocked by %q, want a symbolic link", why)
	}
	if why, ok := res.Blocked["e.json"]; ok {
		t.Errorf("e.json, which changed, is said to be blocked: %q", why)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "d", "s.json")); err != nil {
		t.Errorf("the file behind the link: %v", err)
	}
}

// TestWriteKeepsOwner: a replaced output, the manifest and a file rewritten
// by WriteFileAtomic (kpgen fmt's) keep the owner and group they had, where
// a file renamed into place would otherwise pass to whoever ran kpgen. Only
// root may give a file to another user, so the test needs root.
func TestWriteKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root may give a file to another user")
	}
	const uid, gid = 65534, 65533
	dir := t.TempDir()
	write(t, dir, File{Path: "policies/a.json", Data: []byte("1\n")})
	spec := filepath.Join(dir, "main.kp.hcl")
	if err := os.WriteFile(spec, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"policies/a.json", ManifestName, "main.kp.hcl"} {
		if err := os.Chown(filepath.Join(dir, filepath.FromSlash(rel)), uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	write(t, dir, File{Path: "policies/a.json", Data: []byte("2\n")}, File{Path: "policies/b.json", Data: []byte("new\n")})
	if err := WriteFileAtomic(spec, []byte("b\n"), 0); err != nil {
		t.Fatal(err)
	}
	owner := func(rel string) (uint32, uint32) {
		t.Helper()
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		return st.Uid, st.Gid
	}
	for _, rel := range []string{"policies/a.json", ManifestName, "main.kp.hcl"} {
		if u, g := owner(rel); u != uid || g != gid {
			t.Errorf("%s: owner %d:%d, want the %d:%d it had", rel, u, g, uid, gid)
		}
	}
	if u, g := owner("policies/b.json"); u != 0 || g != 0 {
		t.Errorf("a new output: owner %d:%d, want root's", u, g)
	}
}
