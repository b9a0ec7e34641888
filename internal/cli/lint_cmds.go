package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/kpgen/kpgen/generators/cloudformation"
	"github.com/kpgen/kpgen/internal/cache"
	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/report"
	"github.com/kpgen/kpgen/lint"
	"github.com/kpgen/kpgen/lint/rules"
	"github.com/kpgen/kpgen/schema"
)

// lintFlags are the output flags lint and lint-policy share.
type lintFlags struct {
	format string
	failOn string
}

func (f *lintFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.format, "format", "text", "output format: text, json, sarif or github")
	c.Flags().StringVar(&f.failOn, "fail-on", "error", "exit 1 on findings of this severity or worse: error or warning")
}

func (f *lintFlags) check() error {
	if err := oneOf("format", f.format, "text", "json", "sarif", "github"); err != nil {
		return err
	}
	return oneOf("fail-on", f.failOn, "error", "warning")
}

// printFindings writes the findings in the chosen format to w and decides
// the exit.
func (a *app) printFindings(w io.Writer, color bool, f *lintFlags, ds diag.Diagnostics, src report.Sources) error {
	ds.Sort()
	var err error
	switch f.format {
	case "json":
		err = report.JSON(w, ds)
	case "sarif":
		err = report.SARIF(w, repoRelative(ds), rules.All, version())
	case "github":
		err = report.GitHub(w, repoRelative(ds))
	default:
		err = report.Text(w, ds, src, color)
		e, warns := ds.Count()
		if e+warns == 0 {
			fmt.Fprintln(w, "No problems found.")
		} else {
			fmt.Fprintf(w, "%s, %s.\n", report.Count(e, "error"), report.Count(warns, "warning"))
		}
	}
	if err != nil {
		return ioError("%v", err)
	}
	errs, warns := ds.Count()
	if errs > 0 || (f.failOn == "warning" && warns > 0) {
		return errRejected
	}
	return nil
}

// repoRelative is ds with each file named relative to the root of the git
// repository that holds it (the nearest directory above it with a .git,
// symbolic links resolved), which is how code scanning and workflow
// annotations read a path, from whatever directory kpgen ran in. A file in
// no repository keeps its name.
func repoRelative(ds diag.Diagnostics) diag.Diagnostics {
	dirs := map[string]string{} // a directory as named -> from its root, or ""
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		out[i] = d
		if d.Subject == nil || d.Subject.Filename == "" {
			continue
		}
		dir, base := filepath.Split(d.Subject.Filename)
		rel, seen := dirs[dir]
		if !seen {
			rel = repoPath(dir)
			dirs[dir] = rel
		}
		if rel != "" {
			c, s := *d, *d.Subject
			s.Filename = filepath.Join(rel, base)
			c.Subject = &s
			out[i] = &c
		}
	}
	return out
}

// repoPath is directory dir named from the root of the git repository that
// holds it ("." for the root itself), or "" when no repository holds it.
func repoPath(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	for root := abs; ; root = filepath.Dir(root) {
		if _, err := os.Lstat(filepath.Join(root, ".git")); err == nil {
			rel, err := filepath.Rel(root, abs)
			if err != nil {
				return ""
			}
			return rel
		}
		if filepath.Dir(root) == root {
			return ""
		}
	}
}

func (a *app) lintCmd() *cobra.Command {
	var f lintFlags
	c := &cobra.Command{
		Use:   "lint [DIR] [--format text|json|sarif|github] [--fail-on error|warning]",
		Short: "Validate the spec, then check it against every lint rule",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
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
			color := f.format == "text" && useColor(a.stdout)
			// SARIF and annotations name the files from their repository's
			// root: where the spec is is part of what they print.
			where := ""
			if f.format == "sarif" || f.format == "github" {
				where = repoPath(dir)
			}
			// The same spec, kpgen and options give the same findings:
			// answer from the cache when it has them.
			key := spec.cacheKey("lint", f.format, f.failOn, strconv.FormatBool(color), where)
			if entry, ok := cache.Get(key); ok && len(entry) > 0 {
				if _, err := a.stdout.Write(entry[1:]); err != nil {
					return ioError("%v", err)
				}
				if entry[0] != 0 {
					return errRejected
				}
				return nil
			}
			an := analyzeLoaded(spec.load(), outputKinds, cloudformation.FormatYAML)
			var out bytes.Buffer
			rerr := a.printFindings(&out, color, &f, an.diags, an.sources())
			var ee *exitError
			if rerr != nil && (!errors.As(rerr, &ee) || ee.code != ExitRejected) {
				return rerr
			}
			status := byte(0)
			if rerr != nil {
				status = 1
			}
			cache.Put(key, append([]byte{status}, out.Bytes()...))
			if _, err := a.stdout.Write(out.Bytes()); err != nil {
				return ioError("%v", err)
			}
			return rerr
		},
	}
	f.add(c)
	return c
}

