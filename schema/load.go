package schema

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/diag"
)

// FileSuffix is the suffix of the files that make up a spec.
const FileSuffix = ".kp.hcl"

// MaxFileSize is the largest spec file kpgen reads. Larger files are refused
// before they are read: a spec of 2,000 applications is under 2 MiB, and
// HCL's parser needs hundreds of bytes of memory per byte of a file crafted
// to be all tokens.
const MaxFileSize = 4 << 20

// IOError is an error reading the spec directory itself (as opposed to a
// mistake in the spec): the command exits 2.
type IOError struct{ Err error }

// Error is the error reading the directory.
func (e *IOError) Error() string { return e.Err.Error() }

// Unwrap returns the error reading the directory.
func (e *IOError) Unwrap() error { return e.Err }

// Load reads every *.kp.hcl file of dir, in name order, as one spec. Mistakes
// in the spec come back as diagnostics; a directory that cannot be read comes
// back as an *IOError.
func Load(dir string) (*Spec, diag.Diagnostics, error) {
	names, srcs, diags, err := Read(dir)
	if err != nil || diags.HasErrors() {
		return nil, diags, err
	}
	spec, diags := Parse(dir, names, srcs)
	return spec, diags, nil
}

// Read returns the names and contents of the spec files of dir, in name
// order. A file over MaxFileSize is refused, unread, with a diagnostic; so is
// anything but a regular file: a symbolic link could show the text of any
// file the reader may read (credentials, /proc/self/environ) in a
// diagnostic's snippet, and a device or FIFO could fill memory or block.
func Read(dir string) ([]string, [][]byte, diag.Diagnostics, error) {
	names, err := specFiles(dir)
	if err != nil {
		return nil, nil, nil, &IOError{err}
	}
	srcs := make([][]byte, len(names))
	var diags diag.Diagnostics
	for i, name := range names {
		path := displayPath(dir, name)
		at := hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos}
		fi, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, nil, &IOError{err}
		}
		if !fi.Mode().IsRegular() {
			diags = diags.Errorf(at, "Spec file is not a regular file",
				"%s is a symbolic link or a special file; kpgen reads only regular spec files. Put the spec itself in the directory.", path)
			continue
		}
		if fi.Size() > MaxFileSize {
			diags = diags.Errorf(at, "Spec file too large", "%s is %d bytes; kpgen reads spec files of at most %d bytes. Split the spec into several *%s files.",
				path, fi.Size(), MaxFileSize, FileSuffix)
			continue
		}
		src, err := readAtMost(filepath.Join(dir, name), MaxFileSize)
		if err != nil {
			var fe *fs.PathError
			if errors.As(err, &fe) {
				err = fe.Err
			}
			return nil, nil, nil, &IOError{fmt.Errorf("cannot read spec file %s: %w; make it readable, or move it out of the spec directory", path, err)}
		}
		if len(src) > MaxFileSize {
			diags = diags.Errorf(at, "Spec file too large", "%s has grown over %d bytes while kpgen read it. Split the spec into several *%s files.",
				path, MaxFileSize, FileSuffix)
			continue
		}
		srcs[i] = src
	}
	return names, srcs, diags, nil
}

// readAtMost reads a file, but no more than limit+1 bytes of it.
func readAtMost(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

func noSpecFiles(dir string) *diag.Diagnostic {
	detail := fmt.Sprintf("%s holds no *%s file. Write one (kpgen init writes a starter spec) or name the directory that holds the spec.", dir, FileSuffix)
	if misnamed := misnamedSpecs(dir); len(misnamed) > 0 {
		detail = fmt.Sprintf("%s holds no *%s file, but %s holds a kpgen block: kpgen reads only files whose names end in %s. Rename it to %s.",
			dir, FileSuffix, strconv.Quote(misnamed[0]), FileSuffix, strconv.Quote(strings.TrimSuffix(misnamed[0], ".hcl")+FileSuffix))
	}
	return diag.New(diag.Error, hcl.Range{}, "No spec files", detail)
}

// kpgenBlock is the start of a spec's kpgen block, at the start of a line.
var kpgenBlock = regexp.MustCompile(`(?m)^[ \t]*kpgen[ \t]*\{`)

// misnamedSpecs lists the *.hcl files of dir that hold a kpgen block, in
// name order: specs saved under the wrong name, rather than the HCL of
// Terraform, Packer or another tool.
func misnamedSpecs(dir string) []string {
	entries, err := os.ReadDir(cmp.Or(dir, "."))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".hcl") || !e.Type().IsRegular() {
			continue
		}
		src, err := readAtMost(filepath.Join(dir, e.Name()), MaxFileSize)
		if err == nil && kpgenBlock.Match(src) {
			out = append(out, e.Name())
		}
	}
	return out
}

var crlf = []byte("\r\n")

