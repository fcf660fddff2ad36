package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
)

// newFactory is a factory talking to url with the owner's key, with no
// config file and captured output.
func newFactory(t *testing.T, url string, env map[string]string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	v := viper.New()
	v.Set("url", url)
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["LADMIN_API_KEY"]; !ok {
		env["LADMIN_API_KEY"] = sandbox.OwnerKey
	}
	f := &cmdutil.Factory{IOStreams: ios, Viper: v, Build: cmdutil.BuildInfo{Version: "test"},
		ConfigPath: filepath.Join(t.TempDir(), "config.yaml"),
		Getenv:     func(k string) string { return env[k] }}
	return f, out, errOut
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// parse runs the command's flag parsing under a parent that has the global
// -o flag, and returns the options runF received.
func parse(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	f, _, _ := newFactory(t, "http://127.0.0.1:1", nil)
	var got *Options
	cmd := newCmdAudit(f, func(_ context.Context, o *Options) error { got = o; return nil })
	root := &cobra.Command{Use: "ladmin", SilenceErrors: true, SilenceUsage: true}
	root.PersistentFlags().StringP("output", "o", "", "")
	root.AddCommand(cmd)
	root.SetArgs(append([]string{"audit"}, args...))
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	err := root.Execute()
	return got, err
}

func TestNewCmdAuditFlags(t *testing.T) {
	tests := []struct {
		args    []string
		format  string
		wantErr string
	}{
		{[]string{"--policy", "p.yaml"}, "table", ""},
		{[]string{"--baseline", "r.json", "--format", "SARIF"}, "sarif", ""},
		{[]string{"--policy", "p.yaml", "-o", "json"}, "json", ""},
		{[]string{"--policy", "p.yaml", "-o", "json", "--format", "junit"}, "junit", ""},
		{[]string{"--policy", "p.yaml", "--format", "github", "--output-file", "x"}, "github", ""},
		{[]string{}, "", "nothing to audit"},
		{[]string{"--policy", "p.yaml", "--format", "html"}, "", `invalid --format "html"`},
		{[]string{"--policy", "p.yaml", "-o", "wide"}, "", "audit has no -o wide output"},
		{[]string{"--policy", "p.yaml", "stray"}, "", "unknown command"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			opts, err := parse(t, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if opts.Format != tt.format {
				t.Errorf("format = %q, want %q", opts.Format, tt.format)
			}
		})
	}
	_, err := parse(t)
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) {
		t.Errorf("no policy and no baseline: %T, want a usage error (exit 2)", err)
	}
}

// counting wraps a sandbox and counts the API requests it receives.
func counting(t *testing.T, opts sandbox.Options, wrap func(http.Handler) http.Handler) (string, *atomic.Int64) {
	t.Helper()
	_, srv := sandboxtest.Start(t, opts)
	var n atomic.Int64
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL, &n
}

