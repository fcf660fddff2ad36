//go:build linux || darwin

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
)

// These tests run the real ladmin (this test binary re-executed as main,
// with main's own signal wiring) in a separate process, interrupt it with
// real signals and a real pseudo-terminal, and check what a person or a CI
// runner would see: the exit code, the files left behind, the terminal.

func TestMain(m *testing.M) {
	if os.Getenv("LADMIN_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// settle is the most any step below may take; it only bounds a hang (a
// prompt that ignores Ctrl-C would otherwise block the test forever), it
// asserts nothing about speed.
const settle = 20 * time.Second

// ladmin returns a command running ladmin with args against url, with a
// config directory of its own.
func ladmin(t *testing.T, url string, args ...string) *exec.Cmd {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LADMIN_TEST_RUN_MAIN=1", "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_STATE_HOME="+filepath.Join(home, ".state"),
		"LADMIN_URL="+url, "LADMIN_API_KEY="+sandbox.OwnerKey, "NO_COLOR=1", "LADMIN_PROFILE=", "LADMIN_OUTPUT=")
	return cmd
}

// exitCode waits for cmd, failing the test if it does not end within settle.
func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return -int(ws.Signal())
			}
			return exitErr.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(settle):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%v still running after %s", cmd.Args[1:], settle)
		return 0
	}
}

// waitFor polls cond until it holds or settle passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(settle); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func writeRoster(t *testing.T, dir string, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range n {
		fmt.Fprintf(&b, "bulk%03d@acme.example,Bulk Person %d\n", i, i)
	}
	path := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func lines(path string) []string {
	data, _ := os.ReadFile(path)
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// TestHangupMidImport: an SSH session dropping mid-import (SIGHUP) is an
// interrupt like Ctrl-C: in-flight rows finish, the report and --failed are
// complete, exit 130. Every row is either created or in --failed.
func TestHangupMidImport(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			url, _ := sandboxtest.Start(t, sandbox.Options{Latency: 30 * time.Millisecond})
			dir := t.TempDir()
			roster := writeRoster(t, dir, 120)
			report, failed := filepath.Join(dir, "report.csv"), filepath.Join(dir, "failed.csv")
			if err := os.WriteFile(failed, []byte("email,name\nstale@acme.example,From an earlier run\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := ladmin(t, url, "agent", "import", "-f", roster, "--concurrency", "2", "--report", report, "--failed", failed)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "five rows in the report", func() bool { return len(lines(report)) > 5 })
			if _, err := os.Stat(failed); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("--failed exists while the import runs (%v); it must appear only when the run ends", err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := exitCode(t, cmd); code != 130 {
				t.Fatalf("exit %d, want 130; stderr:\n%s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted:") {
				t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
			}
			ok := 0
			for _, l := range lines(report)[1:] {
				if strings.Contains(l, ",ok,") {
					ok++
				}
			}
			failedRows := lines(failed)
			if failedRows[0] != "email,name" {
				t.Fatalf("--failed header = %q", failedRows[0])
			}
			if ok == 0 || ok == 120 {
				t.Fatalf("%d rows ok: the signal did not land mid-import", ok)
			}
			if got := len(failedRows) - 1; ok+got != 120 {
				t.Errorf("%d rows ok + %d rows in --failed = %d, want 120 (the failed file must hold every row that was not done)", ok, got, ok+got)
			}
			if strings.Contains(strings.Join(failedRows, "\n"), "stale@") {
				t.Errorf("--failed still holds a row of an earlier run")
			}
		})
	}
}

// TestKilledImportLeavesNoFailedFile: after kill -9 nothing can be written,
// so the --failed file must not exist at all (an empty one would say every
// row went through), including one left by an earlier run.
func TestKilledImportLeavesNoFailedFile(t *testing.T) {
	url, _ := sandboxtest.Start(t, sandbox.Options{Latency: 30 * time.Millisecond})
	dir := t.TempDir()
	roster := writeRoster(t, dir, 120)
	report, failed := filepath.Join(dir, "report.csv"), filepath.Join(dir, "failed.csv")
	if err := os.WriteFile(failed, []byte("email,name\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := ladmin(t, url, "agent", "import", "-f", roster, "--concurrency", "2", "--report", report, "--failed", failed)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "five rows in the report", func() bool { return len(lines(report)) > 5 })
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd); code != -int(syscall.SIGKILL) {
		t.Fatalf("exit %d, want killed", code)
	}
	if _, err := os.Stat(failed); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--failed exists after kill -9 (%v): it cannot be complete", err)
	}
}

// TestSignalWhileReadingPipedStdin: a command reading stdin from a producer
// that never finishes (`agent import -f -`, a key piped to `auth login`)
// ends at once on SIGTERM, SIGHUP or SIGINT, exit 130.
func TestSignalWhileReadingPipedStdin(t *testing.T) {
	url, _ := sandboxtest.Start(t, sandbox.Options{})
	readers := []struct {
		name, partial string
		args          []string
	}{
		{"import", "email,name\n", []string{"agent", "import", "-f", "-"}},
		{"auth login", "sandbox-own", []string{"auth", "login", "--url", url}},
		{"apply a plan from stdin", "{\"version\":", []string{"apply", "-"}},
	}
	for _, rd := range readers {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
			t.Run(rd.name+"/"+sig.String(), func(t *testing.T) {
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				defer w.Close()
				cmd := ladmin(t, url, rd.args...)
				cmd.Stdin = r
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Once ladmin has drained the pipe it is reading, its signal handlers in place.
				if _, err := w.WriteString(rd.partial); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "ladmin to read stdin", func() bool {
					n, err := unix.IoctlGetInt(int(r.Fd()), ioctlInputQueue)
					return err == nil && n == 0
				})
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				if code := exitCode(t, cmd); code != 130 {
					t.Fatalf("exit %d, want 130; stderr:\n%s", code, stderr.String())
				}
				if got := stderr.String(); !strings.HasSuffix(got, "error: interrupted (exit 130)\n") {
					t.Errorf("stderr = %q", got)
				}
			})
		}
	}
}

