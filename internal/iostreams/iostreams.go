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

	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/text"
)

// IOStreams are the streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorDisabled                  bool
	// width and errWidth override the terminals' widths (tests); 0 asks
	// the terminal.
	width, errWidth int

	// lines reads In line by line. It is kept so that text buffered past one
	// line (a piped key followed by more input) is not lost between reads;
	// linesOf says which In it wraps, in case a test swaps In.
	lines   *bufio.Reader
	linesOf io.Reader
	// pending is a line read abandoned by an interrupted prompt.
	pending chan lineResult

	ctx context.Context
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
	return widthOf(s.Out, s.width)
}

// ErrTerminalWidth is TerminalWidth for stderr: the width to which errors,
// warnings and notes are wrapped; 0 when stderr is not a terminal (CI logs
// and `2> file` keep each message on one line), whatever stdout is.
func (s *IOStreams) ErrTerminalWidth() int {
	if !s.stderrTTY {
		return 0
	}
	return widthOf(s.ErrOut, s.errWidth)
}

// widthOf is the width of the terminal w writes to: override if set, else
// what the terminal says, else $COLUMNS, else 80.
func widthOf(w io.Writer, override int) int {
	if override > 0 {
		return override
	}
	if f, ok := w.(*os.File); ok {
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

// SetErrTerminalWidth makes stderr a terminal of this width (tests).
func (s *IOStreams) SetErrTerminalWidth(w int) {
	s.stderrTTY = w > 0
	s.errWidth = w
}

// ColorEnabled reports whether output may be colored: only on a terminal,
// so pipes and CI logs get plain text, and never after --no-color/NO_COLOR.
func (s *IOStreams) ColorEnabled() bool { return s.stdoutTTY && !s.colorDisabled }

// ErrColorEnabled is ColorEnabled for stderr: errors keep their color on a
// terminal when only stdout is redirected (ladmin agent list > agents.txt).
func (s *IOStreams) ErrColorEnabled() bool { return s.stderrTTY && !s.colorDisabled }

// SetColorEnabled(false) is what --no-color and NO_COLOR do. Enabling it does
// not force color off a terminal.
func (s *IOStreams) SetColorEnabled(v bool) { s.colorDisabled = !v }

// CanPrompt reports whether someone can answer a question: stdin to read the
// answer and stderr to show the prompt must both be terminals. Commands that
// would prompt (delete) refuse without --yes otherwise.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY }

// MaxLineBytes bounds one line read at a prompt or from a piped stdin (an
// API key, a yes/no answer): a few KiB is far more than any key or answer,
// and `ladmin auth login < /dev/zero` fails at once instead of growing
// without bound. A terminal in canonical mode already stops a line at 4095
// bytes; this holds for pipes and files too.
const MaxLineBytes = 4 << 10

// ErrLineTooLong is returned when a line read from In exceeds MaxLineBytes.
var ErrLineTooLong = fmt.Errorf("the input line is longer than %d KiB, the most a key or an answer can be; is this the input you meant?", MaxLineBytes>>10)

// SetContext gives the streams the context that signals cancel (Ctrl-C,
// SIGTERM, SIGHUP): every prompt and every read of In through InContext
// gives up when it is done, so an interrupted prompt exits 130 at once
// instead of waiting for Enter. cli.Main sets it; without it, reads wait.
func (s *IOStreams) SetContext(ctx context.Context) { s.ctx = ctx }

func (s *IOStreams) context() context.Context {
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// ReadSecret reads an API key (or another secret). When stdin is a terminal
// it shows prompt on ErrOut and reads without echo, so the secret never
// appears on screen or in scrollback; otherwise (a key piped in by a script)
// it reads one line with no prompt. The result is trimmed of spaces and line
// endings; it is "" when the input is empty, which the caller reports. It
// returns ctx's error (or that of SetContext's context) as soon as either is
// done, with the terminal's echo restored, and ErrLineTooLong beyond
// MaxLineBytes.
func (s *IOStreams) ReadSecret(ctx context.Context, prompt string) (string, error) {
	ctx, cancel := s.mergeContext(ctx)
	defer cancel()
	f, ok := s.In.(*os.File)
	if !s.stdinTTY || !ok || !term.IsTerminal(int(f.Fd())) {
		if s.stdinTTY {
			// A test pretending to be a terminal: prompt, then read the line it provides.
			fmt.Fprint(s.ErrOut, text.Safe(prompt))
		}
		line, err := s.readLineContext(ctx)
		if err != nil && ctx.Err() != nil && s.stdinTTY {
			fmt.Fprintln(s.ErrOut)
		}
		return strings.TrimSpace(line), err
	}
	fmt.Fprint(s.ErrOut, text.Safe(prompt))
	fd := int(f.Fd())
	type result struct {
		secret []byte
		err    error
	}
	done := make(chan result, 1)
	if restore, ok := echoOff(fd); ok {
		// Echo is off before the read starts and back on before we return,
		// whether the line came or Ctrl-C did.
		defer restore()
		go func() {
			line, err := readSecretLine(f)
			done <- result{line, err}
		}()
	} else {
		// The CLI catches Ctrl-C itself (to finish cleanly), so the signal no
		// longer ends a blocked ReadPassword: give up on ctx and put the
		// terminal's echo back, which ReadPassword would only do on return.
		saved, err := term.GetState(fd)
		if err != nil {
			return "", fmt.Errorf("reading secret: %w", err)
		}
		defer func() { _ = term.Restore(fd, saved) }()
		go func() {
			secret, err := term.ReadPassword(fd)
			done <- result{secret, err}
		}()
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(s.ErrOut)
		return "", ctx.Err()
	case r := <-done:
		fmt.Fprintln(s.ErrOut) // the user's Enter was not echoed
		if errors.Is(r.err, ErrLineTooLong) {
			return "", ErrLineTooLong
		}
		if r.err != nil {
			return "", fmt.Errorf("reading secret: %w", r.err)
		}
		return strings.TrimSpace(string(r.secret)), nil
	}
}

// readSecretLine reads one line from the terminal, at most MaxLineBytes:
// a key pasted from /dev/zero must not fill the memory.
func readSecretLine(f *os.File) ([]byte, error) {
	var line []byte
	buf := make([]byte, 256)
	for {
		n, err := f.Read(buf)
		for _, b := range buf[:n] {
			if b == '\n' {
				return line, nil
			}
			if len(line) >= MaxLineBytes {
				return nil, ErrLineTooLong
			}
			line = append(line, b)
		}
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				return line, nil
			}
			return nil, err
		}
	}
}

// Confirm asks a yes/no question on ErrOut; only y or yes (any case) is a
// yes, so Enter or EOF keeps the safe default. Ctrl-C, SIGTERM or SIGHUP
// while it waits returns context.Canceled at once (exit 130): every command
// that asks before it changes something (delete, offboard, apply, undo)
// should ask through Confirm.
func (s *IOStreams) Confirm(prompt string) (bool, error) {
	// Prompts name agents and roles: shown through text.Safe like every
	// other human-readable output.
	// On a terminal a long prompt (it lists emails) wraps at spaces, its
	// "[y/N]: " on the last line, where the answer is typed.
	width := s.ErrTerminalWidth()
	if width > 2 {
		width -= 2 // room for the ": " after it
	}
	fmt.Fprintf(s.ErrOut, "%s: ", output.Message("", text.Safe(prompt)+" [y/N]", width))
	line, err := s.readLineContext(s.context())
	if err != nil {
		if s.context().Err() != nil {
			fmt.Fprintln(s.ErrOut) // leave the prompt's line before the error
		}
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// mergeContext is ctx, also canceled when the streams' own context is.
func (s *IOStreams) mergeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.context(), cancel)
	return ctx, func() { stop(); cancel() }
}

type lineResult struct {
	line string
	err  error
}

// readLineContext is readLine, given up when ctx is done. A read of a
// terminal or pipe cannot be interrupted, so it runs on its own goroutine;
// when ctx wins, that read stays pending and the next call takes its result
// rather than start a second reader of the same input.
func (s *IOStreams) readLineContext(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if s.pending == nil {
		ch := make(chan lineResult, 1)
		go func() {
			line, err := s.readLine()
			ch <- lineResult{line, err}
		}()
		s.pending = ch
	}
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-s.pending:
		s.pending = nil
		return r.line, r.err
	}
}

