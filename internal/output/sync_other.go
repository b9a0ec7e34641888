//go:build !linux

package output

import "os"

// syncAll makes the given files or directories durable, one fsync each.
func syncAll(_ string, paths []string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
