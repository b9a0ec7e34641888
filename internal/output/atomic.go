// Package output writes kpgen's files: atomically, only when their content
// changed, and only inside the output directory.
package output

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// TempMarker is in the name of every temporary file kpgen writes: a build
// that was killed can leave one behind, and the next build removes it.
const TempMarker = ".kpgen-tmp-"

// WriteFileAtomic replaces path with data so that a reader, or a crash, sees
// either the old file or the new one, never a part: the data goes to a
// temporary file in the same directory, is synced, and is renamed over path.
// The file gets mode perm; perm 0 keeps the mode of the file it replaces, or
// gives a new file what the umask leaves of 0666. A file replaced keeps its
// owner and group as far as the user may give them (keepOwner).
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	old, statErr := os.Stat(path)
	if perm == 0 && statErr == nil {
		perm = old.Mode().Perm()
	}
	tmp, err := createTemp(dir, filepath.Base(path), perm)
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
		return targetError("write", path, err)
	}
	if statErr == nil {
		keepOwner(tmp, old)
	}
	if perm != 0 {
		if err = tmp.Chmod(perm); err != nil {
			return targetError("chmod", path, err)
		}
	}
	if err = tmp.Sync(); err != nil {
		return targetError("sync", path, err)
	}
	if err = tmp.Close(); err != nil {
		return targetError("close", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return targetError("rename", path, err)
	}
	return syncDir(dir)
}

// createTemp creates the temporary file of output name in dir,
// .NAME.kpgen-tmp-DIGITS, with what the umask leaves of mode perm, or of
// 0666 when perm is 0, as for any new file (os.CreateTemp's would be 0600,
// whatever the umask). Created with the mode it is to have, it is never
// readable by more users than the file it replaces, even for a moment.
func createTemp(dir, name string, perm os.FileMode) (*os.File, error) {
	if perm == 0 {
		perm = 0o666
	}
	for {
		path := filepath.Join(dir, "."+name+TempMarker+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// targetError is err, met on the temporary file of path, as an error about
// path: the temporary file's name means nothing to the user.
func targetError(op, path string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
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
