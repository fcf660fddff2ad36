package cmdutil

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// InterruptSignals end a run cleanly with exit 130 (cli.md): Ctrl-C,
// SIGTERM (a CI job cancelled, a container stopped) and SIGHUP (the terminal
// or SSH session gone). The first one cancels the command's context: no new
// work starts, requests in flight finish, the report is written; commands
// that can abandon in-flight work do so on a second one.
var InterruptSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// SignalContext is the context of a whole ladmin process: canceled by the
// first of InterruptSignals. Call stop when the run is over.
func SignalContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(parent, InterruptSignals...)
}
