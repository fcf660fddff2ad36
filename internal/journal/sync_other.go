//go:build !linux

package journal

import "os"

// datasync makes appended records durable.
func datasync(f *os.File) error { return f.Sync() }
