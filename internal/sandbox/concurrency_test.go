package sandbox

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// TestConcurrentDeletesKeepAnOwner races two deletions of the account's two
// owners by two actors who may each delete an owner, but not the last one.
// The rule check and the write share one serialized transaction, so exactly
// one deletion wins, whatever the interleaving. A file database, so reads
// have connections of their own, as in real use.
func TestConcurrentDeletesKeepAnOwner(t *testing.T) {
	for i := range 10 {
		ts := newTestServer(t, Options{DB: filepath.Join(t.TempDir(), fmt.Sprintf("race%d.db", i))})
		super := ts.createRole("", liveagent.RoleCreate{Name: "super", Base: "admin",
			Permissions: rbac.MustBuiltin(rbac.Owner).Permissions.Names()})
		o2, _ := ts.createAgent("", liveagent.AgentCreate{Name: "O2", Email: "o2@example.com", Role: "owner"})
		_, k1 := ts.createAgent("", liveagent.AgentCreate{Name: "S1", Email: "s1@example.com", RoleID: super.ID})
		_, k2 := ts.createAgent("", liveagent.AgentCreate{Name: "S2", Email: "s2@example.com", RoleID: super.ID})

		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, job := range []struct{ key, target string }{{k1, ts.me(OwnerKey).ID}, {k2, o2.ID}} {
			wg.Go(func() {
				r, err := ts.try(job.key, "DELETE", liveagent.PathAgent(job.target), nil)
				if err == nil {
					statuses[i] = r.status
				}
			})
		}
		wg.Wait()
		owners := ts.list(k1, "_filters", `{"role":"owner"}`)
		if len(owners) != 1 || statuses[0]+statuses[1] != http.StatusOK+http.StatusForbidden {
			t.Fatalf("statuses %v, %d active owners left; want one 200, one 403 and one owner", statuses, len(owners))
		}
	}
}

func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := newTestServer(t, Options{Logger: log})
	ts.must(200, OwnerKey, "GET", liveagent.PathAgents+query("_filters", `{"email":"secret@example.com"}`), nil)
	ts.must(404, OwnerKey, "GET", liveagent.PathAgent("nope"), nil)

	mu.Lock()
	out := buf.String()
	mu.Unlock()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per request, got:\n%s", out)
	}
	for _, want := range []string{"method=GET", "path=/api/v3/agents", "status=200", "duration="} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %q lacks %q", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], "status=404") {
		t.Errorf("log line %q lacks the 404", lines[1])
	}
	for _, secret := range []string{OwnerKey, "secret@example.com"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
