package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/internal/report"
	"github.com/kpgen/kpgen/internal/specdiff"
	"github.com/kpgen/kpgen/schema"
)

func (a *app) diffCmd() *cobra.Command {
	var format string
	var exitCode bool
	c := &cobra.Command{
		Use:   "diff BASE [HEAD] [--format text|markdown|json] [--exit-code]",
		Short: "Show what a spec change does to keys and access",
		Long: `diff compares two specs, each a directory or git:REF[:DIR] (read through git
from the repository that holds the current directory; DIR is relative to the
current directory, or an absolute path inside the work tree). HEAD defaults to the working tree: DIR of a git BASE, else
the current directory. It lists keys added and removed, changed key
properties, and for each key who gained or lost which KMS actions under which
conditions, as the policy evaluator decides it; then the monthly cost delta.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(c *cobra.Command, args []string) error {
			if err := oneOf("format", format, "text", "markdown", "json"); err != nil {
				return err
			}
			base := args[0]
			head := "."
			if len(args) > 1 {
				head = args[1]
			} else if ref, dir, ok := strings.Cut(strings.TrimPrefix(base, "git:"), ":"); ok && strings.HasPrefix(base, "git:") && ref != "" && dir != "" {
				head = dir
			}
			baseSide, err := a.diffSide(base)
			if err != nil {
				return err
			}
			headSide, err := a.diffSide(head)
			if err != nil {
				return err
			}
			// A spec that a change adds or removes is absent on one side:
			// every key of the other side is added or removed.
			switch {
			case baseSide.Model == nil && headSide.Model == nil:
				return &exitError{code: ExitUsage, msg: fmt.Sprintf("neither %s nor %s holds a spec: name a spec directory on at least one side", base, head)}
			case baseSide.Model == nil:
				baseSide.Model = &model.Model{Organization: headSide.Model.Organization}
			case headSide.Model == nil:
				headSide.Model = &model.Model{Organization: baseSide.Model.Organization}
			}
			// Comparing makes much short-lived garbage around the two
			// specs: a soft limit above what they keep live (set only
			// now, since loading two large specs under 200 MiB would
			// have the collector run without pause).
			defer limitMemory()()
			fitMemoryLimit(2)
			r := specdiff.Compare(baseSide, headSide)
			switch format {
			case "json":
				err = report.DiffJSONReport(a.stdout, r)
			case "markdown":
				err = report.DiffMarkdown(a.stdout, r)
			default:
				err = report.DiffText(a.stdout, r, useColor(a.stdout))
			}
			if err != nil {
				return ioError("%v", err)
			}
			if exitCode && !r.Empty() {
				return errRejected
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "text", "output format: text, markdown or json")
	c.Flags().BoolVar(&exitCode, "exit-code", false, "exit 1 when anything changed")
	return c
}

// diffSide loads, resolves and builds the policies of one side of a diff.
// A directory that does not exist, or holds no spec file (in the work tree,
// or in the revision), is a side without a spec, as when a change adds or
// removes one: its Model is nil, and a note on stderr says so, so that a
// mistyped directory is not taken for a spec without keys unawares.
func (a *app) diffSide(src string) (*specdiff.Side, error) {
	absent := func() (*specdiff.Side, error) {
		fmt.Fprintf(a.stderr, "kpgen: %q holds no spec: compared as a spec without keys\n", src)
		return &specdiff.Side{Name: src}, nil
	}
	var l *loaded
	if strings.HasPrefix(src, "git:") {
		spec, diags, err := loadGit(src)
		if errors.Is(err, errNoTree) {
			return absent()
		}
		if err != nil {
			return nil, err
		}
		l = resolve(spec, diags)
	} else {
		if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
			return absent()
		}
		s, err := readSpec(src)
		if err != nil {
			return nil, err
		}
		if len(s.names) == 0 && !s.diags.HasErrors() {
			return absent()
		}
		l = s.load()
	}
	l.checkStructure()
	if l.diags.HasErrors() {
		printDiags(a.stderr, l.diags, l.sources())
		return nil, &exitError{code: ExitRejected, msg: fmt.Sprintf("%s does not resolve; kpgen diff compares specs that validate", src)}
	}
	return &specdiff.Side{Name: src, Model: l.model, Policies: policy.Build(l.model)}, nil
}

// errNoTree is loadGit's answer for a directory the revision does not
// have, or that holds no spec file there.
var errNoTree = errors.New("no such directory in the revision")

// loadGit reads the spec files of git:REF[:DIR] through git.
func loadGit(src string) (*schema.Spec, diag.Diagnostics, error) {
	ref, dir, _ := strings.Cut(strings.TrimPrefix(src, "git:"), ":")
	if ref == "" {
		return nil, nil, &exitError{code: ExitUsage, msg: fmt.Sprintf("%q names no git revision: write git:REF or git:REF:DIR", src)}
	}
	if strings.HasPrefix(ref, "-") {
		return nil, nil, &exitError{code: ExitUsage, msg: fmt.Sprintf("%q is not a git revision: a revision does not begin with -", ref)}
	}
	if inside, err := git("", "rev-parse", "--is-inside-work-tree"); err != nil || strings.TrimSpace(inside) != "true" {
		var ee *exitError
		if err != nil && !errors.As(err, &ee) {
			return nil, nil, err // git itself cannot run
		}
		return nil, nil, &exitError{code: ExitUsage, msg: fmt.Sprintf("%s: a git: side is read from the git work tree that holds the current directory, and the current directory is in none; run kpgen diff from inside the repository that holds the spec", src)}
	}
	prefix, err := git("", "rev-parse", "--show-prefix")
	if err != nil {
		return nil, nil, err
	}
	// ls-tree run in a subdirectory lists only that subdirectory's part of
	// a tree, so everything else runs at the top of the work tree.
	top, err := git("", "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, nil, err
	}
	top = strings.TrimSpace(top)
	asGiven := dir
	if !filepath.IsAbs(dir) && escapes(path.Join(strings.TrimSpace(prefix), filepath.ToSlash(dir))) {
		// A relative DIR that leaves the current directory's part of
		// the tree may come back into it (../repo/infra, from the top).
		// It is taken from where git says the current directory is,
		// not from $PWD, which may pass through a symbolic link.
		dir = filepath.Join(top, filepath.FromSlash(strings.TrimSpace(prefix)), dir)
	}
	if filepath.IsAbs(dir) {
		// An absolute DIR names a directory of the work tree: the same
		// directory of the revision is its path from the top.
		rel, err := filepath.Rel(realPath(top), realPath(dir))
		if err != nil {
			return nil, nil, &exitError{code: ExitUsage, msg: fmt.Sprintf("%s is outside the git repository", dir)}
		}
		dir, prefix = filepath.ToSlash(rel), ""
	}
	treeDir := path.Clean(path.Join(strings.TrimSpace(prefix), dir))
	if treeDir == "." {
		treeDir = ""
	}
	if escapes(treeDir) {
		return nil, nil, &exitError{code: ExitUsage, msg: fmt.Sprintf("%s is outside the git repository", asGiven)}
	}
	// Entries are "MODE TYPE OBJECT SIZE\tNAME". As on disk, only regular
	// files are read (a symbolic link's blob is its target's name), and
	// none over the size limit.
	if _, err := git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}"); err != nil {
		return nil, nil, &exitError{code: ExitUsage, msg: fmt.Sprintf("%s: git knows no commit %q here; name a branch, tag or commit (git log lists them)", src, ref)}
	}
	if _, err := git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+":"+treeDir); err != nil {
		return nil, nil, errNoTree
	}
	if typ, err := git(top, "cat-file", "-t", ref+":"+treeDir); err != nil || strings.TrimSpace(typ) != "tree" {
		return nil, nil, &exitError{code: ExitUsage, msg: fmt.Sprintf("%s: %s is not a directory in %s; name the directory that holds the spec", src, orDot(treeDir), ref)}
	}
	listing, err := git(top, "ls-tree", "-l", "-z", ref+":"+treeDir)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	var diags diag.Diagnostics
	for _, entry := range strings.Split(listing, "\x00") {
		meta, name, ok := strings.Cut(entry, "\t")
		if !ok || !schema.IsSpecFile(name) {
			continue
		}
		at := hcl.Range{Filename: gitName(src, name), Start: hcl.InitialPos, End: hcl.InitialPos}
		fields := strings.Fields(meta)
		if len(fields) == 4 && (fields[1] == "tree" || fields[1] == "commit") {
			continue // a directory (or a submodule's), which the spec on disk skips too
		}
		if len(fields) != 4 || fields[1] != "blob" || (fields[0] != "100644" && fields[0] != "100755") {
			diags = diags.Errorf(at, "Spec file is not a regular file",
				"%s is a symbolic link or not a file in %s; kpgen reads only regular spec files.", name, ref)
			continue
		}
		if size, err := strconv.ParseInt(fields[3], 10, 64); err != nil || size > schema.MaxFileSize {
			diags = diags.Errorf(at, "Spec file too large", "%s is %s bytes in %s; kpgen reads spec files of at most %d bytes.", name, fields[3], ref, schema.MaxFileSize)
			continue
		}
		names = append(names, name)
	}
	if diags.HasErrors() {
		return nil, diags, nil
	}
	if len(names) == 0 {
		return nil, nil, errNoTree
	}
	sort.Strings(names)
	srcs := make([][]byte, len(names))
	shown := make([]string, len(names))
	for i, n := range names {
		data, err := git(top, "cat-file", "blob", ref+":"+path.Join(treeDir, n))
		if err != nil {
			return nil, nil, err
		}
		srcs[i], shown[i] = []byte(data), gitName(src, n)
	}
	spec, diags := schema.Parse("", shown, srcs)
	return spec, diags, nil
}

// gitName is how diagnostics name a spec file of git:REF:DIR: the side as
// the user wrote it and the file's name, not a path cleaned into one that
// looks like a file of the work tree.
func gitName(src, name string) string {
	return strings.TrimSuffix(src, "/") + "/" + name
}

// git runs git in dir ("" for the current directory) and returns its
// output.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			return "", &exitError{code: ExitUsage, msg: fmt.Sprintf("git %s: %s", strings.Join(args, " "), lines[0]), more: lines[1:]}
		}
		return "", ioError("cannot run git: %v", err)
	}
	return stdout.String(), nil
}

// realPath is the absolute path p with symbolic links resolved, as git
// names the top of the work tree. Of a path that does not exist (a
// directory the revision has and the work tree no longer does), the part
// that exists is resolved.
func realPath(p string) string {
	p = filepath.Clean(p)
	var rest []string
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{r}, rest...)...)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(append([]string{p}, rest...)...)
		}
		rest = append([]string{filepath.Base(p)}, rest...)
		p = parent
	}
}

// escapes reports whether the slash-separated path p, from the top of the
// work tree, leads out of it.
func escapes(p string) bool {
	p = path.Clean(p)
	return p == ".." || strings.HasPrefix(p, "../")
}

func orDot(dir string) string {
	if dir == "" {
		return "the top of the repository"
	}
	return dir
}
