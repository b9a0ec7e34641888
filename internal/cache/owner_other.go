//go:build !unix

package cache

import "io/fs"

// ownedByMe: elsewhere than Unix, the cache directory's permissions are
// left to the system's defaults for the user's cache directory.
func ownedByMe(fs.FileInfo) bool { return true }
