package bulk

import (
	"io"

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
			decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), " done"),
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

// Finish leaves the bar where the run stopped (complete, or not when the run
// did not finish every row) and waits until it is drawn for the last time.
func (pr *Progress) Finish() {
	if pr == nil {
		return
	}
	if !pr.bar.Completed() {
		pr.bar.Abort(false)
	}
	pr.p.Wait()
}
