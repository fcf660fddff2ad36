package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/cli"
	"github.com/ladmin/ladmin/internal/cli/agent"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
)

// env is an in-process sandbox, optionally behind a middleware, and a way
// to run ladmin against it as a user would.
type env struct {
	t   *testing.T
	url string
	dir string
}

func newEnv(t *testing.T, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	return newEnvWith(t, sandbox.Options{}, wrap)
}

func newEnvWith(t *testing.T, opts sandbox.Options, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	url, srv := sandboxtest.Start(t, opts)
	if wrap != nil {
		ts := httptest.NewServer(wrap(srv.Handler()))
		t.Cleanup(ts.Close)
		url = ts.URL
	}
	dir := t.TempDir()
	for _, k := range []string{"LADMIN_OUTPUT", "LADMIN_PROFILE", "LADMIN_TIMEOUT", "LADMIN_DEBUG", "NO_COLOR"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("LADMIN_URL", url)
	t.Setenv("LADMIN_API_KEY", sandbox.OwnerKey)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, ".config"))
	t.Setenv("HOME", dir)
	return &env{t: t, url: url, dir: dir}
}

type result struct {
	code        int
	out, errOut string
}

func (e *env) run(ctx context.Context, stdin string, args ...string) result {
	e.t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	code := cli.Main(ctx, args, ios, cmdutil.BuildInfo{Version: "test"})
	return result{code, out.String(), errOut.String()}
}

func (e *env) ladmin(args ...string) result { return e.run(context.Background(), "", args...) }

func (e *env) write(name, content string) string {
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

func (e *env) read(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(data)
}

func (e *env) count() int {
	r := e.ladmin("agent", "list", "--status", "all", "-o", "json")
	var list []liveagent.Agent
	if err := json.Unmarshal([]byte(r.out), &list); err != nil {
		e.t.Fatalf("agent list: %v\n%s%s", err, r.out, r.errOut)
	}
	return len(list)
}

func repoFile(name string) string { return filepath.Join("..", "..", "..", "testdata", name) }

// Every malformed file: exit 2, every expected problem with the path as
// given, and the account untouched.
func TestImportMalformedFilesExit2AndChangeNothing(t *testing.T) {
	e := newEnv(t, nil)
	wants, _ := filepath.Glob(repoFile("import/*.want"))
	for _, want := range wants {
		path := strings.TrimSuffix(want, ".want")
		if strings.HasSuffix(path, "messy_ok.csv") {
			continue
		}
		wantData, _ := os.ReadFile(want)
		r := e.ladmin("agent", "import", "-f", path)
		if r.code != cmdutil.ExitUsage {
			t.Errorf("%s: exit %d, want 2\n%s", path, r.code, r.errOut)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(wantData)), "\n") {
			line = strings.Replace(line, "FILE", path, 1)
			if !strings.Contains(r.errOut, line+"\n") {
				t.Errorf("%s: stderr lacks %q:\n%s", path, line, r.errOut)
			}
		}
		if !strings.Contains(r.errOut, "nothing was changed (exit 2)") {
			t.Errorf("%s: %s", path, r.errOut)
		}
	}
	if n := e.count(); n != 3 {
		t.Errorf("the account has %d agents, want the 3 seeded", n)
	}
}

