// Package cli is the kpgen command line: commands, flags, exit codes and
// file writing. It runs in-process, so tests call Main directly.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/kpgen/kpgen/internal/cache"
	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/report"
	"github.com/kpgen/kpgen/schema"
)

// Exit codes, as CLI.md defines them.
const (
	ExitOK       = 0
	ExitRejected = 1 // the spec or its outputs are rejected
	ExitUsage    = 2 // the command line is wrong, or I/O failed outside the spec
)

// Version is kpgen's version; release builds set it with -ldflags.
var Version = ""

// exitError ends a command with a code; msg, when set, is printed to stderr.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// errRejected ends a command whose diagnostics are already printed.
var errRejected = &exitError{code: ExitRejected}

func ioError(format string, args ...any) error {
	return &exitError{code: ExitUsage, msg: fmt.Sprintf(format, args...)}
}

// extraCommands lets tests add commands, such as one that panics.
var extraCommands []*cobra.Command

type app struct {
	stdout, stderr io.Writer
	dirFlag        string
}

// Main runs kpgen with args (without the program name) and returns the exit
// code. An internal error becomes a short message and exit code 2, with the
// stack written to a file for the bug report.
func Main(args []string, stdout, stderr io.Writer) (code int) {
	if _, set := os.LookupEnv("GOGC"); !set {
		// kpgen runs for a moment and keeps what it reads until it ends:
		// collecting half as often costs a few tens of megabytes and saves
		// a quarter of a large lint's time.
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	defer func() {
		if r := recover(); r != nil {
			code = crash(r, stderr)
		}
	}()
	a := &app{stdout: stdout, stderr: stderr}
	root := a.root()
	root.SetArgs(normalizeArgs(args))
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(stderr, "kpgen: %s\n", ee.msg)
		}
		return ee.code
	}
	// Anything else comes from cobra: a wrong command line.
	fmt.Fprintf(stderr, "kpgen: %v\nRun 'kpgen --help' for usage.\n", err)
	return ExitUsage
}

// normalizeArgs accepts the single-dash long flags that CLI.md spells
// (fmt -check), which pflag would read as a group of short flags.
func normalizeArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "-check" {
			a = "--check"
		}
		out[i] = a
	}
	return out
}

// buildMemoryLimit is a soft limit on the heap of a build: near it the
// garbage collector works harder rather than let the heap grow. A build of
// 1,000 applications keeps about 100 MB live while rendering its outputs
// makes gigabytes of short-lived garbage. GOMEMLIMIT overrides it.
const buildMemoryLimit = 200 << 20

// limitMemory sets the soft memory limit of a build and returns a function
// that restores the previous one.
func limitMemory() (restore func()) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return func() {}
	}
	prev := debug.SetMemoryLimit(buildMemoryLimit)
	return func() { debug.SetMemoryLimit(prev) }
}

func crash(r any, stderr io.Writer) int {
	stack := debug.Stack()
	msg := fmt.Sprintf("kpgen %s: internal error: %v\n\n%s", version(), r, stack)
	where := "(could not write the stack trace)"
	if f, err := os.CreateTemp("", "kpgen-crash-*.txt"); err == nil {
		_, werr := f.WriteString(msg)
		if cerr := f.Close(); werr == nil && cerr == nil {
			where = f.Name()
		}
	}
	fmt.Fprintf(stderr, "kpgen: internal error: %v\nThis is a bug in kpgen, not in your spec; please report it with the stack trace written to %s.\n", r, where)
	return ExitUsage
}

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func (a *app) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "kpgen",
		Short: "Generate and lint AWS KMS key strategy from an organization spec",
		Long: `kpgen reads an organization spec (*.kp.hcl), works out which AWS KMS keys must
exist and who may administer and use each one, lints the spec against the four
principles of the AWS guidance, and writes key policies, CloudFormation and
Terraform.`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	root.PersistentFlags().StringVarP(&a.dirFlag, "dir", "C", "", "spec directory (default: the DIR argument, else .)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see 'kpgen %s -h')", err, c.Name())
	})
	root.AddCommand(
		a.validateCmd(),
		a.lintCmd(),
		a.planCmd(),
		a.buildCmd(),
		a.checkCmd(),
		a.diffCmd(),
		a.schemaCmd(),
		a.initCmd(),
		a.fmtCmd(),
		a.rulesCmd(),
		a.explainCmd(),
		a.lintPolicyCmd(),
		a.versionCmd(),
	)
	root.AddCommand(extraCommands...)
	return root
}

