package agent_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ladmin/ladmin/internal/cli"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/sandbox"
)

// sandboxGet reads a JSON answer of the sandbox: an API path with the owner's
// key, or a /_sandbox path.
func sandboxGet[T any](t *testing.T, base, path string) T {
	t.Helper()
	url := base + path
	if !strings.HasPrefix(path, "/_sandbox") {
		url = base + liveagent.APIPrefix + path
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("apikey", sandbox.OwnerKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v T
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

type sessionRow struct {
	AgentID  string `json:"agent_id"`
	Email    string `json:"email"`
	Status   string `json:"status"`
	SignedIn bool   `json:"signed_in"`
}

type outboxRow struct {
	Email    string `json:"email"`
	Password string `json:"temporary_password"`
}

// seedLeavers invites agents and makes keys for them by logging in as each
// (keys[email] of them), then deletes those in deleted. It returns the
// agents' ids by email.
func seedLeavers(t *testing.T, e *env, keys map[string]int, deleted ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for email := range keys {
		r := e.ladmin("agent", "create", "--name", strings.Split(email, "@")[0], "--email", email, "-o", "json")
		var a liveagent.Agent
		if r.code != 0 || json.Unmarshal([]byte(r.out), &a) != nil || a.ID == "" {
			t.Fatalf("create %s: %d %s%s", email, r.code, r.out, r.errOut)
		}
		ids[email] = a.ID
	}
	for _, m := range sandboxGet[[]outboxRow](t, e.url, "/_sandbox/outbox") {
		for i := 0; i < keys[m.Email]; i++ {
			body, _ := json.Marshal(liveagent.APIKeyLogin{Login: m.Email, Password: m.Password, Name: fmt.Sprintf("%s key %d", m.Email, i)})
			resp, err := http.Post(e.url+liveagent.APIPrefix+liveagent.PathAPIKeyLogin, "application/json", bytes.NewReader(body))
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("login %s: %v %v", m.Email, err, resp)
			}
			resp.Body.Close()
		}
	}
	for _, email := range deleted {
		if r := e.ladmin("agent", "delete", email, "--yes"); r.code != 0 {
			t.Fatalf("delete %s: %s", email, r.errOut)
		}
	}
	return ids
}

// keysOf counts the live keys of each agent id.
func keysOf(t *testing.T, base string) map[string]int {
	n := map[string]int{}
	for _, k := range sandboxGet[[]liveagent.APIKey](t, base, liveagent.PathAPIKeys) {
		n[k.UserID]++
	}
	return n
}

func signedIn(t *testing.T, base string) map[string]bool {
	in := map[string]bool{}
	for _, s := range sandboxGet[[]sessionRow](t, base, "/_sandbox/sessions") {
		in[s.Email] = s.SignedIn
	}
	return in
}

// writeCounter counts the mutating requests that reach the sandbox.
func writeCounter(n *atomic.Int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && strings.HasPrefix(r.URL.Path, liveagent.APIPrefix) && !strings.HasSuffix(r.URL.Path, "/_login") {
				n.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Three leavers with keys, one deleted already, from an HR export (BOM,
// CRLF, ";", extra columns, someone who never had an account): sessions
// end, keys are revoked, the active ones are deleted, the report has a row
// per agent with each step; a re-run sends only sign-outs and exits 0.
func TestOffboardLeaversEndToEnd(t *testing.T) {
	var writes atomic.Int64
	e := newEnv(t, writeCounter(&writes))
	ids := seedLeavers(t, e, map[string]int{"ana@acme.example": 2, "bob@acme.example": 1, "cy@acme.example": 1}, "cy@acme.example")
	writes.Store(0)
	path := e.write("leavers.csv", "\ufeffEmployee No;Email;Last day\r\n"+
		"E-1;ana@acme.example;2026-11-30\r\n"+
		"E-2;BOB@acme.example;2026-11-30\r\n"+
		"E-3;cy@acme.example;2026-10-01\r\n"+
		"E-4;never@acme.example;2026-11-30\r\n")
	report := filepath.Join(e.dir, "report.csv")

	r := e.ladmin("agent", "offboard", "-f", path, "--dry-run")
	if r.code != 0 || !strings.Contains(r.out, "Plan: 3 agents to offboard (2 agents to delete, 4 keys to revoke), 1 not found.") ||
		strings.Count(r.out, "revoke-key") != 4 || !strings.Contains(r.errOut, "warning: "+path+":5: no agent never@acme.example") {
		t.Fatalf("dry run: %d\n%s%s", r.code, r.out, r.errOut)
	}
	if writes.Load() != 0 {
		t.Fatalf("the dry run sent %d writes", writes.Load())
	}

	r = e.ladmin("agent", "offboard", "-f", path, "--yes", "--report", report)
	if r.code != 0 || !strings.Contains(r.out, "Offboarded 3 agents: 3 signed out, 4 keys revoked, 2 deleted; 1 not found; 0 failed") {
		t.Fatalf("offboard: %d\n%s%s", r.code, r.out, r.errOut)
	}
	in := signedIn(t, e.url)
	live := keysOf(t, e.url)
	for email, id := range ids {
		if in[email] {
			t.Errorf("%s is still signed in", email)
		}
		if live[id] != 0 {
			t.Errorf("%s still has %d keys", email, live[id])
		}
	}
	if !in["owner@example.com"] || live[sandboxID(t, e, "owner@example.com")] != 1 {
		t.Errorf("the caller's session or key was touched: %v %v", in, live)
	}
	rows, err := csv.NewReader(strings.NewReader(e.read(report))).ReadAll()
	if err != nil || len(rows) != 5 {
		t.Fatalf("report: %v\n%s", err, e.read(report))
	}
	if got := strings.Join(rows[0], ","); got != "line,email,agent_id,action,outcome,sign_out,revoke_keys,delete,error,Employee No,Last day" {
		t.Errorf("report header %s", got)
	}
	byLine := map[string][]string{}
	for _, row := range rows[1:] {
		byLine[row[0]] = row
	}
	if row := byLine["2"]; row[4] != "ok" || row[5] != "ok" || !strings.HasPrefix(row[6], "ok: ") || strings.Count(row[6], ";") != 1 || row[7] != "ok" || row[9] != "E-1" {
		t.Errorf("ana: %q", row)
	}
	if row := byLine["4"]; row[4] != "ok" || row[7] != "already deleted" || row[10] != "2026-10-01" {
		t.Errorf("cy: %q", row)
	}
	if row := byLine["5"]; row[3] != "skip" || row[8] != "no such agent" {
		t.Errorf("never: %q", row)
	}

	before := writes.Load()
	r = e.ladmin("agent", "offboard", "-f", path, "--yes")
	if r.code != 0 || !strings.Contains(r.out, "3 signed out, 0 keys revoked, 0 deleted") {
		t.Fatalf("re-run: %d\n%s%s", r.code, r.out, r.errOut)
	}
	if n := writes.Load() - before; n != 3 {
		t.Errorf("the re-run sent %d writes, want the 3 sign-outs only", n)
	}
}

func sandboxID(t *testing.T, e *env, email string) string {
	for _, s := range sandboxGet[[]sessionRow](t, e.url, "/_sandbox/sessions") {
		if s.Email == email {
			return s.AgentID
		}
	}
	t.Fatalf("no agent %s", email)
	return ""
}

// An admin key and a batch with an owner in it: refused at plan time,
// exit 4, each refused agent named, and nothing done for any agent.
func TestOffboardRefusedBatchDoesNothing(t *testing.T) {
	var writes atomic.Int64
	e := newEnv(t, writeCounter(&writes))
	seedLeavers(t, e, map[string]int{"ana@acme.example": 1, "bob@acme.example": 1})
	writes.Store(0)
	keysBefore, inBefore := keysOf(t, e.url), signedIn(t, e.url)

	t.Setenv("LADMIN_API_KEY", sandbox.AdminKey)
	r := e.ladmin("agent", "offboard", "ana@acme.example", "owner@example.com", "admin@example.com", "bob@acme.example", "--yes")
	if r.code != cmdutil.ExitForbidden ||
		!strings.Contains(r.errOut, "argument 2: owner@example.com: you cannot delete owner@example.com (role owner)") ||
		!strings.Contains(r.errOut, "argument 3: admin@example.com: you cannot delete your own account") ||
		!strings.Contains(r.errOut, "your key may not offboard 2 of the 4 agents; nothing was done for any agent") {
		t.Fatalf("%d\n%s%s", r.code, r.out, r.errOut)
	}
	if writes.Load() != 0 {
		t.Errorf("%d writes were sent", writes.Load())
	}
	if k, in := keysOf(t, e.url), signedIn(t, e.url); fmt.Sprint(k) != fmt.Sprint(keysBefore) || fmt.Sprint(in) != fmt.Sprint(inBefore) {
		t.Errorf("changed: keys %v -> %v, sessions %v -> %v", keysBefore, k, inBefore, in)
	}
	if e.count() != 5 {
		t.Errorf("agents changed")
	}

	// An agent key cannot see others' keys: refused whole, before any write.
	t.Setenv("LADMIN_API_KEY", sandbox.AgentKey)
	r = e.ladmin("agent", "offboard", "ana@acme.example", "--yes")
	if r.code != cmdutil.ExitForbidden || !strings.Contains(r.errOut, "apikeys.read") || writes.Load() != 0 {
		t.Errorf("agent key: %d writes %d\n%s", r.code, writes.Load(), r.errOut)
	}
}

// With a sandbox that fails a fifth of the writes (half of them after
// committing), re-running the same offboarding converges: every leaver
// signed out, every key revoked, every agent deleted, exit 0 at the end.
func TestOffboardConvergesUnderFaults(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sandbox.db")
	setup, err := sandbox.New(sandbox.Options{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(setup.Handler())
	se := &env{t: t, url: hs.URL, dir: t.TempDir()}
	t.Setenv("LADMIN_URL", hs.URL)
	t.Setenv("LADMIN_API_KEY", sandbox.OwnerKey)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(se.dir, ".config"))
	t.Setenv("HOME", se.dir)
	leavers := map[string]int{}
	var refs []string
	for i := 0; i < 8; i++ {
		email := fmt.Sprintf("leaver%d@acme.example", i)
		leavers[email] = 1 + i%3
		refs = append(refs, email)
	}
	ids := seedLeavers(t, se, leavers, "leaver0@acme.example")
	hs.Close()
	if err := setup.Close(); err != nil {
		t.Fatal(err)
	}

	var failures atomic.Int64
	e := newEnvWith(t, sandbox.Options{DB: db, FaultRate: 0.2, RandSeed: 12}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sw := &statusWriter{ResponseWriter: w}
			defer func() {
				if sw.status >= 500 || sw.status == 0 {
					failures.Add(1) // a 500, or a connection dropped (no status)
				}
			}()
			next.ServeHTTP(sw, r)
		})
	})
	var codes []int
	for run := 0; run < 8; run++ {
		r := e.ladmin(append([]string{"agent", "offboard", "--yes"}, refs...)...)
		codes = append(codes, r.code)
		if r.code != 0 {
			t.Logf("run %d: exit %d\n%s", run, r.code, r.errOut)
		}
		if r.code != 0 && r.code != cmdutil.ExitNotClean {
			t.Fatalf("run %d: exit %d\n%s%s", run, r.code, r.out, r.errOut)
		}
		if r.code == 0 {
			break
		}
	}
	if codes[len(codes)-1] != 0 {
		t.Fatalf("did not converge: exits %v", codes)
	}
	in, live := signedIn(t, e.url), keysOf(t, e.url)
	agents := sandboxGet[[]sessionRow](t, e.url, "/_sandbox/sessions")
	for email, id := range ids {
		if in[email] || live[id] != 0 {
			t.Errorf("%s: signed in %v, %d keys left", email, in[email], live[id])
		}
		for _, a := range agents {
			if a.AgentID == id && a.Status != liveagent.StatusDeleted {
				t.Errorf("%s is %s", email, a.Status)
			}
		}
	}
	if failures.Load() == 0 {
		t.Error("no fault was injected: the test proves nothing")
	}
	t.Logf("exit codes of the runs: %v; %d requests failed or were dropped", codes, failures.Load())
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (the sandbox
// drops connections by hijacking them).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Ctrl-C mid-run: exit 130, agents in flight finish, the others are not
// started and the report says so; the same command again finishes the job.
func TestOffboardInterruptedExit130ThenRerun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var deletes atomic.Int32
	e := newEnv(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, liveagent.APIPrefix+"/agents/") && deletes.Add(1) == 3 {
				cancel() // the user presses Ctrl-C as the 3rd agent is deleted
			}
		})
	})
	var roster, leavers strings.Builder
	roster.WriteString("email,name\n")
	leavers.WriteString("email\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&roster, "user%02d@acme.example,User %d\n", i, i)
		fmt.Fprintf(&leavers, "user%02d@acme.example\n", i)
	}
	if r := e.ladmin("agent", "import", "-f", e.write("roster.csv", roster.String())); r.code != 0 {
		t.Fatalf("import: %s", r.errOut)
	}
	path := e.write("leavers.csv", leavers.String())
	report := filepath.Join(e.dir, "report.csv")
	r := e.run(ctx, "", "agent", "offboard", "-f", path, "--yes", "--concurrency", "1", "--report", report)
	if r.code != cmdutil.ExitInterrupted || !strings.Contains(r.errOut, "not attempted; run the same offboarding again") {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	rep := e.read(report)
	ok, notAttempted := strings.Count(rep, ",offboard,ok,"), strings.Count(rep, ",offboard,not-attempted,")
	if ok < 3 || ok+notAttempted != 12 {
		t.Errorf("report: %d ok, %d not attempted\n%s", ok, notAttempted, rep)
	}
	r = e.ladmin("agent", "offboard", "-f", path, "--yes")
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("%d deleted", 12-ok)) {
		t.Errorf("re-run: %d\n%s%s", r.code, r.out, r.errOut)
	}
	if r := e.ladmin("agent", "list", "--email", "user*", "-o", "json", "--jq", "length"); strings.TrimSpace(r.out) != "0" {
		t.Errorf("active leavers left: %s%s", r.out, r.errOut)
	}
}