func TestImportDryRunApplyReportAndRerun(t *testing.T) {
	e := newEnv(t, nil)
	roster := repoFile("roster.csv")

	r := e.ladmin("agent", "import", "-f", roster, "--dry-run")
	if r.code != 0 || !strings.Contains(r.out, "ivan.petrov@acme.example") ||
		!strings.Contains(r.out, "25 to create, 0 to update, 0 to restore, 0 to skip") ||
		!strings.Contains(r.out, "Would send 25 write requests") || !strings.Contains(r.out, "Dry run: nothing was changed.") {
		t.Fatalf("dry run: %d\n%s%s", r.code, r.out, r.errOut)
	}
	if e.count() != 3 {
		t.Fatal("a dry run changed the account")
	}
	r = e.ladmin("agent", "import", "-f", roster, "--dry-run", "-o", "json")
	var plan []map[string]any
	if err := json.Unmarshal([]byte(r.out), &plan); err != nil || len(plan) != 25 || plan[0]["action"] != "create" {
		t.Errorf("dry run -o json: %v\n%s", err, r.out)
	}

	report, failed := filepath.Join(e.dir, "report.csv"), filepath.Join(e.dir, "failed.csv")
	r = e.ladmin("agent", "import", "-f", roster, "--report", report, "--failed", failed)
	if r.code != 0 || strings.Count(r.out, "created ") != 25 ||
		!strings.Contains(r.out, "25 created, 0 updated, 0 restored, 0 skipped, 0 failed") || r.errOut != "" {
		t.Fatalf("apply: %d\n%s%s", r.code, r.out, r.errOut)
	}
	// One line per row, in the file's order, though 8 workers end them in any order.
	last := 0
	for _, m := range regexp.MustCompile(`\(line (\d+),`).FindAllStringSubmatch(r.out, -1) {
		n, _ := strconv.Atoi(m[1])
		if n <= last {
			t.Errorf("line %d printed after line %d:\n%s", n, last, r.out)
		}
		last = n
	}
	if !strings.Contains(r.out, "; the outcome of every row is in "+report+".") {
		t.Errorf("the summary does not name the report:\n%s", r.out)
	}
	rep := e.read(report)
	if !strings.HasPrefix(rep, "line,email,action,outcome,agent_id,error\n") || strings.Count(rep, ",create,ok,") != 25 {
		t.Errorf("report:\n%s", rep)
	}
	if got := e.read(failed); got != "email,name,role,gender,departments\n" {
		t.Errorf("failed file: %q", got)
	}
	if e.count() != 28 {
		t.Errorf("%d agents", e.count())
	}

	r = e.ladmin("agent", "import", "-f", roster, "--on-existing", "update")
	if r.code != 0 || !strings.Contains(r.out, "0 created, 0 updated, 0 restored, 25 skipped, 0 failed") {
		t.Errorf("re-run: %d\n%s%s", r.code, r.out, r.errOut)
	}

	// Round trip through export, in every format.
	for _, format := range []string{"csv", "json", "yaml"} {
		r = e.ladmin("agent", "export", "-o", format)
		if r.code != 0 {
			t.Fatalf("export -o %s: %s", format, r.errOut)
		}
		path := e.write("export."+format, r.out)
		r = e.ladmin("agent", "import", "-f", path, "--on-existing", "update")
		if r.code != 0 || !strings.Contains(r.out, "0 created, 0 updated, 0 restored, 28 skipped, 0 failed") {
			t.Errorf("import of export -o %s: %d\n%s%s", format, r.code, r.out, r.errOut)
		}
	}
	if r := e.ladmin("agent", "export", "-o", "table"); r.code != 2 {
		t.Errorf("export -o table: exit %d", r.code)
	}
}

func TestImportFromStdin(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []struct{ data, args string }{
		{"email,name\nana@acme.example,Ana\n", ""},
		{`[{"email":"li@acme.example","name":"李伟","departments":["sales"]}]`, ""},
		{"{\"email\":\"maria@acme.example\",\"name\":\"María\"}\n", ""},
		{"- email: ivan@acme.example\n  name: Иван\n", "--format yaml"},
	} {
		args := append([]string{"agent", "import", "-f", "-"}, strings.Fields(c.args)...)
		r := e.run(context.Background(), c.data, args...)
		if r.code != 0 || !strings.Contains(r.out, "1 created") {
			t.Errorf("%q: %d\n%s%s", c.data, r.code, r.out, r.errOut)
		}
	}
	r := e.run(context.Background(), "email,name\nbad,Bad\n", "agent", "import", "-f", "-")
	if r.code != 2 || !strings.Contains(r.errOut, `<stdin>:2: column "email": invalid email "bad"`) {
		t.Errorf("stdin problems: %d %s", r.code, r.errOut)
	}
}

