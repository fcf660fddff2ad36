// Command ladmin administers help desk agents and roles through the LiveAgent API.
package main

import (
	"context"
	"os"

	"github.com/ladmin/ladmin/internal/cli"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
)

// Stamped by the linker (see .goreleaser.yaml).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	ctx, stop := cmdutil.SignalContext(context.Background())
	code := cli.Main(ctx, os.Args[1:], iostreams.System(), cmdutil.BuildInfo{Version: version, Commit: commit, Date: date})
	stop()
	os.Exit(code)
}
