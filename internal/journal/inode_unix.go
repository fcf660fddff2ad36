//go:build unix

package journal

import (
	"os"
	"syscall"
)

// inode identifies the file behind a name, so a writer notices that another
// process compacted the journal (renamed a new file over it).
func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
