package output

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/gofrs/flock"
	"github.com/hashicorp/hcl/v2"
	"github.com/pmezard/go-difflib/difflib"

	"github.com/kpgen/kpgen/internal/par"
)

// ManifestName is the file in the output directory that lists every file
// kpgen wrote there, with its sha256.
const ManifestName = "kpgen.manifest.json"

// File is one output file: a slash-separated path relative to the output
// directory, and its content. Generators may give Render instead of Data:
// it makes the content when the file is written or compared, so that a
// build holds one large file at a time rather than all of them, and renders
// them on every CPU.
type File struct {
	Path   string
	Data   []byte
	Render func() []byte
	// Source is the block of the spec the file comes from, for
	// diagnostics about it; empty when there is none.
	Source hcl.Range
}

// Content returns the file's content, rendering it if need be.
func (f File) Content() []byte {
	if f.Render != nil {
		return f.Render()
	}
	return f.Data
}

// Manifest lists the files of the last build.
type Manifest struct {
	FormatVersion string          `json:"format_version"`
	Generator     string          `json:"generator"`
	Files         []ManifestEntry `json:"files"`
	// Pending lists the output paths, beyond Files, beside which a build
	// that has not finished may have left temporary files: those of the
	// files it was about to create. A finished build leaves none, but
	// those beside which a temporary file could not be removed.
	Pending []string `json:"pending,omitempty"`
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

// Error names the path and why kpgen will not write it.
func (e *PathError) Error() string { return fmt.Sprintf("%s: %s", e.Path, e.Reason) }

// Result says what a write did.
type Result struct {
	Written, Unchanged, Removed []string
	// Kept lists the files of the previous manifest that are no longer
	// made but were left in place: they changed since kpgen wrote them,
	// or, for those Blocked names, kpgen could not reach them.
	Kept []string
	// Blocked says, for a kept file, what stands in its way (a symbolic
	// link, or a file where a directory was).
	Blocked map[string]string
	// Manifest is the sha256 of the manifest the write left.
	Manifest string
}

// CheckPath refuses a relative output path that could leave the output
// directory or name it in more than one way.
func CheckPath(p string) error {
	switch {
	case p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, `\`):
		return &PathError{p, "not a relative slash-separated path"}
	case path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../") || p == "..":
		return &PathError{p, "not a clean path inside the output directory"}
	case strings.ContainsFunc(p, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }):
		// kpgen's names never hold one; printed, it could act on a
		// terminal or a CI log.
		return &PathError{strconv.QuoteToASCII(p), "a path with a control character"}
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." || seg == "" {
			return &PathError{p, "not a clean path inside the output directory"}
		}
	}
	return nil
}

// manifestOf lists files, sorted by path.
func manifestOf(entries []ManifestEntry) *Manifest {
	m := &Manifest{FormatVersion: "1", Generator: "kpgen", Files: append([]ManifestEntry{}, entries...)}
	slices.SortFunc(m.Files, func(a, b ManifestEntry) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.SHA256, b.SHA256))
	})
	return m
}

func entryOf(path string, data []byte) ManifestEntry {
	sum := sha256.Sum256(data)
	return ManifestEntry{Path: path, SHA256: hex.EncodeToString(sum[:])}
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

// maxManifest is the largest manifest kpgen reads: a build of 10,000
// applications lists about 210,000 files in about 30 MB.
const maxManifest = 256 << 20

// readManifestFile returns the bytes of dir's manifest, nil if there is
// none. The manifest must be a regular file, not a symbolic link or a
// device, and no larger than maxManifest.
func readManifestFile(dir string) ([]byte, error) {
	name := filepath.Join(dir, ManifestName)
	fi, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &PathError{name, "the manifest is not a regular file; kpgen reads and writes only its own manifest"}
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifest {
		return nil, &PathError{name, fmt.Sprintf("larger than %d MiB, so not a kpgen manifest", maxManifest>>20)}
	}
	return data, nil
}

// ReadManifest reads the manifest of a previous build in dir. A directory
// without one has an empty manifest. Entries whose paths could leave the
// directory are refused: kpgen never removes a file outside it.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := readManifestFile(dir)
	if err != nil {
		return nil, err
	}
	return decodeManifest(dir, data)
}

// decodeManifest decodes the bytes of dir's manifest, nil for none, and
// checks them as ReadManifest does.
func decodeManifest(dir string, data []byte) (*Manifest, error) {
	if data == nil {
		return &Manifest{}, nil
	}
	name := filepath.Join(dir, ManifestName)
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s is not a kpgen manifest (%w). If kpgen wrote it, move it aside and build again: kpgen then refuses every file it did not write, and names them", name, err)
	}
	if m.FormatVersion != "1" || m.Generator != "kpgen" {
		return nil, fmt.Errorf("%s has format_version %q and generator %q; this kpgen reads its manifest format 1 only. Build with the kpgen that wrote it, or with a newer one", name, m.FormatVersion, m.Generator)
	}
	paths := slices.Clone(m.Pending)
	for _, e := range m.Files {
		paths = append(paths, e.Path)
	}
	for _, p := range paths {
		if err := CheckPath(p); err != nil || p == ManifestName {
			return nil, fmt.Errorf("%s lists %q, which kpgen never writes; remove the entry or the manifest", filepath.Join(dir, ManifestName), p)
		}
	}
	return &m, nil
}

// checkOutputDir refuses an output directory that is a symbolic link (with
// or without a trailing slash) or not a directory. A directory that does not
// exist yet is fine.
func checkOutputDir(dir string) error {
	fi, err := os.Lstat(filepath.Clean(dir))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return &PathError{dir, "the output directory is a symbolic link; kpgen never writes through one, so name the directory it points to"}
	case !fi.IsDir():
		return &PathError{dir, "the output directory is a file"}
	}
	return nil
}

// Lock takes an exclusive lock on the output directory (created if needed),
// so that two builds into one directory run one after the other. The lock is
// on the directory itself: no lock file is left behind, and the directory
// stays when the lock is released, even empty, since another build may be
// waiting for its lock. An output directory that is a symbolic link is
// refused, as any link inside it.
func Lock(dir string) (unlock func(), err error) {
	dir = filepath.Clean(dir)
	if err := checkOutputDir(dir); err != nil {
		return nil, err
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
// longer produced are removed, except those keep selects, which stay listed,
// and those that changed since kpgen wrote them, which stay unlisted (Kept).
// A file that kpgen did not write (not in the previous manifest) is never
// replaced: files in the way of outputs are an error, unless they already
// hold exactly those outputs; so is anything but a regular file. The caller
// holds the lock.
//
// Every file is written atomically: its content goes to a temporary file in
// its own directory; once all of them are written, they are made durable
// together, then renamed over their targets, and the renames made durable.
// A reader, a crash or a kill sees each file whole, old or new. Before the
// first temporary file of a path it does not list, the manifest names the
// path as pending; before the renames, it lists the previous build's
// entries and each file about to be written with its new content; only once
// the files no longer made and the temporary files left behind are removed
// does it list this build's alone. A build killed or failing halfway thus
// leaves only files the next one owns, whichever content each holds, the
// files it no longer makes still listed, and temporary files only beside
// paths the manifest names; the next build removes them.
func Write(dir string, files []File, keep func(path string) bool) (*Result, error) {
	prevData, err := readManifestFile(dir)
	if err != nil {
		return nil, err
	}
	prev, err := decodeManifest(dir, prevData)
	if err != nil {
		return nil, err
	}
	if err := checkPaths(files); err != nil {
		return nil, err
	}
	var kept []ManifestEntry
	produced := map[string]bool{ManifestName: true}
	for _, f := range files {
		produced[f.Path] = true
	}
	mtarget := filepath.Join(dir, ManifestName)
	// Before any temporary file exists beside a path the manifest does not
	// list, the manifest names it as pending: a build killed from here on
	// leaves no temporary file that the next one cannot find and remove.
	pending := pendingPaths(prev, files)
	restore := func() {}
	if len(pending) > len(prev.Pending) {
		marked := manifestOf(prev.Files)
		marked.Pending = pending
		if err := WriteFileAtomic(mtarget, marked.encode(), 0); err != nil {
			return nil, err
		}
		// A build that fails before it writes anything leaves the
		// manifest as it found it, byte for byte.
		restore = func() {
			if prevData == nil {
				_ = os.Remove(mtarget)
			} else {
				_ = WriteFileAtomic(mtarget, prevData, 0)
			}
		}
	}
	owned := prev.owner(dir)
	entriesOf := prev.byPath()
	for _, e := range prev.Files {
		// A file written again is listed with its new content, not kept.
		if keep != nil && keep(e.Path) && !produced[e.Path] {
			if k, ok := keptEntry(dir, entriesOf, e.Path); ok {
				kept = append(kept, k)
			}
			produced[e.Path] = true
		}
	}

	// Render, compare and write the temporary files on every CPU.
	type outcome struct {
		entry   ManifestEntry
		target  string
		temp    string // "" when the file is unchanged
		existed bool   // a file was at target before
		err     error
	}
	dirs := &dirCache{root: dir, ok: map[string]bool{}}
	made := &madeDirs{}
	results := make([]outcome, len(files))
	par.Each(len(files), func(i int) {
		f := files[i]
		data := f.Content()
		results[i].entry = entryOf(f.Path, data)
		target, err := dirs.target(f.Path)
		if err != nil {
			results[i].err = err
			return
		}
		old, rerr := os.ReadFile(target)
		switch {
		case rerr == nil && bytes.Equal(old, data):
			return
		case rerr == nil && !owned(f.Path, target):
			results[i].err = errInTheWay
			results[i].target = target
			return
		case rerr != nil && !errors.Is(rerr, fs.ErrNotExist):
			results[i].err = rerr
			return
		}
		results[i].target, results[i].existed = target, rerr == nil
		// A file replaced keeps its mode, owner and group, as an editor
		// keeps them; a new file gets what the umask leaves.
		var replaced fs.FileInfo
		if rerr == nil {
			replaced, _ = os.Stat(target)
		}
		if results[i].err = made.mkdirAll(filepath.Dir(target)); results[i].err == nil {
			results[i].temp, results[i].err = writeTemp(target, data, replaced)
		}
	})
	var temps, targets []string
	var existed []bool
	for _, r := range results {
		if r.temp != "" {
			temps, targets, existed = append(temps, r.temp), append(targets, r.target), append(existed, r.existed)
		}
	}
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
		made.removeEmpty()
		restore()
	}
	// Everything in the way is named at once: files kpgen did not write,
	// and links, directories or devices where an output goes.
	var inTheWay []string
	var blocked []*PathError
	for _, r := range results {
		var pe *PathError
		switch {
		case errors.Is(r.err, errInTheWay):
			inTheWay = append(inTheWay, r.target)
		case errors.As(r.err, &pe):
			blocked = append(blocked, pe)
		}
	}
	if len(inTheWay) > 0 || len(blocked) > 0 {
		cleanup()
		return nil, inTheWayError(inTheWay, blocked)
	}
	for _, r := range results {
		if r.err != nil {
			cleanup()
			return nil, r.err
		}
	}

	res := &Result{}
	entries := kept
	for i, r := range results {
		entries = append(entries, r.entry)
		if r.temp == "" {
			res.Unchanged = append(res.Unchanged, files[i].Path)
		} else {
			res.Written = append(res.Written, files[i].Path)
		}
	}
	slices.Sort(res.Written)
	slices.Sort(res.Unchanged)
	// The files of the previous build that this one no longer makes: each
	// with every content the manifest says kpgen gave it.
	stale := prev.staleEntries(produced)
	if len(temps) > 0 || len(stale) > 0 {
		if len(temps) > 0 {
			if err := syncAll(dir, temps); err != nil {
				cleanup()
				return nil, fmt.Errorf("sync %s: %w", dir, err)
			}
		}
		// Until the renames and removals are done, the manifest lists the
		// previous entries and, beside them, each file about to be
		// written with its new content: a build killed or failing halfway
		// leaves only files the next build owns, whichever content each
		// holds, and the files it no longer makes still listed, so that
		// the next build removes them.
		interim := slices.Clone(prev.Files)
		had := make(map[ManifestEntry]bool, len(prev.Files))
		for _, e := range prev.Files {
			had[e] = true
		}
		for _, r := range results {
			if r.temp != "" && !had[r.entry] {
				interim = append(interim, r.entry)
			}
		}
		im := manifestOf(interim)
		im.Pending = pending
		if err := WriteFileAtomic(mtarget, im.encode(), 0); err != nil {
			cleanup()
			return nil, err
		}
		renamed := map[string]bool{}
		for i, t := range temps {
			if err := os.Rename(t, targets[i]); err != nil {
				// The files that appeared where there was none go again;
				// a replaced file keeps its new content, which the
				// manifest lists.
				for j := range i {
					if !existed[j] {
						os.Remove(targets[j])
					}
				}
				temps = temps[i:]
				restore = func() {} // the manifest lists what was renamed
				cleanup()
				return nil, err
			}
			renamed[filepath.Dir(t)] = true
		}
		if err := syncAll(dir, slices.Sorted(maps.Keys(renamed))); err != nil {
			return nil, fmt.Errorf("sync %s: %w", dir, err)
		}
		// Remove the files no longer made. One that cannot be removed
		// stays listed, so that a later build tries again.
		producedLower := make(map[string]string, len(files))
		for _, f := range files {
			producedLower[strings.ToLower(f.Path)] = f.Path
		}
		var rmErr error
		var keptEntries []ManifestEntry
		for _, p := range slices.Sorted(maps.Keys(stale)) {
			removed, keptIt, blocked, err := removeStale(dir, dirs, p, stale[p], producedLower)
			var these []ManifestEntry
			for _, sha := range stale[p] {
				these = append(these, ManifestEntry{Path: p, SHA256: sha})
			}
			switch {
			case err != nil:
				entries = append(entries, these...)
				rmErr = cmp.Or(rmErr, err)
			case keptIt:
				res.Kept = append(res.Kept, p)
				keptEntries = append(keptEntries, these...)
				if blocked != "" {
					if res.Blocked == nil {
						res.Blocked = map[string]string{}
					}
					res.Blocked[p] = blocked
				}
			case removed:
				res.Removed = append(res.Removed, p)
			}
		}
		if rmErr != nil {
			// The build fails before it can report what it kept: those
			// stay listed, so that the next build reports them.
			entries = append(entries, keptEntries...)
		}
		// The manifest stops naming pending paths only once no build's
		// temporary file is left beside them.
		final := manifestOf(entries)
		final.Pending = removeStaleTemps(dir, prev, produced)
		manifest := final.encode()
		res.Manifest = entryOf(ManifestName, manifest).SHA256
		if err := WriteFileAtomic(mtarget, manifest, 0); err != nil {
			return nil, err
		}
		if rmErr != nil {
			return nil, rmErr
		}
	} else {
		final := manifestOf(entries)
		final.Pending = removeStaleTemps(dir, prev, produced)
		manifest := final.encode()
		res.Manifest = entryOf(ManifestName, manifest).SHA256
		if old, err := os.ReadFile(mtarget); err != nil || !bytes.Equal(old, manifest) {
			if err := WriteFileAtomic(mtarget, manifest, 0); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// pendingPaths is the manifest's pending paths and, beside them, those of
// files it does not list: the paths beside which a build may leave
// temporary files that no entry of the manifest leads to. Sorted.
func pendingPaths(prev *Manifest, files []File) []string {
	listed := make(map[string]bool, len(prev.Files)+len(prev.Pending))
	for _, e := range prev.Files {
		listed[e.Path] = true
	}
	out := slices.Clone(prev.Pending)
	for _, p := range prev.Pending {
		listed[p] = true
	}
	for _, f := range files {
		if !listed[f.Path] {
			listed[f.Path] = true
			out = append(out, f.Path)
		}
	}
	slices.Sort(out)
	return out
}

// keptEntry is the manifest entry a build that leaves path alone (--only)
// keeps: of the entries the manifest has for it (byPath; two after a build
// that did not finish), the one whose content the file holds, else the
// last, as for a file edited since. ok is false when the file is missing,
// as when a killed build never got to write it.
func keptEntry(dir string, byPath map[string][]ManifestEntry, path string) (e ManifestEntry, ok bool) {
	all := byPath[path]
	full := filepath.Join(dir, filepath.FromSlash(path))
	if _, err := os.Lstat(full); errors.Is(err, fs.ErrNotExist) {
		return ManifestEntry{}, false
	}
	if len(all) > 1 {
		// Read only a regular file reached without a symbolic link: a
		// FIFO would block, a link lead out of the directory.
		if err := checkTarget(dir, path); err != nil {
			return all[len(all)-1], true
		}
		if data, err := os.ReadFile(full); err == nil {
			if i := slices.Index(all, entryOf(path, data)); i >= 0 {
				return all[i], true
			}
		}
	}
	return all[len(all)-1], true
}

// staleEntries gives, for each path the manifest lists and this build does
// not produce, every content the manifest says kpgen gave it.
func (m *Manifest) staleEntries(produced map[string]bool) map[string][]string {
	out := map[string][]string{}
	for _, e := range m.Files {
		if !produced[e.Path] {
			out[e.Path] = append(out[e.Path], e.SHA256)
		}
	}
	return out
}

// byPath indexes a manifest's entries by path.
func (m *Manifest) byPath() map[string][]ManifestEntry {
	out := make(map[string][]ManifestEntry, len(m.Files))
	for _, e := range m.Files {
		out[e.Path] = append(out[e.Path], e)
	}
	return out
}

// removeStale removes the file at output path p that this build no longer
// makes, if it still holds one of the contents kpgen gave it (shas). A
// file that changed since is kept; a link, directory or device there, or in
// the way to it, is not kpgen's to remove or follow, and it is kept too,
// with what blocked it.
func removeStale(dir string, dirs *dirCache, p string, shas []string, producedLower map[string]string) (removed, kept bool, blocked string, err error) {
	target, err := dirs.target(p)
	if err != nil {
		var pe *PathError
		if errors.As(err, &pe) {
			blocked = pe.Reason
		}
		return false, true, cmp.Or(blocked, err.Error()), nil
	}
	if q, ok := producedLower[strings.ToLower(p)]; ok && sameFile(target, filepath.Join(dir, filepath.FromSlash(q))) {
		// Renamed in case only, on a filesystem that ignores case (macOS,
		// Windows): the old name is the file just written.
		return false, false, "", nil
	}
	data, err := os.ReadFile(target)
	if errors.Is(err, fs.ErrNotExist) {
		// Gone already, perhaps removed by a build killed before it
		// removed the directories so left empty.
		removeEmptyParents(dir, path.Dir(p))
		return false, false, "", nil
	}
	if err != nil {
		return false, false, "", err
	}
	if !slices.Contains(shas, entryOf(p, data).SHA256) {
		return false, true, "", nil // changed since kpgen wrote it: someone else's now
	}
	if err := os.Remove(target); err != nil {
		return false, false, "", err
	}
	removeEmptyParents(dir, path.Dir(p))
	return true, false, "", nil
}

// owner returns a test of whether kpgen wrote the file at target, output
// path path, in dir: the manifest lists path, or lists a path that differs
// from it only in case and that is the same file, as on the filesystems of
// macOS and Windows.
func (m *Manifest) owner(dir string) func(path, target string) bool {
	exact := make(map[string]bool, len(m.Files))
	byLower := make(map[string]string, len(m.Files))
	for _, e := range m.Files {
		exact[e.Path] = true
		byLower[strings.ToLower(e.Path)] = e.Path
	}
	return func(path, target string) bool {
		if exact[path] {
			return true
		}
		listed, ok := byLower[strings.ToLower(path)]
		if !ok {
			return false
		}
		return sameFile(target, filepath.Join(dir, filepath.FromSlash(listed)))
	}
}

// errInTheWay marks an output whose path holds a file kpgen did not write.
var errInTheWay = errors.New("in the way")

// inTheWayError names every file kpgen did not write that stands where an
// output goes.
func inTheWayError(paths []string, blocked []*PathError) error {
	slices.Sort(paths)
	slices.SortFunc(blocked, func(a, b *PathError) int { return strings.Compare(a.Path, b.Path) })
	var errs []error
	switch len(paths) {
	case 0:
	case 1:
		errs = append(errs, &PathError{paths[0], "a file kpgen did not write is in the way; move it, or build into another directory"})
	default:
		errs = append(errs, &PathError{strings.Join(paths, ", "), fmt.Sprintf("%d files kpgen did not write are in the way; move them, or build into another directory", len(paths))})
	}
	for _, b := range blocked {
		errs = append(errs, b)
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// checkPaths refuses paths that could leave the output directory, and two
// files at one path.
func checkPaths(files []File) error {
	seen := map[string]bool{}
	for _, f := range files {
		if err := CheckPath(f.Path); err != nil {
			return err
		}
		if f.Path == ManifestName || seen[f.Path] {
			return &PathError{f.Path, "two outputs at one path"}
		}
		seen[f.Path] = true
	}
	return nil
}

// writeTemp writes data to a new temporary file beside target and returns
// its name, which holds TempMarker, so that a later build can remove it if
// this one is killed. The file gets the mode, and as far as the user may
// the owner and group, of old, the file it is to replace; when old is nil,
// what the umask leaves of 0666.
func writeTemp(target string, data []byte, old fs.FileInfo) (string, error) {
	var perm os.FileMode
	if old != nil {
		perm = old.Mode().Perm()
	}
	tmp, err := createTemp(filepath.Dir(target), filepath.Base(target), perm)
	if err != nil {
		return "", err
	}
	_, werr := tmp.Write(data)
	if werr == nil && old != nil {
		keepOwner(tmp, old)
		werr = tmp.Chmod(perm)
	}
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("write %s: %w", target, werr)
	}
	return tmp.Name(), nil
}

// madeDirs creates directories and remembers the ones it created, so that a
// write that fails can remove them again.
type madeDirs struct {
	mu    sync.Mutex
	dirs  []string
	known map[string]bool // directories known to exist
}

// mkdirAll makes dir and its missing parents.
func (m *madeDirs) mkdirAll(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.known[dir] {
		return nil
	}
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		m.dirs = append(m.dirs, missing[i])
	}
	if m.known == nil {
		m.known = map[string]bool{}
	}
	m.known[dir] = true
	return nil
}

// removeEmpty removes the directories mkdirAll created that are empty,
// deepest first.
func (m *madeDirs) removeEmpty() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.dirs) - 1; i >= 0; i-- {
		_ = os.Remove(m.dirs[i]) // only if empty
	}
	m.dirs = nil
}

// dirCache remembers the directories already checked for symbolic links.
type dirCache struct {
	root string
	mu   sync.Mutex
	ok   map[string]bool
}

// target checks a relative output path and returns its filesystem path.
func (c *dirCache) target(rel string) (string, error) {
	d := path.Dir(rel)
	c.mu.Lock()
	known := c.ok[d]
	c.mu.Unlock()
	if !known {
		if err := checkTarget(c.root, rel); err != nil {
			return "", err
		}
		if d != "." {
			c.mu.Lock()
			c.ok[d] = true
			c.mu.Unlock()
		}
		return filepath.Join(c.root, filepath.FromSlash(rel)), nil
	}
	// The directory is known to be safe; the file itself must be a regular
	// file, if anything.
	full := filepath.Join(c.root, filepath.FromSlash(rel))
	if err := leafError(full); err != nil {
		return "", err
	}
	return full, nil
}

// sameFile reports whether the paths a and b name one existing file. Most
// filesystems that ignore case give the file one inode whatever the
// spelling; some give each spelling its own (exFAT through FUSE, CIFS
// without server inode numbers), so paths that differ only in case are also
// one file when their directories list one entry for them.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false
	}
	return os.SameFile(fa, fb) || oneEntry(a, b, readDirNames)
}

// readDirNames lists the names in directory dir.
func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// oneEntry reports whether the existing paths a and b, which differ only in
// case, lead through the same directory entries: where a name of one
// differs from the other's, the directory does not list both spellings.
// A directory that cannot be listed answers no.
func oneEntry(a, b string, list func(dir string) ([]string, error)) bool {
	if a == b || !strings.EqualFold(a, b) {
		return a == b
	}
	pa := strings.Split(filepath.ToSlash(a), "/")
	pb := strings.Split(filepath.ToSlash(b), "/")
	if len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		if pa[i] == pb[i] {
			continue
		}
		dir := strings.Join(pa[:i], "/")
		switch {
		case i == 0:
			dir = "."
		case dir == "":
			dir = "/"
		}
		names, err := list(filepath.FromSlash(dir))
		if err != nil || (slices.Contains(names, pa[i]) && slices.Contains(names, pb[i])) {
			return false
		}
	}
	return true
}

// removeStaleTemps removes the temporary files a killed build left beside
// the outputs the previous manifest lists or names as pending, and the
// manifest's own: only regular files named exactly as kpgen names the
// temporary file of one of them (.NAME.kpgen-tmp-DIGITS), never one of the
// outputs; then the directories that leaves empty, and those a killed build
// made for pending paths this build does not make (produced). It returns
// the output paths beside which a temporary file could not be removed, for
// the manifest to go on naming as pending.
func removeStaleTemps(dir string, prev *Manifest, produced map[string]bool) []string {
	var left []string
	for _, t := range leftoverTemps(dir, prev) {
		rel, err := filepath.Rel(dir, filepath.Dir(t))
		if err != nil {
			continue // never: t is inside dir
		}
		rel = filepath.ToSlash(rel)
		if os.Remove(t) != nil {
			base := filepath.Base(t)
			name := base[1:strings.LastIndex(base, TempMarker)] // as isTempOf reads it
			if p := path.Join(rel, name); p != ManifestName {
				// The manifest's own are looked for on every build.
				left = append(left, p)
			}
			continue
		}
		removeEmptyParents(dir, rel)
	}
	for _, p := range prev.Pending {
		if produced[p] {
			continue
		}
		// From the deepest of its directories that exists, reached
		// through directories only.
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if plainDir(dir, d) {
				removeEmptyParents(dir, d)
				break
			}
		}
	}
	slices.Sort(left)
	return slices.Compact(left)
}

// leftoverTemps lists the temporary files a build that did not finish left
// beside the outputs the previous manifest (prev) lists or names as
// pending, and the manifest's own. A build names a path in the manifest
// before it makes a temporary file beside it, so these are the only places
// kpgen's can be: a file of the same form anywhere else is not kpgen's, and
// stays.
func leftoverTemps(dir string, prev *Manifest) []string {
	paths := make([]string, 0, len(prev.Files)+len(prev.Pending))
	for _, e := range prev.Files {
		paths = append(paths, e.Path)
	}
	paths = append(paths, prev.Pending...)
	return staleTemps(dir, paths)
}

// staleTemps lists the temporary files of a build that did not finish in
// the directories of the output paths: regular files named as kpgen names
// the temporary file of one of them, or of the manifest
// (.NAME.kpgen-tmp-DIGITS), that are not themselves outputs. Nothing else in
// the output directory is taken for kpgen's.
func staleTemps(dir string, paths []string) []string {
	names := map[string]map[string]bool{".": {ManifestName: true}} // directory → output names
	for _, p := range paths {
		d, name := path.Split(p)
		d = path.Clean(d)
		if names[d] == nil {
			names[d] = map[string]bool{}
		}
		names[d][name] = true
	}
	dirs := slices.Sorted(maps.Keys(names))
	found := make([][]string, len(dirs))
	par.Each(len(dirs), func(i int) {
		outs := names[dirs[i]]
		full := filepath.Join(dir, filepath.FromSlash(dirs[i]))
		if !plainDir(dir, dirs[i]) {
			return // kpgen never reads or removes through a symbolic link
		}
		entries, err := os.ReadDir(full)
		if err != nil {
			return
		}
		for _, e := range entries {
			if n := e.Name(); !outs[n] && e.Type().IsRegular() && isTempOf(n, outs) {
				found[i] = append(found[i], filepath.Join(full, n))
			}
		}
	})
	return slices.Concat(found...)
}

// plainDir reports whether rel, a clean slash-separated path under dir, is
// a directory reached through directories only: no symbolic link on the
// way.
func plainDir(dir, rel string) bool {
	if rel == "." {
		return true
	}
	cur := dir
	for _, seg := range strings.Split(rel, "/") {
		cur = filepath.Join(cur, seg)
		fi, err := os.Lstat(cur)
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// isTempOf reports whether name is that of a temporary file createTemp
// made for one of outs: "." + OUT + TempMarker + decimal digits.
func isTempOf(name string, outs map[string]bool) bool {
	i := strings.LastIndex(name, TempMarker)
	if i < 1 || name[0] != '.' || !outs[name[1:i]] {
		return false
	}
	digits := name[i+len(TempMarker):]
	return digits != "" && strings.Trim(digits, "0123456789") == ""
}

// checkTarget makes sure that no part of relative output path rel inside dir
// is a symbolic link and that what stands at the path, if anything, is a
// regular file.
func checkTarget(dir, rel string) error {
	full := filepath.Join(dir, filepath.FromSlash(rel))
	segs := strings.Split(rel, "/")
	cur := dir
	for _, seg := range segs[:len(segs)-1] {
		cur = filepath.Join(cur, seg)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return &PathError{full, "a symbolic link is in the way; kpgen never writes through one"}
		case !fi.IsDir():
			return &PathError{full, fmt.Sprintf("%s is a file, not a directory", cur)}
		}
	}
	return leafError(full)
}

// leafError says what is wrong with what stands where an output goes: a
// symbolic link, a directory, anything but a regular file. Nothing, or a
// regular file, is fine.
func leafError(full string) error {
	fi, err := os.Lstat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return &PathError{full, "a symbolic link is in the way; kpgen never writes through one"}
	case fi.IsDir():
		return &PathError{full, "a directory is in the way"}
	case !fi.Mode().IsRegular():
		return &PathError{full, "something that is not a regular file is in the way"}
	}
	return nil
}

// removeEmptyParents removes the now-empty directories a removed file leaves
// behind, from rel up to (not including) dir, climbing past those already
// gone. It stops at anything that is not an empty directory: a symbolic link
// is never removed.
func removeEmptyParents(dir, rel string) {
	for rel != "." && rel != "/" && rel != "" {
		full := filepath.Join(dir, filepath.FromSlash(rel))
		fi, err := os.Lstat(full)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil || !fi.IsDir():
			return // not ours to remove
		case os.Remove(full) != nil:
			return // not empty
		}
		rel = path.Dir(rel)
	}
}

// Diff compares what a build would write with what dir holds and returns a
// unified diff of every managed file that differs, is missing, or is listed
// in the manifest but no longer produced (and still holds what kpgen wrote:
// a build would remove it). An empty result means dir is current. What a
// build would refuse (a symbolic link, a file kpgen did not write in the way)
// is an error here too. Files of the previous build that keep selects are
// compared as a build with the same keep would leave them: listed, in place.
func Diff(dir string, files []File, keep func(path string) bool) (string, error) {
	if err := checkOutputDir(dir); err != nil {
		return "", err
	}
	prev, err := ReadManifest(dir)
	if err != nil {
		return "", err
	}
	if err := checkPaths(files); err != nil {
		return "", err
	}
	owned := prev.owner(dir)
	diffs := make([]string, len(files))
	errs := make([]error, len(files))
	targets := make([]string, len(files))
	entries := make([]ManifestEntry, len(files))
	dirs := &dirCache{root: dir, ok: map[string]bool{}}
	par.Each(len(files), func(i int) {
		data := files[i].Content()
		entries[i] = entryOf(files[i].Path, data)
		diffs[i], targets[i], errs[i] = diffFile(dirs, files[i].Path, data, func(target string) bool { return owned(files[i].Path, target) })
	})
	var inTheWay []string
	var blocked []*PathError
	for i := range files {
		var pe *PathError
		switch {
		case errors.Is(errs[i], errInTheWay):
			inTheWay = append(inTheWay, targets[i])
		case errors.As(errs[i], &pe):
			blocked = append(blocked, pe)
		}
	}
	if len(inTheWay) > 0 || len(blocked) > 0 {
		return "", inTheWayError(inTheWay, blocked)
	}
	var out strings.Builder
	for i := range files {
		if errs[i] != nil {
			return "", errs[i]
		}
		out.WriteString(diffs[i])
	}
	produced := map[string]bool{ManifestName: true}
	for _, f := range files {
		produced[f.Path] = true
	}
	entriesOf := prev.byPath()
	for _, e := range prev.Files {
		if keep != nil && keep(e.Path) && !produced[e.Path] {
			if k, ok := keptEntry(dir, entriesOf, e.Path); ok {
				entries = append(entries, k)
			}
			produced[e.Path] = true
		}
	}
	d, _, err := diffFile(dirs, ManifestName, manifestOf(entries).encode(), func(string) bool { return true })
	if err != nil {
		return "", err
	}
	out.WriteString(d)
	stale := prev.staleEntries(produced)
	for _, p := range slices.Sorted(maps.Keys(stale)) {
		target, err := dirs.target(p)
		if err != nil {
			continue // not a file: a build keeps it
		}
		old, err := os.ReadFile(target)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if !slices.Contains(stale[p], entryOf(p, old).SHA256) {
			continue // changed since kpgen wrote it: a build keeps it
		}
		out.WriteString(unified("a/"+p, "/dev/null", old, nil))
	}
	for _, t := range leftoverTemps(dir, prev) {
		fmt.Fprintf(&out, "Only in %s: %s (a temporary file of a build that did not finish; kpgen build removes it)\n", filepath.Dir(t), filepath.Base(t))
	}
	return out.String(), nil
}

// diffFile is the unified diff of one file on disk against what it should
// hold; "" when they are the same. A file that differs and that kpgen does
// not own is errInTheWay, with its filesystem path.
func diffFile(dirs *dirCache, rel string, data []byte, owned func(target string) bool) (diff, target string, err error) {
	target, err = dirs.target(rel)
	if err != nil {
		return "", "", err
	}
	old, err := os.ReadFile(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return unified("/dev/null", "b/"+rel, nil, data), target, nil
	case err != nil:
		return "", target, err
	case bytes.Equal(old, data):
		return "", target, nil
	case !owned(target):
		return "", target, errInTheWay
	}
	return unified("a/"+rel, "b/"+rel, old, data), target, nil
}

func unified(from, to string, a, b []byte) string {
	d := difflib.UnifiedDiff{
		A:        lines(a),
		B:        lines(b),
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

// lines splits text into lines that keep their line feeds. difflib's own
// SplitLines adds an empty last line to text that ends in one, which makes
// a diff that patch cannot apply. A last line without a line feed carries
// the unified diff's marker for it.
func lines(text []byte) []string {
	ls := strings.SplitAfter(string(text), "\n")
	if ls[len(ls)-1] == "" {
		return ls[:len(ls)-1]
	}
	ls[len(ls)-1] += "\n\\ No newline at end of file\n"
	return ls
}

// Current reports whether dir holds exactly what its manifest lists: every
// file there with the content the manifest's sha256 says, and returns the
// manifest's own sha256 and how many files it lists. A build whose inputs
// have not changed since the one that wrote dir can stop there.
func Current(dir string) (ok bool, manifestSHA string, files int) {
	data, err := readManifestFile(dir)
	if err != nil || data == nil {
		return false, "", 0
	}
	m, err := decodeManifest(dir, data)
	if err != nil || len(m.Files) == 0 || len(m.Pending) > 0 {
		return false, "", 0
	}
	bad := make([]bool, len(m.Files))
	dirs := &dirCache{root: dir, ok: map[string]bool{}}
	par.Each(len(m.Files), func(i int) {
		e := m.Files[i]
		target, err := dirs.target(e.Path)
		if err != nil {
			bad[i] = true
			return
		}
		got, err := os.ReadFile(target)
		bad[i] = err != nil || entryOf(e.Path, got).SHA256 != e.SHA256
	})
	if slices.Contains(bad, true) {
		return false, "", 0
	}
	// A build that did not finish may have left temporary files, which
	// the next build removes.
	paths := make([]string, len(m.Files))
	for i, e := range m.Files {
		paths[i] = e.Path
	}
	if len(staleTemps(dir, paths)) > 0 {
		return false, "", 0
	}
	return true, entryOf(ManifestName, data).SHA256, len(m.Files)
}
