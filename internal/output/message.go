package output

import (
	"strings"
	"unicode/utf8"
)

// Message lays out prefix and msg ("error:", "invalid API key; ...") for a
// person reading stderr on a terminal width columns wide: broken into lines
// at spaces, each continuation line indented under the text after the
// prefix (two columns when there is no prefix). What a person copies never
// breaks: a word (an email, a URL, a path, a --flag), a `quoted command`
// or a "quoted value" with spaces in it, and a short parenthesis such as
// "(exit 2)" stay on one line, even if that line is then wider than the
// terminal. Lines of msg that already fit are left as they are; width 0
// (not a terminal: pipes and CI logs) leaves everything on its line.
func Message(prefix, msg string, width int) string {
	s := msg
	if prefix != "" {
		s = prefix + " " + msg
	}
	if width <= 0 {
		return s
	}
	indent := 2
	if prefix != "" {
		indent = DisplayWidth(prefix) + 1
	}
	if indent > width/3 { // a very narrow terminal: keep room for the text
		indent = 2
	}
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if DisplayWidth(line) <= width {
			out = append(out, line)
			continue
		}
		text := strings.TrimLeft(line, " ")
		lead := line[:len(line)-len(text)]
		out = append(out, fill(lead, messageWords(text, width-indent), width, strings.Repeat(" ", indent+len(lead)))...)
	}
	return strings.Join(out, "\n")
}

// fill puts words on lines of at most width columns, the first starting
// with lead and the others with indent. A word wider than a line gets a
// line of its own.
func fill(lead string, words []string, width int, indent string) []string {
	var lines []string
	line, lineW, empty := lead, DisplayWidth(lead), true
	for _, w := range words {
		ww := DisplayWidth(w)
		if !empty && lineW+1+ww > width {
			lines = append(lines, line)
			line, lineW, empty = indent, len(indent), true
		}
		if !empty {
			line += " "
			lineW++
		}
		line += w
		lineW += ww
		empty = false
	}
	return append(lines, line)
}

// maxParenWords is how many words a parenthesis may have and still be kept
// on one line: "(exit 2)", "(mode 0644)", "(your role: agent)".
const maxParenWords = 3

// messageWords splits a line of a message at spaces into the pieces that
// must not break: a quoted span (`...` or "...", with \" inside) belongs to
// the word it is in, and a short parenthesis that fits in room columns is
// one piece.
func messageWords(s string, room int) []string {
	var words []string
	var cur strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case ' ':
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
			i++
			continue
		case '`', '"':
			if end := closingQuote(s, i); end > 0 {
				cur.WriteString(s[i : end+1])
				i = end + 1
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		cur.WriteString(s[i : i+size])
		i += size
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return joinParens(words, room)
}

// closingQuote is the index of the quote closing the one at s[open], or -1
// when there is none (a lone quote is an ordinary character).
func closingQuote(s string, open int) int {
	q := s[open]
	for i := open + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if q == '"' {
				i++ // an escaped character inside "..."
			}
		case q:
			return i
		}
	}
	return -1
}

// joinParens makes a parenthesis of at most maxParenWords words one word,
// if it fits in room columns.
func joinParens(words []string, room int) []string {
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "(") || parenDepth(w) <= 0 {
			out = append(out, w)
			continue
		}
		depth, j := parenDepth(w), i
		for depth > 0 && j+1 < len(words) && j+1-i < maxParenWords {
			j++
			depth += parenDepth(words[j])
		}
		group := strings.Join(words[i:j+1], " ")
		if depth > 0 || DisplayWidth(group) > room {
			out = append(out, w)
			continue
		}
		out = append(out, group)
		i = j
	}
	return out
}

// parenDepth is how many more parentheses w opens than it closes.
func parenDepth(w string) int {
	return strings.Count(w, "(") - strings.Count(w, ")")
}
