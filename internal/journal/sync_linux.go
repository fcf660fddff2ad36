package journal

import (
	"os"

	"golang.org/x/sys/unix"
)

// datasync makes appended records durable: fdatasync skips the file's
// timestamps, which an append-only journal does not need on disk, and costs
// less than fsync.
func datasync(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if err != unix.EINTR {
			return err
		}
	}
}