func TestImportRefusedKeysExit4(t *testing.T) {
	e := newEnv(t, nil)
	path := e.write("owners.csv", "email,name,role\nboss@acme.example,Boss,owner\nok@acme.example,Ok,agent\n")
	t.Setenv("LADMIN_API_KEY", sandbox.AdminKey)
	r := e.ladmin("agent", "import", "-f", path)
	if r.code != cmdutil.ExitForbidden || !strings.Contains(r.errOut, path+`:2: column "role": you cannot give the role owner`) {
		t.Errorf("admin importing an owner: %d %s", r.code, r.errOut)
	}
	t.Setenv("LADMIN_API_KEY", sandbox.AgentKey)
	r = e.ladmin("agent", "import", "-f", path, "--dry-run")
	if r.code != cmdutil.ExitForbidden || !strings.Contains(r.errOut, "only owners and admins can invite agents (your role: agent)") {
		t.Errorf("agent key: %d %s", r.code, r.errOut)
	}
	t.Setenv("LADMIN_API_KEY", sandbox.OwnerKey)
	if e.count() != 3 {
		t.Error("a refused import changed the account")
	}
	r = e.ladmin("agent", "import", "-f", path, "--on-existing", "fail")
	if r.code != 0 {
		t.Fatalf("owner: %d %s", r.code, r.errOut)
	}
	r = e.ladmin("agent", "import", "-f", path, "--on-existing", "fail")
	if r.code != cmdutil.ExitConflict || !strings.Contains(r.errOut, path+`:2: column "email": an agent with this email exists`) {
		t.Errorf("--on-existing fail: %d %s", r.code, r.errOut)
	}
}