// Parse reads spec files already in memory; names are file names inside dir,
// used in diagnostics.
func Parse(dir string, names []string, srcs [][]byte) (*Spec, diag.Diagnostics) {
	if len(names) == 0 {
		return nil, diag.Diagnostics{noSpecFiles(dir)}
	}
	var diags diag.Diagnostics
	files := map[string]*hcl.File{}
	var textNames []string
	var texts [][]byte
	for i, name := range names {
		path := displayPath(dir, name)
		src := srcs[i]
		if off := invalidUTF8(src); off >= 0 {
			pos := diag.Position(src, off)
			diags = diags.Errorf(hcl.Range{Filename: path, Start: pos, End: hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: pos.Byte + 1}},
				"Invalid character encoding",
				"%s is not valid UTF-8 text (byte 0x%02x at offset %d). Save the file as UTF-8.", path, src[off], off)
			// Not parsed, but diagnostics show it.
			files[path] = &hcl.File{Bytes: src}
			continue
		}
		// A checkout with Windows line endings is the same spec: a heredoc
		// keeps its line breaks, and they must not depend on the checkout.
		// Lines and columns are unchanged, since a CR here only ever
		// precedes an LF; byte offsets refer to the normalized text, which
		// is what diagnostics show.
		if bytes.Contains(src, crlf) {
			src = bytes.ReplaceAll(src, crlf, []byte("\n"))
		}
		textNames = append(textNames, path)
		texts = append(texts, src)
	}
	var bodies []hcl.Body
	var paths []string
	parsed, hdiags := parseFiles(textNames, texts)
	for i, f := range parsed {
		files[textNames[i]] = f
		diags = append(diags, fromHCL(withoutEchoes(hdiags[i]))...)
		if f != nil && !hdiags[i].HasErrors() {
			bodies = append(bodies, f.Body)
			paths = append(paths, textNames[i])
		}
	}
	spec := &Spec{Dir: dir, Files: files, FileNames: paths}
	if diags.HasErrors() {
		return spec, diags
	}

	doc, index, ldiags := lowerFiles(bodies)
	diags = append(diags, ldiags...)
	diags.Sort()
	// An argument or block kpgen does not know is left out of the
	// document and changes nothing else in it, so the schema still checks
	// the rest: a misspelt name does not hide an unrelated mistake. Any
	// other error of lowering (a value that is not a literal, say) leaves
	// a document with a hole the schema would misreport.
	if slices.ContainsFunc(ldiags, func(d *diag.Diagnostic) bool {
		return d.Severity == diag.Error && d.Summary != "Unsupported argument" && d.Summary != "Unsupported block type"
	}) {
		return spec, diags
	}
	fallback := hcl.Range{Filename: paths[0], Start: hcl.InitialPos, End: hcl.InitialPos}
	if d := checkVersion(doc, index, fallback); d != nil {
		return spec, append(diags, d)
	}
	diags = append(diags, validate(doc, index, fallback)...)
	diags.Sort()
	if diags.HasErrors() {
		return spec, diags
	}
	decode(spec, doc, index)
	return spec, diags
}

// checkVersion refuses a spec written for another language version before
// anything else is checked, since the rest of it may follow other rules.
func checkVersion(doc map[string]any, index *ranges, fallback hcl.Range) *diag.Diagnostic {
	hdr, ok := doc["kpgen"].(map[string]any)
	if !ok {
		return nil // the schema reports the missing block
	}
	v, ok := hdr["version"]
	if !ok {
		return nil
	}
	switch v.(type) {
	case string, bool, []any, map[string]any:
		return nil // not a number: the schema says what version takes
	}
	if s := fmt.Sprint(v); s != fmt.Sprint(Version) {
		rng, ok := index.get("/kpgen/version")
		if !ok {
			rng = fallback
		}
		return diag.New(diag.Error, rng, "Unsupported spec language version",
			fmt.Sprintf("The spec says version = %s, but this kpgen reads spec language version %d only. Write version = %d, or use a kpgen that supports version %s.", s, Version, Version, s))
	}
	return nil
}

// IsSpecFile reports whether a file of this name in a spec directory is
// part of the spec: it ends in FileSuffix and is not hidden. Editors keep
// locks and backups in hidden files (Emacs's .#main.kp.hcl is a dangling
// link).
func IsSpecFile(name string) bool {
	return strings.HasSuffix(name, FileSuffix) && !strings.HasPrefix(name, ".")
}

func specFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("cannot read spec directory %s: %w", dir, pe.Err)
		}
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !IsSpecFile(e.Name()) || e.IsDir() {
			continue
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// displayPath is how diagnostics name a file: as the user would type it.
func displayPath(dir, name string) string {
	if dir == "" || dir == "." {
		return name
	}
	return filepath.Join(dir, name)
}

func invalidUTF8(src []byte) int {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}
