package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/output"
)

func TestDefaultPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	tests := []struct {
		name, xdg, want string
	}{
		{"XDG_CONFIG_HOME", "/xdg", "/xdg/ladmin/config.yaml"},
		{"unset", "", filepath.Join(home, ".config/ladmin/config.yaml")},
		{"relative is ignored", "rel/dir", filepath.Join(home, ".config/ladmin/config.yaml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", tt.xdg)
			if got := DefaultPath(); got != tt.want {
				t.Errorf("DefaultPath() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "config.yaml")
	f, warnings, err := Load(path)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("Load() = %v, %v; want no error or warning", warnings, err)
	}
	if f.Path() != path || len(f.Profiles) != 0 || f.CurrentProfile != "" {
		t.Errorf("Load() = %+v, want an empty File at %s", f, path)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	path := DefaultPath()
	f, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f.CurrentProfile = "prod"
	f.SetProfile("prod", &Profile{URL: "https://acme.ladesk.com", APIKey: "k-123", Output: "json", Timeout: "45s"})
	f.SetProfile("dev", &Profile{URL: "http://127.0.0.1:8085", APIKeyFile: "/run/secrets/key"})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}

	got, warnings, err := Load(path)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("Load() after Save: warnings %v, error %v", warnings, err)
	}
	if got.CurrentProfile != "prod" {
		t.Errorf("CurrentProfile = %q", got.CurrentProfile)
	}
	if names := got.ProfileNames(); !slices.Equal(names, []string{"dev", "prod"}) {
		t.Errorf("ProfileNames() = %v", names)
	}
	for _, name := range []string{"dev", "prod"} {
		want, _ := f.Profile(name)
		p, ok := got.Profile(name)
		if !ok || *p != *want {
			t.Errorf("profile %s = %+v, want %+v", name, p, want)
		}
	}

	data, _ := os.ReadFile(path)
	want := `current_profile: prod
profiles:
    dev:
        url: http://127.0.0.1:8085
        api_key_file: /run/secrets/key
    prod:
        url: https://acme.ladesk.com
        api_key: k-123
        output: json
        timeout: 45s
`
	if string(data) != want {
		t.Errorf("file content:\n%s\nwant:\n%s", data, want)
	}
}

func TestSavePermissions(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "ladmin")
	path := filepath.Join(dir, "config.yaml")

	f, _, _ := Load(path)
	f.SetProfile("p", &Profile{URL: "https://a.example"})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	checkMode(t, dir, 0o700)
	checkMode(t, path, 0o600)

	// A file someone made readable gets 0600 back on the next save, and the
	// warning goes away.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	f.SetProfile("q", &Profile{URL: "https://b.example"})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	checkMode(t, path, 0o600)
	if _, warnings, _ := Load(path); len(warnings) != 0 {
		t.Errorf("warnings after Save: %v", warnings)
	}
	checkNoTempFiles(t, dir)
}

func TestLoadWarnsWhenReadableByOthers(t *testing.T) {
	tests := []struct {
		mode os.FileMode
		warn string // the mode as the warning prints it; "" for no warning
	}{
		{0o600, ""},
		{0o400, ""},
		{0o640, "0640"},
		{0o644, "0644"},
		{0o604, "0604"},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte("current_profile: a\n"), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // WriteFile is subject to umask
				t.Fatal(err)
			}
			_, warnings, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if tt.warn == "" {
				if len(warnings) != 0 {
					t.Errorf("unexpected warnings %v", warnings)
				}
				return
			}
			want := "config file " + path + " is readable by others (mode " + tt.warn + "); run: chmod 600 " + path
			if len(warnings) != 1 || warnings[0] != want {
				t.Errorf("warnings = %q, want [%q]", warnings, want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string // after "PATH"
	}{
		{"tab indentation", "current_profile: a\nprofiles:\n\tdev: {}\n", ":3: found character that cannot start any token"},
		{"syntax error", "current_profile: a\nprofiles:\n  dev:\n    url: x\n  url: y: z\n", ":5: mapping values are not allowed"},
		{"wrong type", "current_profile: a\nprofiles:\n  - dev\n", ":3: cannot unmarshal"},
		{"duplicate key", "current_profile: a\ncurrent_profile: b\n", `:2: mapping key "current_profile" already defined`},
		{"no line number", "\x00", ": control characters are not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.content)
			_, _, err := Load(path)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), path+tt.want) {
				t.Errorf("error %q does not start with %q", err, path+tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans several lines", err)
			}
		})
	}
}

func TestLoadUnknownKeysWarn(t *testing.T) {
	path := writeConfig(t, "profiles:\n  dev:\n    url: https://a.example\n    api-key-file: /k\n")
	f, warnings, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := path + `:4: unknown key "api-key-file" is ignored`
	if !slices.Equal(warnings, []string{want}) {
		t.Errorf("warnings = %q, want [%q]", warnings, want)
	}
	if p, _ := f.Profile("dev"); p.URL != "https://a.example" {
		t.Errorf("known keys were not loaded: %+v", p)
	}
}

func TestLoadEmptyProfile(t *testing.T) {
	f, _, err := Load(writeConfig(t, "profiles:\n  dev:\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := f.Profile("dev"); !ok || p == nil {
		t.Errorf("Profile(dev) = %v, %v; want an empty profile", p, ok)
	}
}

func TestSaveFailureKeepsOldFile(t *testing.T) {
	// Running as root defeats read-only directories, so make the final rename
	// fail instead (a directory cannot be replaced by a file): the old
	// content must survive and no temp file may remain.
	path := writeConfig(t, "current_profile: old\n")
	f, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f.CurrentProfile = "new"
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "in-the-way"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err == nil {
		t.Fatalf("Save() = nil, want the rename error")
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		t.Errorf("the directory at the config path was replaced")
	}
	checkNoTempFiles(t, filepath.Dir(path))
}

func TestSaveFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles-config.yaml")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("symlinks not supported:", err)
	}
	f, _, _ := Load(link)
	f.CurrentProfile = "x"
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced")
	}
	if data, _ := os.ReadFile(target); string(data) != "current_profile: x\n" {
		t.Errorf("target = %q", data)
	}
}

func TestSaveWithoutPath(t *testing.T) {
	if err := (&File{}).Save(); err == nil {
		t.Error("Save() of a File without a path succeeded")
	}
}

func TestDeleteProfile(t *testing.T) {
	f := &File{CurrentProfile: "a"}
	f.SetProfile("a", &Profile{})
	f.SetProfile("b", &Profile{})
	f.DeleteProfile("b")
	if f.CurrentProfile != "a" {
		t.Errorf("deleting another profile cleared current_profile")
	}
	f.DeleteProfile("a")
	if f.CurrentProfile != "" || len(f.ProfileNames()) != 0 {
		t.Errorf("after deleting all: %+v", f)
	}
}

func TestReadAPIKeyFile(t *testing.T) {
	tests := []struct {
		name, content, want, wantErr string
	}{
		{name: "trailing newline", content: "k-123\n", want: "k-123"},
		{name: "surrounding blanks", content: "  k-123 \r\n\n", want: "k-123"},
		{name: "empty", content: " \n", wantErr: "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadAPIKeyFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ReadAPIKeyFile() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := ReadAPIKeyFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing key file: no error")
	}
}

func TestOutputFormatsMatchPrinters(t *testing.T) {
	if !slices.Equal(OutputFormats, output.Formats) {
		t.Errorf("config.OutputFormats = %v, output.Formats = %v", OutputFormats, output.Formats)
	}
}

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %04o, want %04o", path, got, want)
	}
}

func checkNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temp file %s left behind", e.Name())
		}
	}
}