// A row the server refuses: exit 1, the rows after it are not attempted
// (no --continue-on-error), --failed holds them in the input's columns, and
// importing that file once the cause is fixed finishes the job.
func TestImportPartialFailureThenFailedFileConverges(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	e := newEnv(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if refuse.Load() && r.Method == http.MethodPost && r.URL.Path == "/api/v3/agents" {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				if bytes.Contains(body, []byte("carl@acme.example")) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusUnprocessableEntity)
					w.Write([]byte(`{"message": "the invitation could not be sent to carl@acme.example"}`))
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	path := e.write("team.csv", "Email,Name,Notes\nana@acme.example,Ana,x\nbob@acme.example,Bob,\ncarl@acme.example,\"Carl, Jr.\",y\ndora@acme.example,Dora,\neve@acme.example,Eve,\n")
	failed := filepath.Join(e.dir, "failed.csv")
	r := e.ladmin("agent", "import", "-f", path, "--concurrency", "1", "--ignore-unknown-columns", "--failed", failed)
	if r.code != cmdutil.ExitNotClean || !strings.Contains(r.errOut, "error: "+path+":4: failed to create carl@acme.example: the invitation could not be sent") ||
		!strings.Contains(r.out, "2 created, 0 updated, 0 restored, 0 skipped, 1 failed, 2 not attempted") ||
		!strings.Contains(r.errOut, "1 of 5 rows failed and 2 were not attempted") {
		t.Fatalf("first run: %d\n%s%s", r.code, r.out, r.errOut)
	}
	if strings.Contains(r.errOut, "(line 4") {
		t.Errorf("the line number is said twice:\n%s", r.errOut)
	}
	if got, want := e.read(failed), "Email,Name,Notes\ncarl@acme.example,\"Carl, Jr.\",y\ndora@acme.example,Dora,\neve@acme.example,Eve,\n"; got != want {
		t.Errorf("failed file:\n%s\nwant:\n%s", got, want)
	}
	refuse.Store(false)
	r = e.ladmin("agent", "import", "-f", failed, "--ignore-unknown-columns")
	if r.code != 0 || !strings.Contains(r.out, "3 created") {
		t.Errorf("re-feeding the failed rows: %d\n%s%s", r.code, r.out, r.errOut)
	}
	if e.count() != 8 {
		t.Errorf("%d agents, want 8", e.count())
	}
}

// Ctrl-C (the context canceled) mid-run: exit 130, the report is complete
// up to that point and says which rows were not attempted, and the same
// command again finishes the job.
func TestImportInterruptedExit130ThenRerun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var creates atomic.Int32
	e := newEnv(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if r.Method == http.MethodPost && creates.Add(1) == 5 {
				cancel() // the user presses Ctrl-C as the 5th create is answered
			}
		})
	})
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := 0; i < 40; i++ {
		b.WriteString("user" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@acme.example,User\n")
	}
	path := e.write("big.csv", b.String())
	report := filepath.Join(e.dir, "report.csv")
	r := e.run(ctx, "", "agent", "import", "-f", path, "--concurrency", "2", "--report", report, "--failed", filepath.Join(e.dir, "f.csv"),
		"--rate", "200")
	if r.code != cmdutil.ExitInterrupted || !strings.Contains(r.errOut, "interrupted:") {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	rep := e.read(report)
	ok, notAttempted := strings.Count(rep, ",create,ok,"), strings.Count(rep, ",create,not-attempted,")
	if ok < 5 || ok+notAttempted != 40 || e.count() != 3+ok {
		t.Errorf("report: %d ok, %d not attempted; account %d agents\n%s", ok, notAttempted, e.count(), rep)
	}
	r = e.ladmin("agent", "import", "-f", path)
	if r.code != 0 || e.count() != 43 {
		t.Errorf("re-run: %d, %d agents\n%s%s", r.code, e.count(), r.out, r.errOut)
	}
}

func TestImportFlagValidation(t *testing.T) {
	f := &cmdutil.Factory{IOStreams: func() *iostreams.IOStreams { ios, _, _, _ := iostreams.Test(); return ios }()}
	for _, args := range [][]string{
		{"-f", "x.csv", "--format", "xml"},
		{"-f", "x.csv", "--on-existing", "replace"},
		{"-f", "x.csv", "--concurrency", "0"},
		{"-f", "x.csv", "--rate", "-1"},
		{"-f", "x.csv", "--report", "x.csv"},
		{"-f", "x.csv", "--report", "r.csv", "--failed", "r.csv"},
	} {
		cmd := agent.NewCmdImport(f, func(context.Context, *agent.ImportOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		if err := cmd.Execute(); cli.ExitCode(err) != cmdutil.ExitUsage {
			t.Errorf("%v: %v", args, err)
		}
	}
	var got *agent.ImportOptions
	cmd := agent.NewCmdImport(f, func(_ context.Context, o *agent.ImportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-f", "r.yml", "--on-existing", "UPDATE", "--format", "jsonl", "--continue-on-error"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.OnExisting != "update" || got.Format != "ndjson" || got.Concurrency != 8 || !got.ContinueOnError {
		t.Errorf("%+v", got)
	}
}

// The server is killed mid-import: the create's connection drops after the
// account applied it, and every lookup after that fails. The row's outcome
// is unknown, not failed (everywhere: the line, the summary, the report,
// --failed and the exit message), and the same import converges once the
// server is back, with no duplicate.
func TestImportUnknownOutcomeWhenServerGoesAway(t *testing.T) {
	var armed, gone atomic.Bool
	armed.Store(true)
	e := newEnv(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case gone.Load():
				// Every lookup fails (quickly: Retry-After 0 spares the test the backoff).
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
			case r.Method == http.MethodPost && armed.CompareAndSwap(true, false):
				next.ServeHTTP(httptest.NewRecorder(), r) // applied...
				gone.Store(true)
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					conn.Close() // ... but the answer is lost: EOF
				}
			default:
				next.ServeHTTP(w, r)
			}
		})
	})
	path := e.write("team.csv", "email,name\nana@acme.example,Ana\nbob@acme.example,Bob\ncy@acme.example,Cy\n")
	report, failed := filepath.Join(e.dir, "report.csv"), filepath.Join(e.dir, "failed.csv")
	r := e.ladmin("agent", "import", "-f", path, "--concurrency", "1", "--report", report, "--failed", failed)
	if r.code != cmdutil.ExitNotClean ||
		!strings.Contains(r.errOut, "error: "+path+":2: unknown outcome of create ana@acme.example: the connection to "+e.url+" failed: EOF; "+
			"it may or may not have been applied; running the same import again resolves it\n") ||
		!strings.Contains(r.out, "0 created, 0 updated, 0 restored, 0 skipped, 0 failed, 2 not attempted, 1 unknown (may or may not have been applied)") ||
		!strings.Contains(r.errOut, "error: 1 of 3 rows has an unknown outcome (it may or may not have been applied; running the same import again resolves it) "+
			"and 2 were not attempted (the first failure stopped the import") ||
		strings.Contains(r.errOut, "failed to") {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	if rep := e.read(report); !strings.Contains(rep, "\n2,ana@acme.example,create,unknown,,the connection to "+e.url+" failed: EOF; it may or may not") ||
		strings.Contains(rep, ",failed,") {
		t.Errorf("report:\n%s", rep)
	}
	if !strings.Contains(r.errOut, "The 3 rows that did not end as planned are in "+failed+": fix them and import that file again.") {
		t.Errorf("no note about --failed:\n%s", r.errOut)
	}
	if got := e.read(failed); got != "email,name\nana@acme.example,Ana\nbob@acme.example,Bob\ncy@acme.example,Cy\n" {
		t.Errorf("--failed:\n%s", got)
	}

	gone.Store(false)
	r = e.ladmin("agent", "import", "-f", path)
	if r.code != 0 || !strings.Contains(r.out, "2 created, 0 updated, 0 restored, 1 skipped, 0 failed") {
		t.Errorf("re-run: %d\n%s%s", r.code, r.out, r.errOut)
	}
	if n := e.count(); n != 6 {
		t.Errorf("%d agents, want the 3 seeded and the 3 of the file", n)
	}
}

