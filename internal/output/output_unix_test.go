//go:build unix

package output

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
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
