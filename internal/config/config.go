// Package config reads and writes ladmin's config file: named profiles
// (account URL, where the API key comes from, output defaults) and which one
// is current. Flag and environment precedence is the CLI's business (viper);
// this package only knows the file, so nothing from the environment is ever
// saved into it by accident.
package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ladmin/ladmin/internal/fileutil"
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
	// The key `auth login --email` made: its id (to revoke it on logout),
	// name, and when it expires (RFC 3339). Empty for a pasted key.
	APIKeyID      string `yaml:"api_key_id,omitempty"`
	APIKeyName    string `yaml:"api_key_name,omitempty"`
	APIKeyExpires string `yaml:"api_key_expires,omitempty"`
}

// KeyExpiry is when the profile's key expires; ok is false when unknown or never.
func (p *Profile) KeyExpiry() (t time.Time, ok bool) {
	if p == nil || p.APIKeyExpires == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, p.APIKeyExpires)
	return t, err == nil
}

// File is the config file's content and where it lives.
type File struct {
	CurrentProfile string              `yaml:"current_profile,omitempty"`
	Profiles       map[string]*Profile `yaml:"profiles,omitempty"`

	path string
	// base is the file as Load read it: Save applies only what changed since.
	base *File
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
	f := &File{path: path, base: &File{}}
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
	f.base, _ = parse(data) // it parsed once, it parses again
	for name, p := range f.Profiles {
		if p == nil { // "profiles: {dev: }" is an empty profile, not a nil one
			f.Profiles[name] = &Profile{}
		}
	}
	return f, warnings, nil
}

// permissionWarning tells the user when group or others can read the file:
// it may hold an API key. Windows has no such mode bits. When the config is
// a symlink (dotfile managers link it), the advice names the file it points
// to, which is what has the mode and what chmod would change, so nobody
// changes a shared file's mode without knowing it.
func permissionWarning(path string) string {
	info, err := os.Stat(path)
	if err != nil || runtime.GOOS == "windows" {
		return ""
	}
	mode := info.Mode().Perm()
	if mode&0o044 == 0 {
		return ""
	}
	if li, err := os.Lstat(path); err == nil && li.Mode()&os.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return ""
		}
		return fmt.Sprintf("config file %s is a symlink to %s, which is readable by others (mode %04o); "+
			"if that file is yours alone, run: chmod 600 %s (or point the link at a private file)", path, target, mode, target)
	}
	return fmt.Sprintf("config file %s is readable by others (mode %04o); run: chmod 600 %s", path, mode, path)
}

// yamlLine matches the "line N: message" that go-yaml puts in its errors.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) }) // compiled on first use, not at start-up

// yamlError turns a go-yaml error into one sentence that points at the file
// and line, the way compilers do: "PATH:LINE: message".
func yamlError(path string, err error) error {
	msg := err.Error()
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) && len(typeErr.Errors) > 0 {
		msg = typeErr.Errors[0] // the first problem is enough to fix
	}
	if m := yamlLine().FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", path, m[1], m[2])
	}
	return fmt.Errorf("%s: %s", path, strings.TrimPrefix(msg, "yaml: "))
}