// The account is read once per import, each list one time, and on an
// account limited to 2 requests a second those first reads do not burst
// into 429s: they go through the import's limiter, the caller first.
func TestImportReadsAccountOnceUnderSmallRateLimit(t *testing.T) {
	var mu sync.Mutex
	counts := map[string]int{}
	throttled := 0
	e := newEnvWith(t, sandbox.Options{RateLimit: 2}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			mu.Lock()
			defer mu.Unlock()
			counts[r.Method+" "+r.URL.Path]++
			if rec.status == http.StatusTooManyRequests {
				throttled++
			}
		})
	})
	path := e.write("team.csv", "email,name\nana@acme.example,Ana\nbob@acme.example,Bob\n")
	for _, args := range [][]string{{"--dry-run"}, nil} {
		mu.Lock()
		clear(counts)
		throttled = 0
		mu.Unlock()
		r := e.ladmin(append([]string{"agent", "import", "-f", path}, args...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.out, r.errOut)
		}
		mu.Lock()
		if counts["GET /api/v3/agents/me"] != 1 || counts["GET /api/v3/roles"] != 1 || counts["GET /api/v3/departments"] != 1 {
			t.Errorf("%v: requests %v", args, counts)
		}
		if throttled > 1 {
			t.Errorf("%v: %d answers were 429, want at most 1 (requests %v)", args, throttled, counts)
		}
		mu.Unlock()
		time.Sleep(time.Second) // the next run starts with a full bucket
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
