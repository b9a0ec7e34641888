// Package cli is the kpgen command line: commands, flags, exit codes and
// file writing. It runs in-process, so tests call Main directly.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/kpgen/kpgen/internal/cache"
	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/par"
	"github.com/kpgen/kpgen/internal/report"
	"github.com/kpgen/kpgen/lint"
	"github.com/kpgen/kpgen/lint/rules"
	"github.com/kpgen/kpgen/schema"
)

// Exit codes, as docs/cli.md lists them.
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
	// more holds further lines of the message, each printed as one.
	more []string
}

func (e *exitError) Error() string { return strings.Join(append([]string{e.msg}, e.more...), "\n") }

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
	out := &trackedWriter{w: stdout}
	a := &app{stdout: out, stderr: stderr}
	if len(args) == 0 {
		root := a.root()
		root.SetOut(stderr)
		_ = root.Usage()
		fmt.Fprintln(stderr, "kpgen: a command is needed")
		return ExitUsage
	}
	root := a.root()
	root.SetArgs(normalizeArgs(args))
	root.SetOut(out)
	root.SetErr(stderr)
	err := root.Execute()
	if out.err != nil {
		// What a command printed is its product: losing it (a full disk,
		// a closed pipe) fails the command, whatever it found.
		fmt.Fprintf(stderr, "kpgen: cannot write the output: %v\n", out.err)
		return ExitUsage
	}
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			// Messages name paths and files kpgen did not write: each
			// line is printed as one, whatever a name holds.
			for _, line := range append([]string{ee.msg}, ee.more...) {
				fmt.Fprintf(stderr, "kpgen: %s\n", report.Printable(line))
			}
		}
		return ee.code
	}
	// Anything else comes from cobra: a wrong command line, which the
	// message quotes (an unknown flag's name as typed), then perhaps the
	// commands it suggests, kpgen's own names, on lines of their own.
	msg, suggestions, _ := strings.Cut(err.Error(), "\n\nDid you mean this?\n")
	if suggestions != "" {
		suggestions = "\n\nDid you mean this?\n" + report.PrintableText(suggestions)
	}
	fmt.Fprintf(stderr, "kpgen: %s%s\nRun 'kpgen --help' for usage.\n", report.Printable(msg), suggestions)
	return ExitUsage
}

// trackedWriter remembers the first error of the writer it wraps, so that
// no command can lose its output unnoticed.
type trackedWriter struct {
	w   io.Writer
	err error
}

func (t *trackedWriter) Write(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.w.Write(p)
	if err != nil {
		t.err = err
	}
	return n, err
}

// normalizeArgs accepts the single-dash long flag that the documented
// command line spells (fmt -check), which pflag would read as a group of
// short flags. Only fmt's own flags are rewritten: not the value of -C, nor
// anything after "--", which may be a directory named -check.
func normalizeArgs(args []string) []string {
	out := slices.Clone(args)
	command := ""
	for i := 0; i < len(out); i++ {
		a := out[i]
		switch {
		case a == "--":
			return out
		case a == "-C" || a == "--dir":
			i++ // its value
		case command == "" && !strings.HasPrefix(a, "-"):
			command = a
		case command == "fmt" && a == "-check":
			out[i] = "--check"
		}
	}
	return out
}

