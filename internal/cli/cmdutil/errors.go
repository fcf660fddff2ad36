package cmdutil

import (
	"errors"
	"fmt"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/text"
)

// Exit codes of spec/cli.md. Only internal/cli maps errors onto them.
const (
	ExitOK          = 0
	ExitNotClean    = 1 // finished, but some rows failed or findings were found
	ExitUsage       = 2 // bad flag, argument or input file; nothing changed
	ExitAuth        = 3
	ExitForbidden   = 4
	ExitNotFound    = 5
	ExitConflict    = 6
	ExitUnavailable = 7
	ExitUnsupported = 8 // the account's API lacks what was asked; nothing changed
	ExitInterrupted = 130
)

// UsageError is a bad flag, argument or input file (exit 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef builds a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// ExitError ends the command with a given code. Msg, when set, is printed as
// the error; an empty Msg means the command already reported what happened
// (e.g. "3 of 5 agents failed" after listing each failure).
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Msg
}

// Exit builds an ExitError.
func Exit(code int, format string, args ...any) error {
	return &ExitError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Silent ends the command with code and prints nothing more.
func Silent(code int) error { return &ExitError{Code: code} }

// ReportedError wraps an error the command has already printed: the exit
// code is still the cause's, but nothing is printed again.
type ReportedError struct{ Err error }

func (e *ReportedError) Error() string { return e.Err.Error() }
func (e *ReportedError) Unwrap() error { return e.Err }

// Reported marks err as already printed.
func Reported(err error) error { return &ReportedError{Err: err} }

// IsSilent reports whether err asks to print nothing.
func IsSilent(err error) bool {
	var e *ExitError
	var r *ReportedError
	return errors.As(err, &r) || (errors.As(err, &e) && e.Msg == "")
}

// WriteAfterChange is the error of a write that failed after the command
// changed the account (stdout full or closed, a report that cannot be
// written): exit 1, and a sentence that says the change was made, never exit
// 2's "nothing was changed". done says what was done: "agent ana@acme.com
// was created". A nil err stays nil.
func WriteAfterChange(err error, done string) error {
	if err == nil {
		return nil
	}
	return Exit(ExitNotClean, "%s, but the output could not be written (%v)", done, err)
}

// TargetsExit is the exit of a command that acted on several targets and
// reported each failure as it came: nil when none failed, the failure itself
// for a single target, its code (already reported) when every target failed
// the same way, else 1 with "N of M <nouns> failed".
func TargetsExit(failed []error, total int, noun, nouns string) error {
	switch {
	case len(failed) == 0:
		return nil
	case total == 1:
		return failed[0]
	case len(failed) == total && sameKind(failed):
		return Reported(failed[0])
	}
	return Exit(ExitNotClean, "%d of %s failed", len(failed), text.Count(total, noun, nouns))
}

func sameKind(errs []error) bool {
	for _, e := range errs[1:] {
		if liveagent.KindOf(e) != liveagent.KindOf(errs[0]) {
			return false
		}
	}
	return true
}
