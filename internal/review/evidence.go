package review

import (
	"fmt"
	"io"
	"strings"
)

// EvidenceVersion is the format version of the evidence file.
const EvidenceVersion = 1

// Evidence is what an applied review leaves behind for an auditor: who
// reviewed which file, when, against which account, every decision and how
// it ended. FileSHA256 ties it to the exact file that was signed off.
type Evidence struct {
	Version    int            `json:"version"`
	Account    string         `json:"account"`
	Reviewer   string         `json:"reviewer"`
	File       string         `json:"file"`
	FileSHA256 string         `json:"file_sha256"`
	StartedAt  string         `json:"started_at"`
	FinishedAt string         `json:"finished_at"`
	DryRun     bool           `json:"dry_run"`
	Summary    Summary        `json:"summary"`
	Decisions  []EvidenceItem `json:"decisions"`
}

// EvidenceItem is one decision and its outcome.
type EvidenceItem struct {
	Line      int    `json:"line"`
	ID        string `json:"id"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	Decision  string `json:"decision"` // keep, offboard, role:NAME
	Defaulted bool   `json:"defaulted"`
	Note      string `json:"note"`
	Outcome   string `json:"outcome"` // kept, done, failed, planned, not-attempted, unknown
	Error     string `json:"error"`
}

// Summary counts the decisions and the failures.
type Summary struct {
	Kept        int `json:"kept"`
	Offboarded  int `json:"offboarded"`
	RoleChanged int `json:"role_changed"`
	Failed      int `json:"failed"`
}

// Label is the decision as the reviewer wrote it.
func (d Decision) Label() string {
	if d.Kind == SetRole {
		return "role:" + d.NewRole
	}
	return string(d.Kind)
}

// Item starts the evidence of one decision; the caller sets the outcome.
func (d Decision) Item() EvidenceItem {
	return EvidenceItem{Line: d.Line, ID: d.ID, Email: d.Email, Role: d.Role, Decision: d.Label(),
		Defaulted: d.Defaulted, Note: d.Note}
}

// Tally fills the summary from the items.
func (e *Evidence) Tally() {
	e.Summary = Summary{}
	for _, it := range e.Decisions {
		switch {
		case it.Outcome == "failed" || it.Outcome == "unknown" || it.Outcome == "not-attempted":
			e.Summary.Failed++
		case it.Decision == string(Keep):
			e.Summary.Kept++
		case it.Decision == string(Offboard):
			e.Summary.Offboarded++
		default:
			e.Summary.RoleChanged++
		}
	}
}

// WriteMarkdown writes the summary a reviewer pastes into a ticket or a
// pull request. safe escapes account data for the reader's terminal or page.
func (e *Evidence) WriteMarkdown(w io.Writer, safe func(string) string) error {
	var b strings.Builder
	title := "Access review"
	if e.DryRun {
		title += " (dry run: nothing was changed)"
	}
	fmt.Fprintf(&b, "## %s\n\n", title)
	when := "Applied"
	if e.DryRun {
		when = "Checked"
	}
	fmt.Fprintf(&b, "- Account: %s\n- Reviewer: %s\n- File: %s (sha256 %s)\n- %s: %s\n\n",
		md(safe(e.Account)), md(safe(orNone(e.Reviewer))), md(safe(e.File)), e.FileSHA256, when, e.FinishedAt)
	fmt.Fprintf(&b, "%d kept, %d offboarded, %d role changes, %d failed\n\n",
		e.Summary.Kept, e.Summary.Offboarded, e.Summary.RoleChanged, e.Summary.Failed)
	b.WriteString("| line | agent | role | decision | outcome | note |\n|---:|---|---|---|---|---|\n")
	for _, it := range e.Decisions {
		decision := it.Decision
		if it.Defaulted {
			decision += " (default)"
		}
		outcome := it.Outcome
		if it.Error != "" {
			outcome += ": " + it.Error
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", it.Line, md(safe(it.Email)), md(safe(it.Role)),
			md(safe(decision)), md(safe(outcome)), md(safe(it.Note)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "(not given)"
	}
	return s
}

// md keeps a value inside its table cell: pipes and markup characters are
// escaped so that a name cannot add columns, links or headings.
func md(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", "#", `\#`)
	return r.Replace(s)
}
