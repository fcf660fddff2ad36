package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// The test binary doubles as a journal writer in another process.
const (
	childPath  = "JOURNAL_TEST_CHILD_PATH"
	childRun   = "JOURNAL_TEST_CHILD_RUN"
	childCount = "JOURNAL_TEST_CHILD_COUNT"
	childHang  = "JOURNAL_TEST_CHILD_HANG"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(childPath); path != "" {
		os.Exit(child(path))
	}
	os.Exit(m.Run())
}

// child writes intents and outcomes as an import would (several goroutines).
// With childHang it writes intents only, says "ready" and waits to be killed.
func child(path string) int {
	w, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n, _ := strconv.Atoi(os.Getenv(childCount))
	r := NewRecorder(w, "http://127.0.0.1:1", "default", "ladmin agent import -f x.csv")
	r.Run = os.Getenv(childRun)
	hang := os.Getenv(childHang) != ""
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				done, err := r.Before(context.Background(), liveagent.Change{Op: "create", Kind: "agent",
					Target: fmt.Sprintf("a%d@acme.example", i), Body: liveagent.AgentCreate{Email: fmt.Sprintf("a%d@acme.example", i)}})
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				if !hang {
					done(&liveagent.Agent{ID: fmt.Sprint(i), Email: fmt.Sprintf("a%d@acme.example", i), Status: "A"}, nil)
				}
			}
		})
	}
	wg.Wait()
	if hang {
		fmt.Println("ready")
		time.Sleep(time.Minute)
	}
	if err := w.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func startChild(t *testing.T, path, run string, n int, hang bool) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childPath+"="+path, childRun+"="+run, childCount+"="+strconv.Itoa(n))
	if hang {
		cmd.Env = append(cmd.Env, childHang+"=1")
	}
	cmd.Stderr = os.Stderr
	return cmd
}

func TestTwoProcessesLoseNoRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.ndjson")
	const n = 300
	a := startChild(t, path, "run-a", n, false)
	b := startChild(t, path, "run-b", n, false)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := b.Wait(); err != nil {
		t.Fatal(err)
	}
	recs, skipped, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 0 {
		t.Fatalf("%d torn lines", skipped)
	}
	if len(recs) != 4*n {
		t.Fatalf("got %d records, want %d", len(recs), 4*n)
	}
	runs := Fold(recs)
	if len(runs) != 2 {
		t.Fatalf("got %d runs", len(runs))
	}
	for _, run := range runs {
		if run.Counts.Steps != n || run.Counts.OK != n {
			t.Errorf("run %s: %+v, want %d ok steps", run.ID, run.Counts, n)
		}
		seen := map[int]bool{}
		for _, s := range run.Steps {
			if seen[s.Step] {
				t.Errorf("run %s: step %d twice", run.ID, s.Step)
			}
			seen[s.Step] = true
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestKillLeavesIntentsAsUnknown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.ndjson")
	cmd := startChild(t, path, "run-k", 20, true)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		t.Fatalf("child said %q", line)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
	recs, _, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	runs := Fold(recs)
	if len(runs) != 1 {
		t.Fatalf("got %d runs", len(runs))
	}
	run := runs[0]
	if run.Counts.Steps != 20 || run.Counts.Unknown != 20 {
		t.Fatalf("counts %+v, want 20 steps of unknown outcome", run.Counts)
	}
	for _, s := range run.Steps {
		if s.Recorded || s.Outcome != OutcomeUnknown {
			t.Errorf("step %d: %+v", s.Step, s)
		}
	}
}

func TestRecorderStates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.ndjson")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRecorder(w, "https://user:secret@acme.example", "prod", "ladmin agent set-role ana@acme.example --role admin")
	r.Caller = "owner@acme.example"
	before := liveagent.StateOf(liveagent.Agent{ID: "7", Email: "ana@acme.example", Role: "agent", Status: "A"}, []string{"d1"})
	done, err := r.Before(context.Background(), liveagent.Change{Op: "set-role", Kind: "agent", TargetID: "7",
		Target: "ana@acme.example", Before: before, Body: liveagent.AgentUpdate{}})
	if err != nil {
		t.Fatal(err)
	}
	done(&liveagent.Agent{ID: "7", Email: "ana@acme.example", Role: "admin", Status: "A"}, nil)
	done2, _ := r.Before(context.Background(), liveagent.Change{Op: "delete", Kind: "agent", TargetID: "7", Before: before})
	done2(&struct{}{}, nil)
	done3, _ := r.Before(context.Background(), liveagent.Change{Op: "create", Kind: "agent", Target: "x@acme.example"})
	done3(nil, &liveagent.Error{Kind: liveagent.KindUnavailable, Message: "timed out", Uncertain: true})
	done4, _ := r.Before(context.Background(), liveagent.Change{Op: "create", Kind: "agent", Target: "y@acme.example"})
	done4(nil, &liveagent.Error{Kind: liveagent.KindConflict, Message: "exists"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "secret") {
		t.Fatalf("journal holds the URL's password:\n%s", raw)
	}
	recs, _, _ := Read(path)
	runs := Fold(recs)
	if len(runs) != 1 {
		t.Fatalf("%d runs", len(runs))
	}
	run := runs[0]
	if run.Account != "https://acme.example" || run.Caller != "owner@acme.example" || run.Profile != "prod" {
		t.Errorf("run header %+v", run)
	}
	var after liveagent.AgentState
	if err := json.Unmarshal(run.Steps[0].After, &after); err != nil {
		t.Fatal(err)
	}
	if after.Role != "admin" || after.Departments == nil || (*after.Departments)[0] != "d1" {
		t.Errorf("after %+v", after)
	}
	var del liveagent.AgentState
	_ = json.Unmarshal(run.Steps[1].After, &del)
	if del.Status != liveagent.StatusDeleted || del.ID != "7" {
		t.Errorf("delete after %+v", del)
	}
	if got := []string{run.Steps[2].Outcome, run.Steps[3].Outcome}; got[0] != OutcomeUnknown || got[1] != OutcomeFailed {
		t.Errorf("outcomes %v", got)
	}
	if run.Counts != (Counts{Steps: 4, OK: 2, Failed: 1, Unknown: 1}) {
		t.Errorf("counts %+v", run.Counts)
	}
}

func TestCompactFoldsOldRunsIntoSummaries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.ndjson")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	w.MaxSize = 60 << 10
	for run := range 30 {
		r := NewRecorder(w, "https://acme.example", "p", fmt.Sprintf("ladmin run %d", run))
		r.Run = fmt.Sprintf("run-%02d", run)
		base := time.Date(2026, 1, 1, 0, run, 0, 0, time.UTC)
		r.Now = func() time.Time { return base }
		for i := range 10 {
			done, err := r.Before(context.Background(), liveagent.Change{Op: "create", Kind: "agent",
				Target: fmt.Sprintf("r%di%d@acme.example", run, i)})
			if err != nil {
				t.Fatal(err)
			}
			done(&liveagent.Agent{ID: fmt.Sprint(i), Status: "A"}, nil)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Size() > w.MaxSize {
		t.Fatalf("size %d after compaction, max %d", fi.Size(), w.MaxSize)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	recs, _, _ := Read(path)
	runs := Fold(recs)
	if len(runs) != 30 {
		t.Fatalf("%d runs after compaction, want all 30", len(runs))
	}
	if !runs[0].Compacted || runs[29].Compacted {
		t.Errorf("oldest compacted=%v newest compacted=%v", runs[0].Compacted, runs[29].Compacted)
	}
	if runs[0].Counts.OK != 10 || len(runs[0].Summary.Targets) != 10 {
		t.Errorf("summary of the oldest run: %+v %+v", runs[0].Counts, runs[0].Summary)
	}
	// A second compaction keeps the summaries.
	if err := Compact(path, w.MaxSize); err != nil {
		t.Fatal(err)
	}
	recs, _, _ = Read(path)
	if runs := Fold(recs); len(runs) != 30 || runs[0].Counts.OK != 10 {
		t.Fatalf("after recompaction: %d runs, oldest %+v", len(runs), runs[0].Counts)
	}
}

func TestWriterFollowsCompactionByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.ndjson")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(true, Record{Type: TypeIntent, Run: "one", Step: 1}); err != nil {
		t.Fatal(err)
	}
	if err := Compact(path, 1<<20); err != nil { // replaces the file
		t.Fatal(err)
	}
	if err := w.Append(true, Record{Type: TypeIntent, Run: "two", Step: 1}); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	recs, _, _ := Read(path)
	if len(recs) != 2 {
		t.Fatalf("got %d records, want both (the second must land in the new file)", len(recs))
	}
}

func TestReadSkipsTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.ndjson")
	os.WriteFile(path, []byte(`{"type":"intent","run":"a","step":1}`+"\n"+`{"type":"outc`), 0o600)
	recs, skipped, err := Read(path)
	if err != nil || len(recs) != 1 || skipped != 1 {
		t.Fatalf("recs %d skipped %d err %v", len(recs), skipped, err)
	}
	if _, _, err := Read(filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Fatalf("missing journal: %v", err)
	}
}

func TestPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LADMIN_JOURNAL": "/ci/j.ndjson", "XDG_STATE_HOME": "/s"}, "/ci/j.ndjson"},
		{map[string]string{"XDG_STATE_HOME": "/s", "HOME": "/h"}, "/s/ladmin/journal.ndjson"},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/h"}, "/h/.local/state/ladmin/journal.ndjson"},
		{map[string]string{"HOME": "/h"}, "/h/.local/state/ladmin/journal.ndjson"},
	}
	for _, c := range cases {
		got, err := Path(env(c.env))
		if err != nil || got != c.want {
			t.Errorf("Path(%v) = %q, %v; want %q", c.env, got, err, c.want)
		}
	}
}

func TestBeforeFailsWhenJournalUnwritable(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "j.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	r := NewRecorder(w, "https://acme.example", "p", "ladmin x")
	if _, err := r.Before(context.Background(), liveagent.Change{Op: "create"}); err == nil {
		t.Fatal("a closed journal accepted an intent")
	}
}

// BenchmarkStep is the journal's cost of one write request: an intent made
// durable (sharing its fsync with the other workers in flight) and an
// outcome, with 8 workers as an import runs them.
func BenchmarkStep(b *testing.B) {
	w, err := Open(filepath.Join(b.TempDir(), "j.ndjson"))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	r := NewRecorder(w, "https://acme.example", "p", "ladmin agent import -f roster.csv")
	before := liveagent.StateOf(liveagent.Agent{ID: "1", Email: "a@acme.example", Role: "agent", Status: "A"}, []string{"d1"})
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			done, err := r.Before(context.Background(), liveagent.Change{Op: "update", Kind: "agent", TargetID: "1",
				Target: "a@acme.example", Before: before, Body: liveagent.AgentUpdate{}})
			if err != nil {
				b.Fatal(err)
			}
			done(&liveagent.Agent{ID: "1", Email: "a@acme.example", Role: "admin", Status: "A"}, nil)
		}
	})
}
