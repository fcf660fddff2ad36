//go:build !unix

package journal

import "os"

// inode is unknown here (Windows): a file still open cannot be renamed over
// there, so a compaction by another process cannot happen under a writer.
func inode(os.FileInfo) uint64 { return 0 }
