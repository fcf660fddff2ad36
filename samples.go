// Package ladmin holds the sample files of testdata/ that ship inside the
// binary, so `ladmin demo` runs from any directory and the files exist once.
package ladmin

import _ "embed"

// SampleRoster is testdata/roster.csv: the roster the demo onboards.
//
//go:embed testdata/roster.csv
var SampleRoster []byte

// SamplePolicy is testdata/policy.yaml: the policy the demo audits against.
//
//go:embed testdata/policy.yaml
var SamplePolicy []byte
