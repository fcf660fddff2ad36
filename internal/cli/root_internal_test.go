package cli

import (
	"testing"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
)

// TestRootBuildsOnlyTheNamedSubtree: a command line that starts with a
// command's name builds that command alone, exactly as the whole tree has
// it; anything else builds the whole tree.
func TestRootBuildsOnlyTheNamedSubtree(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := NewFactory(ios, cmdutil.BuildInfo{Version: "test"})
	full := NewCmdRoot(f)
	if got := len(full.Commands()); got != len(topCommands()) {
		t.Fatalf("the whole tree has %d commands, the list %d", got, len(topCommands()))
	}
	for _, c := range topCommands() {
		whole, _, err := full.Find([]string{c.name})
		if err != nil || whole.Name() != c.name {
			t.Fatalf("%s: the whole tree has no such command (%v)", c.name, err)
		}
		lazy := newCmdRoot(f, []string{c.name, "--help"})
		if n := len(lazy.Commands()); n != 1 {
			t.Errorf("%s: the tree for it has %d commands, want 1", c.name, n)
		}
		cmd, _, err := lazy.Find([]string{c.name})
		if err != nil || cmd.Name() != c.name || cmd.GroupID != whole.GroupID || len(cmd.Commands()) != len(whole.Commands()) {
			t.Errorf("%s: the lazily built command differs from the whole tree's (%v)", c.name, err)
		}
	}
	for _, args := range [][]string{nil, {"help", "agent"}, {"agnet"}, {"-o", "json", "agent", "list"}, {"__complete", "agent", ""}} {
		if got := len(newCmdRoot(f, args).Commands()); got != len(full.Commands()) {
			t.Errorf("%q: %d commands, want the whole tree's %d", args, got, len(full.Commands()))
		}
	}
}