// terminal is a pseudo-terminal running ladmin, as a person would.
type terminal struct {
	t   *testing.T
	cmd *exec.Cmd
	pty *os.File // the person's side
	tty *os.File // ladmin's side, kept open to inspect its modes afterwards

	mu     sync.Mutex
	screen bytes.Buffer
}

func startTerminal(t *testing.T, cmd *exec.Cmd) *terminal {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, cmd: cmd, pty: ptmx, tty: tty}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			term.mu.Lock()
			term.screen.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = tty.Close()
		_ = ptmx.Close()
	})
	return term
}

func (term *terminal) text() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.screen.String()
}

func (term *terminal) waitFor(s string) {
	term.t.Helper()
	waitFor(term.t, fmt.Sprintf("%q on the terminal", s), func() bool { return strings.Contains(term.text(), s) })
}

func (term *terminal) typeKeys(s string) {
	term.t.Helper()
	if _, err := term.pty.WriteString(s); err != nil {
		term.t.Fatal(err)
	}
}

// modes reports the terminal's echo and line editing, which a hidden prompt
// turns off and must put back.
func (term *terminal) modes() (echo, canonical bool) {
	term.t.Helper()
	tio, err := unix.IoctlGetTermios(int(term.tty.Fd()), ioctlGetTermios)
	if err != nil {
		term.t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0, tio.Lflag&unix.ICANON != 0
}

// TestCtrlCAtEveryPrompt: at each prompt, Ctrl-C ends ladmin with exit 130
// without waiting for Enter, and the terminal is left as it was found.
func TestCtrlCAtEveryPrompt(t *testing.T) {
	url, _ := sandboxtest.Start(t, sandbox.Options{})
	create := ladmin(t, url, "role", "create", "temps", "--from", "agent")
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("role create: %v: %s", err, out)
	}
	plan := filepath.Join(t.TempDir(), "plan.json")
	if out, err := ladmin(t, url, "agent", "offboard", "agent@example.com", "--plan-out", plan).CombinedOutput(); err != nil {
		t.Fatalf("offboard --plan-out: %v: %s", err, out)
	}
	prompts := []struct {
		name   string
		args   []string
		prompt string
		key    string // what is typed: Ctrl-C, or nothing for a signal
		signal syscall.Signal
	}{
		{"agent delete", []string{"agent", "delete", "agent@example.com"}, "[y/N]: ", "\x03", 0},
		{"role delete", []string{"role", "delete", "temps"}, "[y/N]: ", "\x03", 0},
		{"auth login hidden key", []string{"auth", "login", "--url", url}, "API key for ", "\x03", 0},
		{"import from the terminal", []string{"agent", "import", "-f", "-"}, "end it with Ctrl-D", "\x03", 0},
		{"agent offboard", []string{"agent", "offboard", "agent@example.com"}, "[y/N]: ", "\x03", 0},
		{"apikey revoke", []string{"apikey", "revoke", "1"}, "[y/N]: ", "\x03", 0},
		{"auth login --email hidden password", []string{"auth", "login", "--email", "owner@example.com", "--url", url}, "Password for ", "\x03", 0},
		{"apply a saved plan", []string{"apply", plan}, "[y/N]: ", "\x03", 0},
		{"agent delete SIGTERM", []string{"agent", "delete", "agent@example.com"}, "[y/N]: ", "", syscall.SIGTERM},
		{"auth login SIGHUP", []string{"auth", "login", "--url", url}, "API key for ", "", syscall.SIGHUP},
	}
	for _, p := range prompts {
		t.Run(p.name, func(t *testing.T) {
			term := startTerminal(t, ladmin(t, url, p.args...))
			term.waitFor(p.prompt)
			if p.key != "" {
				term.typeKeys(p.key)
			} else if err := term.cmd.Process.Signal(p.signal); err != nil {
				t.Fatal(err)
			}
			if code := exitCode(t, term.cmd); code != 130 {
				t.Fatalf("exit %d, want 130; terminal:\n%s", code, term.text())
			}
			term.waitFor("error: interrupted (exit 130)")
			if echo, canonical := term.modes(); !echo || !canonical {
				t.Errorf("terminal left with echo=%v canonical=%v, want both on", echo, canonical)
			}
		})
	}
}

