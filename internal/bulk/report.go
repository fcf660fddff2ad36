package bulk

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/ladmin/ladmin/internal/text"
)

// ReportColumns is the header of --report.
var ReportColumns = []string{"line", "email", "action", "outcome", "agent_id", "error"}

// ReportWriter writes --report: one CSV row per input row, flushed as each
// row ends, so an interrupted run still leaves an accurate report.
type ReportWriter struct {
	mu  sync.Mutex
	w   *csv.Writer
	row func(Result) []string
	err error
}

// NewReportWriter writes the header at once.
func NewReportWriter(w io.Writer) *ReportWriter {
	rw := &ReportWriter{w: csv.NewWriter(w), row: importReportRow}
	rw.write(ReportColumns)
	return rw
}

// Add writes one row's result.
func (rw *ReportWriter) Add(r Result) { rw.write(rw.row(r)) }

func importReportRow(r Result) []string {
	msg := ""
	if r.Err != nil {
		msg = oneLine(r.Err.Error())
	} else if r.Note != "" {
		msg = r.Note
	}
	return []string{strconv.Itoa(r.Step.Record.Line), r.Step.Record.Email, string(r.Step.Action),
		string(r.Outcome), r.AgentID, msg}
}

// AddProblem writes a problem of a file that was not applied: its line, the
// action "error", the outcome "not-attempted" and the problem as the error.
func (rw *ReportWriter) AddProblem(p Problem) {
	line := ""
	if p.Line > 0 {
		line = strconv.Itoa(p.Line)
	}
	msg := p.Message
	if p.Column != "" {
		msg = fmt.Sprintf("column %q: %s", p.Column, p.Message)
	}
	rw.write([]string{line, "", string(ActionError), string(OutcomeNotAttempted), "", oneLine(msg)})
}

func (rw *ReportWriter) write(rec []string) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.err != nil {
		return
	}
	if err := rw.w.Write(text.GuardCSVRecord(rec)); err != nil {
		rw.err = err
		return
	}
	rw.w.Flush()
	rw.err = rw.w.Error()
}

// Err is the first write error, if any.
func (rw *ReportWriter) Err() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return rw.err
}

// FailedWriter writes --failed: the rows that did not end as planned
// (failed, not attempted, or abandoned), in the input's own columns as CSV
// with the input's header, so the file can be fed straight back to import.
type FailedWriter struct {
	mu  sync.Mutex
	w   *csv.Writer
	n   int
	err error
}

// NewFailedWriter writes the header (the input's columns) at once.
func NewFailedWriter(w io.Writer, f *File) *FailedWriter {
	fw := &FailedWriter{w: csv.NewWriter(w)}
	fw.write(f.Columns)
	return fw
}

// Add writes the row of r when it did not end as planned.
func (fw *FailedWriter) Add(r Result) {
	if r.Outcome == OutcomeOK || r.Step.Record.Raw == nil {
		return // a pruned agent is no row of the file to retry
	}
	fw.mu.Lock()
	fw.n++
	fw.mu.Unlock()
	fw.write(r.Step.Record.Raw)
}

// Count is how many rows were written.
func (fw *FailedWriter) Count() int {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.n
}

func (fw *FailedWriter) write(rec []string) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.err != nil {
		return
	}
	if err := fw.w.Write(text.GuardCSVRecord(rec)); err != nil {
		fw.err = err
		return
	}
	fw.w.Flush()
	fw.err = fw.w.Error()
}

// Err is the first write error, if any.
func (fw *FailedWriter) Err() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.err
}