func TestAuditReadsTheAccountOnce(t *testing.T) {
	// 2,503 agents: three 1000-agent windows, the last two fetched together,
	// plus the roles, plus the departments (a rule selects by department).
	url, requests := counting(t, sandbox.Options{SeedAgents: 2500}, nil)
	policy := writeFile(t, "policy.yaml", `owners: {min: 1, max: 1}
allowed_email_domains: [example.com]
rules:
  - name: support desk has no admins
    select: {department: support, role: admin}
    expect: none
  - name: support is staffed
    select: {department: support}
    expect: {min: 800, max: 900}
`)
	f, out, errOut := newFactory(t, url, nil)
	err := auditRun(context.Background(), &Options{F: f, PolicyFile: policy, Format: "json"})
	if err != nil {
		t.Fatalf("auditRun: %v\n%s", err, errOut)
	}
	if n := requests.Load(); n != 5 {
		t.Errorf("%d requests, want 5 (3 agent windows, roles, departments)", n)
	}
	var report struct {
		Summary struct {
			Passed       bool `json:"passed"`
			Agents       int  `json:"agents"`
			ActiveAgents int  `json:"active_agents"`
		} `json:"summary"`
		Findings []any `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// support has the seeded agent and every third generated one: 1 + 833.
	if !report.Summary.Passed || report.Summary.Agents != 2503 || report.Summary.ActiveAgents != 2503 || report.Findings == nil {
		t.Errorf("report = %+v", report)
	}
	if !strings.HasPrefix(errOut.String(), "audit passed: 0 errors") {
		t.Errorf("stderr = %q, want the summary line", errOut)
	}

	// Without a department rule the departments are not read.
	requests.Store(0)
	f, _, _ = newFactory(t, url, nil)
	if err := auditRun(context.Background(), &Options{F: f, PolicyFile: writeFile(t, "p.yaml", "owners: {min: 1}\n"), Format: "table"}); err != nil {
		t.Fatal(err)
	}
	if n := requests.Load(); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

func TestAuditFindingsExitOne(t *testing.T) {
	url, _ := counting(t, sandbox.Options{}, nil)
	summary := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, out, _ := newFactory(t, url, map[string]string{"GITHUB_STEP_SUMMARY": summary})
	policy := writeFile(t, "policy.yaml", "admins: {max: 0}\n")
	err := auditRun(context.Background(), &Options{F: f, PolicyFile: policy, Format: "github"})
	var exit *cmdutil.ExitError
	if !errors.As(err, &exit) || exit.Code != cmdutil.ExitNotClean || exit.Msg != "the audit found 1 error finding" {
		t.Fatalf("err = %v, want exit 1", err)
	}
	if !strings.HasPrefix(out.String(), "::error title=admins.max,file=") {
		t.Errorf("stdout = %q", out)
	}
	got, _ := os.ReadFile(summary)
	if !strings.HasPrefix(string(got), "earlier step\n## ladmin audit ❌ failed\n") {
		t.Errorf("job summary = %q, want the report appended", got)
	}

	// --output-file: the report in the file, the summary line on stdout.
	f, out, _ = newFactory(t, url, nil)
	file := filepath.Join(t.TempDir(), "audit.xml")
	err = auditRun(context.Background(), &Options{F: f, PolicyFile: policy, Format: "junit", OutputFile: file})
	if !errors.As(err, &exit) || exit.Code != cmdutil.ExitNotClean {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(out.String(), "audit FAILED: 1 error, 0 warnings;") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("stdout = %q", out)
	}
	if b, _ := os.ReadFile(file); !bytes.Contains(b, []byte(`<failure message="The account has 1 active admin (admin@example.com); the policy allows at most 0."`)) {
		t.Errorf("report file:\n%s", b)
	}
}

// TestAuditNeverCleanOnPartialData: any failed read fails the audit with
// the failure's kind, and nothing is printed on stdout.
func TestAuditNeverCleanOnPartialData(t *testing.T) {
	failWindow := func(status int) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/agents") && r.URL.Query().Get("_from") == "1000" {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					w.Write([]byte(`{"message": "window refused"}`))
					return
				}
				next.ServeHTTP(w, r)
			})
		}
	}
	emptyList := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/agents") {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`[]`))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	failRoles := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/roles") {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"message": "key expired"}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	tests := []struct {
		name string
		wrap func(http.Handler) http.Handler
		kind liveagent.Kind
	}{
		{"second agent window forbidden", failWindow(http.StatusForbidden), liveagent.KindForbidden},
		{"second agent window unauthorized", failWindow(http.StatusUnauthorized), liveagent.KindAuth},
		{"no agents listed", emptyList, liveagent.KindUnavailable},
		{"roles unreadable", failRoles, liveagent.KindAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, _ := counting(t, sandbox.Options{SeedAgents: 1500}, tt.wrap)
			f, out, _ := newFactory(t, url, nil)
			err := auditRun(context.Background(), &Options{F: f, PolicyFile: writeFile(t, "p.yaml", "owners: {min: 1}\n"), Format: "json"})
			if liveagent.KindOf(err) != tt.kind {
				t.Fatalf("err = %v (kind %v), want kind %v", err, liveagent.KindOf(err), tt.kind)
			}
			if out.Len() != 0 {
				t.Errorf("a report was printed on partial data:\n%s", out)
			}
		})
	}
}

func TestAuditInvalidInputs(t *testing.T) {
	url, requests := counting(t, sandbox.Options{}, nil)
	f, out, errOut := newFactory(t, url, nil)
	bad := writeFile(t, "bad.yaml", "owners: 1\nadmns: {max: 1}\n")
	err := auditRun(context.Background(), &Options{F: f, PolicyFile: bad, Format: "table"})
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) || !strings.HasSuffix(usage.Msg, `bad.yaml:2: unknown key "admns" (did you mean "admins"?)`) {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(errOut.String(), "error: ") || !strings.Contains(errOut.String(), "bad.yaml:1: owners: expected a mapping") {
		t.Errorf("stderr = %q, want the first problem on its own line", errOut)
	}
	if requests.Load() != 0 || out.Len() != 0 {
		t.Errorf("an invalid policy sent %d requests and printed %q", requests.Load(), out)
	}

	f, _, _ = newFactory(t, url, nil)
	err = auditRun(context.Background(), &Options{F: f, PolicyFile: filepath.Join(t.TempDir(), "nope.yaml"), Format: "table"})
	if !errors.As(err, &usage) || !strings.Contains(usage.Msg, "does not exist") {
		t.Errorf("err = %v", err)
	}

	f, _, _ = newFactory(t, url, nil)
	err = auditRun(context.Background(), &Options{F: f, BaselineFile: writeFile(t, "r.csv", "id,email\n"), Format: "table"})
	if !errors.As(err, &usage) || !strings.Contains(usage.Msg, `r.csv:1: the CSV header has no "role" column`) {
		t.Errorf("err = %v", err)
	}
}

func TestDisplayPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if got := displayPath(filepath.Join(wd, "sub", "policy.yaml")); got != "sub/policy.yaml" {
		t.Errorf("displayPath = %q", got)
	}
	if got := displayPath("./policy.yaml"); got != "policy.yaml" {
		t.Errorf("displayPath = %q", got)
	}
}

func TestFormatCompletion(t *testing.T) {
	f, _, _ := newFactory(t, "http://127.0.0.1:1", nil)
	root := &cobra.Command{Use: "ladmin"}
	root.AddCommand(NewCmdAudit(f))
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	root.SetArgs([]string{cobra.ShellCompRequestCmd, "audit", "--format", ""})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "table\njson\njunit\nsarif\ngithub\nmarkdown\n") {
		t.Errorf("completion:\n%s", out.String())
	}
}