// TestPrunePromptsOnATerminal: a real prune asks once on a terminal, naming
// the agents; "n" changes nothing, "y" offboards exactly them. `apply` asks
// too.
func TestPrunePromptsOnATerminal(t *testing.T) {
	url, _ := sandboxtest.Start(t, sandbox.Options{})
	dir := t.TempDir()
	team := filepath.Join(dir, "team.csv")
	keep := filepath.Join(dir, "keep.csv")
	_ = os.WriteFile(team, []byte("email,name\nana@acme.example,Ana\nbo@acme.example,Bo\n"), 0o600)
	_ = os.WriteFile(keep, []byte("email,name\nana@acme.example,Ana\nadmin@example.com,Adam Admin\nagent@example.com,Aggie Agent\n"), 0o600)
	journal := filepath.Join(dir, "journal.ndjson")
	run := func(args ...string) *exec.Cmd {
		cmd := ladmin(t, url, args...)
		cmd.Env = append(cmd.Env, "LADMIN_JOURNAL="+journal)
		return cmd
	}
	if out, err := run("agent", "import", "-f", team).CombinedOutput(); err != nil {
		t.Fatalf("import: %v: %s", err, out)
	}
	active := func() string {
		out, err := run("agent", "list", "--email", "*@acme.example", "--jq", `[.[].email] | sort | join(",")`).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}

	term := startTerminal(t, run("agent", "import", "-f", keep, "--prune"))
	term.waitFor("[y/N]: ")
	if s := term.text(); !strings.Contains(s, "Offboard 1 agent not in") || !strings.Contains(s, "bo@acme.example?") {
		t.Fatalf("the prompt:\n%s", s)
	}
	term.typeKeys("n\r")
	if code := exitCode(t, term.cmd); code != 2 {
		t.Fatalf("answering no: exit %d\n%s", code, term.text())
	}
	if got := active(); got != "ana@acme.example,bo@acme.example" {
		t.Fatalf("after no: %s", got)
	}

	term = startTerminal(t, run("agent", "import", "-f", keep, "--prune"))
	term.waitFor("[y/N]: ")
	term.typeKeys("y\r")
	if code := exitCode(t, term.cmd); code != 0 {
		t.Fatalf("answering yes: exit %d\n%s", code, term.text())
	}
	if got := active(); got != "ana@acme.example" {
		t.Fatalf("after yes: %s", got)
	}

	plan := filepath.Join(dir, "plan.json")
	if out, err := run("agent", "import", "-f", team, "--plan-out", plan, "--on-existing", "update").CombinedOutput(); err != nil {
		t.Fatalf("plan: %v: %s", err, out)
	}
	term = startTerminal(t, run("apply", plan))
	term.waitFor("[y/N]: ")
	if s := term.text(); !strings.Contains(s, "Apply 1 step of") {
		t.Fatalf("the prompt:\n%s", s)
	}
	term.typeKeys("y\r")
	if code := exitCode(t, term.cmd); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, term.text())
	}
	if got := active(); got != "ana@acme.example,bo@acme.example" {
		t.Fatalf("after apply: %s", got)
	}
}

