package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Safe returns s as a person may see it on a terminal, in a table cell, a
// Markdown page or a CI log: every character that could act on the reader
// instead of being read is written as an escape. Escaped are
//
//   - C0 controls, DEL and C1 controls (ESC, CSI, BEL, CR, LF, TAB...): \x1b,
//     \n, \r, \t, \u009b, so nothing can move the cursor, clear the screen,
//     retitle the window or start a new line or table row;
//   - bidi embeddings, overrides, isolates and marks (U+202A-U+202E,
//     U+2066-U+2069, U+200E, U+200F, U+061C) and every other Unicode format
//     character (Cf), such as the zero-width space, word joiner, BOM and soft
//     hyphen, so one name cannot pass for another: \u202e, \u200b;
//   - the line and paragraph separators U+2028 and U+2029;
//   - bytes that are not UTF-8: \xff.
//
// The zero-width non-joiner and joiner (U+200C, U+200D), which Persian and
// Indic names need, are kept. A string with nothing to escape is returned as
// it is, without copying. Backslashes are not doubled: Safe is for reading,
// not for parsing back (JSON and YAML carry the exact values).
//
// Every human-readable writer of ladmin calls Safe on values that come from
// an account or an input file; JSON and YAML never do.
func Safe(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			writeEscape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// MaxListed is how many problems a screen lists before "... and N more".
const MaxListed = 20

// IsSafe reports whether Safe(s) == s.
func IsSafe(s string) bool { return firstUnsafe(s) < 0 }

// SafeTrunc is Safe(Truncate(s, max)): for values echoed back in a message,
// where a 50 MB line must not be printed whole.
func SafeTrunc(s string, max int) string { return Safe(Truncate(s, max)) }

// Truncate cuts s to at most max runes, ending it with "…" and the count of
// what was left out when it is longer: `abc… (1234 more characters)`.
func Truncate(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			rest := utf8.RuneCountInString(s[i:])
			return fmt.Sprintf("%s… (%d more characters)", s[:i], rest)
		}
		n++
	}
	return s
}

func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeRune reports whether r is escaped by Safe.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return true
	case r < 0xa0:
		return false
	case r == 0x200c || r == 0x200d: // ZWNJ, ZWJ: part of Persian and Indic names
		return false
	case r == 0x2028 || r == 0x2029:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// IsHiddenOrControl reports whether r is a control, format (except the
// joiners U+200C and U+200D), line or paragraph separator character: what
// Safe escapes. Validation rules use it to refuse such characters.
func IsHiddenOrControl(r rune) bool { return unsafeRune(r) }

func writeEscape(b *strings.Builder, r rune) {
	switch {
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\t':
		b.WriteString(`\t`)
	case r < 0x80:
		fmt.Fprintf(b, `\x%02x`, r)
	case r <= 0xffff:
		fmt.Fprintf(b, `\u%04x`, r)
	default:
		fmt.Fprintf(b, `\U%08x`, r)
	}
}
