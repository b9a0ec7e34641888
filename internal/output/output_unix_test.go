//go:build unix

package output

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWriteRefusesSpecialFiles: a FIFO where an output goes is refused
// without being opened (opening it would block), and so is a socket.
func TestWriteRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "policies"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "policies", "a.json"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	files := []File{{Path: "policies/a.json", Data: []byte("a\n")}}
	if _, err := Write(dir, files, nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Write over a FIFO: %v", err)
	}
	if _, err := Diff(dir, files, nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Diff over a FIFO: %v", err)
	}
	if ok, _, _ := Current(dir); ok {
		t.Error("Current accepted a directory without a manifest")
	}
}

// TestKeptFIFONotRead: a build that leaves a kind of output alone (--only)
// decides which of an interrupted build's two manifest entries a file
// holds by reading it; a FIFO there is not opened, which would block.
func TestKeptFIFONotRead(t *testing.T) {
	dir := t.TempDir()
	p := File{Path: "policies/p.json", Data: []byte("p\n")}
	tf := File{Path: "terraform/prod/a.tf", Data: []byte("old\n")}
	write(t, dir, p, tf)
	writeManifest(t, dir, entryOf(p.Path, p.Data), entryOf(tf.Path, []byte("old\n")), entryOf(tf.Path, []byte("new\n")))
	full := filepath.Join(dir, "terraform", "prod", "a.tf")
	if err := os.Remove(full); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(full, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Write(dir, []File{p}, func(path string) bool { return strings.HasPrefix(path, "terraform/") })
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		// Unblock the reader so that the test ends.
		if f, err := os.OpenFile(full, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("the build opened the FIFO and blocked")
	}
}

// TestWriteFileAtomicReplaces: the new content comes in a new file renamed
// over the old one, which a reader holding the old one (a hard link here)
// keeps whole; no temporary file is left.
func TestWriteFileAtomicReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	held := filepath.Join(dir, "held")
	if err := os.Link(path, held); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new\n" {
		t.Errorf("%s holds %q, want %q", path, got, "new\n")
	}
	if got, _ := os.ReadFile(held); string(got) != "old\n" {
		t.Errorf("the old file was written in place: it holds %q", got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("the directory holds %d entries, want 2 (a temporary file left?)", len(entries))
	}
}

// TestWriteFileAtomicNamesTheTarget: an error met after the temporary file
// exists (here the rename, over a directory) names the file being written,
// not the temporary file, which is removed.
func TestWriteFileAtomicNamesTheTarget(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "taken")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFileAtomic(path, []byte("x"), 0o644)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "rename" || pe.Path != path {
		t.Fatalf("got %v, want a rename error naming %s", err, path)
	}
	if strings.Contains(err.Error(), TempMarker) {
		t.Errorf("the error names the temporary file: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want 1 (a temporary file left?)", len(entries))
	}
}

// TestTargetError: an error about a temporary file, a path error or a link
// error, names the file being written instead.
func TestTargetError(t *testing.T) {
	tmp := "out/.x.json" + TempMarker + "1"
	for _, err := range []error{
		&fs.PathError{Op: "write", Path: tmp, Err: syscall.ENOSPC},
		&os.LinkError{Op: "rename", Old: tmp, New: "out/x.json", Err: syscall.ENOSPC},
	} {
		if got, want := targetError("write", "out/x.json", err).Error(), "write out/x.json: no space left on device"; got != want {
			t.Errorf("targetError(%v) = %q, want %q", err, got, want)
		}
	}
}
