package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

var listenLine = regexp.MustCompile(`^sandbox listening on (http://127\.0\.0\.1:\d+)\n$`)

// startChild runs the test binary itself as a sandbox on db (see TestMain)
// and returns a client for it once it has printed its listen line.
func startChild(t *testing.T, db string) (*exec.Cmd, *testServer) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+db)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-lines:
		m := listenLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("child printed %q (stderr: %s)", line, stderr.String())
		}
		return cmd, &testServer{t: t, url: m[1]}
	case <-time.After(30 * time.Second):
		t.Fatalf("child did not start (stderr: %s)", stderr.String())
	}
	return nil, nil
}

func TestDurabilityAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	db := filepath.Join(t.TempDir(), "nested", "sandbox.db")
	cmd, ts := startChild(t, db)

	// Writers run concurrently, so commits land while others are in flight;
	// only acknowledged (201) creates must survive the kill.
	const writers, perWriter = 4, 10
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				r, err := ts.try(OwnerKey, "POST", liveagent.PathAgents,
					liveagent.AgentCreate{Name: "D", Email: fmt.Sprintf("d%d-%d@example.com", w, i)})
				var a liveagent.Agent
				if err == nil && r.status == http.StatusCreated && json.Unmarshal(r.body, &a) == nil {
					mu.Lock()
					acked = append(acked, a.ID)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(acked) != writers*perWriter {
		t.Fatalf("only %d of %d creates were acknowledged", len(acked), writers*perWriter)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no checkpoint
		t.Fatal(err)
	}
	cmd.Wait()

	_, ts = startChild(t, db)
	all := ts.allAgents()
	for _, id := range acked {
		if !slices.Contains(ids(all), id) {
			t.Errorf("acknowledged agent %s is gone after kill -9", id)
		}
	}
	if len(all) != 3+len(acked) {
		t.Errorf("%d agents after restart, want %d (the seed must not run again)", len(all), 3+len(acked))
	}
	if fi, err := os.Stat(filepath.Dir(db)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("database directory mode: %v %v, want 0700", fi.Mode(), err)
	}
	if fi, err := os.Stat(db); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode: %v %v, want 0600", fi.Mode(), err)
	}
}

func TestServeGracefulShutdownAndReopen(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sandbox.db")
	srv, err := New(Options{DB: db, SeedAgents: 5, Latency: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Know when the request below has arrived (it then waits out the latency).
	arrived := make(chan struct{}, 1)
	inner := srv.handler
	srv.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		inner.ServeHTTP(w, r)
	})
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 1)}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, "127.0.0.1:0", out) }()
	var line string
	select {
	case line = <-out.lines:
	case <-time.After(10 * time.Second):
		t.Fatal("no listen line")
	}
	m := listenLine.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("listen line %q", line)
	}
	ts := &testServer{t: t, url: m[1]}

	// A request in flight when shutdown starts still gets its answer.
	inflight := make(chan response, 1)
	go func() {
		r, _ := ts.try(OwnerKey, "POST", liveagent.PathAgents, liveagent.AgentCreate{Name: "G", Email: "g@example.com"})
		inflight <- r
	}()
	<-arrived
	cancel()
	if r := <-inflight; r.status != http.StatusCreated {
		t.Errorf("in-flight request during shutdown: %v", r)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}

	// Reopening finds the data and does not seed again.
	srv2, err := New(Options{DB: db, SeedAgents: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	var n int
	if err := srv2.db.QueryRow("SELECT COUNT(*) FROM agents").Scan(&n); err != nil || n != 3+5+1 {
		t.Errorf("%d agents after reopening (%v), want 9", n, err)
	}
}

// lineWriter hands the first line written to it over a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   strings.Builder
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if s := w.buf.String(); strings.HasSuffix(s, "\n") {
		select {
		case w.lines <- s:
		default:
		}
	}
	return len(p), nil
}

func TestDefaultDBPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	if got := DefaultDBPath(); got != "/data/ladmin/sandbox.db" {
		t.Errorf("with XDG_DATA_HOME: %s", got)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/me")
	if got := DefaultDBPath(); got != "/home/me/.local/share/ladmin/sandbox.db" {
		t.Errorf("without XDG_DATA_HOME: %s", got)
	}
}

func TestSeedAgents(t *testing.T) {
	ts := newTestServer(t, Options{SeedAgents: 30})
	got := ts.list(AgentKey, "_filters", fmt.Sprintf(`{"email":%q}`, SeedAgentEmail(30)))
	if len(got) != 1 || got[0].Name != "Agent 00030" || got[0].Role != "agent" {
		t.Errorf("generated agent 30: %+v", got)
	}
	if r := ts.must(200, AgentKey, "GET", liveagent.PathAgents, nil); r.header.Get("X-Total-Count") != "33" {
		t.Errorf("X-Total-Count %s, want 33", r.header.Get("X-Total-Count"))
	}
}
