package output

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/ladmin/ladmin/internal/text"
)

// Gaps between columns: three spaces like `kubectl get`, two after the
// "Key:" of a detail view like `kubectl describe`.
const (
	tableGap    = "   "
	keyValueGap = "  "
)

// TableOptions shape a table.
type TableOptions struct {
	NoHeaders bool // leave out the header row
	// Width is the terminal's width: the table is fitted to it (see Fit).
	// 0, off a terminal, prints every value whole however long.
	Width int
	// Fits says how each column gives way to Width; missing ones Truncate.
	Fits []Fit
	// Extra marks the columns shown only with -o wide: when the table does
	// not fit, they are left out, rightmost first, before any column is cut
	// below a comfortable width.
	Extra []bool
	// Note, when set, is told which columns were left out because even at
	// their narrowest the table was wider than Width (a note for stderr).
	Note func(string)
}

// Table prints a borderless, left-aligned table like `kubectl get`: no
// borders or rules, columns separated by at least three spaces and aligned
// by display width (so CJK names line up), headers printed as given, no
// trailing blanks. Long cells are only shortened or wrapped to fit
// opts.Width on a terminal. With no rows it prints nothing, not even the
// header: the caller reports the empty result.
func Table(w io.Writer, header []string, rows [][]string, opts TableOptions) error {
	if opts.NoHeaders {
		header = nil
	}
	dropped, err := renderTable(w, header, rows, tableGap, opts.Width, opts.Fits, opts.Extra, true, true)
	if err == nil && len(dropped) > 0 && opts.Note != nil {
		opts.Note(droppedNote(dropped, header, opts.Width))
	}
	return err
}

// droppedNote says which columns a table left out to fit width columns.
func droppedNote(dropped []int, header []string, width int) string {
	what := text.Count(len(dropped), "column", "columns")
	if header != nil {
		names := make([]string, len(dropped))
		for i, d := range dropped {
			names[i] = header[d]
		}
		what = strings.Join(names, ", ")
	}
	return fmt.Sprintf("not shown at %d columns: %s (pipe to less -S to see all)", width, what)
}

// PrintKeyValues prints a detail view, one "Key:  Value" line per row with
// the values aligned, for `get`-style commands. On a terminal (width > 0)
// long values wrap at word boundaries under themselves.
func PrintKeyValues(w io.Writer, rows [][2]string, width int) error {
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = []string{r[0] + ":", r[1]}
	}
	// Values are emails, ids, role names as often as prose: never broken.
	_, err := renderTable(w, nil, cells, keyValueGap, width, []Fit{Keep, Wrap}, nil, false, false)
	return err
}

// renderTable fits the cells to the terminal's width, drives tablewriter
// and then trims the blanks it pads the last column with, so output
// compares exactly in tests and pastes cleanly.
// With drop, columns that cannot fit are left out; their indexes are returned.
func renderTable(w io.Writer, header []string, rows [][]string, gap string, width int, fits []Fit, extra []bool, breakWords, drop bool) ([]int, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	// Escape first: the fitting measures what the terminal will show, and
	// the line breaks it adds for wrapping must not be escaped.
	header, rows = safeCells(header, rows)
	header, rows, dropped := fitTable(header, rows, fits, extra, width, len(gap), breakWords, drop)
	if plain, err := plainTable(w, header, rows, gap); plain {
		return dropped, err
	}
	var buf bytes.Buffer
	t := borderlessTable(&buf, gap)
	if header != nil {
		t.Header(header)
	}
	if err := t.Bulk(rows); err != nil {
		return nil, err
	}
	if err := t.Render(); err != nil {
		return nil, err
	}
	return dropped, trimLines(w, buf.String())
}

// borderlessTable is the tablewriter layout of every table: no borders or
// rules, left-aligned, headers as given, no wrapping of its own, gap as
// the right padding of each cell.
func borderlessTable(w io.Writer, gap string) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Settings: tw.Settings{Separators: tw.SeparatorsNone, Lines: tw.LinesNone},
		})),
		// We control header text: the default would turn "last_login" into "LAST LOGIN".
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		// fitTable decides what is shortened and where lines break: emails
		// and ids stay copyable whole.
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		// The column gap is the right padding of every cell; no left padding so
		// the first column starts at the margin.
		tablewriter.WithPadding(tw.Padding{Right: gap, Overwrite: true}),
	)
}

// safeCells returns the header and rows with every cell passed through
// text.Safe, so that no value can move the cursor, retitle the terminal or
// start a new row (a newline shows as \n). The caller's slices are not changed.
func safeCells(header []string, rows [][]string) ([]string, [][]string) {
	var h []string
	if header != nil {
		h = make([]string, len(header))
		for i, c := range header {
			h[i] = text.Safe(c)
		}
	}
	out := make([][]string, len(rows))
	for i, row := range rows {
		out[i] = make([]string, len(row))
		for j, c := range row {
			out[i][j] = text.Safe(c)
		}
	}
	return h, out
}

// trimLines writes the rendered table to w with trailing blanks removed
// from every line.
func trimLines(w io.Writer, rendered string) error {
	var out strings.Builder
	for line := range strings.Lines(rendered) {
		out.WriteString(strings.TrimRight(line, " \t\r\n"))
		out.WriteByte('\n')
	}
	_, err := io.WriteString(w, out.String())
	return err
}
