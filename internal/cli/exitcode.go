package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
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
	msg := strings.TrimSpace(err.Error())
	var apiErr *liveagent.Error
	if errors.As(err, &apiErr) && apiErr.Kind == liveagent.KindAuth && apiErr.Status == 401 {
		msg = strings.TrimSuffix(msg, ".") + "; check the key with `ladmin auth status`"
	}
	return text.Safe(msg)
}

// printError writes "error: <sentence> (exit N)" unless the command already
// reported everything.
func printError(w io.Writer, err error) int { return printErrorPrefixed(w, "error:", err) }

func printErrorPrefixed(w io.Writer, prefix string, err error) int {
	code := ExitCode(err)
	if err != nil && !cmdutil.IsSilent(err) {
		fmt.Fprintf(w, "%s %s (exit %d)\n", prefix, ErrorMessage(err), code)
	}
	return code
}
