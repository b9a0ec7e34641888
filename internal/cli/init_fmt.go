package cli

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/report"
	"github.com/kpgen/kpgen/schema"
)

//go:embed starter.kp.hcl
var starterSpec []byte

// StarterFile is the file kpgen init writes.
const StarterFile = "main" + schema.FileSuffix

func (a *app) initCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a commented starter spec that passes lint",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dir, err := a.specDir(args)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return ioError("cannot create %s: %v", dir, err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				return ioError("cannot read %s: %v", dir, err)
			}
			for _, e := range entries {
				if schema.IsSpecFile(e.Name()) && !e.IsDir() {
					return &exitError{code: ExitRejected, msg: fmt.Sprintf("%s already holds a spec (%s); kpgen init writes only into a directory without *%s files",
						dir, e.Name(), schema.FileSuffix)}
				}
			}
			path := filepath.Join(dir, StarterFile)
			if err := output.WriteFileAtomic(path, starterSpec, 0); err != nil {
				return ioError("cannot write %s: %v", path, err)
			}
			next := "kpgen plan for its directory " + noPaste
			if d, ok := shellPath(dir); ok {
				next = "kpgen plan " + d
			}
			fmt.Fprintf(a.stdout, "Wrote %s. Edit it, then run: %s\n", report.Printable(path), report.Printable(next))
			return nil
		},
	}
}

func (a *app) fmtCmd() *cobra.Command {
	var check bool
	c := &cobra.Command{
		Use:   "fmt [DIR] [-check]",
		Short: "Rewrite the spec files in canonical format",
		Long: `fmt rewrites every *.kp.hcl file of DIR in the canonical HCL layout (that of
terraform fmt). With -check it changes nothing, lists the files that would
change and exits 1 if there are any.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dir, err := a.specDir(args)
			if err != nil {
				return err
			}
			results, diags, err := schema.FormatDir(dir)
			if err != nil {
				return ioError("%v", err)
			}
			if diags.HasErrors() {
				src := report.Sources{}
				for _, r := range results {
					src[r.Path] = &hcl.File{Bytes: r.Original}
				}
				printDiags(a.stderr, diags, src)
				return errRejected
			}
			// A file the user may not write is refused before any is
			// rewritten: the rewrite renames a new file into place, which
			// would pass over its mode and owner.
			if !check {
				for _, r := range results {
					if r.Changed() {
						if err := writable(r.Path, r.Mode); err != nil {
							return err
						}
					}
				}
			}
			var changed []schema.Formatted
			for _, r := range results {
				if !r.Changed() {
					continue
				}
				if !check {
					if err := writeFileAtomic(r.Path, r.Formatted, r.Mode); err != nil {
						return ioError("cannot write %s: %v; %s", r.Path, err, putBack(changed))
					}
				}
				changed = append(changed, r)
			}
			// Files are named once all are changed, or with -check, once
			// all are read.
			for _, r := range changed {
				fmt.Fprintln(a.stdout, report.Printable(r.Path))
			}
			if check && len(changed) > 0 {
				fix := "kpgen fmt for the directory " + noPaste
				if d, ok := shellPath(dir); ok {
					fix = "kpgen fmt " + d
				}
				fmt.Fprintf(a.stderr, "kpgen: %s not formatted; run %s\n", report.Count(len(changed), "file"), report.Printable(fix))
				return errRejected
			}
			return nil
		},
	}
	c.Flags().BoolVar(&check, "check", false, "list files that are not formatted and exit 1; change nothing")
	return c
}

// writable refuses a file that is read-only, or that the user could not
// open for writing.
// writeFileAtomic is how fmt rewrites a file; tests make it fail.
var writeFileAtomic = output.WriteFileAtomic

// putBack writes back what the files fmt already rewrote held before, when
// a later file cannot be written (the checks of writable cannot foresee
// everything: a sticky directory refuses the rename over another user's
// file), so that fmt changes every file or none. It says what came of it.
func putBack(rewritten []schema.Formatted) string {
	var failed []string
	for _, r := range rewritten {
		if err := writeFileAtomic(r.Path, r.Original, r.Mode); err != nil {
			failed = append(failed, report.Printable(r.Path))
		}
	}
	if len(failed) > 0 {
		return "these files stay formatted, since they could not be put back: " + strings.Join(failed, ", ")
	}
	return "no file was changed"
}

func writable(path string, mode os.FileMode) error {
	if mode&0o200 == 0 {
		return ioError("%s is read-only; kpgen fmt rewrites only files you may write (kpgen fmt -check lists them without writing)", path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return ioError("cannot write %s: %v", path, err)
	}
	return f.Close()
}
