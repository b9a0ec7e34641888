//go:build unix

package output

import (
	"os"
	"path/filepath"
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