var unknownField = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): field (\S+) not found in type`) }) // compiled on first use, not at start-up

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
		if m := unknownField().FindStringSubmatch(e); m != nil {
			warnings = append(warnings, fmt.Sprintf("%s:%s: unknown key %q is ignored", path, m[1], m[2]))
		}
	}
	return warnings
}

// Path is where the file is read from and saved to.
func (f *File) Path() string { return f.path }

// Save writes the file for good, safe against crashes and against other
// ladmin processes saving at the same time:
//
//   - the config file is locked across processes (fileutil.Lock) for the
//     whole read-modify-rename, so concurrent saves take turns;
//   - under the lock the file is read again and only what this process
//     changed since Load (profiles added, removed, or the fields it set, and
//     current_profile) is applied on top of it, so six concurrent
//     `auth login --profile pN` keep all six profiles and two concurrent
//     `config set` of different keys keep both;
//   - the result is written to a temp file (mode 0600) in the same directory,
//     synced and renamed over the old one, so a crash or a full disk never
//     leaves a truncated config and the key is never readable by others.
//
// The directory is created with mode 0700. A symlinked config has its target
// replaced, not the link (dotfile managers do that).
func (f *File) Save() error {
	if f.path == "" {
		return errors.New("config: no path to save to; use Load")
	}
	unlock, err := fileutil.Lock(context.Background(), f.path)
	if err != nil {
		return fmt.Errorf("saving config: %w", err)
	}
	defer func() { _ = unlock() }()

	disk, err := read(f.path)
	if err != nil {
		return fmt.Errorf("saving config: the file changed on disk and cannot be read: %w", err)
	}
	base := f.base
	if base == nil {
		base = &File{}
	}
	merged := merge(base, f, disk)
	data, err := yaml.Marshal(merged)
	if err != nil {
		return err
	}
	if err := fileutil.WriteAtomic(f.path, data); err != nil {
		return fmt.Errorf("saving config: %w", err)
	}
	// From now on this File is what is on disk.
	f.Profiles = merged.Profiles
	copyExported(f, merged)
	f.base, _ = parse(data)
	return nil
}

// read parses the file at path as it is now; a missing file is empty.
func read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{}, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := parse(data)
	if err != nil {
		return nil, yamlError(path, err)
	}
	return f, nil
}

func parse(data []byte) (*File, error) {
	f := &File{}
	if err := yaml.Unmarshal(data, f); err != nil {
		return nil, err
	}
	for name, p := range f.Profiles {
		if p == nil {
			f.Profiles[name] = &Profile{}
		}
	}
	return f, nil
}

// merge applies what mine changed since base (both this process's view) to
// disk (the file as another process may have left it): a three-way merge
// by profile and by field, so that only what this process did is written
// over the others' work. Fields are compared by reflection, so fields added
// to Profile or File later are merged too.
func merge(base, mine, disk *File) *File {
	out := &File{CurrentProfile: disk.CurrentProfile, Profiles: map[string]*Profile{}}
	copyExported(out, disk)
	for name, p := range disk.Profiles {
		cp := *p
		out.Profiles[name] = &cp
	}
	names := map[string]bool{}
	for name := range base.Profiles {
		names[name] = true
	}
	for name := range mine.Profiles {
		names[name] = true
	}
	var deleted []string
	for name := range names {
		b, m := base.Profiles[name], mine.Profiles[name]
		switch {
		case m == nil && b != nil: // removed here
			delete(out.Profiles, name)
			deleted = append(deleted, name)
		case m != nil && b == nil: // added here
			cp := *m
			out.Profiles[name] = &cp
		case m != nil:
			o := out.Profiles[name]
			if o == nil { // removed elsewhere, changed here: keep this side's
				if reflect.DeepEqual(m, b) {
					continue
				}
				cp := *m
				out.Profiles[name] = &cp
				continue
			}
			mergeFields(reflect.ValueOf(o).Elem(), reflect.ValueOf(b).Elem(), reflect.ValueOf(m).Elem(), nil)
		}
	}
	mergeFields(reflect.ValueOf(out).Elem(), reflect.ValueOf(base).Elem(), reflect.ValueOf(mine).Elem(),
		map[string]bool{"Profiles": true})
	if slices.Contains(deleted, out.CurrentProfile) {
		out.CurrentProfile = ""
	}
	if len(out.Profiles) == 0 {
		out.Profiles = nil
	}
	return out
}

// mergeFields sets each exported field of out that differs between base and
// mine to mine's value.
func mergeFields(out, base, mine reflect.Value, skip map[string]bool) {
	t := out.Type()
	for i := range t.NumField() {
		if !t.Field(i).IsExported() || skip[t.Field(i).Name] {
			continue
		}
		if !reflect.DeepEqual(base.Field(i).Interface(), mine.Field(i).Interface()) {
			out.Field(i).Set(mine.Field(i))
		}
	}
}

// copyExported copies every exported field of src into dst, except the
// profiles (handled by name).
func copyExported(dst, src *File) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for i := range d.NumField() {
		if f := d.Type().Field(i); f.IsExported() && f.Name != "Profiles" {
			d.Field(i).Set(s.Field(i))
		}
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

// MaxAPIKeyBytes bounds an API key file: keys are short lines of text, so
// anything larger is the wrong file (or /dev/zero), refused without reading
// it whole.
const MaxAPIKeyBytes = 4 << 10

// ReadAPIKeyFile reads an API key from a file (a secrets mount, a password
// manager's output), ignoring surrounding whitespace such as the trailing
// newline editors add. At most MaxAPIKeyBytes are read.
func ReadAPIKeyFile(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("reading API key file: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxAPIKeyBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading API key file: %w", err)
	}
	if len(data) > MaxAPIKeyBytes {
		return "", fmt.Errorf("API key file %s is larger than %d KiB; an API key is one short line, so this is not a key file", path, MaxAPIKeyBytes>>10)
	}
	key := strings.TrimSpace(string(data))
	if key == "" {
		return "", fmt.Errorf("API key file %s is empty", path)
	}
	return key, nil
}