// shellPath writes a path as an argument of a command that kpgen tells the
// user to run, as sh, bash, zsh and fish all read it: as it is when it holds
// only letters, digits and _ . / -, else in single quotes, where none of
// them expands anything; when it begins with "-", as ./PATH, so that it is
// not taken for a flag. A path that holds ' or \ has no such form (inside
// single quotes fish reads \' as a quote, sh as a backslash and the end of
// the quotes), nor one that kpgen must show escaped (a control character,
// bytes that are no UTF-8): ok is false, and the caller names no command to
// paste.
func shellPath(p string) (quoted string, ok bool) {
	if strings.ContainsAny(p, `'\`) || report.Printable(p) != p {
		return "", false
	}
	if strings.HasPrefix(p, "-") {
		p = "./" + p
	}
	if plainPath.MatchString(p) {
		return p, true
	}
	return "'" + p + "'", true
}

// plainPath is a path no shell changes: letters, digits and _ . / -.
var plainPath = regexp.MustCompile(`^[A-Za-z0-9_./-]+$`)

// noPaste ends a message that would name a command to run with a path
// shellPath cannot quote.
const noPaste = "(its path holds a quote, a backslash or a character kpgen shows escaped, which shells read differently, so no command is given to paste)"

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

// fitMemoryLimit raises the soft memory limit to factor times the heap
// that the last collection found live, when that is higher. A limit close
// to the live heap would have the collector run without pause: a build of
// 2,000 applications keeps about 200 MB live, and took three times as long
// under a limit of 200 MiB. A limit set by GOMEMLIMIT is left alone.
func fitMemoryLimit(factor int64) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	if live[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	if want := factor * int64(live[0].Value.Uint64()); want > debug.SetMemoryLimit(-1) {
		debug.SetMemoryLimit(want)
	}
}

func crash(r any, stderr io.Writer) int {
	stack := debug.Stack()
	if p, ok := r.(*par.Panic); ok {
		r, stack = p.Value, p.Stack
	}
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
	// -C names the spec directory of the commands that read one; any other
	// command would silently ignore it.
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if a.dirFlag != "" && c.HasParent() && !specCommands[c.Name()] && !c.Hidden && c.Name() != "help" {
			return &exitError{code: ExitUsage, msg: fmt.Sprintf("-C names a spec directory, which %s does not read", c.CommandPath())}
		}
		// An empty directory or file name names nothing; it is not the
		// default that leaving it out gives.
		for _, name := range []string{"dir", "out"} {
			if f := c.Flags().Lookup(name); f != nil && f.Changed && f.Value.String() == "" {
				return &exitError{code: ExitUsage, msg: fmt.Sprintf("-%s is empty: name a directory, or leave the flag out", f.Shorthand)}
			}
		}
		if slices.Contains(args, "") && !c.Hidden { // shell completion asks about ""
			return &exitError{code: ExitUsage, msg: "an argument is empty: name a directory or file, or leave it out"}
		}
		return nil
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see '%s -h')", err, c.CommandPath())
	})
	// An unknown help topic and a completion without a shell are wrong
	// command lines: exit 2. (So is kpgen alone; Main sees to that.)
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var names []string
			for _, sub := range root.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, sub.Name()+"\t"+sub.Short)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return &exitError{code: ExitUsage, msg: fmt.Sprintf("no help for %q: it is not a kpgen command", strings.Join(args, " "))}
			}
			return cmd.Help()
		},
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
	// The completion commands take their writer when they are made: the
	// tracked one, so that a failed write is reported as every command's.
	root.SetOut(a.stdout)
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		c.RunE = func(c *cobra.Command, args []string) error {
			return &exitError{code: ExitUsage, msg: "completion needs a shell: bash, zsh, fish or powershell"}
		}
	}
	a.hideDirFlag(root)
	return root
}

// hideDirFlag gives the commands that read no spec a -C of their own,
// hidden from their help, in place of the root's: they refuse it (see
// PersistentPreRunE), so their help does not offer it.
func (a *app) hideDirFlag(c *cobra.Command) {
	for _, sub := range c.Commands() {
		if !specCommands[sub.Name()] {
			sub.Flags().StringVarP(&a.dirFlag, "dir", "C", "", "spec directory")
			_ = sub.Flags().MarkHidden("dir")
		}
		a.hideDirFlag(sub)
	}
}

// specCommands are the commands that read a spec directory, from -C or
// their DIR argument.
var specCommands = map[string]bool{"validate": true, "lint": true, "plan": true, "build": true, "check": true, "init": true, "fmt": true}

// specDir picks the spec directory: the positional argument, else -C, else ".".
func (a *app) specDir(args []string) (string, error) {
	switch {
	case len(args) > 0 && a.dirFlag != "" && filepath.Clean(args[0]) != filepath.Clean(a.dirFlag):
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

// checkStructure adds KP701's findings to a spec that loaded without error:
// without the security team or key account its strategy needs, the spec
// says neither who administers the keys nor where they live, so validate,
// plan and diff refuse it as lint and build do.
func (l *loaded) checkStructure() {
	if !l.diags.HasErrors() {
		l.diags = append(l.diags, lint.Check(l.model, rules.KP701)...)
	}
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
// command's name and every option that decides the result. Files that were
// refused unread (a symbolic link, a FIFO, a file too large) have no bytes
// to key on, so their result is never cached: the key is "", which the
// cache neither answers nor stores.
func (s *specFiles) cacheKey(opts ...string) string {
	if s.diags.HasErrors() {
		return ""
	}
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
	spec, diags := schema.Parse(s.dir, s.names, s.srcs)
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
	if os.Getenv("TERM") == "dumb" {
		return false // a terminal that shows escape sequences as text
	}
	if t, ok := w.(*trackedWriter); ok {
		w = t.w
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
