package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestRoundTripAndCorruption(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	t.Setenv("KPGEN_CACHE", dir)
	key := Key([]byte("spec"))
	if key == "" {
		t.Skip("the test binary cannot be identified")
	}
	Put(key, []byte("result"))
	if got, ok := Get(key); !ok || string(got) != "result" {
		t.Fatalf("Get after Put: %q %v", got, ok)
	}
	// A truncated entry, or one whose content does not match its checksum,
	// is a miss.
	name := filepath.Join(dir, entryPrefix+key)
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{raw[:len(raw)-1], append(append([]byte{}, raw[:len(raw)-1]...), 'X'), []byte("\x00"), nil} {
		if err := os.WriteFile(name, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if got, ok := Get(key); ok {
			t.Errorf("Get of a corrupt entry %q answered %q", bad, got)
		}
	}
	// An entry that is a symbolic link is a miss.
	os.Remove(name)
	other := filepath.Join(t.TempDir(), "planted")
	if err := os.WriteFile(other, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, name); err != nil {
		t.Fatal(err)
	}
	if _, ok := Get(key); ok {
		t.Error("Get followed a symbolic link")
	}
}

// TestUntrustedDirectory: a cache directory that others may write to is
// neither read nor written.
func TestUntrustedDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KPGEN_CACHE", dir)
	key := Key([]byte("spec"))
	if key == "" {
		t.Skip("the test binary cannot be identified")
	}
	Put(key, []byte("planted"))
	if _, err := os.Stat(filepath.Join(dir, key)); err == nil {
		t.Error("Put wrote into a directory others may write to")
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	Put(key, []byte("planted"))
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, ok := Get(key); ok {
		t.Error("Get read from a directory others may write to")
	}
}

// TestPruneRemovesOnlyEntries: pruning leaves every file that is not one of
// kpgen's entries.
func TestPruneRemovesOnlyEntries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	t.Setenv("KPGEN_CACHE", dir)
	if Key() == "" {
		t.Skip("the test binary cannot be identified")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// A directory the user named may hold files of their own, even ones
	// named like a sha256 or a temporary file.
	var mine []string
	for _, n := range []string{"notes.txt", Key([]byte("not an entry")), ".entry-notes", ".kpgen-entry-notes"} {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		mine = append(mine, p)
	}
	for i := range maxEntries + 5 {
		Put(Key([]byte(fmt.Sprint(i))), []byte("r"))
	}
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if isEntryName(e.Name()) {
			n++
		}
	}
	if n != maxEntries {
		t.Errorf("%d entries after pruning, want %d", n, maxEntries)
	}
	for _, p := range mine {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("pruning removed a file that is not an entry: %v", err)
		}
	}
}

// TestDir: KPGEN_CACHE unset or on names the default place, an absolute
// path moves the cache, and anything else turns it off rather than making
// a cache in the working directory.
func TestDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	t.Setenv("HOME", "/home/u")
	def, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	def = filepath.Join(def, "kpgen")
	for v, want := range map[string]string{
		"": def, "on": def, "1": def, "TRUE": def, "yes": def,
		"/var/cache/kp": "/var/cache/kp",
		"off":           "", "OFF": "", "0": "", "false": "", "no": "",
		"cache": "", "./cache": "", "../c": "",
	} {
		t.Setenv("KPGEN_CACHE", v)
		if got := Dir(); got != want {
			t.Errorf("KPGEN_CACHE=%q: Dir() = %q, want %q", v, got, want)
		}
	}
}