// readLine reads one line from In without its line ending, at most
// MaxLineBytes. A last line without a newline counts; EOF before any text
// returns "" and no error.
func (s *IOStreams) readLine() (string, error) {
	if s.lines == nil || s.linesOf != s.In {
		s.lines, s.linesOf = bufio.NewReader(s.In), s.In
	}
	var line []byte
	for {
		chunk, err := s.lines.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLineBytes+2 { // +2: the line ending
			return "", ErrLineTooLong
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading input: %w", err)
		}
		text := strings.TrimRight(string(line), "\r\n")
		if len(text) > MaxLineBytes {
			return "", ErrLineTooLong
		}
		return text, nil
	}
}

// InContext is In as a reader that gives up with ctx's error (or that of
// SetContext's context) as soon as either is done, even while a read is
// blocked on a terminal or a slow pipe: `agent import -f -` reads stdin
// through it, so Ctrl-C ends it at once. Read everything through one
// InContext reader.
func (s *IOStreams) InContext(ctx context.Context) io.Reader {
	return &ctxReader{ctx: ctx, s: s}
}

type ctxReader struct {
	ctx     context.Context
	s       *IOStreams
	pending chan readResult
}

type readResult struct {
	data []byte
	err  error
}

func (r *ctxReader) Read(p []byte) (int, error) {
	ctx, cancel := r.s.mergeContext(r.ctx)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if r.pending == nil {
		ch := make(chan readResult, 1)
		buf := make([]byte, len(p)) // the caller's p is not written after Read returns
		go func() {
			n, err := r.s.In.Read(buf)
			ch <- readResult{buf[:n], err}
		}()
		r.pending = ch
	}
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case res := <-r.pending:
		r.pending = nil
		n := copy(p, res.data)
		if n < len(res.data) { // a smaller p than the pending read's: keep the rest
			rest := res.data[n:]
			ch := make(chan readResult, 1)
			ch <- readResult{rest, res.err}
			r.pending = ch
			return n, nil
		}
		return n, res.err
	}
}
