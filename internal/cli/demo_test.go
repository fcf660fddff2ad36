package cli

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
)

// TestDemoTellsTheWholeStory runs `ladmin demo` as a user would. Each step
// checks its own exit code, so a feature that breaks breaks the demo here.
func TestDemoTellsTheWholeStory(t *testing.T) {
	wd, _ := os.Getwd()
	ios, _, out, errOut := iostreams.Test()
	code := Main(context.Background(), []string{"demo"}, ios, cmdutil.BuildInfo{Version: "test"})
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"Role:         owner",
		"created agent ana@acme.example",
		"error: only owners and admins can invite agents (your role: agent) (exit 4)",
		"error: you cannot give the role owner",
		"25 to create",
		"25 created, 0 updated, 0 restored, 0 skipped, 0 failed",
		"created role support-lead",
		"from agent to support-lead",
		"\nno\nrole agent of agent@example.com does not hold agents.invite\n",
		"audit FAILED",
		"key 3 \"sandbox agent key\"",
		"offboarded agent@example.com (id ",
		"signed out, revoked 1 key (3), deleted",
		"Offboarded 1 agent: 1 signed out, 1 key revoked, 1 deleted; 0 not found; 0 failed",
		"The journal is local to this machine",
		"ladmin agent offboard agent@example.com --yes",
		"restored agent@example.com (id ",
		"was revoked: its secret is gone, so it cannot be restored",
		"Done in",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
	if now, _ := os.Getwd(); now != wd {
		t.Errorf("the demo left the working directory at %s", now)
	}
}
