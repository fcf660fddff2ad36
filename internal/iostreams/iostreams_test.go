package iostreams

import (
	"context"
	"strings"
	"testing"
)

func TestTestStreamsAreNotTerminals(t *testing.T) {
	ios, _, _, _ := Test()
	if ios.IsStdinTTY() || ios.IsStdoutTTY() || ios.IsStderrTTY() {
		t.Error("Test streams claim to be terminals")
	}
	if ios.ColorEnabled() || ios.CanPrompt() {
		t.Error("Test streams allow color or prompts")
	}
}

func TestColorEnabled(t *testing.T) {
	tests := []struct {
		name      string
		stdoutTTY bool
		disable   bool
		want      bool
	}{
		{"terminal", true, false, true},
		{"terminal with --no-color", true, true, false},
		{"pipe", false, false, false},
		{"pipe with --no-color", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.SetStdoutTTY(tt.stdoutTTY)
			if tt.disable {
				ios.SetColorEnabled(false)
			}
			if got := ios.ColorEnabled(); got != tt.want {
				t.Errorf("ColorEnabled() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCanPrompt(t *testing.T) {
	tests := []struct {
		stdin, stdout, stderr, want bool
	}{
		{true, true, true, true},
		{true, false, true, true}, // stdout piped: `ladmin agent delete x | tee log` can still ask
		{false, true, true, false},
		{true, true, false, false},
	}
	for _, tt := range tests {
		ios, _, _, _ := Test()
		ios.SetStdinTTY(tt.stdin)
		ios.SetStdoutTTY(tt.stdout)
		ios.SetStderrTTY(tt.stderr)
		if got := ios.CanPrompt(); got != tt.want {
			t.Errorf("stdin=%v stdout=%v stderr=%v: CanPrompt() = %v, want %v",
				tt.stdin, tt.stdout, tt.stderr, got, tt.want)
		}
	}
}

func TestReadSecret(t *testing.T) {
	tests := []struct {
		name       string
		tty        bool
		input      string
		want       string
		wantPrompt string
	}{
		{name: "piped key", input: "s3cret\n", want: "s3cret"},
		{name: "trimmed", input: "  s3cret \r\n", want: "s3cret"},
		{name: "no newline", input: "s3cret", want: "s3cret"},
		{name: "only the first line", input: "s3cret\nother\n", want: "s3cret"},
		{name: "empty input", input: "", want: ""},
		// Test streams cannot hide input, but a pretend terminal still prompts.
		{name: "terminal prompts", tty: true, input: "s3cret\n", want: "s3cret", wantPrompt: "API key: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, out, errOut := Test()
			ios.SetStdinTTY(tt.tty)
			in.WriteString(tt.input)
			got, err := ios.ReadSecret(context.Background(), "API key: ")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ReadSecret() = %q, want %q", got, tt.want)
			}
			if errOut.String() != tt.wantPrompt {
				t.Errorf("stderr = %q, want %q", errOut.String(), tt.wantPrompt)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out.String())
			}
		})
	}
}

func TestConfirm(t *testing.T) {
	tests := []struct {
		input string
		want  bool
	}{
		{"y\n", true},
		{"Y\n", true},
		{"yes\n", true},
		{" YES \r\n", true},
		{"yes", true},
		{"n\n", false},
		{"\n", false},
		{"", false},
		{"yep\n", false},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.input), func(t *testing.T) {
			ios, in, _, errOut := Test()
			in.WriteString(tt.input)
			got, err := ios.Confirm("Delete 2 agents?")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Confirm() with %q = %v, want %v", tt.input, got, tt.want)
			}
			if want := "Delete 2 agents? [y/N]: "; errOut.String() != want {
				t.Errorf("prompt = %q, want %q", errOut.String(), want)
			}
		})
	}
}

// A long prompt wraps at spaces on a terminal, the answer's "[y/N]: " on
// its last line; off a terminal it is one line.
func TestConfirmWrapsALongPromptOnATerminal(t *testing.T) {
	const prompt = "Offboard 3 agents not in team.csv: ana@acme.example, bob@acme.example, cy@acme.example?"
	for _, tc := range []struct {
		width int
		want  string
	}{
		{0, prompt + " [y/N]: "},
		{40, "Offboard 3 agents not in team.csv:\n  ana@acme.example, bob@acme.example,\n  cy@acme.example? [y/N]: "},
	} {
		ios, in, _, errOut := Test()
		ios.SetErrTerminalWidth(tc.width)
		in.WriteString("n\n")
		if _, err := ios.Confirm(prompt); err != nil {
			t.Fatal(err)
		}
		if got := errOut.String(); got != tc.want {
			t.Errorf("width %d:\n%q\nwant\n%q", tc.width, got, tc.want)
		}
	}
}

func TestConsecutiveReadsShareInput(t *testing.T) {
	ios, in, _, _ := Test()
	in.WriteString("key\ny\n")
	key, err := ios.ReadSecret(context.Background(), "")
	if err != nil || key != "key" {
		t.Fatalf("ReadSecret() = %q, %v", key, err)
	}
	ok, err := ios.Confirm("Save?")
	if err != nil || !ok {
		t.Fatalf("Confirm() = %v, %v; the buffered second line was lost", ok, err)
	}
}

func TestSystemHonoursNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	ios := System()
	ios.SetStdoutTTY(true)
	if ios.ColorEnabled() {
		t.Error("ColorEnabled() with NO_COLOR set")
	}
	if ios.In == nil || ios.Out == nil || ios.ErrOut == nil {
		t.Error("System() left a stream nil")
	}
}

// TestErrTerminalWidthIsStderrs: errors wrap to stderr's terminal, never
// when stderr is redirected, whatever stdout is.
func TestErrTerminalWidthIsStderrs(t *testing.T) {
	t.Setenv("COLUMNS", "")
	ios, _, _, _ := Test()
	ios.SetTerminalWidth(120)
	if w := ios.ErrTerminalWidth(); w != 0 {
		t.Errorf("stderr redirected, stdout a terminal: width %d, want 0", w)
	}
	ios.SetErrTerminalWidth(50)
	if w, out := ios.ErrTerminalWidth(), ios.TerminalWidth(); w != 50 || out != 120 {
		t.Errorf("widths %d (stderr) and %d (stdout), want 50 and 120", w, out)
	}
	ios, _, _, _ = Test()
	ios.SetStderrTTY(true) // a terminal that does not say its size
	if w := ios.ErrTerminalWidth(); w != 80 {
		t.Errorf("no size, no COLUMNS: %d, want 80", w)
	}
	t.Setenv("COLUMNS", "66")
	if w := ios.ErrTerminalWidth(); w != 66 {
		t.Errorf("COLUMNS=66: %d", w)
	}
	if ios.TerminalWidth() != 0 {
		t.Error("stdout became a terminal")
	}
}
