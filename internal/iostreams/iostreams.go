// Package iostreams holds the standard streams of a command and what is
// known about them (terminals, color), so that commands never touch os.Stdin
// or os.Stdout and tests can run them in-process with buffers, as in gh.
package iostreams

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/term"
)

// IOStreams are the streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorDisabled                  bool
	// width overrides the terminal's width (tests); 0 asks the terminal.
	width int

	// lines reads In line by line. It is kept so that text buffered past one
	// line (a piped key followed by more input) is not lost between reads;
	// linesOf says which In it wraps, in case a test swaps In.
	lines   *bufio.Reader
	linesOf io.Reader
}

// System returns the process's standard streams with real terminal
// detection. Color starts disabled when NO_COLOR is set (no-color.org), so it
// is honoured even before flags are parsed.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin,
		// *os.File writes are safe for concurrent use, and must stay
		// *os.File: the progress bar asks them whether they are terminals.
		Out:           os.Stdout,
		ErrOut:        os.Stderr,
		stdinTTY:      isTerminal(os.Stdin),
		stdoutTTY:     isTerminal(os.Stdout),
		stderrTTY:     isTerminal(os.Stderr),
		colorDisabled: os.Getenv("NO_COLOR") != "",
	}
}

// Test returns streams backed by buffers, none of them a terminal. Read the
// buffers once the command has returned.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: syncWriter(out), ErrOut: syncWriter(errOut)}, in, out, errOut
}

// lockedWriter serializes writes to a test's buffer: bulk workers, the
// progress bar and the interrupt watcher all print to the same stream, which
// a *os.File allows and a bytes.Buffer does not.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func syncWriter(w io.Writer) io.Writer { return &lockedWriter{w: w} }

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// IsStdinTTY, IsStdoutTTY and IsStderrTTY report whether each stream is a
// terminal, as detected by System or set by a test.
func (s *IOStreams) IsStdinTTY() bool  { return s.stdinTTY }
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY and the other setters let tests pretend to be on a terminal.
func (s *IOStreams) SetStdinTTY(v bool)  { s.stdinTTY = v }
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// TerminalWidth is the width, in columns, of the terminal stdout shows on,
// to which tables and help are fitted; 0 when stdout is not a terminal
// (pipes and CI logs get every value whole). A terminal that does not say
// its size counts as $COLUMNS wide, else 80.
func (s *IOStreams) TerminalWidth() int {
	if !s.stdoutTTY {
		return 0
	}
	if s.width > 0 {
		return s.width
	}
	if f, ok := s.Out.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// SetTerminalWidth makes stdout a terminal of this width (tests).
func (s *IOStreams) SetTerminalWidth(w int) {
	s.stdoutTTY = w > 0
	s.width = w
}

// ColorEnabled reports whether output may be colored: only on a terminal,
// so pipes and CI logs get plain text, and never after --no-color/NO_COLOR.
func (s *IOStreams) ColorEnabled() bool { return s.stdoutTTY && !s.colorDisabled }

// SetColorEnabled(false) is what --no-color and NO_COLOR do. Enabling it does
// not force color off a terminal.
func (s *IOStreams) SetColorEnabled(v bool) { s.colorDisabled = !v }

// CanPrompt reports whether someone can answer a question: stdin to read the
// answer and stderr to show the prompt must both be terminals. Commands that
// would prompt (delete) refuse without --yes otherwise.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY }

// ReadSecret reads an API key. When stdin is a terminal it shows prompt on
// ErrOut and reads without echo, so the key never appears on screen or in
// scrollback; otherwise (a key piped in by a script) it reads one line with
// no prompt. The result is trimmed of spaces and line endings; it is "" when
// the input is empty, which the caller reports.
func (s *IOStreams) ReadSecret(ctx context.Context, prompt string) (string, error) {
	if !s.stdinTTY {
		line, err := s.readLine()
		return strings.TrimSpace(line), err
	}
	fmt.Fprint(s.ErrOut, prompt)
	f, ok := s.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		// A test pretending to be a terminal: read the line it provides.
		line, err := s.readLine()
		return strings.TrimSpace(line), err
	}
	fd := int(f.Fd())
	// The CLI catches Ctrl-C itself (to finish cleanly), so the signal no
	// longer ends a blocked ReadPassword: give up on ctx and put the
	// terminal's echo back, which ReadPassword would only do on return.
	saved, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("reading secret: %w", err)
	}
	type result struct {
		secret []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		secret, err := term.ReadPassword(fd)
		done <- result{secret, err}
	}()
	select {
	case <-ctx.Done():
		_ = term.Restore(fd, saved) // best effort: we are leaving anyway
		fmt.Fprintln(s.ErrOut)
		return "", ctx.Err()
	case r := <-done:
		fmt.Fprintln(s.ErrOut) // the user's Enter was not echoed
		if r.err != nil {
			return "", fmt.Errorf("reading secret: %w", r.err)
		}
		return strings.TrimSpace(string(r.secret)), nil
	}
}

// Confirm asks a yes/no question on ErrOut; only y or yes (any case) is a
// yes, so Enter or EOF keeps the safe default.
func (s *IOStreams) Confirm(prompt string) (bool, error) {
	fmt.Fprintf(s.ErrOut, "%s [y/N]: ", prompt)
	line, err := s.readLine()
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// readLine reads one line from In without its line ending. A last line
// without a newline counts; EOF before any text returns "" and no error.
func (s *IOStreams) readLine() (string, error) {
	if s.lines == nil || s.linesOf != s.In {
		s.lines, s.linesOf = bufio.NewReader(s.In), s.In
	}
	line, err := s.lines.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