func (a *app) lintPolicyCmd() *cobra.Command {
	var f lintFlags
	c := &cobra.Command{
		Use:   "lint-policy FILE.json... [--format text|json|sarif|github] [--fail-on error|warning]",
		Short: "Check hand-written key policies against the policy-hygiene rules (KP8xx)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			var ds diag.Diagnostics
			src := report.Sources{}
			for _, name := range args {
				data, tooLarge, err := readPolicyFile(name)
				if err != nil {
					return err
				}
				if tooLarge != nil {
					ds = append(ds, tooLarge)
					continue
				}
				src[name] = &hcl.File{Bytes: data}
				ds = append(ds, lint.RunPolicyFile(name, data, rules.All)...)
			}
			return a.printFindings(a.stdout, f.format == "text" && useColor(a.stdout), &f, ds, src)
		},
	}
	f.add(c)
	return c
}

// maxPolicyFile bounds what lint-policy reads: far above any key policy AWS
// accepts, far below what could hurt.
const maxPolicyFile = 1 << 20

// readPolicyFile reads a policy file, or as much of a pipe or device as
// the limit allows. A file too large to read is a finding about it,
// reported with the others, not a stop.
func readPolicyFile(name string) (data []byte, tooLarge *diag.Diagnostic, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, ioError("%v", err)
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, maxPolicyFile+1))
	if err != nil {
		return nil, nil, ioError("%v", err)
	}
	if len(data) > maxPolicyFile {
		return nil, diag.New(diag.Error, hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos}, "Policy file too large",
			name+" is over 1 MiB; a key policy is at most 32,768 bytes, and lint-policy reads files of at most 1 MiB."), nil
	}
	return data, nil, nil
}

func (a *app) rulesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "List every lint rule",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tPRINCIPLE\tNAME\tFIRES WHEN")
			for _, r := range rules.All {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Principle, r.Name, r.Summary)
			}
			if err := tw.Flush(); err != nil {
				return ioError("%v", err)
			}
			var absolute []string
			for _, r := range rules.All {
				if r.Absolute {
					absolute = append(absolute, r.ID)
				}
			}
			fmt.Fprintf(a.stdout, "\n%d rules. kpgen explain ID shows one with examples; lint_ignore = { ID = \"reason\" } silences one on a block, except %s, which nothing silences.\n",
				len(rules.All), strings.Join(absolute, ", "))
			return nil
		},
	}
}

func (a *app) explainCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "explain ID",
		Short: "Show one rule's documentation, with a bad and a good example",
		Args:  cobra.ExactArgs(1),
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var ids []string
			for _, r := range rules.All {
				ids = append(ids, r.ID+"\t"+r.Summary)
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			id := strings.ToUpper(args[0])
			r := rules.ByID(id)
			if r == nil {
				var ids []string
				for _, r := range rules.All {
					ids = append(ids, r.ID)
				}
				msg := fmt.Sprintf("no rule %s; kpgen rules lists them", args[0])
				if sug := schema.DidYouMean(id, ids); sug != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", sug)
				}
				return &exitError{code: ExitUsage, msg: msg}
			}
			silence := ""
			if r.Absolute {
				silence = " lint_ignore cannot silence it."
			}
			fmt.Fprintf(a.stdout, "%s %s (%s, %s)\n\nFires when %s.%s\n\n%s", r.ID, r.Name, r.Severity, principleTitle(r.Principle), r.Summary, silence, r.Doc)
			return nil
		},
	}
}

func principleTitle(p string) string {
	switch p {
	case "P1":
		return "Principle 1: data classification"
	case "P2":
		return "Principle 2: applications, accounts, stages"
	case "P3":
		return "Principle 3: AWS services"
	case "P4":
		return "Principle 4: separation of duties"
	}
	return p
}