// On a terminal the batch is confirmed once, with what it will do; "n"
// changes nothing, "y" offboards.
func TestOffboardAsksOnceOnATerminal(t *testing.T) {
	e := newEnv(t, nil)
	seedLeavers(t, e, map[string]int{"ana@acme.example": 2, "bob@acme.example": 0})
	run := func(answer string) result {
		ios, in, out, errOut := iostreams.Test()
		ios.SetStdinTTY(true)
		ios.SetStderrTTY(true)
		in.WriteString(answer)
		code := cli.Main(context.Background(), []string{"agent", "offboard", "ana@acme.example", "bob@acme.example"}, ios,
			cmdutil.BuildInfo{Version: "test"})
		return result{code, out.String(), errOut.String()}
	}
	r := run("n\n")
	if r.code != cmdutil.ExitUsage || strings.Count(r.errOut, "Offboard 2 agents: sign out, revoke 2 keys, delete? [y/N]") != 1 ||
		!strings.Contains(r.errOut, "cancelled: nothing was changed") {
		t.Fatalf("n: %d\n%s%s", r.code, r.out, r.errOut)
	}
	if e.count() != 5 || len(keysOf(t, e.url)) != 4 {
		t.Fatalf("a cancelled offboarding changed the account")
	}
	r = run("y\n")
	if r.code != 0 || !strings.Contains(r.out, "Offboarded 2 agents: 2 signed out, 2 keys revoked, 2 deleted") {
		t.Fatalf("y: %d\n%s%s", r.code, r.out, r.errOut)
	}
}
