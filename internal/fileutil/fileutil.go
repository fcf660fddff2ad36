// Package fileutil holds the two file habits every ladmin writer shares: a
// cross-process lock around a read-modify-write (the config file, the
// journal), and a file that appears under its name only once it is complete
// (the config file, --failed), so a crash, kill -9 or a full disk never
// leaves a truncated or half-true file behind.
package fileutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// LockTimeout is how long Lock waits for another ladmin to let go before
// giving up: long enough for any config write or journal append, short
// enough that a stuck process is reported rather than waited on forever.
const LockTimeout = 10 * time.Second

// Lock takes an exclusive lock for path across processes, waiting up to
// LockTimeout (or until ctx is done). The lock is held on a separate file,
// path + ".lock", because writers replace path itself by rename and a lock
// on the replaced inode would protect nothing. A symlinked path is resolved
// first, so two names of one file share one lock. Call unlock when done.
func Lock(ctx context.Context, path string) (unlock func() error, err error) {
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the directory of %s: %w", path, err)
	}
	lockPath := path + ".lock"
	fl := flock.New(lockPath, flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return nil, fmt.Errorf("locking %s: %w", lockPath, err)
	}
	if !ok {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ctx.Err() // interrupted while waiting
		}
		return nil, fmt.Errorf("%s is locked by another ladmin process (waited %s); try again when it has finished, or remove %s if no ladmin is running",
			path, LockTimeout, lockPath)
	}
	return fl.Unlock, nil
}

// Atomic is a file being written under a temporary name in the directory of
// its final path. Commit makes it appear under that path in one rename;
// Close without Commit removes it, so nothing partial is ever left under
// the real name. It is created with mode 0600.
type Atomic struct {
	*os.File
	path      string
	committed bool
}

// CreateAtomic starts writing path. A symlinked path has its target
// replaced, not the link (dotfile managers link config files).
func CreateAtomic(path string) (*Atomic, error) {
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp") // CreateTemp uses mode 0600
	if err != nil {
		return nil, err
	}
	return &Atomic{File: tmp, path: path}, nil
}

// rename is os.Rename, replaceable by tests to simulate a failed commit.
var rename = os.Rename

// Commit syncs the data, closes the temporary file and renames it over path.
// After an error nothing has changed at path and the temporary file is gone.
func (a *Atomic) Commit() error {
	if a.committed {
		return nil
	}
	err := a.Sync()
	if cerr := a.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = rename(a.Name(), a.path)
	}
	if err != nil {
		_ = os.Remove(a.Name())
		return err
	}
	a.committed = true
	syncDir(filepath.Dir(a.path))
	return nil
}

// Close abandons the file unless it was committed. It is safe to call after
// Commit and more than once, so `defer a.Close()` is always right.
func (a *Atomic) Close() error {
	if a.committed {
		return nil
	}
	_ = a.File.Close()
	err := os.Remove(a.Name())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// WriteAtomic writes data to path through CreateAtomic and Commit.
func WriteAtomic(path string, data []byte) error {
	a, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Write(data); err != nil {
		return err
	}
	return a.Commit()
}

// syncDir makes a rename durable. It is best effort: some systems (Windows)
// cannot open or sync a directory, and the data is already safe.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
