package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
)

func TestExitCodeMapsEveryKind(t *testing.T) {
	api := func(k liveagent.Kind) error { return &liveagent.Error{Kind: k, Message: "m"} }
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{cmdutil.Usagef("bad flag"), 2},
		{api(liveagent.KindInvalid), 2},
		{api(liveagent.KindAuth), 3},
		{api(liveagent.KindForbidden), 4},
		{api(liveagent.KindNotFound), 5},
		{api(liveagent.KindConflict), 6},
		{api(liveagent.KindUnavailable), 7},
		{fmt.Errorf("wrapped: %w", api(liveagent.KindNotFound)), 5},
		{cmdutil.Reported(api(liveagent.KindConflict)), 6},
		{cmdutil.Exit(1, "3 of 5 agents failed"), 1},
		{cmdutil.Silent(4), 4},
		{context.Canceled, 130},
		{fmt.Errorf("import stopped: %w", context.Canceled), 130},
		{context.DeadlineExceeded, 7},
		{errors.New(`unknown flag: --colour`), 2},
	} {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestPrintErrorIsOneLineWithTheCode(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	code := printError(ios, liveagent.NewError(liveagent.KindNotFound, `agent "bob@acme.com" not found`))
	if code != 5 || errOut.String() != "error: agent \"bob@acme.com\" not found (exit 5)\n" {
		t.Errorf("code %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	if code := printError(ios, cmdutil.Silent(4)); code != 4 || errOut.Len() != 0 {
		t.Errorf("a silent exit printed %q", errOut.String())
	}
}

func TestMainRunsInProcess(t *testing.T) {
	ios, _, out, errOut := iostreams.Test()
	code := Main(context.Background(), []string{"version"}, ios, cmdutil.BuildInfo{Version: "1.2.3", Commit: "c", Date: "d"})
	if code != 0 || errOut.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	if want := "ladmin 1.2.3 (commit c, built d,"; len(out.String()) < len(want) || out.String()[:len(want)] != want {
		t.Errorf("stdout %q", out.String())
	}
	ios, _, _, errOut = iostreams.Test()
	if code := Main(context.Background(), []string{"agent", "list", "--colour"}, ios, cmdutil.BuildInfo{}); code != 2 {
		t.Errorf("an unknown flag exits %d, want 2 (stderr %q)", code, errOut.String())
	}
}
