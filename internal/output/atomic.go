// Package output writes kpgen's files: atomically, only when their content
// changed, and only inside the output directory.
package output

import (
	"fmt"
	"os"
	"path/filepath"
)

// TempMarker is in the name of every temporary file kpgen writes: a build
// that was killed can leave one behind, and the next build removes it.
const TempMarker = ".kpgen-tmp-"

// WriteFileAtomic replaces path with data so that a reader, or a crash, sees
// either the old file or the new one, never a part: the data goes to a
// temporary file in the same directory, is synced, and is renamed over path.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+TempMarker+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
