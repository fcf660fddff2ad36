package cmdutil

import (
	"strings"

	"github.com/ladmin/ladmin/internal/config"
	"github.com/ladmin/ladmin/internal/liveagent"
)

// SavedProfile is the saved profile in use, if there is one.
func (f *Factory) SavedProfile() (*config.Profile, bool) {
	cfg, err := f.Config()
	if err != nil {
		return nil, false
	}
	return cfg.Profile(f.ProfileName())
}

// ExplainExpiredKey turns the server's bare "API key expired" (401) into
// what to do about it: `your API key expired on DATE; run ladmin auth
// login`, still exit 3. The date is known when the key in use is the one
// the profile saved with its expiry (auth login --email made it).
func (f *Factory) ExplainExpiredKey(err error) error {
	if !liveagent.IsExpiredKey(err) {
		return err
	}
	when := ""
	if _, source, kerr := f.APIKey(); kerr == nil && strings.HasPrefix(source, "profile ") {
		if p, ok := f.SavedProfile(); ok {
			if t, ok := p.KeyExpiry(); ok {
				when = " on " + t.Local().Format("2006-01-02 15:04 MST")
			}
		}
	}
	return &liveagent.Error{Kind: liveagent.KindAuth, Err: err,
		Message: "your API key expired" + when + "; run ladmin auth login"}
}
