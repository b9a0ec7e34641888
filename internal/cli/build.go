package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kpgen/kpgen/generators/cloudformation"
	"github.com/kpgen/kpgen/generators/policyjson"
	"github.com/kpgen/kpgen/generators/terraform"
	"github.com/kpgen/kpgen/internal/cache"
	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/internal/report"
	"github.com/kpgen/kpgen/lint"
	"github.com/kpgen/kpgen/lint/rules"
)

// DefaultOutDir is where build writes, beside the spec files.
const DefaultOutDir = "generated"

// Output kinds, for --only.
const (
	kindPolicy         = "policy"
	kindCloudFormation = "cloudformation"
	kindTerraform      = "terraform"
)

var outputKinds = []string{kindPolicy, kindCloudFormation, kindTerraform}

// analysis is a spec loaded, resolved, its policies built and linted, and
// the files of its outputs, each rendered when it is written or compared.
type analysis struct {
	*loaded
	policies []*policy.KeyPolicy
	files    []output.File
}

// analyze loads the spec in dir and, when it resolves, builds its policies
// and runs every lint rule and the checks of the outputs of kinds, with
// CloudFormation in cfnFormat.
func analyze(dir string, kinds []string, cfnFormat string) (*analysis, error) {
	l, err := load(dir)
	if err != nil {
		return nil, err
	}
	return analyzeLoaded(l, kinds, cfnFormat), nil
}

// analyzeLoaded builds the policies of a loaded spec and lints it. The
// generators' own checks (outputs that would meet in one path, names that
// meet in one Terraform name or logical id, CloudFormation's quotas) are
// reported with the rules, so that a spec that lint passes is one that
// build accepts; they are those of the outputs build is asked for, so that
// a CloudFormation quota does not stop a Terraform-only build. Files are
// rendered only where a check must measure one.
func analyzeLoaded(l *loaded, kinds []string, cfnFormat string) *analysis {
	a := &analysis{loaded: l}
	if l.diags.HasErrors() {
		return a
	}
	a.policies = policy.Build(l.model)
	a.diags = append(a.diags, lint.Run(l.model, a.policies, rules.All)...)
	files, odiags := a.outputs(kinds, cfnFormat)
	a.files, a.diags = files, append(a.diags, odiags...)
	return a
}

// outputs generates the files of the selected kinds.
func (a *analysis) outputs(kinds []string, cfnFormat string) ([]output.File, diag.Diagnostics) {
	var files []output.File
	var diags diag.Diagnostics
	add := func(fs []output.File, ds diag.Diagnostics) {
		files, diags = append(files, fs...), append(diags, ds...)
	}
	if slices.Contains(kinds, kindPolicy) {
		add(policyjson.Generate(a.model, a.policies))
	}
	if slices.Contains(kinds, kindCloudFormation) {
		add(cloudformation.Generate(a.model, a.policies, cfnFormat))
	}
	if slices.Contains(kinds, kindTerraform) {
		add(terraform.Generate(a.model, a.policies))
	}
	// Two outputs at one path would overwrite each other: names that are
	// distinct in the spec can still meet in a path (app "a-b" stage "c" and
	// app "a" stage "b-c"), or differ only in case, which is one path on
	// the filesystems of macOS and Windows.
	seen := map[string]output.File{}
	for _, f := range files {
		if seg := windowsDevice(f.Path); seg != "" {
			diags = append(diags, diag.New(diag.Error, f.Source, "Output named like a device",
				fmt.Sprintf("The output %s has a part named %q, which Windows keeps for a device: no file can bear it there. Rename the principal or block it comes from.", f.Path, seg)))
		}
		key := strings.ToLower(f.Path)
		first, dup := seen[key]
		if !dup {
			seen[key] = f
			continue
		}
		also := ""
		if first.Source.Filename != "" && first.Source != f.Source {
			also = fmt.Sprintf(" (the other comes from %s:%d:%d)", first.Source.Filename, first.Source.Start.Line, first.Source.Start.Column)
		}
		detail := fmt.Sprintf("Two of kpgen's outputs would both be written to %s%s. Rename an application, stage, key or principal so that their names no longer meet in one file name.", f.Path, also)
		if first.Path != f.Path {
			detail = fmt.Sprintf("Two of kpgen's outputs, %s and %s, differ only in case: one file on the filesystems of macOS and Windows%s. Rename one of them.", first.Path, f.Path, also)
		}
		diags = append(diags, diag.New(diag.Error, f.Source, "Two outputs at one path", detail))
	}
	return files, diags
}

