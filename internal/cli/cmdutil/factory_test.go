package cmdutil_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/config"
	"github.com/ladmin/ladmin/internal/iostreams"
)

// factory builds the real root command's flags on a Factory whose config
// file has a saved profile, then parses args.
func factory(t *testing.T, env map[string]string, args ...string) *cmdutil.Factory {
	t.Helper()
	for _, k := range []string{"LADMIN_URL", "LADMIN_OUTPUT", "LADMIN_TIMEOUT", "LADMIN_PROFILE", "LADMIN_API_KEY"} {
		t.Setenv(k, env[k])
		if env[k] == "" {
			os.Unsetenv(k)
		}
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	cfg, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg.SetProfile("default", &config.Profile{URL: "https://profile.example.com", Output: "yaml", Timeout: "45s", APIKey: "profile-key"})
	cfg.SetProfile("other", &config.Profile{URL: "https://other.example.com", APIKey: "other-key"})
	cfg.CurrentProfile = "default"
	if err := cfg.Save(); err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	f := cli.NewFactory(ios, cmdutil.BuildInfo{})
	f.ConfigPath = path
	root := cli.NewCmdRoot(f)
	root.SetArgs(append([]string{"noop"}, args...))
	root.AddCommand(&cobra.Command{Use: "noop", RunE: func(*cobra.Command, []string) error { return nil }})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSettingPrecedenceFlagThenEnvThenProfileThenDefault(t *testing.T) {
	// Profile only.
	f := factory(t, nil)
	if got := f.Setting("url", ""); got != "https://profile.example.com" {
		t.Errorf("profile: url = %q", got)
	}
	if got, _ := f.Timeout(); got.String() != "45s" {
		t.Errorf("profile: timeout = %s", got)
	}
	// Environment beats profile.
	f = factory(t, map[string]string{"LADMIN_URL": "https://env.example.com", "LADMIN_OUTPUT": "csv"})
	if got := f.Setting("url", ""); got != "https://env.example.com" {
		t.Errorf("env: url = %q", got)
	}
	if o, _ := f.Output(); o.Format != "csv" {
		t.Errorf("env: output = %q", o.Format)
	}
	// Flag beats environment.
	f = factory(t, map[string]string{"LADMIN_URL": "https://env.example.com"}, "--url", "https://flag.example.com", "-o", "json")
	if got := f.Setting("url", ""); got != "https://flag.example.com" {
		t.Errorf("flag: url = %q", got)
	}
	if o, _ := f.Output(); o.Format != "json" {
		t.Errorf("flag: output = %q", o.Format)
	}
	// Default when nothing sets it.
	f = factory(t, map[string]string{"LADMIN_PROFILE": "other"})
	if got, _ := f.Timeout(); got.String() != "30s" {
		t.Errorf("default: timeout = %s", got)
	}
	if got := f.Setting("url", ""); got != "https://other.example.com" {
		t.Errorf("LADMIN_PROFILE=other: url = %q", got)
	}
}

func TestAPIKeyPrecedenceFileThenEnvThenProfile(t *testing.T) {
	f := factory(t, nil)
	if k, src, _ := f.APIKey(); k != "profile-key" || src != "profile default" {
		t.Errorf("profile: %q from %q", k, src)
	}
	f = factory(t, map[string]string{"LADMIN_API_KEY": "env-key"})
	if k, src, _ := f.APIKey(); k != "env-key" || src != "LADMIN_API_KEY" {
		t.Errorf("env: %q from %q", k, src)
	}
	keyFile := filepath.Join(t.TempDir(), "key")
	os.WriteFile(keyFile, []byte("file-key\n"), 0o600)
	f = factory(t, map[string]string{"LADMIN_API_KEY": "env-key"}, "--api-key-file", keyFile)
	if k, _, _ := f.APIKey(); k != "file-key" {
		t.Errorf("file: %q", k)
	}
	f = factory(t, nil, "--profile", "nope")
	if _, _, err := f.APIKey(); err == nil {
		t.Errorf("an unknown profile with no key must fail")
	}
}
