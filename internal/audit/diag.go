package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ladmin/ladmin/internal/rbac"
)

// Location is a line of a policy or baseline file: where a finding points
// (SARIF, GitHub annotations) and where a problem in the file is reported.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

func (l Location) String() string {
	if l.Line <= 0 {
		return l.File
	}
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

// Diagnostic is one problem in an input file, printed as FILE:LINE: message.
type Diagnostic struct {
	Location
	Message string
}

func (d Diagnostic) String() string { return d.Location.String() + ": " + d.Message }

// InvalidError is an invalid policy or baseline file (exit 2): every problem
// found, in file order, each with its line.
type InvalidError struct {
	Diagnostics []Diagnostic
}

func (e *InvalidError) Error() string {
	lines := make([]string, len(e.Diagnostics))
	for i, d := range e.Diagnostics {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// maxDiagnostics bounds how many problems one file reports: past that, the
// file is probably not a policy at all.
const maxDiagnostics = 20

// diags collects the problems of one file.
type diags struct {
	file  string
	found []Diagnostic
}

func (d *diags) add(line int, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	d.found = append(d.found, Diagnostic{Location{d.file, line}, fmt.Sprintf(format, args...)})
}

// err returns the collected problems as an *InvalidError, or nil.
func (d *diags) err() error {
	if len(d.found) == 0 {
		return nil
	}
	sort.SliceStable(d.found, func(i, j int) bool { return d.found[i].Line < d.found[j].Line })
	if len(d.found) > maxDiagnostics {
		d.found = d.found[:maxDiagnostics]
	}
	return &InvalidError{Diagnostics: d.found}
}

// didYouMean is ` (did you mean "x"?)` for a near miss, else ` (valid: a, b, c)`.
func didYouMean(name string, valid []string) string {
	if s := rbac.Suggest(name, valid); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	if len(valid) == 0 {
		return ""
	}
	return " (valid: " + strings.Join(valid, ", ") + ")"
}
