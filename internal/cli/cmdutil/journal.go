package cmdutil

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/ladmin/ladmin/internal/journal"
	"github.com/ladmin/ladmin/internal/liveagent"
)

// runJournal is the client's Recorder for one command: it opens the journal
// on the first write request only, so commands that change nothing never
// touch it, and every write of the command is one run.
type runJournal struct {
	f  *Factory
	mu sync.Mutex
	w  *journal.Writer
	r  *journal.Recorder
}

func (j *runJournal) Before(ctx context.Context, ch liveagent.Change) (func(any, error), error) {
	r, err := j.recorder()
	if err != nil {
		return nil, err
	}
	return r.Before(ctx, ch)
}

func (j *runJournal) recorder() (*journal.Recorder, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.r != nil {
		return j.r, nil
	}
	path, err := j.f.JournalFile()
	if err != nil {
		return nil, err
	}
	w, err := journal.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w (set LADMIN_JOURNAL to a writable file)", err)
	}
	getenv := j.f.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if max, ok, err := journalMaxSize(getenv("LADMIN_JOURNAL_MAX_SIZE")); err != nil {
		w.Close()
		return nil, err
	} else if ok {
		w.MaxSize = max
	}
	j.w = w
	j.r = journal.NewRecorder(w, "", j.f.ProfileName(), j.f.CommandLine)
	if j.f.RunID != "" {
		j.r.Run = j.f.RunID
	}
	return j.r, nil
}

// journalMaxSize parses LADMIN_JOURNAL_MAX_SIZE: bytes, or a number with KB, MB or GB.
func journalMaxSize(raw string) (int64, bool, error) {
	raw = strings.TrimSpace(strings.ToUpper(raw))
	if raw == "" {
		return 0, false, nil
	}
	mult := int64(1)
	for suffix, m := range map[string]int64{"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30} {
		if strings.HasSuffix(raw, suffix) && mult == 1 {
			if _, err := strconv.ParseInt(strings.TrimSuffix(raw, suffix), 10, 64); err == nil {
				raw, mult = strings.TrimSuffix(raw, suffix), m
			}
		}
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		return 0, false, Usagef("invalid LADMIN_JOURNAL_MAX_SIZE %q: use a size such as 64MB", raw)
	}
	return n * mult, true, nil
}

// recorder is the journal of this command's writes, shared by every client
// the command builds (import builds its own).
func (f *Factory) recorder() liveagent.Recorder {
	f.journalOnce.Do(func() { f.journal = &runJournal{f: f} })
	return f.journal
}

// JournalFile is the journal this command writes to and reads from.
func (f *Factory) JournalFile() (string, error) {
	if f.JournalPath != "" {
		return f.JournalPath, nil
	}
	getenv := f.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	return journal.Path(getenv)
}

// JournalRun is the journal run of this command's changes, once it made one.
func (f *Factory) JournalRun() string {
	if f.journal == nil {
		return ""
	}
	f.journal.mu.Lock()
	defer f.journal.mu.Unlock()
	if f.journal.r == nil || f.journal.r.Steps() == 0 {
		return ""
	}
	return f.journal.r.Run
}

// CloseJournal makes the command's journal records durable (and compacts
// the journal when it has grown too big). Main calls it once the command ends.
func (f *Factory) CloseJournal() error {
	if f.journal == nil {
		return nil
	}
	f.journal.mu.Lock()
	defer f.journal.mu.Unlock()
	if f.journal.w == nil {
		return nil
	}
	err := f.journal.w.Close()
	f.journal.w = nil
	return err
}
