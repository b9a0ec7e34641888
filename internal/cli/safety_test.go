package cli

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/par"
	"github.com/kpgen/kpgen/internal/testorg"
)

// kpgenBinary builds the kpgen command once for the tests that need a
// process of their own.
var kpgenBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "kpgen-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "kpgen")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/kpgen").CombinedOutput()
	if err != nil {
		return "", errors.New(string(out))
	}
	return bin, nil
})

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: this test runs kpgen as a process")
	}
	bin, err := kpgenBinary()
	if err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// bigSpec writes a generated organization of n applications.
func bigSpec(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "spec")
	if err := testorg.Write(dir, n); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestKilledBuildLeavesWholeFiles kills a large build part-way: every file
// it left is whole (byte-identical to a finished build's), and the next
// build completes and leaves no temporary file behind.
func TestKilledBuildLeavesWholeFiles(t *testing.T) {
	bin := binary(t)
	spec := bigSpec(t, 100)
	ref := filepath.Join(t.TempDir(), "ref")
	if out, err := exec.Command(bin, "build", "-q", spec, "-o", ref).CombinedOutput(); err != nil {
		t.Fatalf("reference build: %v\n%s", err, out)
	}
	want := readTree(t, ref)

	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(bin, "build", "-q", spec, "-o", out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has written some files, well before it is done.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && countFiles(out) < 100 {
		time.Sleep(2 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	got := readTree(t, out)
	if len(got) == 0 || len(got) >= len(want) {
		t.Logf("the build left %d of %d files; the kill came early or late", len(got), len(want))
	}
	// The manifest the kill left is whole and leads the next build to every
	// temporary file: each is beside a path it lists or names as pending.
	m, err := output.ReadManifest(out)
	if err != nil {
		t.Fatalf("the manifest after the kill: %v", err)
	}
	known := map[string]bool{output.ManifestName: true}
	for _, e := range m.Files {
		known[e.Path] = true
	}
	for _, p := range m.Pending {
		known[p] = true
	}
	for path, data := range got {
		if base := filepath.Base(path); strings.Contains(base, output.TempMarker) {
			name, _, _ := strings.Cut(strings.TrimPrefix(base, "."), output.TempMarker)
			if target := filepath.ToSlash(filepath.Join(filepath.Dir(path), name)); !known[target] {
				t.Errorf("temporary file %s is beside %s, which the manifest does not name", path, target)
			}
			continue // never a file kpgen reads or lists
		}
		if path == output.ManifestName {
			continue // whole, read above; it lists more than a finished build's
		}
		if want[path] != data {
			t.Errorf("%s is not whole after the kill (%d bytes, want %d)", path, len(data), len(want[path]))
		}
	}

	if out, err := exec.Command(bin, "build", "-q", spec, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("build after the kill: %v\n%s", err, out)
	}
	if diff := cmp.Diff(want, readTree(t, out)); diff != "" {
		t.Errorf("the build after the kill differs from a clean build (-want +got):\n%s", diff)
	}
}

func countFiles(dir string) int {
	n := 0
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// TestConcurrentBuilds runs two builds into one directory at once: the lock
// makes them take turns, both succeed, and the result is a clean build.
func TestConcurrentBuilds(t *testing.T) {
	bin := binary(t)
	spec := bigSpec(t, 40)
	ref := filepath.Join(t.TempDir(), "ref")
	if out, err := exec.Command(bin, "build", "-q", spec, "-o", ref).CombinedOutput(); err != nil {
		t.Fatalf("reference build: %v\n%s", err, out)
	}
	out := filepath.Join(t.TempDir(), "out")
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for range 2 {
		cmd := exec.Command(bin, "build", spec, "-o", out)
		var b bytes.Buffer
		cmd.Stdout, cmd.Stderr = &b, &b
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &b)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("build %d: %v\n%s", i, err, outs[i])
		}
	}
	// One wrote every file, the other found them unchanged.
	summaries := outs[0].String() + outs[1].String()
	if !strings.Contains(summaries, " 0 files written") {
		t.Errorf("neither build found the other's files unchanged:\n%s", summaries)
	}
	if diff := cmp.Diff(readTree(t, ref), readTree(t, out)); diff != "" {
		t.Errorf("two builds at once differ from one (-want +got):\n%s", diff)
	}
}

// TestDeterministicAcrossConditions builds a multi-file spec whose files were
// written in different orders, under different locales and CPU counts, and
// compares the trees byte for byte.
func TestDeterministicAcrossConditions(t *testing.T) {
	bin := binary(t)
	files := testorg.Files(30)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	var trees []map[string]string
	for i, env := range [][]string{
		{"LC_ALL=C", "GOMAXPROCS=1"},
		{"LC_ALL=tr_TR.UTF-8", "LANG=tr_TR.UTF-8", "GOMAXPROCS=2"},
		{"LC_ALL=de_DE.UTF-8", "TZ=Pacific/Chatham", "GOMAXPROCS=8"},
	} {
		spec := filepath.Join(t.TempDir(), "spec")
		if err := os.MkdirAll(spec, 0o755); err != nil {
			t.Fatal(err)
		}
		// Create the files in a different order each time, so that the
		// directory lists them differently.
		for j := range names {
			n := names[(j+i)%len(names)]
			if i%2 == 1 {
				n = names[len(names)-1-(j+i)%len(names)]
			}
			if err := os.WriteFile(filepath.Join(spec, n), files[n], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out := filepath.Join(t.TempDir(), "out")
		cmd := exec.Command(bin, "build", "-q", spec, "-o", out)
		cmd.Env = append(os.Environ(), env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build under %v: %v\n%s", env, err, b)
		}
		trees = append(trees, readTree(t, out))
	}
	for i := 1; i < len(trees); i++ {
		if diff := cmp.Diff(trees[0], trees[i]); diff != "" {
			t.Errorf("build %d differs from build 0 (-first +later):\n%s", i, diff)
		}
	}
}

// TestInternalErrorIsReported: a panic inside a command becomes a short
// message, exit 2, and the stack in a file, never on the terminal. A panic
// in a parallel loop is reported with the stack of the iteration that
// panicked.
func TestInternalErrorIsReported(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	commands := map[string]func(){
		"explode": func() { panic("a bug") },
		"explode-in-parallel": func() {
			par.Each(100, func(i int) {
				if i == 37 {
					explodeInIteration()
				}
			})
		},
	}
	defer func() { extraCommands = nil }()
	for _, c := range []struct{ command, frame string }{
		{"explode", "TestInternalErrorIsReported"},
		{"explode-in-parallel", "cli.explodeInIteration("},
	} {
		t.Setenv("TMPDIR", t.TempDir())
		run := commands[c.command]
		extraCommands = []*cobra.Command{{Use: c.command, RunE: func(*cobra.Command, []string) error {
			run()
			return nil
		}}}
		var stdout, stderr bytes.Buffer
		if code := Main([]string{c.command}, &stdout, &stderr); code != ExitUsage {
			t.Errorf("%s: exit %d, want %d", c.command, code, ExitUsage)
		}
		msg := stderr.String()
		if !strings.Contains(msg, "internal error: a bug\n") || !strings.Contains(msg, "please report it") || strings.Contains(msg, "goroutine") {
			t.Errorf("%s: message:\n%s", c.command, msg)
		}
		crashes, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "kpgen-crash-*.txt"))
		if len(crashes) != 1 {
			t.Fatalf("%s: %d crash files", c.command, len(crashes))
		}
		data, _ := os.ReadFile(crashes[0])
		if !strings.Contains(string(data), "goroutine") || !strings.Contains(msg, crashes[0]) {
			t.Errorf("%s: the crash file %s lacks the stack, or the message does not name it", c.command, crashes[0])
		}
		if !strings.Contains(string(data), c.frame) {
			t.Errorf("%s: the stack does not show %s:\n%s", c.command, c.frame, data)
		}
	}
}

func explodeInIteration() { panic("a bug") }

// TestKilledWhileRemoving: a build of a smaller spec killed while it
// removes the files it no longer makes leaves every file it did not yet
// remove listed, and the next build of the smaller spec leaves exactly a
// clean build's tree. Where the kill lands varies; what the test asserts
// holds wherever it does.
func TestKilledWhileRemoving(t *testing.T) {
	bin := binary(t)
	big, small := bigSpec(t, 100), bigSpec(t, 20)
	ref := filepath.Join(t.TempDir(), "ref")
	if out, err := exec.Command(bin, "build", "-q", small, "-o", ref).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := readTree(t, ref)
	caught := 0
	for try := range 3 {
		out := filepath.Join(t.TempDir(), "out")
		if b, err := exec.Command(bin, "build", "-q", big, "-o", out).CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		n := countFiles(out)
		cmd := exec.Command(bin, "build", "-q", small, "-o", out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && countFiles(out) > n-(n-len(want))/3 {
			time.Sleep(time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		left := countFiles(out)
		if left > len(want)+1 {
			caught++
		}
		m, err := output.ReadManifest(out)
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]bool{output.ManifestName: true}
		for _, e := range m.Files {
			listed[e.Path] = true
		}
		for p := range readTree(t, out) {
			if !listed[p] && !strings.Contains(filepath.Base(p), output.TempMarker) {
				t.Errorf("try %d: %s is on disk but not listed after the kill", try, p)
				break
			}
		}
		if b, err := exec.Command(bin, "build", "-q", small, "-o", out).CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		if diff := cmp.Diff(want, readTree(t, out)); diff != "" {
			t.Errorf("try %d: tree after the kill differs from a clean build (%d lines of diff)", try, strings.Count(diff, "\n"))
		}
		if diff := cmp.Diff(dirsOf(t, ref), dirsOf(t, out)); diff != "" {
			t.Errorf("try %d: directories after the kill differ from a clean build's (-want +got):\n%s", try, diff)
		}
	}
	t.Logf("killed while removing in %d of 3 tries", caught)
}

// dirsOf lists the directories below dir, as slash-separated paths.
func dirsOf(t *testing.T, dir string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && path != dir {
			rel, _ := filepath.Rel(dir, path)
			dirs = append(dirs, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}
