// Package cmdutil is what every command shares: the Factory that lazily builds
// the config, the API client and the printers, and the error types that
// internal/cli turns into exit codes.
package cmdutil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/viper"

	"github.com/ladmin/ladmin/internal/accountcache"
	"github.com/ladmin/ladmin/internal/config"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/text"
)

// BuildInfo is stamped at link time (see .goreleaser.yaml).
type BuildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
}

// Factory holds the dependencies of commands. Nothing is read or dialled
// until a command asks for it, so `ladmin version` and `--help` stay instant.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Build     BuildInfo
	// Viper resolves global flags and LADMIN_* environment variables.
	Viper *viper.Viper
	// ConfigPath overrides config.DefaultPath() (tests).
	ConfigPath string
	// Getenv reads the environment (tests replace it).
	Getenv func(string) string
	// LookupEnv tells a variable set but empty from one not set (nil:
	// os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// CachePath overrides the account cache file (tests).
	CachePath string
	// NewLimiter builds the pacing shared by one command's requests (tests and
	// bulk commands replace it).
	NewLimiter func() *liveagent.Limiter
	// CommandLine is how the command was invoked, for the journal (it never
	// holds a key: no flag takes one).
	CommandLine string
	// JournalPath overrides the journal's location (the demo's throwaway one).
	JournalPath string
	// RunID, when set, is the journal run id of this command's changes.
	RunID string

	journalOnce sync.Once
	journal     *runJournal

	cfgOnce sync.Once
	cfg     *config.File
	cfgErr  error

	clientOnce sync.Once
	client     *liveagent.Client
	clientErr  error
}

// Config loads the config file once, printing its warnings to stderr.
func (f *Factory) Config() (*config.File, error) {
	f.cfgOnce.Do(func() {
		path := f.ConfigPath
		if path == "" {
			path = config.DefaultPath()
		}
		var warnings []string
		f.cfg, warnings, f.cfgErr = config.Load(path)
		for _, w := range warnings {
			f.Warnf("%s", w)
		}
		if f.cfgErr != nil {
			f.cfgErr = Usagef("%s", f.cfgErr.Error())
		}
	})
	return f.cfg, f.cfgErr
}

// ProfileName is the profile in use: --profile, LADMIN_PROFILE, the config's
// current profile, else "default".
func (f *Factory) ProfileName() string {
	if p := f.Viper.GetString("profile"); p != "" {
		return p
	}
	if cfg, err := f.Config(); err == nil && cfg.CurrentProfile != "" {
		return cfg.CurrentProfile
	}
	return "default"
}

// checkSettings reports what would otherwise make settings silently fall
// back to defaults: a config file that does not parse, or a profile named
// with --profile or LADMIN_PROFILE that does not exist.
func (f *Factory) checkSettings() error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	// An empty variable is most often a script's mistake (LADMIN_URL=$(...)
	// that printed nothing): never fall back silently to another account.
	for _, env := range []struct{ name, overriddenBy, what string }{
		{"LADMIN_URL", "url", "the account URL"}, {"LADMIN_API_KEY", "api-key-file", "the key"}} {
		if v, set := f.lookupEnv(env.name); set && strings.TrimSpace(v) == "" && f.Viper.GetString(env.overriddenBy) == "" {
			if _, ok := cfg.Profile(f.ProfileName()); ok {
				return Usagef("%s is set but empty; unset it to use profile %s", env.name, f.ProfileName())
			}
			return Usagef("%s is set but empty; set it to %s, or unset it and run `ladmin auth login`", env.name, env.what)
		}
	}
	if name := f.Viper.GetString("profile"); name != "" {
		if _, ok := cfg.Profile(name); !ok {
			known := "none saved yet: run `ladmin auth login --profile " + name + "`"
			if names := cfg.ProfileNames(); len(names) > 0 {
				known = "profiles: " + strings.Join(names, ", ")
			}
			return liveagent.NewError(liveagent.KindNotFound, "profile %q not found (%s)", name, known)
		}
	}
	return nil
}