// Line is the one line a person reads about a finished row: "created
// ana@acme.com (line 3, id 1a2b3c4d)"; "" for rows that need no line
// (skipped rows, counted in the summary). A failed or unknown row reads
// "failed to create ana@acme.com: reason", without its line: it is printed
// after FILE:LINE:, like a problem of the file, so the line is said once.
func Line(r Result) string {
	rec := r.Step.Record
	switch r.Outcome {
	case OutcomeOK:
		verb := map[Action]string{ActionCreate: "created", ActionUpdate: "updated", ActionRestore: "restored", ActionOffboard: "offboarded"}[r.Step.Action]
		if r.Existed {
			verb = "skipped"
		}
		if verb == "" {
			return ""
		}
		var where []string
		if rec.Line > 0 {
			where = append(where, fmt.Sprintf("line %d", rec.Line))
		}
		if r.AgentID != "" {
			where = append(where, "id "+r.AgentID)
		}
		line := fmt.Sprintf("%s %s (%s)", verb, rec.Email, strings.Join(where, ", "))
		if len(r.Step.Changes()) > 0 {
			line += ": " + strings.Join(r.Step.Changes(), ", ")
		}
		if r.Note != "" {
			line += "; " + r.Note
		}
		return text.Safe(line)
	case OutcomeFailed:
		return text.Safe(fmt.Sprintf("failed to %s %s%s: %s", r.Step.Action, rec.Email, idNote(r.AgentID), oneLine(errText(r.Err))))
	case OutcomeUnknown:
		return text.Safe(fmt.Sprintf("unknown outcome of %s %s%s: %s", r.Step.Action, rec.Email, idNote(r.AgentID), oneLine(errText(r.Err))))
	}
	return ""
}

func idNote(id string) string {
	if id == "" {
		return ""
	}
	return " (id " + id + ")"
}

func errText(err error) string {
	if err == nil {
		return "no reason given"
	}
	return err.Error()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// PlanRow is one row of a printed plan (--dry-run), with stable field names
// for -o json and yaml.
type PlanRow struct {
	Line    int    `json:"line"`
	Email   string `json:"email"`
	Action  Action `json:"action"`
	Details string `json:"details"`
	AgentID string `json:"agent_id"`
}

// Planned is what --report holds for a step of a dry run: outcome planned,
// the existing agent's id when the row is about one (none for a create:
// nothing was created), and for a step planned as an error, its reason.
func (s *Step) Planned() Result {
	r := Result{Step: s, Outcome: OutcomePlanned, AgentID: s.AgentID()}
	if s.Action == ActionError {
		r.Err = errors.New(s.Details)
	}
	return r
}

// StepRefs points at each step, in order: what a table of the plan reads.
func (p *Plan) StepRefs() []*Step {
	refs := make([]*Step, len(p.Steps))
	for i := range p.Steps {
		refs[i] = &p.Steps[i]
	}
	return refs
}

// Rows lists the plan for printing.
func (p *Plan) Rows() []PlanRow {
	rows := make([]PlanRow, len(p.Steps))
	for i, s := range p.Steps {
		rows[i] = PlanRow{Line: s.Record.Line, Email: s.Record.Email, Action: s.Action, Details: s.Details, AgentID: s.AgentID()}
	}
	return rows
}

// ResultRow is one finished row for -o json, yaml and csv: the fields of --report.
type ResultRow struct {
	Line    int     `json:"line"`
	Email   string  `json:"email"`
	Action  Action  `json:"action"`
	Outcome Outcome `json:"outcome"`
	AgentID string  `json:"agent_id"`
	Error   string  `json:"error"`
}

// Row converts a result for printing.
func (r Result) Row() ResultRow {
	msg := ""
	if r.Err != nil {
		msg = oneLine(r.Err.Error())
	} else if r.Note != "" {
		msg = r.Note
	}
	return ResultRow{Line: r.Step.Record.Line, Email: r.Step.Record.Email, Action: r.Step.Action,
		Outcome: r.Outcome, AgentID: r.AgentID, Error: msg}
}

// Summary describes the plan in one line: "3 to create, 1 to update, ...".
func (c Counts) String() string {
	s := fmt.Sprintf("%d to create, %d to update, %d to restore, %d to skip", c.Create, c.Update, c.Restore, c.Skip)
	if c.Offboard > 0 {
		s = fmt.Sprintf("%d to create, %d to update, %d to restore, %d to offboard, %d to skip", c.Create, c.Update, c.Restore, c.Offboard, c.Skip)
	}
	if c.Error > 0 {
		s += fmt.Sprintf(", %d in error", c.Error)
	}
	return s
}
