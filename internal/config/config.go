// Package config reads and writes ladmin's config file: named profiles
// (account URL, where the API key comes from, output defaults) and which one
// is current. Flag and environment precedence is the CLI's business (viper);
// this package only knows the file, so nothing from the environment is ever
// saved into it by accident.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Profile is one saved account.
type Profile struct {
	URL        string `yaml:"url"`
	APIKey     string `yaml:"api_key,omitempty"`
	APIKeyFile string `yaml:"api_key_file,omitempty"`
	Output     string `yaml:"output,omitempty"`
	Timeout    string `yaml:"timeout,omitempty"`
	// API overrides what ladmin learns of the account's API: auto (learn it),
	// published, or extended (spec/api.md, "Accounts without the extensions").
	API string `yaml:"api,omitempty"`
}

// File is the config file's content and where it lives.
type File struct {
	CurrentProfile string              `yaml:"current_profile,omitempty"`
	Profiles       map[string]*Profile `yaml:"profiles,omitempty"`

	path string
}

// DefaultPath is $XDG_CONFIG_HOME/ladmin/config.yaml, or
// ~/.config/ladmin/config.yaml when XDG_CONFIG_HOME is unset. The XDG spec
// says to ignore a relative XDG_CONFIG_HOME, and so do we.
func DefaultPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "" // no home at all: fall back to the working directory
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "ladmin", "config.yaml")
}

// Load reads the config file at path. A missing file is not an error: it
// yields an empty File that Save will create. Warnings (a file others can
// read, unknown keys) are returned for the caller to print on stderr.
func Load(path string) (*File, []string, error) {
	f := &File{path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading config file: %w", err)
	}

	var warnings []string
	if w := permissionWarning(path); w != "" {
		warnings = append(warnings, w)
	}
	if err := yaml.Unmarshal(data, f); err != nil {
		return nil, warnings, yamlError(path, err)
	}
	warnings = append(warnings, unknownKeys(path, data)...)
	for name, p := range f.Profiles {
		if p == nil { // "profiles: {dev: }" is an empty profile, not a nil one
			f.Profiles[name] = &Profile{}
		}
	}
	return f, warnings, nil
}

// permissionWarning tells the user when group or others can read the file:
// it may hold an API key. Windows has no such mode bits.
func permissionWarning(path string) string {
	info, err := os.Stat(path)
	if err != nil || runtime.GOOS == "windows" {
		return ""
	}
	if mode := info.Mode().Perm(); mode&0o044 != 0 {
		return fmt.Sprintf("config file %s is readable by others (mode %04o); run: chmod 600 %s", path, mode, path)
	}
	return ""
}

// yamlLine matches the "line N: message" that go-yaml puts in its errors.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError turns a go-yaml error into one sentence that points at the file
// and line, the way compilers do: "PATH:LINE: message".
func yamlError(path string, err error) error {
	msg := err.Error()
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) && len(typeErr.Errors) > 0 {
		msg = typeErr.Errors[0] // the first problem is enough to fix
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", path, m[1], m[2])
	}
	return fmt.Errorf("%s: %s", path, strings.TrimPrefix(msg, "yaml: "))
}

var unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type`)

// unknownKeys warns about keys ladmin does not know, typically a typo such as
// "api-key-file", which would otherwise be silently ignored. They are not
// errors so that an older ladmin can still read a newer one's file.
func unknownKeys(path string, data []byte) []string {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var typeErr *yaml.TypeError
	if err := dec.Decode(&File{}); !errors.As(err, &typeErr) {
		return nil
	}
	var warnings []string
	for _, e := range typeErr.Errors {
		if m := unknownField.FindStringSubmatch(e); m != nil {
			warnings = append(warnings, fmt.Sprintf("%s:%s: unknown key %q is ignored", path, m[1], m[2]))
		}
	}
	return warnings
}

// Path is where the file is read from and saved to.
func (f *File) Path() string { return f.path }

// rename is os.Rename, replaceable by tests to simulate a failed save.
var rename = os.Rename

// Save writes the file atomically: a temp file (mode 0600) in the same
// directory is written, synced and renamed over the old one, so a crash or a
// full disk never leaves a truncated config, and the key is never readable
// by others, even briefly. The directory is created with mode 0700.
func (f *File) Save() error {
	if f.path == "" {
		return errors.New("config: no path to save to; use Load")
	}
	data, err := yaml.Marshal(f)
	if err != nil {
		return err
	}
	path := f.path
	// Replace the target of a symlinked config (dotfile managers do that),
	// not the link itself.
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating config directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml.tmp") // CreateTemp uses mode 0600
	if err != nil {
		return fmt.Errorf("saving config: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if err := writeAndSync(tmp, data); err != nil {
		return fmt.Errorf("saving config: %w", err)
	}
	if err := rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("saving config: %w", err)
	}
	syncDir(dir)
	return nil
}

func writeAndSync(tmp *os.File, data []byte) error {
	_, err := tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes the rename itself durable. It is best effort: some systems
// (Windows) cannot open or sync a directory, and the data is already safe.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Profile returns the named profile.
func (f *File) Profile(name string) (*Profile, bool) {
	p, ok := f.Profiles[name]
	return p, ok
}

// SetProfile adds or replaces a profile.
func (f *File) SetProfile(name string, p *Profile) {
	if f.Profiles == nil {
		f.Profiles = map[string]*Profile{}
	}
	f.Profiles[name] = p
}

// DeleteProfile removes a profile. Deleting the current profile also clears
// current_profile, so it never names a profile that does not exist.
func (f *File) DeleteProfile(name string) {
	delete(f.Profiles, name)
	if f.CurrentProfile == name {
		f.CurrentProfile = ""
	}
}

// ProfileNames returns the profile names in sorted order.
func (f *File) ProfileNames() []string {
	names := make([]string, 0, len(f.Profiles))
	for name := range f.Profiles {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// ReadAPIKeyFile reads an API key from a file (a secrets mount, a password
// manager's output), ignoring surrounding whitespace such as the trailing
// newline editors add.
func ReadAPIKeyFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading API key file: %w", err)
	}
	key := strings.TrimSpace(string(data))
	if key == "" {
		return "", fmt.Errorf("API key file %s is empty", path)
	}
	return key, nil
}
