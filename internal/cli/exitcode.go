package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/text"
)

// ExitCode maps an error to the exit codes of spec/cli.md. It is the only
// place that does.
func ExitCode(err error) int {
	if err == nil {
		return cmdutil.ExitOK
	}
	var exitErr *cmdutil.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.Code
	}
	if errors.Is(err, context.Canceled) {
		return cmdutil.ExitInterrupted
	}
	var usage *cmdutil.UsageError
	if errors.As(err, &usage) {
		return cmdutil.ExitUsage
	}
	switch liveagent.KindOf(err) {
	case liveagent.KindInvalid:
		return cmdutil.ExitUsage
	case liveagent.KindAuth:
		return cmdutil.ExitAuth
	case liveagent.KindForbidden:
		return cmdutil.ExitForbidden
	case liveagent.KindNotFound:
		return cmdutil.ExitNotFound
	case liveagent.KindConflict:
		return cmdutil.ExitConflict
	case liveagent.KindUnavailable:
		return cmdutil.ExitUnavailable
	case liveagent.KindUnsupported:
		return cmdutil.ExitUnsupported
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return cmdutil.ExitUnavailable
	}
	// Cobra's own flag and argument errors, and anything unexpected, are usage errors.
	return cmdutil.ExitUsage
}

// ErrorMessage is the one sentence printed for err, passed through
// text.Safe: names and values quoted in it cannot act on the terminal.
func ErrorMessage(err error) string {
	if errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	return text.Safe(strings.TrimSpace(err.Error()))
}

// withNextStep adds to err what to do about it, where the error alone
// cannot say: which key was refused and where it came from, which URL
// could not be reached and how to change it.
func withNextStep(f *cmdutil.Factory, err error) error {
	var apiErr *liveagent.Error
	if err == nil || !errors.As(err, &apiErr) {
		return err
	}
	switch {
	case apiErr.Kind == liveagent.KindAuth && apiErr.Status == 401:
		hint := "check the key with `ladmin auth status`"
		if src := f.KeySource(); src != "" {
			hint = "it came from " + src + ": check it with `ladmin auth status`, or log in again with `ladmin auth login`"
		}
		return &hinted{err, hint}
	case apiErr.Kind == liveagent.KindUnavailable && strings.Contains(apiErr.Message, "connection refused"):
		src := f.URLSource()
		if src == "" {
			src = "--url"
		}
		return &hinted{err, "check the URL (it came from " + src + ") or start a local sandbox with `ladmin sandbox serve`"}
	}
	return err
}

// hinted is an error with a next step; its kind is the wrapped error's.
type hinted struct {
	error
	hint string
}

func (h *hinted) Error() string {
	return strings.TrimSuffix(strings.TrimSpace(h.error.Error()), ".") + "; " + h.hint
}

func (h *hinted) Unwrap() error { return h.error }

// printError writes "error: <sentence> (exit N)" on stderr unless the
// command already reported everything: one line off a terminal, wrapped to
// its width on one (cmdutil.WriteMessage), "error:" in red where color is on.
func printError(ios *iostreams.IOStreams, err error) int {
	code := ExitCode(err)
	if err != nil && !cmdutil.IsSilent(err) {
		cmdutil.WriteMessage(ios, "error:", fmt.Sprintf("%s (exit %d)", ErrorMessage(err), code))
	}
	return code
}
