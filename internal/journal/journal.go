// Package journal is ladmin's local record of every change it makes: an
// append-only NDJSON file with one intent record before each write request
// and one outcome record after it (spec/lifecycle.md "History"). Records are
// grouped into runs (one ladmin command), read back by `ladmin history`, and
// inverted by `ladmin undo`.
//
// Writers in several processes share the file: every append takes an
// exclusive lock on a sidecar lock file, and compaction (which rewrites the
// file) takes the same lock, so no record is lost or torn. Intents are made
// durable in groups: concurrent writers wait for one fsync that covers all
// of them, so an import is not held back by one sync per request.
package journal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// Record types.
const (
	TypeIntent  = "intent"  // a write request is about to be sent
	TypeOutcome = "outcome" // how it ended
	TypeSummary = "summary" // an old run folded by compaction
)

// Outcomes of a step.
const (
	OutcomeOK      = "ok"
	OutcomeFailed  = "failed"
	OutcomeUnknown = "unknown" // the answer was lost, or no outcome was ever recorded (a crash)
)

// Record is one line of the journal.
type Record struct {
	Type string    `json:"type"`
	Run  string    `json:"run"`
	Step int       `json:"step"`
	Time time.Time `json:"time"`

	Account string `json:"account,omitempty"`
	Profile string `json:"profile,omitempty"`
	Caller  string `json:"caller,omitempty"`
	Command string `json:"command,omitempty"`

	Op       string          `json:"op,omitempty"`
	Kind     string          `json:"kind,omitempty"`
	Target   string          `json:"target,omitempty"`
	TargetID string          `json:"target_id,omitempty"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`

	Outcome string `json:"outcome,omitempty"`
	Error   string `json:"error,omitempty"`

	// Summary is set on summary records: what the folded run did.
	Summary *Folded `json:"summary,omitempty"`
}

// Folded is what compaction keeps of an old run.
type Folded struct {
	Steps   int      `json:"steps"`
	OK      int      `json:"ok"`
	Failed  int      `json:"failed"`
	Unknown int      `json:"unknown"`
	Targets []string `json:"targets,omitempty"`
	Ops     []string `json:"ops,omitempty"`
}

// DefaultMaxSize is the size past which the journal is compacted.
const DefaultMaxSize int64 = 32 << 20

// Path is where the journal lives: $LADMIN_JOURNAL, else
// $XDG_STATE_HOME/ladmin/journal.ndjson, else ~/.local/state/ladmin/journal.ndjson.
func Path(getenv func(string) string) (string, error) {
	if p := getenv("LADMIN_JOURNAL"); p != "" {
		return p, nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "ladmin", "journal.ndjson"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", errors.New("cannot find the journal's directory: set LADMIN_JOURNAL or XDG_STATE_HOME")
		}
		home = h
	}
	return filepath.Join(home, ".local", "state", "ladmin", "journal.ndjson"), nil
}

// NewRunID makes a run id: sortable by time, unique enough across processes.
func NewRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// Writer appends records to one journal file. It is safe for concurrent use.
type Writer struct {
	path string
	lock *flock.Flock
	// MaxSize is the size past which Close compacts the file (0: never).
	MaxSize int64

	mu      sync.Mutex // guards f, written and writes
	f       *os.File
	ino     uint64
	written uint64 // records written so far

	smu     sync.Mutex // guards the group sync
	cond    *sync.Cond
	synced  uint64
	syncing bool
	syncErr error
}

// Open opens (creating with mode 0600) the journal at path for appending.
func Open(path string) (*Writer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the journal's directory: %w", err)
	}
	w := &Writer{path: path, lock: flock.New(path + ".lock"), MaxSize: DefaultMaxSize}
	w.cond = sync.NewCond(&w.smu)
	if err := w.reopen(); err != nil {
		return nil, err
	}
	return w, nil
}

// Path is the file the writer appends to.
func (w *Writer) Path() string { return w.path }

func (w *Writer) reopen() error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot open the journal %s: %w", w.path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		_ = f.Chmod(0o600)
	}
	if w.f != nil {
		// Records written to the old file before another process
		// compacted it were copied by that compaction; make them durable.
		_ = w.f.Sync()
		w.f.Close()
	}
	w.f, w.ino = f, inode(fi)
	return nil
}

// Append writes records, in order, under the cross-process lock; with
// durable it returns only once they are on disk (an fsync shared with every
// other writer waiting at the same time).
func (w *Writer) Append(durable bool, recs ...Record) error {
	var buf bytes.Buffer
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			return err
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	seq, err := w.write(buf.Bytes(), len(recs))
	if err != nil || !durable {
		return err
	}
	return w.waitSynced(seq)
}

func (w *Writer) write(b []byte, n int) (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return 0, errors.New("the journal is closed")
	}
	if err := w.lock.Lock(); err != nil {
		return 0, fmt.Errorf("cannot lock the journal %s: %w", w.path, err)
	}
	defer func() { _ = w.lock.Unlock() }()
	// Another process may have compacted (replaced) the file since.
	if fi, err := os.Stat(w.path); err != nil || inode(fi) != w.ino {
		if err := w.reopen(); err != nil {
			return 0, err
		}
	}
	if _, err := w.f.Write(b); err != nil {
		return 0, fmt.Errorf("cannot write the journal %s: %w", w.path, err)
	}
	w.written += uint64(n)
	return w.written, nil
}

// waitSynced returns once record seq is on disk. One waiter at a time runs
// fsync; those who arrive meanwhile share the next one.
func (w *Writer) waitSynced(seq uint64) error {
	w.smu.Lock()
	defer w.smu.Unlock()
	for w.synced < seq {
		if w.syncErr != nil {
			return w.syncErr
		}
		if w.syncing {
			w.cond.Wait()
			continue
		}
		w.syncing = true
		w.smu.Unlock()
		w.mu.Lock()
		target, f := w.written, w.f
		w.mu.Unlock()
		var err error
		if f != nil {
			err = datasync(f)
		}
		w.smu.Lock()
		w.syncing = false
		if err != nil {
			w.syncErr = fmt.Errorf("cannot sync the journal %s: %w", w.path, err)
		} else if target > w.synced {
			w.synced = target
		}
		w.cond.Broadcast()
	}
	return nil
}

// Close syncs what was written, compacts the file when it has grown past
// MaxSize, and closes it.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err == nil && w.MaxSize > 0 {
		if fi, serr := os.Stat(w.path); serr == nil && fi.Size() > w.MaxSize {
			err = Compact(w.path, w.MaxSize)
		}
	}
	return err
}
