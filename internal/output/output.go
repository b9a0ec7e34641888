package output

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gofrs/flock"
	"github.com/pmezard/go-difflib/difflib"
)

// ManifestName is the file in the output directory that lists every file
// kpgen wrote there, with its sha256.
const ManifestName = "kpgen.manifest.json"

// File is one output file: a slash-separated path relative to the output
// directory, and its content.
type File struct {
	Path string
	Data []byte
}

// Manifest lists the files of the last build.
type Manifest struct {
	FormatVersion string          `json:"format_version"`
	Generator     string          `json:"generator"`
	Files         []ManifestEntry `json:"files"`
}

// ManifestEntry is one file of the manifest.
type ManifestEntry struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// PathError is an output path kpgen refuses to write: outside the output
// directory, through a symbolic link, or where a directory or file is in
// the way.
type PathError struct {
	Path   string
	Reason string
}

func (e *PathError) Error() string { return fmt.Sprintf("%s: %s", e.Path, e.Reason) }

// Result says what a write did.
type Result struct {
	Written, Unchanged, Removed []string
}

// CheckPath refuses a relative output path that could leave the output
// directory or name it in more than one way.
func CheckPath(p string) error {
	switch {
	case p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, `\`):
		return &PathError{p, "not a relative slash-separated path"}
	case path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../") || p == "..":
		return &PathError{p, "not a clean path inside the output directory"}
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." || seg == "" {
			return &PathError{p, "not a clean path inside the output directory"}
		}
	}
	return nil
}

// manifestFor lists files, sorted by path.
func manifestFor(files []File, kept []ManifestEntry) *Manifest {
	m := &Manifest{FormatVersion: "1", Generator: "kpgen", Files: append([]ManifestEntry{}, kept...)}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		m.Files = append(m.Files, ManifestEntry{Path: f.Path, SHA256: hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(m.Files, func(a, b ManifestEntry) int { return strings.Compare(a.Path, b.Path) })
	return m
}

func (m *Manifest) encode() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		panic("output: " + err.Error())
	}
	return buf.Bytes()
}

// WithManifest returns files, sorted by path, with the manifest that lists
// them added: everything a build writes.
func WithManifest(files []File) []File {
	return withManifest(files, nil)
}

// withManifest also lists kept entries of a previous manifest: files of
// kinds this build did not make.
func withManifest(files []File, kept []ManifestEntry) []File {
	out := slices.Clone(files)
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return append(out, File{Path: ManifestName, Data: manifestFor(files, kept).encode()})
}

// ReadManifest reads the manifest of a previous build in dir. A directory
// without one has an empty manifest. Entries whose paths could leave the
// directory are refused: kpgen never removes a file outside it.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{}, nil
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s is not a kpgen manifest: %w", filepath.Join(dir, ManifestName), err)
	}
	for _, e := range m.Files {
		if err := CheckPath(e.Path); err != nil || e.Path == ManifestName {
			return nil, fmt.Errorf("%s lists %q, which kpgen never writes; remove the entry or the manifest", filepath.Join(dir, ManifestName), e.Path)
		}
	}
	return &m, nil
}

// Lock takes an exclusive lock on the output directory (created if needed),
// so that two builds into one directory run one after the other. The lock is
// on the directory itself: no lock file is left behind.
func Lock(dir string) (unlock func(), err error) {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, &PathError{dir, "the output directory is a file"}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	l := flock.New(dir, flock.SetFlag(os.O_RDONLY))
	if err := l.Lock(); err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() { _ = l.Unlock() }, nil
}

// Write makes dir hold files (and their manifest): files whose content is
// unchanged are not rewritten; files of the previous manifest that are no
// longer produced are removed, except those keep selects, which stay listed;
// nothing else in dir is touched. Every write is atomic. The caller holds
// the lock.
func Write(dir string, files []File, keep func(path string) bool) (*Result, error) {
	prev, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	var kept []ManifestEntry
	for _, e := range prev.Files {
		if keep != nil && keep(e.Path) {
			kept = append(kept, e)
		}
	}
	all := withManifest(files, kept)
	res := &Result{}
	produced := map[string]bool{}
	for _, e := range kept {
		produced[e.Path] = true
	}
	for _, f := range all {
		if err := CheckPath(f.Path); err != nil {
			return nil, err
		}
		produced[f.Path] = true
		target, err := safeTarget(dir, f.Path)
		if err != nil {
			return nil, err
		}
		old, err := os.ReadFile(target)
		if err == nil && bytes.Equal(old, f.Data) {
			if f.Path != ManifestName {
				res.Unchanged = append(res.Unchanged, f.Path)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return nil, err
		}
		// A directory may have been created by MkdirAll above; check the
		// path again before writing through it.
		if _, err := safeTarget(dir, f.Path); err != nil {
			return nil, err
		}
		if err := WriteFileAtomic(target, f.Data, 0o644); err != nil {
			return nil, err
		}
		if f.Path != ManifestName {
			res.Written = append(res.Written, f.Path)
		}
	}
	removeStaleTemps(dir, all)
	for _, e := range prev.Files {
		if produced[e.Path] {
			continue
		}
		target, err := safeTarget(dir, e.Path)
		if err != nil {
			return nil, err
		}
		fi, err := os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			continue // not a file kpgen wrote
		}
		if err := os.Remove(target); err != nil {
			return nil, err
		}
		res.Removed = append(res.Removed, e.Path)
		removeEmptyParents(dir, path.Dir(e.Path))
	}
	return res, nil
}

// removeStaleTemps removes the temporary files a killed build left in the
// directories this build writes to: only files named like kpgen's own
// temporary files (.NAME.kpgen-tmp-RANDOM), only regular files.
func removeStaleTemps(dir string, files []File) {
	seen := map[string]bool{}
	for _, f := range files {
		d := path.Dir(f.Path)
		if seen[d] {
			continue
		}
		seen[d] = true
		full := filepath.Join(dir, filepath.FromSlash(d))
		entries, err := os.ReadDir(full)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), TempMarker) && e.Type().IsRegular() {
				_ = os.Remove(filepath.Join(full, e.Name()))
			}
		}
	}
}

// safeTarget is the filesystem path of a relative output path, after making
// sure that no part of it inside dir is a symbolic link and that it is not a
// directory.
func safeTarget(dir, rel string) (string, error) {
	segs := strings.Split(rel, "/")
	cur := dir
	for i, seg := range segs {
		cur = filepath.Join(cur, seg)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.Join(dir, filepath.FromSlash(rel)), nil
		}
		if err != nil {
			return "", err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return "", &PathError{filepath.Join(dir, rel), "a symbolic link is in the way; kpgen never writes through one"}
		case i < len(segs)-1 && !fi.IsDir():
			return "", &PathError{filepath.Join(dir, rel), fmt.Sprintf("%s is a file, not a directory", cur)}
		case i == len(segs)-1 && fi.IsDir():
			return "", &PathError{filepath.Join(dir, rel), "a directory is in the way"}
		}
	}
	return filepath.Join(dir, filepath.FromSlash(rel)), nil
}

// removeEmptyParents removes the now-empty directories a removed file leaves
// behind, up to (not including) dir.
func removeEmptyParents(dir, rel string) {
	for rel != "." && rel != "/" && rel != "" {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			return // not empty, or not ours to remove
		}
		rel = path.Dir(rel)
	}
}

// Diff compares what a build would write with what dir holds and returns a
// unified diff of every managed file that differs, is missing, or is listed
// in the manifest but no longer produced. An empty result means dir is
// current.
func Diff(dir string, files []File) (string, error) {
	prev, err := ReadManifest(dir)
	if err != nil {
		return "", err
	}
	all := WithManifest(files)
	produced := map[string]bool{}
	var out strings.Builder
	for _, f := range all {
		produced[f.Path] = true
		target, err := safeTarget(dir, f.Path)
		if err != nil {
			return "", err
		}
		old, err := os.ReadFile(target)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		from := "a/" + f.Path
		if err != nil {
			from = "/dev/null"
		}
		if err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		out.WriteString(unified(from, "b/"+f.Path, old, f.Data))
	}
	for _, e := range prev.Files {
		if produced[e.Path] {
			continue
		}
		target, err := safeTarget(dir, e.Path)
		if err != nil {
			return "", err
		}
		old, err := os.ReadFile(target)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		out.WriteString(unified("a/"+e.Path, "/dev/null", old, nil))
	}
	return out.String(), nil
}

func unified(from, to string, a, b []byte) string {
	d := difflib.UnifiedDiff{
		A:        difflib.SplitLines(string(a)),
		B:        difflib.SplitLines(string(b)),
		FromFile: from,
		ToFile:   to,
		Context:  3,
	}
	if len(a) == 0 {
		d.A = nil
	}
	if len(b) == 0 {
		d.B = nil
	}
	s, err := difflib.GetUnifiedDiffString(d)
	if err != nil {
		return fmt.Sprintf("--- %s\n+++ %s\n(cannot diff: %v)\n", from, to, err)
	}
	return s
}
