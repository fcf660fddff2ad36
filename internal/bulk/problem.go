// Package bulk onboards agents in bulk: parse a roster (CSV, JSON, NDJSON or
// YAML) -> validate every row against the account -> plan create / update /
// restore / skip per row -> apply the plan concurrently under the account's
// rate limit -> report every row. It prints nothing on its own: callers pass
// the writers (spec/bulk.md).
package bulk

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ladmin/ladmin/internal/text"
)

// Problem is one thing wrong with an input file, printed as
// `FILE:LINE: column "role": unknown role "admn" (did you mean "admin"?)`.
type Problem struct {
	File    string
	Line    int    // 0 when the problem is about the whole file
	Column  string // "" when the problem is about the whole row
	Message string
}

// Echoed values are cut to these many characters: a 50 MB header line is
// not printed back whole.
const (
	maxColumnEcho  = 60
	maxMessageEcho = 400
)

// String is the problem on one line, safe to print: echoed values are
// truncated and escaped with text.Safe.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Column != "" {
		fmt.Fprintf(&b, "column %q: ", text.Truncate(p.Column, maxColumnEcho))
	}
	b.WriteString(text.Truncate(p.Message, maxMessageEcho))
	return text.Safe(b.String())
}

// Problems is every problem found, ordered by line. As an error it reads as
// the first problem and how many more there are.
type Problems []Problem

func (ps Problems) Error() string {
	switch len(ps) {
	case 0:
		return "no problems"
	case 1:
		return ps[0].String()
	}
	return fmt.Sprintf("%s (and %s)", ps[0].String(), text.Count(len(ps)-1, "more problem", "more problems"))
}

// Sorted returns the problems by line (file-wide ones first), keeping the
// order in which they were found within a line.
func (ps Problems) Sorted() Problems {
	out := append(Problems(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// MaxListed is how many problems a screen shows before "... and N more".
const MaxListed = text.MaxListed

// Lines renders each problem on its own line.
func (ps Problems) Lines() []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// ScreenLines renders at most MaxListed problems, then one line saying how
// many more there are and where to find them all (where is "" when there is
// nowhere: "... and 180 more").
func (ps Problems) ScreenLines(where string) []string {
	if len(ps) <= MaxListed {
		return ps.Lines()
	}
	out := ps[:MaxListed].Lines()
	more := fmt.Sprintf("... and %d more", len(ps)-MaxListed)
	if where != "" {
		more += " (" + where + ")"
	}
	return append(out, more)
}

// problemList collects problems for one file.
type problemList struct {
	file string
	list Problems
}

func (l *problemList) add(line int, column, format string, args ...any) {
	l.list = append(l.list, Problem{File: l.file, Line: line, Column: column, Message: fmt.Sprintf(format, args...)})
}

// plural is "1 row" or "2 rows".
