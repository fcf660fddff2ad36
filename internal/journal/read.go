package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/gofrs/flock"
)

// Read returns every record of the journal at path, in file order. A missing
// file is an empty journal. Lines that do not parse (a write torn by a power
// loss) are skipped and counted.
func Read(path string) (recs []Record, skipped int, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read the journal: %w", err)
	}
	defer f.Close()
	return decode(f)
}

func decode(r io.Reader) ([]Record, int, error) {
	var recs []Record
	skipped := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil || rec.Run == "" {
			skipped++
			continue
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return recs, skipped, fmt.Errorf("cannot read the journal: %w", err)
	}
	return recs, skipped, nil
}

// Step is one write request of a run: its intent joined with its outcome.
type Step struct {
	Step     int             `json:"step"`
	Time     time.Time       `json:"time"`
	Op       string          `json:"op"`
	Kind     string          `json:"kind"`
	Target   string          `json:"target"`
	TargetID string          `json:"target_id,omitempty"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	Outcome  string          `json:"outcome"`
	Error    string          `json:"error,omitempty"`
	// Recorded is false when no outcome was ever written (the process died
	// or is still running): the outcome is then unknown.
	Recorded bool `json:"outcome_recorded"`
}

// Run is one ladmin command's changes.
type Run struct {
	ID      string    `json:"id"`
	Time    time.Time `json:"time"`
	Account string    `json:"account"`
	Profile string    `json:"profile"`
	Caller  string    `json:"caller"`
	Command string    `json:"command"`
	Steps   []Step    `json:"steps"`
	Counts  Counts    `json:"counts"`
	// Compacted is true when only a summary of the run is left.
	Compacted bool    `json:"compacted,omitempty"`
	Summary   *Folded `json:"summary,omitempty"`
}

// Counts is how a run's steps ended.
type Counts struct {
	Steps   int `json:"steps"`
	OK      int `json:"ok"`
	Failed  int `json:"failed"`
	Unknown int `json:"unknown"`
}

// Fold groups records into runs, oldest first, joining each intent with its
// outcome. An intent without an outcome is a step whose outcome is unknown.
func Fold(recs []Record) []*Run {
	byID := map[string]*Run{}
	var order []*Run
	type key struct {
		run  string
		step int
	}
	steps := map[key]int{} // index into its run's Steps
	for _, r := range recs {
		run := byID[r.Run]
		if run == nil {
			run = &Run{ID: r.Run, Time: r.Time}
			byID[r.Run] = run
			order = append(order, run)
		}
		if run.Account == "" {
			run.Account, run.Profile, run.Caller, run.Command = r.Account, r.Profile, r.Caller, r.Command
		}
		if r.Caller != "" && run.Caller == "" {
			run.Caller = r.Caller
		}
		switch r.Type {
		case TypeSummary:
			run.Compacted, run.Summary = true, r.Summary
		case TypeIntent:
			steps[key{r.Run, r.Step}] = len(run.Steps)
			run.Steps = append(run.Steps, Step{Step: r.Step, Time: r.Time, Op: r.Op, Kind: r.Kind, Target: r.Target,
				TargetID: r.TargetID, Before: r.Before, Outcome: OutcomeUnknown})
		case TypeOutcome:
			i, ok := steps[key{r.Run, r.Step}]
			if !ok {
				continue // its intent was compacted away
			}
			s := &run.Steps[i]
			s.Outcome, s.Error, s.Recorded = r.Outcome, r.Error, true
			if len(r.After) > 0 {
				s.After = r.After
			}
			if r.TargetID != "" && s.TargetID == "" {
				s.TargetID = r.TargetID
			}
		}
	}
	for _, run := range order {
		sort.SliceStable(run.Steps, func(i, j int) bool { return run.Steps[i].Step < run.Steps[j].Step })
		run.Counts = Counts{}
		if run.Summary != nil {
			run.Counts = Counts{Steps: run.Summary.Steps, OK: run.Summary.OK, Failed: run.Summary.Failed, Unknown: run.Summary.Unknown}
		}
		for _, s := range run.Steps {
			run.Counts.Steps++
			switch s.Outcome {
			case OutcomeOK:
				run.Counts.OK++
			case OutcomeFailed:
				run.Counts.Failed++
			default:
				run.Counts.Unknown++
			}
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].Time.Before(order[j].Time) })
	return order
}

// Compact rewrites the journal at path so that it holds at most about half
// of maxSize: the newest runs are kept whole, and every older run is folded
// into one summary record (what it did, how many steps, which targets), never
// dropped. It holds the writers' lock while it works.
func Compact(path string, maxSize int64) error {
	lock := flock.New(path + ".lock")
	if err := lock.Lock(); err != nil {
		return fmt.Errorf("cannot lock the journal %s: %w", path, err)
	}
	defer func() { _ = lock.Unlock() }()
	recs, _, err := Read(path)
	if err != nil {
		return err
	}
	byRun := map[string][]Record{}
	var order []string
	sizes := map[string]int64{}
	for _, r := range recs {
		if _, ok := byRun[r.Run]; !ok {
			order = append(order, r.Run)
		}
		byRun[r.Run] = append(byRun[r.Run], r)
		b, _ := json.Marshal(r)
		sizes[r.Run] += int64(len(b)) + 1
	}
	// Every run is at least its summary; the newest are kept whole as long
	// as the file stays within half of maxSize.
	summaries := map[string]Record{}
	var total int64
	for _, id := range order {
		summaries[id] = summarize(byRun[id])
		b, _ := json.Marshal(summaries[id])
		total += int64(len(b)) + 1
		sizes[id] -= int64(len(b)) + 1 // what keeping it whole costs on top
	}
	keep := map[string]bool{}
	for i := len(order) - 1; i >= 0; i-- {
		id := order[i]
		if total+sizes[id] > maxSize/2 {
			break
		}
		total += sizes[id]
		keep[id] = true
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	for _, id := range order {
		if keep[id] {
			for _, r := range byRun[id] {
				_ = enc.Encode(r)
			}
			continue
		}
		_ = enc.Encode(summaries[id])
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".journal-*.tmp")
	if err != nil {
		return fmt.Errorf("cannot compact the journal: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(out.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot compact the journal: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// summarize folds one run's records into a summary record.
func summarize(rs []Record) Record {
	runs := Fold(rs)
	run := runs[0]
	s := Record{Type: TypeSummary, Run: run.ID, Time: run.Time, Account: run.Account, Profile: run.Profile,
		Caller: run.Caller, Command: run.Command, Summary: &Folded{}}
	if run.Summary != nil {
		*s.Summary = *run.Summary
	}
	seenT, seenO := map[string]bool{}, map[string]bool{}
	for _, t := range s.Summary.Targets {
		seenT[t] = true
	}
	for _, o := range s.Summary.Ops {
		seenO[o] = true
	}
	for _, st := range run.Steps {
		s.Summary.Steps++
		switch st.Outcome {
		case OutcomeOK:
			s.Summary.OK++
		case OutcomeFailed:
			s.Summary.Failed++
		default:
			s.Summary.Unknown++
		}
		if t := st.Target; t != "" && !seenT[t] {
			seenT[t] = true
			s.Summary.Targets = append(s.Summary.Targets, t)
		}
		if !seenO[st.Op] {
			seenO[st.Op] = true
			s.Summary.Ops = append(s.Summary.Ops, st.Op)
		}
	}
	return s
}
