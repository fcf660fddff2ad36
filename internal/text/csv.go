package text

// CSV cells are guarded against formula injection as OWASP recommends: a
// cell that a spreadsheet would run as a formula (one starting with =, +, -,
// @, a tab or a carriage return) is written with a leading apostrophe, which
// spreadsheets show as text. Every CSV writer of ladmin calls GuardCSV on
// every cell and every CSV reader calls UnguardCSV on every cell, so what
// ladmin writes it reads back unchanged.
//
// Values that start with apostrophes are the one subtle case. So that the
// round trip is exact for every string, the guard also applies to a value
// made of apostrophes followed by a formula character ('=x is written
// ''=x), and the reader removes one apostrophe exactly when the cell is an
// apostrophe, any further apostrophes, then a formula character. A value
// such as 'Ohana or ''quoted, with no formula character after its
// apostrophes, is written and read as it is. A hand-written cell '=1+1 reads
// as =1+1, which is what a spreadsheet user who typed it meant. A cell that
// is a lone "-" is not a formula and is not guarded.

// formulaStart reports whether c starts a spreadsheet formula.
func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// needsGuard reports whether s is apostrophes (possibly none) followed by a
// formula character. A lone "-" (a report's "does not apply") is not a
// formula in any spreadsheet and is left as it is.
func needsGuard(s string) bool {
	if s == "-" {
		return false
	}
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i < len(s) && formulaStart(s[i])
}

// GuardCSV returns the cell to write for value s.
func GuardCSV(s string) string {
	if needsGuard(s) {
		return "'" + s
	}
	return s
}

// UnguardCSV returns the value a cell written by GuardCSV stands for.
func UnguardCSV(cell string) string {
	if len(cell) > 1 && cell[0] == '\'' && needsGuard(cell) {
		return cell[1:]
	}
	return cell
}

// GuardCSVRecord guards every cell of a record, in a new slice.
func GuardCSVRecord(rec []string) []string {
	out := make([]string, len(rec))
	for i, c := range rec {
		out[i] = GuardCSV(c)
	}
	return out
}

// UnguardCSVRecord undoes GuardCSVRecord in place and returns rec.
func UnguardCSVRecord(rec []string) []string {
	for i, c := range rec {
		rec[i] = UnguardCSV(c)
	}
	return rec
}