func (f *Factory) lookupEnv(name string) (string, bool) {
	if f.LookupEnv != nil {
		return f.LookupEnv(name)
	}
	if v := f.Getenv(name); v != "" {
		return v, true
	}
	return os.LookupEnv(name)
}

// URLSource says where the account URL in use comes from: "--url",
// "LADMIN_URL" or "profile NAME" ("" when there is none), for messages.
func (f *Factory) URLSource() string {
	if v := f.Viper.GetString("url"); v != "" {
		if env, _ := f.lookupEnv("LADMIN_URL"); env == v {
			return "LADMIN_URL"
		}
		return "--url"
	}
	if f.profile().URL != "" {
		return "profile " + f.ProfileName()
	}
	return ""
}

// KeySource says where the API key in use comes from (LADMIN_API_KEY,
// --api-key-file PATH, profile NAME), or "" when there is none.
func (f *Factory) KeySource() string {
	_, src, err := f.APIKey()
	if err != nil {
		return ""
	}
	return src
}

// profile returns the saved profile in use, or an empty one.
func (f *Factory) profile() *config.Profile {
	cfg, err := f.Config()
	if err != nil {
		return &config.Profile{}
	}
	if p, ok := cfg.Profile(f.ProfileName()); ok {
		return p
	}
	return &config.Profile{}
}

// Setting resolves a global setting: flag, then environment, then the
// profile, then def (the precedence of spec/cli.md).
func (f *Factory) Setting(key, def string) string {
	if f.Viper.IsSet(key) {
		if v := f.Viper.GetString(key); v != "" {
			return v
		}
	}
	p := f.profile()
	var fromProfile string
	switch key {
	case "url":
		fromProfile = p.URL
	case "output":
		fromProfile = p.Output
	case "timeout":
		fromProfile = p.Timeout
	case "api":
		fromProfile = p.API
	}
	if fromProfile != "" {
		return fromProfile
	}
	return def
}

// APIKey resolves the key: --api-key-file, then LADMIN_API_KEY, then the
// profile's saved key or key file. It never comes from a flag value.
func (f *Factory) APIKey() (key, source string, err error) {
	if path := f.Viper.GetString("api-key-file"); path != "" {
		k, err := config.ReadAPIKeyFile(path)
		if err != nil {
			return "", "", Usagef("%s", err.Error())
		}
		return checkKey(k, "--api-key-file "+path)
	}
	if k := strings.TrimSpace(f.Getenv("LADMIN_API_KEY")); k != "" {
		return checkKey(k, "LADMIN_API_KEY")
	}
	p := f.profile()
	if p.APIKey != "" {
		return checkKey(p.APIKey, "profile "+f.ProfileName())
	}
	if p.APIKeyFile != "" {
		k, err := config.ReadAPIKeyFile(p.APIKeyFile)
		if err != nil {
			return "", "", Usagef("%s", err.Error())
		}
		return checkKey(k, "profile "+f.ProfileName()+" ("+p.APIKeyFile+")")
	}
	return "", "", &liveagent.Error{Kind: liveagent.KindAuth,
		Message: "no API key: run `ladmin auth login`, set LADMIN_API_KEY, or pass --api-key-file"}
}

// checkKey refuses a key that could not be an HTTP header value (a key file
// with two lines, say): better exit 2 here than a confusing network error.
func checkKey(key, source string) (string, string, error) {
	if strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", "", Usagef("the API key from %s contains spaces, control characters or several lines", source)
	}
	return key, source, nil
}

// Timeout is the per-request timeout.
func (f *Factory) Timeout() (time.Duration, error) {
	raw := f.Setting("timeout", "30s")
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		return 0, Usagef("invalid timeout %q: use a duration such as 30s or 2m", raw)
	}
	return d, nil
}

// ClientConfig assembles the client configuration from flags, environment and profile.
func (f *Factory) ClientConfig() (liveagent.Config, error) {
	if err := f.checkSettings(); err != nil {
		return liveagent.Config{}, err
	}
	url := f.Setting("url", "")
	if url == "" {
		return liveagent.Config{}, Usagef("no account URL: pass --url, set LADMIN_URL, or run `ladmin auth login`")
	}
	key, _, err := f.APIKey()
	if err != nil {
		return liveagent.Config{}, err
	}
	return f.ClientConfigFor(url, key)
}

