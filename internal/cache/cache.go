// Package cache keeps the results of kpgen commands on this machine, keyed
// by everything that decides them: the kpgen binary itself, the command's
// options, and the bytes of the spec. A command asked again about the same
// inputs (a pre-commit hook after a lint in the same minute, an editor
// saving the same file twice) answers from the cache in a few milliseconds.
// KPGEN_CACHE=off turns it off; KPGEN_CACHE=DIR, an absolute path, moves it.
//
// A cache directory is used only if it is the current user's own and
// writable by no one else (so that no other user can plant a result), and
// an entry only if it is a regular file that holds the checksum of its
// content (so that a truncated or corrupt entry is a miss, never an answer).
// kpgen removes no file from it but its own entries.
package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxEntries bounds the cache: the oldest entries go first.
const maxEntries = 64

// Dir is the cache directory, or "" when the cache is off. KPGEN_CACHE
// unset, or on, names the default place; an absolute path moves it; off, and
// anything else, turns it off: a mistyped word must not make a cache in
// whatever directory kpgen runs in.
func Dir() string {
	v := os.Getenv("KPGEN_CACHE")
	switch strings.ToLower(v) {
	case "", "on", "1", "true", "yes":
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(base, "kpgen")
	}
	if filepath.IsAbs(v) {
		return v
	}
	return ""
}

// self identifies the running kpgen: the hash of its executable, so that
// a kpgen built from other code never answers from this one's results.
var self = sync.OnceValue(func() []byte {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	f, err := os.Open(exe)
	if err != nil {
		return nil
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil
	}
	return h.Sum(nil)
})

// Key hashes the parts that decide a result, with the binary's identity. It
// returns "" when the binary cannot be identified: nothing is cached then.
func Key(parts ...[]byte) string {
	id := self()
	if id == nil {
		return ""
	}
	h := sha256.New()
	h.Write(id)
	for _, p := range parts {
		// Each part is length-prefixed, so that parts cannot run together.
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(p))))
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// magic begins every entry, before the sha256 of the rest.
const magic = "kpgen-cache-1\n"

// maxEntry bounds what Get reads.
const maxEntry = 64 << 20

// Get returns the entry stored under key, if it is whole.
func Get(key string) ([]byte, bool) {
	dir := Dir()
	if dir == "" || key == "" || !trusted(dir) {
		return nil, false
	}
	name := filepath.Join(dir, entryPrefix+key)
	if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() || fi.Size() > maxEntry {
		return nil, false
	}
	raw, err := os.ReadFile(name)
	if err != nil || len(raw) < len(magic)+sha256.Size || string(raw[:len(magic)]) != magic {
		return nil, false
	}
	sum, data := raw[len(magic):len(magic)+sha256.Size], raw[len(magic)+sha256.Size:]
	if got := sha256.Sum256(data); string(got[:]) != string(sum) {
		return nil, false
	}
	now := time.Now()
	_ = os.Chtimes(name, now, now) // recently used
	return data, true
}

// trusted reports whether dir is a directory, not a symbolic link, that
// belongs to the current user and that no one else may write to.
func trusted(dir string) bool {
	fi, err := os.Lstat(dir)
	return err == nil && fi.IsDir() && fi.Mode().Perm()&0o022 == 0 && ownedByMe(fi)
}

// Entry and temporary file names: a cache directory may be one the user
// named (KPGEN_CACHE=DIR) and holds other files, so kpgen's bear a prefix
// of their own, and only names of that form are ever removed.
const (
	entryPrefix = "kpgen-"
	tempPrefix  = ".kpgen-entry-"
)

// isEntryName reports whether name is one of kpgen's entries
// (kpgen-SHA256) or temporary files (.kpgen-entry-DIGITS).
func isEntryName(name string) bool {
	if digits, ok := strings.CutPrefix(name, tempPrefix); ok {
		return digits != "" && strings.Trim(digits, "0123456789") == ""
	}
	key, ok := strings.CutPrefix(name, entryPrefix)
	if !ok || len(key) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(key)
	return err == nil
}

// oldEntry reports whether name is an entry of an earlier kpgen, which
// named them by the bare sha256: such a file goes only if it begins as
// kpgen's entries do. The caller has made sure it is a regular file.
func oldEntry(dir, name string) bool {
	if len(name) != 2*sha256.Size {
		return false
	}
	if _, err := hex.DecodeString(name); err != nil {
		return false
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(magic))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == magic
}

// Put stores data under key. Failures are ignored: the cache only saves
// time.
func Put(key string, data []byte) {
	dir := Dir()
	if dir == "" || key == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o700); err != nil || !trusted(dir) {
		return
	}
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return
	}
	sum := sha256.Sum256(data)
	_, werr := tmp.Write(slices.Concat([]byte(magic), sum[:], data))
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, entryPrefix+key)); err != nil {
		os.Remove(tmp.Name())
		return
	}
	prune(dir)
}

// prune removes the least recently used entries beyond maxEntries.
func prune(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type entry struct {
		name string
		used time.Time
	}
	var es []entry
	for _, e := range entries {
		if !e.Type().IsRegular() || !isEntryName(e.Name()) && !oldEntry(dir, e.Name()) {
			continue // not kpgen's
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		es = append(es, entry{e.Name(), info.ModTime()})
	}
	if len(es) <= maxEntries {
		return
	}
	slices.SortFunc(es, func(a, b entry) int { return a.used.Compare(b.used) })
	for _, e := range es[:max(0, len(es)-maxEntries)] {
		if err := os.Remove(filepath.Join(dir, e.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return
		}
	}
}