// specDir picks the spec directory: the positional argument, else -C, else ".".
func (a *app) specDir(args []string) (string, error) {
	switch {
	case len(args) > 0 && a.dirFlag != "" && args[0] != a.dirFlag:
		return "", &exitError{code: ExitUsage, msg: "give the spec directory once: as -C or as the DIR argument"}
	case len(args) > 0:
		return args[0], nil
	case a.dirFlag != "":
		return a.dirFlag, nil
	}
	return ".", nil
}

// loaded is a spec read and resolved, with everything said about it.
type loaded struct {
	spec  *schema.Spec
	model *model.Model
	diags diag.Diagnostics
}

func (l *loaded) sources() report.Sources {
	if l.spec == nil {
		return nil
	}
	return report.Sources(l.spec.Files)
}

// load reads, validates and resolves the spec in dir. An I/O failure is
// returned as an error; mistakes in the spec are in the diagnostics.
func load(dir string) (*loaded, error) {
	s, err := readSpec(dir)
	if err != nil {
		return nil, err
	}
	return s.load(), nil
}

// specFiles is a spec directory as read, before it is parsed: lint and build
// key their cached results on these bytes.
type specFiles struct {
	dir   string
	names []string
	srcs  [][]byte
	diags diag.Diagnostics // what reading found wrong
}

// readSpec reads the spec files of dir. An I/O failure is returned as an
// error; a file refused unread is in the diagnostics.
func readSpec(dir string) (*specFiles, error) {
	names, srcs, diags, err := schema.Read(dir)
	if err != nil {
		return nil, ioError("%v", err)
	}
	return &specFiles{dir: dir, names: names, srcs: srcs, diags: diags}, nil
}

// cacheKey is the key of a command's result on these files: opts are the
// command's name and every option that decides the result.
func (s *specFiles) cacheKey(opts ...string) string {
	parts := make([][]byte, 0, len(opts)+1+2*len(s.names))
	for _, o := range opts {
		parts = append(parts, []byte(o))
	}
	parts = append(parts, []byte(s.dir))
	for i := range s.names {
		parts = append(parts, []byte(s.names[i]), s.srcs[i])
	}
	return cache.Key(parts...)
}

// load parses, validates and resolves the files.
func (s *specFiles) load() *loaded {
	if s.diags.HasErrors() {
		return &loaded{diags: s.diags}
	}
	spec, diags, _ := schema.Parse(s.dir, s.names, s.srcs)
	return resolve(spec, diags)
}

// resolve builds the model of a spec that loaded without errors.
func resolve(spec *schema.Spec, diags diag.Diagnostics) *loaded {
	l := &loaded{spec: spec, diags: diags}
	if diags.HasErrors() {
		return l
	}
	m, mdiags := model.Build(spec)
	l.model = m
	l.diags = append(l.diags, mdiags...)
	return l
}

// printDiags writes diagnostics as text, coloured when w is a terminal and
// NO_COLOR is unset.
func printDiags(w io.Writer, ds diag.Diagnostics, src report.Sources) {
	ds.Sort()
	// A terminal that cannot be written to leaves nobody to tell.
	_ = report.Text(w, ds, src, useColor(w))
}

func useColor(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// oneOf checks an enumerated flag value.
func oneOf(flag, value string, allowed ...string) error {
	for _, v := range allowed {
		if v == value {
			return nil
		}
	}
	return &exitError{code: ExitUsage, msg: fmt.Sprintf("--%s must be one of %s, not %q", flag, strings.Join(allowed, ", "), value)}
}