// ClientConfigFor is ClientConfig for a given URL and key (auth login checks
// a key before saving it).
func (f *Factory) ClientConfigFor(url, key string) (liveagent.Config, error) {
	timeout, err := f.Timeout()
	if err != nil {
		return liveagent.Config{}, err
	}
	cfg := liveagent.Config{URL: url, APIKey: key, Timeout: timeout,
		UserAgent: "ladmin/" + f.Build.Version,
		// Every write of every command goes through the journal.
		Recorder: f.recorder()}
	switch api := f.Setting("api", liveagent.APIAuto); api {
	case liveagent.APIAuto, liveagent.APIPublished, liveagent.APIExtended:
		cfg.API = api
	default:
		return liveagent.Config{}, Usagef("invalid api %q: use auto, published or extended (`ladmin config set api ...`)", api)
	}
	if base, err := liveagent.CheckURL(url); err == nil {
		cfg.Capabilities = capabilityStore{store: accountcache.Store{Path: f.cachePath()}, key: accountcache.Key(base, key)}
	}
	if f.Viper.GetBool("debug") {
		cfg.Debug = f.IOStreams.ErrOut
	}
	if f.NewLimiter != nil {
		cfg.Limiter = f.NewLimiter()
	}
	return cfg, nil
}

// cachePath is the account cache file: $XDG_CACHE_HOME/ladmin/accounts.json,
// else ~/.cache/ladmin/accounts.json. Both come from the factory's Getenv,
// so a factory that shows no environment (the demo, tests) keeps what it
// learns in memory only ("") and leaves nothing behind.
func (f *Factory) cachePath() string {
	if f.CachePath != "" {
		return f.CachePath
	}
	if dir := f.Getenv("XDG_CACHE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "ladmin", "accounts.json")
	}
	home := f.Getenv("HOME")
	if home == "" {
		home = f.Getenv("USERPROFILE") // Windows
	}
	if home == "" || !filepath.IsAbs(home) {
		return ""
	}
	return filepath.Join(home, ".cache", "ladmin", "accounts.json")
}

// capabilityStore keeps what the client learns of the account's API in the
// account cache, under the record of one URL and key.
type capabilityStore struct {
	store accountcache.Store
	key   string
}

func (s capabilityStore) LoadAPI() (string, time.Time, bool) {
	var api string
	at, ok := s.store.Get(s.key, accountcache.FactAPI, &api)
	return api, at, ok
}

func (s capabilityStore) SaveAPI(api string, at time.Time) {
	_ = s.store.Put(s.key, accountcache.FactAPI, api, at) // a cache that cannot be written is only slower
}

func (s capabilityStore) LoadSession(v any) (time.Time, bool) {
	return s.store.Get(s.key, accountcache.FactSession, v)
}

func (s capabilityStore) SaveSession(v any, at time.Time) {
	_ = s.store.Put(s.key, accountcache.FactSession, v, at)
}

// Client builds the API client once.
func (f *Factory) Client() (*liveagent.Client, error) {
	f.clientOnce.Do(func() {
		cfg, err := f.ClientConfig()
		if err != nil {
			f.clientErr = err
			return
		}
		f.client, f.clientErr = liveagent.New(cfg)
		if f.clientErr != nil && liveagent.KindOf(f.clientErr) == liveagent.KindInvalid {
			f.clientErr = Usagef("%s", f.clientErr.Error())
		}

	})
	return f.client, f.clientErr
}

// Output is the printing options of the global flags.
func (f *Factory) Output() (output.Options, error) {
	if err := f.checkSettings(); err != nil {
		return output.Options{}, err
	}
	o := output.Options{
		Format:    f.Setting("output", ""),
		JQ:        f.Viper.GetString("jq"),
		NoHeaders: f.Viper.GetBool("no-headers"),
		Width:     f.IOStreams.TerminalWidth(),
		Note:      f.tableNote,
	}
	if err := output.Validate(o); err != nil {
		return o, Usagef("%s", err.Error())
	}
	return o, nil
}

