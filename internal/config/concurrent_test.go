package config

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets the concurrency tests run this test binary as a separate
// process that loads the config, changes one thing and saves, the way
// concurrent `ladmin auth login` and `ladmin config set` processes do.
func TestMain(m *testing.M) {
	if os.Getenv("LADMIN_CONFIG_CHILD") == "" {
		os.Exit(m.Run())
	}
	os.Exit(child())
}

// child waits for the start file (so that every child saves at about the
// same moment), then applies one change: "profile NAME" adds a profile,
// "set PROFILE KEY VALUE" sets one key.
func child() int {
	path, start := os.Getenv("LADMIN_CONFIG_PATH"), os.Getenv("LADMIN_CONFIG_START")
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if _, err := os.Stat(start); err == nil {
			break
		}
	}
	f, _, err := Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	args := strings.Fields(os.Getenv("LADMIN_CONFIG_CHILD"))
	switch args[0] {
	case "profile":
		f.SetProfile(args[1], &Profile{URL: "https://" + args[1] + ".example.com", APIKey: "key-" + args[1]})
		f.CurrentProfile = args[1]
	case "set":
		err = f.Set(args[1], args[2], args[3])
	}
	if err == nil {
		err = f.Save()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// runChildren starts one process per change, lets them all go at once and
// waits for every one to succeed.
func runChildren(t *testing.T, path string, changes []string) {
	t.Helper()
	start := filepath.Join(t.TempDir(), "go")
	cmds := make([]*exec.Cmd, len(changes))
	outs := make([]*strings.Builder, len(changes))
	for i, change := range changes {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "LADMIN_CONFIG_CHILD="+change, "LADMIN_CONFIG_PATH="+path, "LADMIN_CONFIG_START="+start)
		outs[i] = &strings.Builder{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	time.Sleep(200 * time.Millisecond) // let them all reach the start line
	if err := os.WriteFile(start, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("%q: %v: %s", changes[i], err, outs[i])
		}
	}
}

func TestConcurrentProfileSavesKeepEveryProfile(t *testing.T) {
	path := writeConfig(t, "profiles:\n  existing:\n    url: https://existing.example.com\n")
	var changes, want []string
	for i := range 8 {
		changes = append(changes, fmt.Sprintf("profile p%d", i))
		want = append(want, fmt.Sprintf("p%d", i))
	}
	for round := range 3 { // a lost profile is likely, not certain, in one round
		runChildren(t, path, changes)
		f, _, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range append(want, "existing") {
			if _, ok := f.Profile(name); !ok {
				t.Fatalf("round %d: profile %s lost; profiles are %v", round, name, f.ProfileNames())
			}
		}
		if p, _ := f.Profile("p3"); p.APIKey != "key-p3" || p.URL != "https://p3.example.com" {
			t.Errorf("p3 = %+v", p)
		}
		checkMode(t, path, 0o600)
		checkNoTempFiles(t, filepath.Dir(path))
	}
}

func TestConcurrentSetsOfDifferentKeysKeepBoth(t *testing.T) {
	path := writeConfig(t, "profiles:\n  dev:\n    url: https://dev.example.com\n")
	for round := range 5 {
		timeout := fmt.Sprintf("%ds", round+1)
		runChildren(t, path, []string{"set dev output json", "set dev timeout " + timeout, "set dev url https://new.example.com"})
		f, _, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := f.Profile("dev")
		if p.Output != "json" || p.Timeout != timeout || p.URL != "https://new.example.com" {
			t.Fatalf("round %d: dev = %+v; a concurrent set was lost", round, p)
		}
		// Start the next round from a file without the keys.
		p.Output = ""
		if err := f.Save(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSaveMergesWhatChangedSinceLoad(t *testing.T) {
	path := writeConfig(t, "current_profile: a\nprofiles:\n  a:\n    url: https://a.example.com\n  b:\n    url: https://b.example.com\n")
	mine, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	// Another process adds c, changes a's output and removes b.
	other.SetProfile("c", &Profile{URL: "https://c.example.com"})
	other.Profiles["a"].Output = "json"
	other.DeleteProfile("b")
	if err := other.Save(); err != nil {
		t.Fatal(err)
	}
	// This process, from its older view, sets a's timeout and adds d.
	mine.Profiles["a"].Timeout = "1m"
	mine.SetProfile("d", &Profile{URL: "https://d.example.com"})
	mine.CurrentProfile = "d"
	if err := mine.Save(); err != nil {
		t.Fatal(err)
	}
	got, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if names := strings.Join(got.ProfileNames(), ","); names != "a,c,d" {
		t.Errorf("profiles = %s, want a,c,d (b removed by the other process stays removed)", names)
	}
	if a := got.Profiles["a"]; a.Output != "json" || a.Timeout != "1m" {
		t.Errorf("a = %+v, want both processes' fields", a)
	}
	if got.CurrentProfile != "d" {
		t.Errorf("current = %q", got.CurrentProfile)
	}
	// The saving File now shows the merged state, and saving it again is a no-op.
	if _, ok := mine.Profile("c"); !ok {
		t.Errorf("the saved File does not show the merged profiles: %v", mine.ProfileNames())
	}
}

func TestPermissionWarningOfSymlinkNamesTarget(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "ladmin.yaml")
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("current_profile: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	_, warnings, err := Load(link)
	if err != nil {
		t.Fatal(err)
	}
	want := "config file " + link + " is a symlink to " + target + ", which is readable by others (mode 0644); " +
		"if that file is yours alone, run: chmod 600 " + target + " (or point the link at a private file)"
	if len(warnings) != 1 || warnings[0] != want {
		t.Errorf("warnings = %q\nwant [%q]", warnings, want)
	}
}