// windowsDevice returns the part of path that Windows reserves for a device
// (CON, NUL, COM1, …, with or without an extension, in any case), or "".
// Spec names cannot be one (the schema refuses them), but IAM role and
// permission set names can.
func windowsDevice(path string) string {
	for rest := path; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		base, _, _ := strings.Cut(seg, ".")
		switch {
		case len(base) == 3 && (strings.EqualFold(base, "con") || strings.EqualFold(base, "prn") || strings.EqualFold(base, "aux") || strings.EqualFold(base, "nul")),
			len(base) == 4 && (strings.EqualFold(base[:3], "com") || strings.EqualFold(base[:3], "lpt")) && base[3] >= '0' && base[3] <= '9':
			return seg
		}
	}
	return ""
}

func kindOf(path string) string {
	switch {
	case strings.HasPrefix(path, "policies/"), strings.HasPrefix(path, "iam/"):
		return kindPolicy
	case strings.HasPrefix(path, "cloudformation/"):
		return kindCloudFormation
	case strings.HasPrefix(path, "terraform/"):
		return kindTerraform
	}
	return ""
}

// outputDir is the output directory: OUT as given, with "." and ".."
// resolved by name (a/../b is b), so that every step of a build, and check,
// names one directory whatever lies along the way; else DIR/generated.
func outputDir(dir, flag string) string {
	if flag != "" {
		return filepath.Clean(flag)
	}
	return filepath.Join(dir, DefaultOutDir)
}