// Connect is where most commands start: how to print, and the client. Both
// are checked before anything is sent, so a bad -o is exit 2 with no request.
func (f *Factory) Connect() (output.Options, *liveagent.Client, error) {
	o, err := f.Output()
	if err != nil {
		return o, nil, err
	}
	c, err := f.Client()
	return o, c, err
}

// TableOptions are the options of a table a command lays out itself: the
// header row per --no-headers, fitted to the terminal's width.
func (f *Factory) TableOptions(fits ...output.Fit) output.TableOptions {
	return output.TableOptions{NoHeaders: f.Viper.GetBool("no-headers"),
		Width: f.IOStreams.TerminalWidth(), Fits: fits, Note: f.tableNote}
}

// tableNote tells, on stderr, which columns a table left out to fit the
// terminal, wrapped to its width.
func (f *Factory) tableNote(s string) {
	for _, line := range output.WrapWidth(s, f.IOStreams.TerminalWidth()) {
		f.Notef("%s", line)
	}
}

// IsStructured reports whether the output is for programs (json, yaml, csv or --jq).
func IsStructured(o output.Options) bool {
	return o.JQ != "" || (o.Format != "" && o.Format != "table" && o.Format != "wide")
}

// Quiet reports whether progress and notes are silenced (-q).
func (f *Factory) Quiet() bool { return f.Viper.GetBool("quiet") }

// Notef prints a note to stderr unless --quiet. The note is one line, passed
// through text.Safe: names in it cannot act on the terminal.
func (f *Factory) Notef(format string, args ...any) {
	if !f.Quiet() {
		f.PrintMessage("", text.Safe(fmt.Sprintf(format, args...)))
	}
}

// Warnf prints a warning to stderr unless --quiet, which keeps only errors.
// Like Notef, it is one safe line.
func (f *Factory) Warnf(format string, args ...any) {
	if !f.Quiet() {
		f.PrintMessage("warning:", text.Safe(fmt.Sprintf(format, args...)))
	}
}

// PrintMessage writes prefix ("error:", "warning:" or "") and msg on
// stderr, wrapped at spaces to the width of the terminal it shows on and
// on one line off a terminal (output.Message). msg must already be safe
// (text.Safe).
func (f *Factory) PrintMessage(prefix, msg string) {
	WriteMessage(f.IOStreams, prefix, msg)
}

// WriteMessage is PrintMessage for code that has the streams but no
// Factory (the root command's final error). An "error:" prefix is red on a
// terminal with color.
func WriteMessage(ios *iostreams.IOStreams, prefix, msg string) {
	laid := output.Message(prefix, msg, ios.ErrTerminalWidth())
	if prefix == "error:" && ios.ErrColorEnabled() {
		laid = "\x1b[31merror:\x1b[0m" + strings.TrimPrefix(laid, prefix)
	}
	fmt.Fprintln(ios.ErrOut, laid)
}

// PrintLine writes a line for people on stdout (what a command did:
// "created agent …"), made safe (text.Safe) and, on a terminal, wrapped at
// spaces to its width, so that a long email is never cut by the terminal
// in the middle; off a terminal it stays one line for scripts and grep.
func PrintLine(ios *iostreams.IOStreams, line string) error {
	_, err := fmt.Fprintln(ios.Out, output.Message("", text.Safe(line), ios.TerminalWidth()))
	return err
}

// PrintLines writes lines for people on stderr (a file's problems, the
// steps a key may not apply, what changed since a plan): each made safe
// and, on a terminal, wrapped like a note.
func PrintLines(ios *iostreams.IOStreams, lines []string) {
	for _, l := range lines {
		WriteMessage(ios, "", text.Safe(l))
	}
}

// Context returns ctx, or Background when nil (commands run outside Execute in tests).
func Context(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
