package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/text"
)

// Report formats (--format).
const (
	FormatTable    = "table"
	FormatJSON     = "json"
	FormatJUnit    = "junit"
	FormatSARIF    = "sarif"
	FormatGitHub   = "github"
	FormatMarkdown = "markdown"
)

// Formats lists the report formats in the order help texts show them.
var Formats = []string{FormatTable, FormatJSON, FormatJUnit, FormatSARIF, FormatGitHub, FormatMarkdown}

// WriteOptions tune the writers.
type WriteOptions struct {
	NoHeaders bool // table without its header row
	// Width is the terminal's width, to which the table is fitted; 0 (off a
	// terminal, in CI logs) prints every finding whole.
	Width int
	// Color marks severities and the verdict in color (a terminal, without
	// NO_COLOR or --no-color).
	Color bool
}

// Write renders the report in format. It renders into memory first, so a
// failure never leaves half a report on w.
func Write(w io.Writer, format string, r *Report, opts WriteOptions) error {
	var buf bytes.Buffer
	var err error
	switch format {
	case FormatTable, "":
		err = writeTable(&buf, r, opts)
	case FormatJSON:
		err = writeJSON(&buf, r)
	case FormatJUnit:
		err = writeJUnit(&buf, r)
	case FormatSARIF:
		err = writeSARIF(&buf, r)
	case FormatGitHub:
		err = writeGitHub(&buf, r)
	case FormatMarkdown:
		err = writeMarkdown(&buf, r)
	default:
		return fmt.Errorf("unknown report format %q: valid formats are %s", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// IsMachineFormat reports whether a format is for programs only (no room for
// a human summary line in it).
func IsMachineFormat(format string) bool {
	return format == FormatJSON || format == FormatJUnit || format == FormatSARIF
}

func writeJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if r.Findings == nil {
		// Programs always get a list.
		cp := *r
		cp.Findings = []Finding{}
		r = &cp
	}
	return enc.Encode(r)
}

func agentText(f Finding) string {
	switch {
	case f.Key != nil && f.Agent != nil:
		return "key " + f.Key.ID + " of " + f.Agent.Email
	case f.Key != nil:
		return "key " + f.Key.ID + " of agent id " + f.Key.UserID
	case f.Agent != nil && f.Agent.Email != "":
		return f.Agent.Email
	case f.Agent != nil:
		return "id " + f.Agent.ID
	case f.Role != nil:
		return "role " + f.Role.Name
	}
	return "-"
}

// ANSI colors of the table on a terminal: errors red, warnings yellow, a
// passed verdict green.
const (
	colorRed    = "\x1b[31m"
	colorYellow = "\x1b[33m"
	colorGreen  = "\x1b[32m"
	colorBold   = "\x1b[1m"
	colorReset  = "\x1b[0m"
)

// colorTable colors what the severity column and the verdict say. It works
// on the rendered text, after the cells were escaped and aligned: color
// codes inside cells would be escaped, and counted as width.
func colorTable(rendered string) string {
	var b strings.Builder
	for line := range strings.Lines(rendered) {
		switch {
		case strings.HasPrefix(line, string(SeverityError)+" "):
			line = colorRed + string(SeverityError) + colorReset + line[len(SeverityError):]
		case strings.HasPrefix(line, string(SeverityWarning)+" "):
			line = colorYellow + string(SeverityWarning) + colorReset + line[len(SeverityWarning):]
		case strings.HasPrefix(line, "audit FAILED"):
			line = colorBold + colorRed + "audit FAILED" + colorReset + line[len("audit FAILED"):]
		case strings.HasPrefix(line, "audit passed"):
			line = colorBold + colorGreen + "audit passed" + colorReset + line[len("audit passed"):]
		}
		b.WriteString(line)
	}
	return b.String()
}

// fullMessage is the narrowest MESSAGE column of the full findings table
// on a terminal: a terminal that leaves less gets the compact table.
const fullMessage = 60

// stackedMessage is the narrowest a MESSAGE column is made beside the
// SUBJECT column; narrower, the message goes under the subject instead.
const stackedMessage = 30

func writeTable(w io.Writer, r *Report, opts WriteOptions) error {
	if opts.Color {
		var buf bytes.Buffer
		if err := writeTable(&buf, r, WriteOptions{NoHeaders: opts.NoHeaders, Width: opts.Width}); err != nil {
			return err
		}
		_, err := io.WriteString(w, colorTable(buf.String()))
		return err
	}
	if len(r.Findings) > 0 {
		header, rows, fits := findingsTable(r.Findings, opts.Width)
		if err := output.Table(w, header, rows,
			output.TableOptions{NoHeaders: opts.NoHeaders, Width: opts.Width, Fits: fits}); err != nil {
			return err
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "No findings.")
	}
	_, err := io.WriteString(w, output.Paragraph(text.Safe(r.SummaryLine()), opts.Width))
	return err
}

// findingsTable lays the findings out for a terminal of width columns (0:
// not a terminal). Off a terminal, or on one wide enough, every finding
// whole:
//
//	SEVERITY   RULE   SUBJECT   MESSAGE   SOURCE
//
// On a terminal too narrow to give the full table's messages fullMessage
// columns (80 or 120 columns, usually), one or two lines a finding, as gh
// would: the rule id goes (the message says it in words), and so does
// what the SUBJECT column already shows from the message; the source (the
// file's name and line) ends a message of one line, or else goes under
// the subject, where the message's second line leaves room:
//
//	SEVERITY   SUBJECT             MESSAGE
//	error      admin@example.com   holds admin but has not enabled two-factor
//	           policy.yaml:11      authentication
//	error      ann@acme.com        is not in an allowed email domain (policy.yaml:3)
//
// Narrower still, the message goes under its subject.
//
// The compact layouts wrap messages here and give the table a row a line
// (output.Table escapes a line break in a cell), every column Keep: an
// email wider than the terminal stays whole.
func findingsTable(findings []Finding, width int) (header []string, rows [][]string, fits []output.Fit) {
	const gap = 3
	sevW, ruleW, subjW, srcW := len("SEVERITY"), len("RULE"), len("SUBJECT"), len("SOURCE")
	shortSrcW := 0
	for _, f := range findings {
		sevW = max(sevW, output.DisplayWidth(text.Safe(string(f.Severity))))
		ruleW = max(ruleW, output.DisplayWidth(text.Safe(f.Rule)))
		subjW = max(subjW, output.DisplayWidth(text.Safe(agentText(f))))
		srcW = max(srcW, output.DisplayWidth(text.Safe(f.Location.String())))
		shortSrcW = max(shortSrcW, output.DisplayWidth(text.Safe(shortSource(f))))
	}
	if width <= 0 || width-sevW-ruleW-subjW-srcW-4*gap >= fullMessage {
		header = []string{"SEVERITY", "RULE", "SUBJECT", "MESSAGE", "SOURCE"}
		fits = []output.Fit{output.Keep, output.Truncate, output.Keep, output.Wrap, output.Truncate}
		for _, f := range findings {
			rows = append(rows, []string{string(f.Severity), f.Rule, agentText(f), f.Message, f.Location.String()})
		}
		return header, rows, fits
	}
	if msgW := width - sevW - max(subjW, shortSrcW) - 2*gap; msgW >= stackedMessage {
		header = []string{"SEVERITY", "SUBJECT", "MESSAGE"}
		fits = []output.Fit{output.Keep, output.Keep, output.Keep}
		for _, f := range findings {
			var left []string // the subject, then the source
			if subject := agentText(f); subject != "-" {
				left = append(left, subject)
			}
			lines := output.WrapWidth(text.Safe(shortText(f)), msgW)
			if src := shortSource(f); src != "" {
				// A one-line message that has room for it ends with it.
				if after := lines[0] + " (" + text.Safe(src) + ")"; len(left) == 1 && len(lines) == 1 && output.DisplayWidth(after) <= msgW {
					lines[0] = after
				} else {
					left = append(left, src)
				}
			}
			sev := string(f.Severity)
			for k := range max(len(left), len(lines)) {
				row := []string{sev, "", ""}
				if k < len(left) {
					row[1] = left[k]
				}
				if k < len(lines) {
					row[2] = lines[k]
				}
				rows = append(rows, row)
				sev = ""
			}
		}
		return header, rows, fits
	}
	header = []string{"SEVERITY", "FINDING"}
	fits = []output.Fit{output.Keep, output.Keep}
	for _, f := range findings {
		sev := string(f.Severity)
		if subject := agentText(f); subject != "-" {
			rows = append(rows, []string{sev, subject})
			sev = ""
		}
		msg := shortText(f)
		if src := shortSource(f); src != "" {
			msg += " (" + src + ")"
		}
		for _, line := range output.WrapWidth(text.Safe(msg), width-sevW-gap) {
			rows = append(rows, []string{sev, line})
			sev = ""
		}
	}
	return header, rows, fits
}

// shortText is a finding's message for the compact table: without the
// subject it starts with (the SUBJECT column shows it) or its final period.
func shortText(f Finding) string {
	msg := f.Message
	cut := func(prefix string) bool {
		rest, ok := strings.CutPrefix(msg, prefix)
		if ok && rest != "" {
			msg = rest
		}
		return ok
	}
	switch {
	case f.Key != nil:
		// "API key 12 ("ci") of ann@acme.com never expires." under the
		// subject "key 12 of ann@acme.com": `"ci" never expires`.
		if cut("API key " + f.Key.ID) {
			name := ""
			if f.Key.Name != "" && cut(fmt.Sprintf(" (%q)", f.Key.Name)) {
				name = fmt.Sprintf(" %q", f.Key.Name)
			}
			if f.Agent != nil {
				cut(" of " + f.Agent.Email)
			}
			msg = strings.TrimPrefix(name+msg, " ")
		}
	case f.Agent != nil && f.Agent.Email != "":
		cut(f.Agent.Email + " ")
	case f.Role != nil:
		cut(fmt.Sprintf("Custom role %q ", f.Role.Name))
	}
	return strings.TrimSuffix(msg, ".")
}

// shortSource is where a finding comes from for the compact table: the
// file's name and line (the summary line gives the path), or "".
func shortSource(f Finding) string {
	if f.Location.File == "" {
		return ""
	}
	return Location{File: filepath.Base(f.Location.File), Line: f.Location.Line}.String()
}

// writeGitHub writes GitHub Actions workflow commands: one annotation per
// finding, anchored to the policy or baseline line, then the summary.
func writeGitHub(w io.Writer, r *Report) error {
	for _, f := range r.Findings {
		cmd := "error"
		if f.Severity == SeverityWarning {
			cmd = "warning"
		}
		props := []string{"title=" + ghProperty(text.Safe(f.Rule))}
		if f.Location.File != "" {
			props = append(props, "file="+ghProperty(text.Safe(f.Location.File)))
			if f.Location.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Location.Line))
			}
		}
		fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), ghData(text.Safe(f.Message)))
	}
	_, err := fmt.Fprintln(w, text.Safe(r.SummaryLine()))
	return err
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// writeMarkdown writes a report for a job summary or a pull-request comment.
func writeMarkdown(w io.Writer, r *Report) error {
	s := r.Summary
	status := "✅ passed"
	if !s.Passed {
		status = "❌ failed"
	}
	fmt.Fprintf(w, "## ladmin audit %s\n\n", status)
	fmt.Fprintf(w, "%s, %s; %s (%s, %s) checked against %s.\n\n",
		text.Count(s.Errors, "error", "errors"), text.Count(s.Warnings, "warning", "warnings"),
		text.Count(s.ActiveAgents, "active agent", "active agents"), text.Count(s.Owners, "owner", "owners"), text.Count(s.Admins, "admin", "admins"),
		text.Count(len(s.Checks), "check", "checks"))
	var sources []string
	if s.Policy != "" {
		sources = append(sources, "policy "+mdCode(s.Policy))
	}
	if s.Baseline != "" {
		sources = append(sources, "baseline "+mdCode(s.Baseline))
	}
	if s.Account != "" {
		sources = append(sources, "account "+mdCell(s.Account))
	}
	if len(sources) > 0 {
		fmt.Fprintf(w, "Sources: %s.\n\n", strings.Join(sources, ", "))
	}
	if len(r.Findings) == 0 {
		_, err := fmt.Fprintln(w, "No findings.")
		return err
	}
	fmt.Fprintln(w, "| Severity | Rule | Subject | Message | Source |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, f := range r.Findings {
		sev := "❌ error"
		if f.Severity == SeverityWarning {
			sev = "⚠️ warning"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", sev, mdCode(f.Rule), mdCell(agentText(f)), mdCell(f.Message), mdCode(f.Location.String()))
	}
	return nil
}

// mdEscaper makes Markdown punctuation literal, so a name cannot become a
// link, an image, emphasis, HTML or an entity (&#x202e;) in a rendered page.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "!", `\!`, "~", `\~`,
	"|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;")

// mdCell keeps a value inside one table cell, as text: escaped with
// text.Safe (no control or invisible characters, no line breaks), then its
// Markdown punctuation made literal.
func mdCell(s string) string {
	return mdEscaper.Replace(text.Safe(s))
}

// mdCode shows a value as code in a table cell; a value holding a backtick
// is shown as an escaped cell instead, since it would end the code span.
func mdCode(s string) string {
	s = text.Safe(s)
	if strings.ContainsAny(s, "`") {
		return mdCell(s)
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}
