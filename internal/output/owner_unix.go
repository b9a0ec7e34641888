//go:build unix

package output

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives f, the new file that is to replace the one old describes,
// old's owner and group, as far as the user may: a file renamed into place
// would otherwise pass to whoever ran kpgen, and a shared checkout's group
// would lose write access to it. Only root may give a file to another user;
// a member of old's group may still give it that group. What the user may
// not do is left undone: the file is written all the same.
func keepOwner(f *os.File, old fs.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	fi, err := f.Stat()
	if err != nil {
		return
	}
	if now, ok := fi.Sys().(*syscall.Stat_t); !ok || (now.Uid == st.Uid && now.Gid == st.Gid) {
		return
	}
	if f.Chown(int(st.Uid), int(st.Gid)) != nil {
		_ = f.Chown(-1, int(st.Gid))
	}
}