// TestErrorsWrapToARealTerminal: the real binary on a pseudo-terminal 48
// columns wide wraps its error to that width (the kernel's size, not
// $COLUMNS=200), with the quoted command whole; with stderr on a pipe the same
// error is one line, even though $COLUMNS says 48.
func TestErrorsWrapToARealTerminal(t *testing.T) {
	noKey := func(cmd *exec.Cmd) *exec.Cmd {
		cmd.Env = append(cmd.Env, "LADMIN_API_KEY=", "COLUMNS=200")
		return cmd
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 48}); err != nil {
		t.Fatal(err)
	}
	// LADMIN_API_KEY= is "set but empty": exit 2 at once, before any request.
	cmd := noKey(ladmin(t, "http://127.0.0.1:1", "agent", "list"))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var screen bytes.Buffer
	done := make(chan struct{})
	go func() { // until the terminal closes: everything ladmin wrote
		_, _ = screen.ReadFrom(ptmx)
		close(done)
	}()
	code := exitCode(t, cmd)
	_ = tty.Close()
	select {
	case <-done:
	case <-time.After(settle):
		t.Fatal("the terminal did not close")
	}
	if code != 2 {
		t.Fatalf("exit %d\n%s", code, screen.String())
	}
	got := strings.ReplaceAll(screen.String(), "\r\n", "\n")
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("not wrapped at 48 columns:\n%s", got)
	}
	for i, l := range lines {
		if len([]rune(l)) > 48 {
			t.Errorf("line %q is wider than the terminal", l)
		}
		if i > 0 && !strings.HasPrefix(l, "       ") {
			t.Errorf("continuation line %q is not indented under the text", l)
		}
	}
	if !strings.Contains(got, "`ladmin auth login`") {
		t.Errorf("the quoted command was broken:\n%s", got)
	}

	var stderr bytes.Buffer
	piped := noKey(ladmin(t, "http://127.0.0.1:1", "agent", "list"))
	piped.Env = append(piped.Env, "COLUMNS=48")
	piped.Stderr = &stderr
	_ = piped.Run()
	one := stderr.String()
	if strings.Count(one, "\n") != 1 || !strings.HasPrefix(one, "error: LADMIN_API_KEY is set but empty") {
		t.Fatalf("on a pipe: %q", one)
	}
	if strings.Join(strings.Fields(one), " ") != strings.Join(strings.Fields(got), " ") {
		t.Errorf("the wrapped error says something else:\n%s\n%s", got, one)
	}
}
