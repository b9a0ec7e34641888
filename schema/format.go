package schema

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/kpgen/kpgen/internal/diag"
)

// Formatted is one spec file and its canonical form.
type Formatted struct {
	Path      string
	Mode      os.FileMode
	Original  []byte
	Formatted []byte
}

// Changed reports whether formatting changes the file.
func (f Formatted) Changed() bool { return !bytes.Equal(f.Original, f.Formatted) }

// Format returns src in canonical HCL layout. A file with syntax errors is
// not formatted: the errors come back instead.
func Format(src []byte, filename string) ([]byte, diag.Diagnostics) {
	if off := invalidUTF8(src); off >= 0 {
		pos := diag.Position(src, off)
		return nil, diag.Diagnostics{diag.New(diag.Error, hcl.Range{Filename: filename, Start: pos, End: pos},
			"Invalid character encoding", filename+" is not valid UTF-8 text. Save the file as UTF-8.")}
	}
	if ds := tooDeep(src, filename, hcl.InitialPos); ds != nil {
		return nil, fromHCL(ds)
	}
	_, hds := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if hds.HasErrors() {
		return nil, fromHCL(hds)
	}
	return hclwrite.Format(src), nil
}

// FormatDir formats every *.kp.hcl file of dir in memory. It reads them as
// Read does: a file that is not a regular file, or too large, is a
// diagnostic, and then nothing is formatted.
func FormatDir(dir string) ([]Formatted, diag.Diagnostics, error) {
	names, srcs, diags, err := Read(dir)
	if err != nil || diags.HasErrors() {
		return nil, diags, err
	}
	if len(names) == 0 {
		return nil, diag.Diagnostics{noSpecFiles(dir)}, nil
	}
	var out []Formatted
	for i, name := range names {
		path := filepath.Join(dir, name)
		fi, err := os.Lstat(path)
		if err != nil {
			return nil, nil, err
		}
		f, ds := Format(srcs[i], displayPath(dir, name))
		diags = append(diags, ds...)
		out = append(out, Formatted{Path: path, Mode: fi.Mode().Perm(), Original: srcs[i], Formatted: f})
	}
	return out, diags, nil
}
