package config

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The keys of `ladmin config get|set|list`.
const (
	KeyURL            = "url"
	KeyAPIKeyFile     = "api_key_file"
	KeyOutput         = "output"
	KeyTimeout        = "timeout"
	KeyCurrentProfile = "current_profile"
	KeyAPI            = "api"
	keyAPIKey         = "api_key"
)

// Keys are the keys config get and set accept, in the order config list shows.
var Keys = []string{KeyCurrentProfile, KeyURL, KeyAPIKeyFile, KeyOutput, KeyTimeout, KeyAPI}

// APIModes are the valid values of the api key: auto learns which API the
// account has; published and extended say it.
var APIModes = []string{"auto", "published", "extended"}

// OutputFormats are the valid values of the output key. They mirror
// output.Formats (a test checks) without making config depend on the printers.
var OutputFormats = []string{"table", "wide", "json", "yaml", "csv"}

// errAPIKey is returned for the api_key key: `config get` must not print the
// key (it would end up in logs and scrollback) and `config set` must not take
// it as an argument (it would end up in shell history and ps).
var errAPIKey = errors.New("the API key cannot be read or written with ladmin config; use `ladmin auth login`")

// Get returns the value of key in the named profile ("current_profile" is
// global and ignores profile). An unset key is "".
func (f *File) Get(profile, key string) (string, error) {
	if key == KeyCurrentProfile {
		return f.CurrentProfile, nil
	}
	if err := checkKey(key); err != nil {
		return "", err
	}
	if profile == "" {
		return "", errNoProfile
	}
	p, ok := f.Profiles[profile]
	if !ok {
		return "", f.noProfile(profile)
	}
	return *p.field(key), nil
}

// Set validates value and stores it under key in the named profile, creating
// the profile if needed. An empty value unsets an optional key. The URL has
// its trailing slash removed (the client appends /api/v3) and the key file
// path is made absolute so it does not depend on the directory ladmin runs in.
func (f *File) Set(profile, key, value string) error {
	value = strings.TrimSpace(value)
	if key == KeyCurrentProfile {
		if _, ok := f.Profiles[value]; !ok {
			return f.noProfile(value)
		}
		f.CurrentProfile = value
		return nil
	}
	if err := checkKey(key); err != nil {
		return err
	}
	if profile == "" {
		return errNoProfile
	}
	value, err := normalize(key, value)
	if err != nil {
		return err
	}
	p, ok := f.Profiles[profile]
	if !ok {
		p = &Profile{}
		f.SetProfile(profile, p)
	}
	*p.field(key) = value
	return nil
}

// List returns the current profile and the named profile's keys with their
// values, in a fixed order. The API key itself is never listed: only
// "(set)" when the profile holds one.
func (f *File) List(profile string) [][2]string {
	p, ok := f.Profiles[profile]
	if !ok {
		p = &Profile{}
	}
	apiKey := ""
	if p.APIKey != "" {
		apiKey = "(set)"
	}
	return [][2]string{
		{KeyCurrentProfile, f.CurrentProfile},
		{KeyURL, p.URL},
		{keyAPIKey, apiKey},
		{KeyAPIKeyFile, p.APIKeyFile},
		{KeyOutput, p.Output},
		{KeyTimeout, p.Timeout},
		{KeyAPI, p.API},
	}
}

// field returns the profile field behind a key that checkKey accepted.
func (p *Profile) field(key string) *string {
	switch key {
	case KeyURL:
		return &p.URL
	case KeyAPIKeyFile:
		return &p.APIKeyFile
	case KeyOutput:
		return &p.Output
	case KeyTimeout:
		return &p.Timeout
	case KeyAPI:
		return &p.API
	}
	panic("config: no profile field for key " + key)
}

func checkKey(key string) error {
	if key == keyAPIKey {
		return errAPIKey
	}
	if !slices.Contains(Keys, key) {
		return fmt.Errorf("unknown config key %q; valid keys are %s", key, strings.Join(Keys, ", "))
	}
	return nil
}

var errNoProfile = errors.New("no profile selected; pass --profile NAME or run `ladmin config use-profile NAME`")

func (f *File) noProfile(name string) error {
	if len(f.Profiles) == 0 {
		return fmt.Errorf("profile %q not found; there are no profiles yet, run `ladmin auth login`", name)
	}
	return fmt.Errorf("profile %q not found; profiles are %s", name, strings.Join(f.ProfileNames(), ", "))
}

// normalize validates a profile value and returns it in the form to store.
func normalize(key, value string) (string, error) {
	if value == "" {
		if key == KeyURL {
			return "", errors.New("url cannot be empty; a profile needs its account URL, e.g. https://acme.ladesk.com")
		}
		return "", nil
	}
	switch key {
	case KeyURL:
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("invalid url %q; use an http or https URL such as https://acme.ladesk.com", value)
		}
		return strings.TrimRight(value, "/"), nil
	case KeyOutput:
		if !slices.Contains(OutputFormats, value) {
			return "", fmt.Errorf("invalid output %q; valid formats are %s", value, strings.Join(OutputFormats, ", "))
		}
	case KeyTimeout:
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return "", fmt.Errorf("invalid timeout %q; use a positive duration such as 30s or 2m", value)
		}
	case KeyAPI:
		if !slices.Contains(APIModes, value) {
			return "", fmt.Errorf("invalid api %q; use auto (learn it from the account), published or extended", value)
		}
	case KeyAPIKeyFile:
		abs, err := filepath.Abs(value)
		if err != nil {
			return "", fmt.Errorf("invalid api_key_file %q: %v", value, err)
		}
		return abs, nil
	}
	return value, nil
}
