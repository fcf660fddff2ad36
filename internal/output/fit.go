package output

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Fit says how a table column gives way when the table is wider than the
// terminal, as `gh` tables do. Off a terminal (Width 0) nothing gives way:
// pipes and CI logs always get whole values.
type Fit int

const (
	// Truncate shortens the column's long values with "…". The default, for
	// names, roles and other values a person recognizes from their start.
	Truncate Fit = iota
	// Keep never shortens the column: ids and emails must stay whole and
	// copyable, even if the row then overflows the terminal.
	Keep
	// Wrap breaks the column's values into lines at word boundaries: prose
	// such as descriptions, messages and lists of permissions.
	Wrap
)

// ellipsis marks a value cut short.
const ellipsis = "…"

// comfortWidth is how narrow columns are made before any is made narrower:
// wide enough to tell values apart.
const comfortWidth = 16

// minShrink is the narrowest a column is made, unless its header or its
// widest value is narrower: below this a value is no longer recognizable.
const minShrink = 6

// DisplayWidth is the number of terminal columns s takes: East Asian wide
// and fullwidth characters take two, combining marks and invisible format
// characters none (golang.org/x/text/width, Unicode's East Asian Width).
// For a value of several lines it is the width of the widest.
func DisplayWidth(s string) int {
	widest, cur := 0, 0
	for _, r := range s {
		if r == '\n' {
			widest, cur = max(widest, cur), 0
			continue
		}
		cur += runeWidth(r)
	}
	return max(widest, cur)
}

