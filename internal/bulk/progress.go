package bulk

import (
	"io"
	"strings"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Progress is the bar shown on a terminal while rows are applied:
// done/total, rate and ETA. Lines written through Writer appear above it. A
// nil *Progress does nothing, so callers need no checks when there is no
// terminal (or -q): only ever create one for a terminal, since mpb draws
// nothing elsewhere and the caller prints a summary line instead.
type Progress struct {
	p   *mpb.Progress
	bar *mpb.Bar
}

// NewProgress starts a bar of total rows on w (stderr; mpb's default would be stdout).
func NewProgress(w io.Writer, total int, label string) *Progress {
	p := mpb.New(mpb.WithOutput(w), mpb.WithWidth(30))
	bar := p.AddBar(int64(total),
		mpb.PrependDecorators(
			decor.Name(label, decor.WCSyncSpaceR),
			decor.CountersNoUnit("%d/%d", decor.WCSyncWidth),
		),
		mpb.AppendDecorators(
			decor.AverageSpeed(0, "%.1f rows/s", decor.WCSyncSpace),
			// Labelled, so "14s" is not read as the time spent.
			decor.OnComplete(decor.Meta(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace),
				func(s string) string { return " ETA " + strings.TrimSpace(s) }), " done"),
		),
	)
	return &Progress{p: p, bar: bar}
}

// Increment counts one finished row.
func (pr *Progress) Increment() {
	if pr != nil {
		pr.bar.Increment()
	}
}

// Writer returns a writer whose lines are printed above the bar; fallback
// when there is no bar.
func (pr *Progress) Writer(fallback io.Writer) io.Writer {
	if pr == nil {
		return fallback
	}
	return pr.p
}

// Finish leaves a completed bar on the screen and clears one the run did not
// complete, then waits until it is drawn for the last time.
func (pr *Progress) Finish() {
	if pr == nil {
		return
	}
	if !pr.bar.Completed() {
		// Interrupted or stopped: clear the bar rather than leave it frozen
		// mid-way; the summary that follows says where the run stopped.
		pr.bar.Abort(true)
	}
	pr.p.Wait()
}
