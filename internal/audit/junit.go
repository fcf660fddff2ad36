package audit

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML, as read by GitLab, Jenkins, Azure DevOps and the GitHub test
// reporters: one test suite, one test case per check evaluated, and one
// <failure> per error finding. Warnings do not fail a test case (the audit
// passes with them); they are listed in the case's <system-out>, which also
// repeats every finding of the case for reporters that show only the first
// failure.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	File      string         `xml:"file,attr,omitempty"`
	Line      int            `xml:"line,attr,omitempty"`
	Time      string         `xml:"time,attr"`
	Failures  []junitFailure `xml:"failure"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, r *Report) error {
	byRule := groupFindings(r)
	suite := junitSuite{Name: "ladmin audit", Time: "0"}
	for _, p := range []junitProperty{{"policy", r.Summary.Policy}, {"baseline", r.Summary.Baseline}, {"account", r.Summary.Account}} {
		if p.Value != "" {
			suite.Properties = append(suite.Properties, p)
		}
	}
	for _, c := range r.Checks {
		tc := junitCase{Name: c.ID, Classname: "ladmin.audit." + classOf(c.ID), File: c.Location.File, Line: c.Location.Line, Time: "0"}
		var out strings.Builder
		fmt.Fprintf(&out, "%s\n", c.Description)
		for _, f := range byRule[c.ID] {
			fmt.Fprintf(&out, "%s: %s (%s)\n", f.Severity, f.Message, f.Location)
			if f.Severity != SeverityError {
				continue
			}
			tc.Failures = append(tc.Failures, junitFailure{
				Message: f.Message,
				Type:    f.Rule,
				Text:    fmt.Sprintf("%s\nsubject: %s\nsource: %s\n", f.Message, agentText(f), f.Location),
			})
		}
		tc.SystemOut = out.String()
		suite.Tests++
		if len(tc.Failures) > 0 {
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: "ladmin audit", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// classOf groups checks in reporters: policy, rules or baseline.
func classOf(id string) string {
	switch {
	case strings.HasPrefix(id, "baseline."):
		return "baseline"
	case strings.HasPrefix(id, "rules."):
		return "rules"
	}
	return "policy"
}

// groupFindings indexes the findings by rule id, in report order.
func groupFindings(r *Report) map[string][]Finding {
	m := map[string][]Finding{}
	for _, f := range r.Findings {
		m[f.Rule] = append(m[f.Rule], f)
	}
	return m
}