func runeWidth(r rune) int {
	switch {
	case r == 0 || unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r < utf8.RuneSelf:
		return 1
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// TruncateWidth shortens s to at most w display columns, ending it with "…"
// when something was cut. A wide character is never split.
func TruncateWidth(s string, w int) string {
	if DisplayWidth(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		rw := runeWidth(r)
		if used+rw > w-1 { // keep one column for the ellipsis
			break
		}
		b.WriteRune(r)
		used += rw
	}
	// "Adam…", not "Adam …": the ellipsis marks the cut where the text ends.
	return strings.TrimRight(b.String(), " ") + ellipsis
}

// WrapWidth breaks s into lines of at most w display columns at spaces.
// A longer word stays whole (an email or a URL must stay copyable), unless
// it is East Asian text, which may break between any two wide characters.
// Existing line breaks are kept.
func WrapWidth(s string, w int) []string { return wrapLines(s, w, false) }

// wrapLines is WrapWidth; with breakWords, any word wider than w breaks.
func wrapLines(s string, w int, breakWords bool) []string {
	if w <= 0 {
		return []string{s}
	}
	var lines []string
	for para := range strings.SplitSeq(s, "\n") {
		lines = append(lines, wrapLine(para, w, breakWords)...)
	}
	return lines
}

func wrapLine(s string, w int, breakWords bool) []string {
	if DisplayWidth(s) <= w {
		return []string{s}
	}
	var lines []string
	var line strings.Builder
	lineW := 0
	flush := func() {
		lines = append(lines, line.String())
		line.Reset()
		lineW = 0
	}
	for _, word := range strings.Fields(s) {
		ww := DisplayWidth(word)
		if lineW > 0 && lineW+1+ww <= w {
			line.WriteByte(' ')
			line.WriteString(word)
			lineW += 1 + ww
			continue
		}
		if lineW > 0 {
			flush()
		}
		for ww > w && (breakWords || hasWide(word)) { // CJK text breaks between characters
			head, rest := splitWidth(word, w)
			lines = append(lines, head)
			word, ww = rest, DisplayWidth(rest)
		}
		line.WriteString(word)
		lineW = ww
	}
	if lineW > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// longestWord is the width of the widest word of s that wrapping keeps whole.
func longestWord(s string) int {
	w := 0
	for _, word := range strings.Fields(s) {
		if !hasWide(word) {
			w = max(w, DisplayWidth(word))
		}
	}
	return w
}

func hasWide(s string) bool {
	for _, r := range s {
		if runeWidth(r) == 2 {
			return true
		}
	}
	return false
}

// Paragraph is s wrapped to width at word boundaries, ending in a newline,
// for prose printed around tables; width 0 (not a terminal) leaves it whole.
func Paragraph(s string, width int) string {
	if width <= 0 {
		return s + "\n"
	}
	return strings.Join(WrapWidth(s, width), "\n") + "\n"
}

// splitWidth splits s after at most w display columns (at least one rune).
func splitWidth(s string, w int) (head, rest string) {
	used := 0
	for i, r := range s {
		rw := runeWidth(r)
		if used+rw > w && i > 0 {
			return s[:i], s[i:]
		}
		used += rw
	}
	return s, ""
}

// fitTable shrinks the columns of a table so that it fits in width display
// columns, given the gap between columns. Columns marked Keep keep their
// width; the others are narrowed widest first (a header as much as a value:
// it is no floor), Truncate columns cut with "…", Wrap columns broken into
// lines. With drop, columns are left out when the table does not fit: the
// extra columns (those of -o wide), rightmost first, before any column is
// cut below comfortWidth; then, when even every column at its narrowest
// does not fit, the least important (the rightmost Truncate column, then
// prose), until the table fits or only Keep columns are left: a row then
// overflows by its ids and emails alone. The indexes of the columns left
// out are returned. Width 0 means no limit. With breakWords, prose that
// still does not fit breaks inside words too.
func fitTable(header []string, rows [][]string, fits []Fit, extra []bool, width, gap int, breakWords, drop bool) ([]string, [][]string, []int) {
	n := len(header)
	if n == 0 && len(rows) > 0 {
		n = len(rows[0])
	}
	if width <= 0 || n == 0 {
		return header, rows, nil
	}
	fitOf := func(i int) Fit {
		if i < len(fits) {
			return fits[i]
		}
		return Truncate
	}
	natural := make([]int, n)
	values := make([]int, n) // the widest value, header aside
	floor := make([]int, n)
	hardFloor := make([]int, n) // a Wrap column's floor when words may break
	for i := range n {
		for _, row := range rows {
			if i < len(row) {
				values[i] = max(values[i], DisplayWidth(row[i]))
			}
		}
		natural[i] = values[i]
		if i < len(header) {
			natural[i] = max(natural[i], DisplayWidth(header[i]))
		}
		floor[i] = min(natural[i], minShrink)
		hardFloor[i] = floor[i]
		if fitOf(i) == Wrap {
			// Words are not broken: the longest one is as narrow as it gets.
			for _, row := range rows {
				if i < len(row) {
					floor[i] = max(floor[i], longestWord(row[i]))
				}
			}
		}
	}
	shown := make([]bool, n)
	for i := range shown {
		shown[i] = true
	}
	var dropped []int
	var ws []int
	for {
		// The extra columns of -o wide go, rightmost first, before any
		// column is cut below a comfortable width: a date or a status cut
		// short says nothing.
		if x := lastExtra(extra, shown); x >= 0 && drop {
			if _, ok := fitWidths(natural, values, floor, hardFloor, fitOf, shown, width, gap, breakWords, true); !ok {
				shown[x] = false
				dropped = append(dropped, x)
				continue
			}
		}
		var ok bool
		ws, ok = fitWidths(natural, values, floor, hardFloor, fitOf, shown, width, gap, breakWords, false)
		if ok || !drop {
			break
		}
		least := leastImportant(fitOf, shown)
		if least < 0 {
			break
		}
		shown[least] = false
		dropped = append(dropped, least)
	}
	slices.Sort(dropped)

	cell := func(i int, s string) string {
		if ws[i] >= natural[i] {
			return s
		}
		switch fitOf(i) {
		case Wrap:
			return strings.Join(wrapLines(s, ws[i], ws[i] < floor[i]), "\n")
		case Truncate:
			return TruncateWidth(s, ws[i])
		}
		return s
	}
	out := make([][]string, len(rows))
	for r, row := range rows {
		out[r] = make([]string, 0, len(row))
		for i, c := range row {
			switch {
			case i >= n:
				out[r] = append(out[r], c)
			case shown[i]:
				out[r] = append(out[r], cell(i, c))
			}
		}
	}
	if header != nil {
		h := make([]string, 0, len(header))
		for i, c := range header {
			switch {
			case i >= n:
				h = append(h, c)
			case !shown[i]:
			case fitOf(i) == Keep:
				h = append(h, c)
			default:
				h = append(h, TruncateWidth(c, ws[i]))
			}
		}
		header = h
	}
	return header, out, dropped
}

// lastExtra is the rightmost extra column still shown, or -1.
func lastExtra(extra, shown []bool) int {
	for i := min(len(extra), len(shown)) - 1; i >= 0; i-- {
		if extra[i] && shown[i] {
			return i
		}
	}
	return -1
}

// leastImportant is the column to leave out first of those shown: the
// rightmost Truncate column, else the rightmost Wrap column (prose says
// more than a name cut short); -1 when only Keep columns are left.
func leastImportant(fitOf func(int) Fit, shown []bool) int {
	for _, f := range []Fit{Truncate, Wrap} {
		for i := len(shown) - 1; i >= 0; i-- {
			if shown[i] && fitOf(i) == f {
				return i
			}
		}
	}
	return -1
}

// fitWidths is the width of each shown column so that they fit in width,
// and whether they do. Three phases, each narrowing its columns to
// min(natural, cap) with the largest cap that fits, never below the
// phase's floor: every column down to a comfortable width, then
// truncated columns down to their floor, then prose down to its floor;
// and last, with breakWords, prose inside words. Before all, headers wider
// than their values are cut. With comfortOnly, only the phases down to the
// comfortable width are tried.
func fitWidths(natural, values, floor, hardFloor []int, fitOf func(int) Fit, shown []bool, width, gap int, breakWords, comfortOnly bool) ([]int, bool) {
	n := len(natural)
	ws := slices.Clone(natural)
	cols := 0
	for i := range n {
		if shown[i] {
			cols++
		}
	}
	avail := width - gap*(cols-1)
	total := 0
	for i := range n {
		if shown[i] {
			total += natural[i]
		}
	}
	if total <= avail {
		return ws, true
	}
	flexible := false // a column that can give way
	for i := range n {
		if shown[i] && fitOf(i) == Keep {
			avail -= natural[i]
		}
		flexible = flexible || (shown[i] && fitOf(i) != Keep)
	}
	if !flexible {
		return ws, false
	}
	comfort := make([]int, n)
	headers := make([]int, n)
	for i := range n {
		comfort[i] = max(floor[i], min(natural[i], comfortWidth))
		headers[i] = max(floor[i], min(natural[i], max(values[i], minShrink)))
	}
	phases := []struct {
		in    func(Fit) bool
		floor []int
	}{
		// A header wider than its values is cut first: "PERMISSIONS" over
		// counts of two digits.
		{func(f Fit) bool { return f != Keep }, headers},
		{func(f Fit) bool { return f != Keep }, comfort},
		{func(f Fit) bool { return f == Truncate }, floor},
		{func(f Fit) bool { return f == Wrap }, floor},
		// Last, rather than overflow every row: prose breaks inside words
		// too (an email quoted in a message; the ids and emails of Keep
		// columns stay whole).
		{func(f Fit) bool { return f == Wrap }, hardFloor},
	}
	// Breaking words is worth it only if the table then fits.
	least := 0
	for i := range n {
		switch {
		case !shown[i]:
		case fitOf(i) == Wrap:
			least += hardFloor[i]
		case fitOf(i) == Truncate:
			least += floor[i]
		}
	}
	if !breakWords || least > avail {
		phases = phases[:4]
	}
	if comfortOnly {
		phases = phases[:2]
	}
	fits := false
	cur := natural // the widths to narrow, headers whole until phase 0 failed
	for p, ph := range phases {
		if p == 1 {
			// The headers stay cut: values are cut after headers.
			cur = slices.Clone(natural)
			for i := range n {
				if shown[i] && fitOf(i) != Keep {
					cur[i] = headers[i]
					comfort[i] = max(floor[i], min(cur[i], comfortWidth))
				}
			}
		}
		in := func(i int) bool { return shown[i] && ph.in(fitOf(i)) }
		fixed := 0 // what the other columns take
		for i := range n {
			if shown[i] && fitOf(i) != Keep && !in(i) {
				fixed += ws[i]
			}
		}
		room := avail - fixed
		widths := func(limit int) int {
			sum := 0
			for i := range n {
				if in(i) {
					sum += max(ph.floor[i], min(cur[i], limit))
				}
			}
			return sum
		}
		lo, hi := 0, slices.Max(natural)
		for lo < hi { // the largest cap whose widths fit
			mid := (lo + hi + 1) / 2
			if widths(mid) <= room {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		sum := 0
		for i := range n {
			if in(i) {
				ws[i] = max(ph.floor[i], min(cur[i], lo))
				sum += ws[i]
			}
		}
		// Columns still short of their width share what is left, left first.
		for i := 0; i < n && sum < room; i++ {
			if in(i) && ws[i] < cur[i] {
				ws[i]++
				sum++
			}
		}
		if sum <= room {
			fits = true
			break
		}
	}
	return ws, fits
}