func (a *app) buildCmd() *cobra.Command {
	var out, only, cfnFormat string
	var quiet bool
	c := &cobra.Command{
		Use:   "build [DIR] [-o OUT] [--only policy,cloudformation,terraform] [--cfn-format yaml|json] [-q]",
		Short: "Lint the spec, then write key policies, CloudFormation and Terraform",
		Long: `build lints the spec; any error stops it before anything is written. It then
writes every output into OUT (default DIR/generated): each file atomically,
unchanged files not at all, and it removes the files its previous build wrote
and this one no longer makes. It never touches any other file.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			start := time.Now()
			defer limitMemory()()
			kinds, err := parseKinds(only)
			if err != nil {
				return err
			}
			if err := oneOf("cfn-format", cfnFormat, cloudformation.FormatYAML, cloudformation.FormatJSON); err != nil {
				return err
			}
			dir, err := a.specDir(args)
			if err != nil {
				return err
			}
			spec, err := readSpec(dir)
			if err != nil {
				return err
			}
			outDir := outputDir(dir, out)
			color := useColor(a.stderr)
			summary := func(keys, written, unchanged, removed int) {
				if !quiet {
					fmt.Fprintf(a.stderr, "kpgen: %s, %s written, %d unchanged, %d removed in %s (%s)\n",
						report.Count(keys, "key"), report.Count(written, "file"), unchanged, removed, time.Since(start).Round(time.Millisecond), report.Printable(outDir))
				}
			}

			// A build of the same spec, by the same kpgen, with the same
			// options, into a directory that still holds exactly what that
			// build wrote, has nothing to do.
			key := buildKey(spec, outDir, kinds, cfnFormat, color)
			if stamp, ok := readStamp(key); ok && isDir(outDir) {
				unlock, err := output.Lock(outDir)
				if err != nil {
					return outputError(err, "cannot write")
				}
				current, sha, _ := output.Current(outDir)
				unlock()
				if current && sha == stamp.Manifest {
					if _, err := a.stderr.Write(stamp.Diagnostics); err != nil {
						return ioError("%v", err)
					}
					summary(stamp.Keys, 0, stamp.Files, 0)
					return nil
				}
			}

			an := analyzeLoaded(spec.load(), kinds, cfnFormat)
			files, diags := an.files, an.diags
			var printed bytes.Buffer
			diags.Sort()
			_ = report.Text(&printed, diags, an.sources(), color)
			if _, err := a.stderr.Write(printed.Bytes()); err != nil {
				return ioError("%v", err)
			}
			if diags.HasErrors() {
				return errRejected
			}
			// The parsed files served the diagnostics; the outputs are
			// rendered from the model, so let the memory go.
			an.spec.Files = nil
			fitMemoryLimit(2)
			unlock, err := output.Lock(outDir)
			if err != nil {
				return outputError(err, "cannot write")
			}
			defer unlock()
			keep := func(path string) bool { return !slices.Contains(kinds, kindOf(path)) }
			res, err := output.Write(outDir, files, keep)
			if err != nil {
				return outputError(err, "cannot write")
			}
			for _, p := range res.Kept {
				why := "it changed since kpgen wrote it"
				if b, ok := res.Blocked[p]; ok {
					why = "kpgen could not reach it: " + b
				}
				fmt.Fprintf(a.stderr, "kpgen: kept %s: this build no longer makes it, but %s; delete it if nothing needs it\n", report.Printable(filepath.Join(outDir, filepath.FromSlash(p))), report.Printable(why))
			}
			writeStamp(key, buildStamp{Manifest: res.Manifest, Keys: len(an.model.Keys), Files: len(files), Diagnostics: printed.Bytes()})
			summary(len(an.model.Keys), len(res.Written), len(res.Unchanged), len(res.Removed))
			return nil
		},
	}
	c.Flags().StringVarP(&out, "out", "o", "", "output directory (default DIR/generated)")
	c.Flags().StringVar(&only, "only", strings.Join(outputKinds, ","), "outputs to write: a comma-separated list of "+strings.Join(outputKinds, ", "))
	c.Flags().StringVar(&cfnFormat, "cfn-format", cloudformation.FormatYAML, "CloudFormation template format: yaml or json")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print no summary")
	return c
}

func (a *app) checkCmd() *cobra.Command {
	var out, only, cfnFormat string
	c := &cobra.Command{
		Use:   "check [DIR] [-o OUT] [--only policy,cloudformation,terraform] [--cfn-format yaml|json]",
		Short: "Exit 1 with a diff when the outputs on disk differ from what build would write",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			defer limitMemory()() // it renders every output, as build does
			kinds, err := parseKinds(only)
			if err != nil {
				return err
			}
			if err := oneOf("cfn-format", cfnFormat, cloudformation.FormatYAML, cloudformation.FormatJSON); err != nil {
				return err
			}
			dir, err := a.specDir(args)
			if err != nil {
				return err
			}
			an, err := analyze(dir, kinds, cfnFormat)
			if err != nil {
				return err
			}
			files, diags := an.files, an.diags
			printDiags(a.stderr, diags, an.sources())
			if diags.HasErrors() {
				return errRejected
			}
			// check holds the diff of every file until it prints them, so
			// it needs more room above the live heap than build.
			fitMemoryLimit(3)
			outDir := outputDir(dir, out)
			keep := func(path string) bool { return !slices.Contains(kinds, kindOf(path)) }
			diff, err := output.Diff(outDir, files, keep)
			if err != nil {
				return outputError(err, "cannot check")
			}
			if diff == "" {
				fmt.Fprintf(a.stderr, "kpgen: %s is current\n", report.Printable(outDir))
				return nil
			}
			// The old side is whatever the directory holds: a carriage
			// return or an escape sequence in it must not act on a
			// terminal or a CI log.
			fmt.Fprint(a.stdout, report.PrintableText(diff))
			var opts string
			if len(kinds) < len(outputKinds) {
				opts += " --only " + strings.Join(kinds, ",")
			}
			if cfnFormat != cloudformation.FormatYAML {
				opts += " --cfn-format " + cfnFormat
			}
			d, pasteable := shellPath(dir)
			fix := "kpgen build " + d
			if out != "" {
				o, ok := shellPath(out)
				fix += " -o " + o
				pasteable = pasteable && ok
			}
			fix += opts
			if !pasteable {
				fix = "kpgen build on the spec directory"
				if out != "" {
					fix += ", with -o naming this output directory"
				}
				if opts != "" {
					fix += ", with" + opts
				}
				fix += " " + noPaste
			}
			fmt.Fprintf(a.stderr, "kpgen: %s is not what kpgen build would write; run %s\n", report.Printable(outDir), report.Printable(fix))
			if opts := builtWith(outDir, kinds, cfnFormat); opts != "" {
				fmt.Fprintf(a.stderr, "kpgen: the directory looks built with %s; if it was, check with the same options\n", opts)
			}
			return errRejected
		},
	}
	c.Flags().StringVarP(&out, "out", "o", "", "output directory (default DIR/generated)")
	c.Flags().StringVar(&only, "only", strings.Join(outputKinds, ","), "outputs that build was run with: a comma-separated list of "+strings.Join(outputKinds, ", "))
	c.Flags().StringVar(&cfnFormat, "cfn-format", cloudformation.FormatYAML, "CloudFormation template format that build was run with: yaml or json")
	return c
}

// builtWith reads from the manifest of dir the options its build seems to
// have had, where a check with kinds and cfnFormat would report files that
// build never wrote: a kind the build left out, or CloudFormation in
// another format. It returns them as options ("--only policy --cfn-format
// json"), or "".
func builtWith(dir string, kinds []string, cfnFormat string) string {
	m, err := output.ReadManifest(dir)
	if err != nil || len(m.Files) == 0 {
		return ""
	}
	built := map[string]bool{}
	format := ""
	for _, e := range m.Files {
		k := kindOf(e.Path)
		built[k] = true
		if k == kindCloudFormation {
			format = strings.TrimPrefix(path.Ext(e.Path), ".")
		}
	}
	var opts, only []string
	missing := false
	for _, k := range outputKinds {
		if built[k] {
			only = append(only, k)
		}
		missing = missing || slices.Contains(kinds, k) && !built[k]
	}
	if missing {
		opts = append(opts, "--only "+strings.Join(only, ","))
	}
	if format != "" && format != cfnFormat && slices.Contains(kinds, kindCloudFormation) {
		opts = append(opts, "--cfn-format "+format)
	}
	return strings.Join(opts, " ")
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// buildStamp records in the cache what a successful build wrote, so that
// the same build again can check the directory instead of redoing it.
type buildStamp struct {
	Manifest    string `json:"manifest_sha256"`
	Keys        int    `json:"keys"`
	Files       int    `json:"files"`       // how many files it makes: unchanged when it is answered again
	Diagnostics []byte `json:"diagnostics"` // the warnings it printed, to print again
}

// buildKey names a build: everything that decides what it writes and
// prints.
func buildKey(spec *specFiles, outDir string, kinds []string, cfnFormat string, color bool) string {
	abs, err := filepath.Abs(outDir)
	if err != nil {
		return ""
	}
	return spec.cacheKey("build", abs, strings.Join(kinds, ","), cfnFormat, strconv.FormatBool(color))
}

func readStamp(key string) (buildStamp, bool) {
	var s buildStamp
	data, ok := cache.Get(key)
	if !ok || json.Unmarshal(data, &s) != nil || s.Manifest == "" {
		return s, false
	}
	return s, true
}

func writeStamp(key string, s buildStamp) {
	if data, err := json.Marshal(s); err == nil {
		cache.Put(key, data)
	}
}

func parseKinds(only string) ([]string, error) {
	var kinds []string
	for _, k := range strings.Split(only, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(outputKinds, k) {
			return nil, &exitError{code: ExitUsage, msg: fmt.Sprintf("--only takes a comma-separated list of %s, not %q", strings.Join(outputKinds, ", "), k)}
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds, nil
}

// outputError is an I/O problem with the output directory, exit 2: what
// says what kpgen could not do ("cannot write", "cannot check").
func outputError(err error, what string) error {
	// Everything in the way comes joined in one error: one line each.
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) && len(j.Unwrap()) > 0 {
		var lines []string
		for _, e := range j.Unwrap() {
			lines = append(lines, outputError(e, what).Error())
		}
		return &exitError{code: ExitUsage, msg: lines[0], more: lines[1:]}
	}
	var pe *output.PathError
	if errors.As(err, &pe) {
		return ioError("%s %s", what, pe.Error())
	}
	// A file kpgen could not make: name the directory, not the temporary
	// file it was making there.
	var fe *fs.PathError
	if errors.As(err, &fe) {
		if fe.Op == "remove" {
			what = "cannot remove" // a file this build no longer makes
		}
		if dir, base := filepath.Split(fe.Path); strings.Contains(base, output.TempMarker) {
			return ioError("%s in %s: %v", what, filepath.Clean(dir), fe.Err)
		}
		return ioError("%s %s: %v", what, fe.Path, fe.Err)
	}
	return ioError("%v", err)
}
