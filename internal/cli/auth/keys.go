package auth

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/config"
	"github.com/ladmin/ladmin/internal/liveagent"
)

// DefaultKeyLifetime is how long a key made by `auth login --email` lasts
// unless --expires says otherwise.
const DefaultKeyLifetime = 90 * 24 * time.Hour

// expiryWarning is how close to its expiry a key makes `auth status` warn.
const expiryWarning = 14 * 24 * time.Hour

// loginEmailOptions are the inputs of `auth login --email`.
type loginEmailOptions struct {
	Email   string
	Expires time.Duration
	// Hostname names the key ("ladmin on <hostname>"); tests replace it.
	Hostname func() (string, error)
	Now      func() time.Time
}

// keyName is the name of the key ladmin makes on this machine.
func keyName(hostname func() (string, error)) string {
	h, err := hostname()
	if err != nil || strings.TrimSpace(h) == "" {
		h = "unknown host"
	}
	return "ladmin on " + h
}

// needsCode reports whether a refused login asks for a two-factor code. The
// API says so only in its message; every wording seen says "two-factor" or
// mentions the field.
func needsCode(err error) bool {
	if liveagent.KindOf(err) != liveagent.KindAuth {
		return false
	}
	m := strings.ToLower(err.Error())
	return strings.Contains(m, "two-factor") || strings.Contains(m, "two_factor") || strings.Contains(m, "2fa")
}

// loginWithEmail makes a new key from an agent's email, password and (when
// it has two-factor on) code, and saves it with its id, name and expiry.
func loginWithEmail(ctx context.Context, f *cmdutil.Factory, opts loginEmailOptions) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	email := strings.TrimSpace(opts.Email)
	if !liveagent.ValidEmail(email) {
		return cmdutil.Usagef("invalid --email %q: expected an address such as ana@acme.com", opts.Email)
	}
	profile := f.ProfileName()
	base, err := loginURL(f)
	if err != nil {
		return err
	}
	ios := f.IOStreams
	if !ios.IsStdinTTY() {
		f.Notef("reading the password (and a two-factor code, if asked) from standard input, one per line")
	}
	password, err := readSecret(ctx, ios, "Password for "+email+": ", "the password")
	if err != nil {
		return err
	}
	if password == "" {
		return cmdutil.Usagef("no password given; nothing was saved")
	}
	cc, err := f.ClientConfigFor(base, "")
	if err != nil {
		return err
	}
	c, err := liveagent.New(cc)
	if err != nil {
		return cmdutil.Usagef("%s", err.Error())
	}
	now := opts.Now()
	// Whole seconds (the API's datetimes have no fractions), rounded up so a
	// key never lasts less than asked.
	expires := now.Add(opts.Expires + time.Second - 1).UTC().Truncate(time.Second)
	in := liveagent.APIKeyLogin{Login: email, Password: password, Name: keyName(opts.Hostname),
		Type: liveagent.KeyTypeAPI, ValidToDate: liveagent.FormatTime(expires, time.UTC)}
	k, err := c.LoginAPIKey(ctx, in)
	if needsCode(err) {
		code, rerr := readSecret(ctx, ios, "Two-factor code for "+email+": ", "the two-factor code")
		if rerr != nil {
			return rerr
		}
		if code == "" {
			return liveagent.NewError(liveagent.KindAuth,
				"%s has two-factor authentication on: give the current code (on the line after the password when piping); nothing was saved", email)
		}
		in.TwoFactorToken = code
		k, err = c.LoginAPIKey(ctx, in)
	}
	if err != nil {
		if liveagent.KindOf(err) == liveagent.KindAuth {
			return liveagent.NewError(liveagent.KindAuth, "%s refused the login: %s; nothing was saved",
				liveagent.RedactURL(base), strings.TrimSuffix(err.Error(), "."))
		}
		return err
	}
	if k.Key == "" {
		return liveagent.NewError(liveagent.KindUnavailable, "%s answered the login without a key; nothing was saved", liveagent.RedactURL(base))
	}
	if k.ValidToDate != "" {
		// The account's answer is what counts (it may round or cap the date).
		if t, ok, perr := k.ExpiresAt(time.UTC); perr == nil && ok {
			expires = t
		}
	}

	p, ok := cfg.Profile(profile)
	if !ok {
		p = &config.Profile{}
	}
	p.URL, p.APIKey, p.APIKeyFile = base, k.Key, ""
	p.APIKeyID, p.APIKeyName, p.APIKeyExpires = k.ID.String(), k.Name, expires.UTC().Format(time.RFC3339)
	cfg.SetProfile(profile, p)
	previous := cfg.CurrentProfile
	cfg.CurrentProfile = profile
	if err := cfg.Save(); err != nil {
		return fmt.Errorf("could not save the config file (the new key %s was made on the account; revoke it with `ladmin apikey revoke %s`): %w",
			k.ID, k.ID, err)
	}
	_ = cmdutil.PrintLine(ios, fmt.Sprintf("Logged in to %s as %s with a new API key %q (id %s) that expires on %s; saved as profile %q in %s",
		liveagent.RedactURL(base), email, k.Name, k.ID, expires.Local().Format("2006-01-02 15:04 MST"), profile, cfg.Path()))
	noteNowUses(f, profile, previous)
	return nil
}

// SavedKey is what `auth status` says of a key `auth login --email` made.
type SavedKey struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Expires string `json:"expires,omitempty"` // RFC 3339

	expires time.Time
	known   bool
}

// savedKey is the profile's saved key when it is the one in use (source is
// where the key came from), with a warning when it expires within two weeks.
func savedKey(f *cmdutil.Factory, source string, now time.Time) *SavedKey {
	if !strings.HasPrefix(source, "profile ") {
		return nil
	}
	p, ok := f.SavedProfile()
	if !ok || p.APIKeyID == "" {
		return nil
	}
	k := &SavedKey{ID: p.APIKeyID, Name: p.APIKeyName, Expires: p.APIKeyExpires}
	if k.expires, k.known = p.KeyExpiry(); k.known && k.expires.Sub(now) < expiryWarning {
		f.Warnf("the API key expires %s; run `ladmin auth login --email EMAIL` for a new one", cmdutil.Until(k.expires, now))
	}
	return k
}

// keyStatusRows are the lines `auth status` adds for a saved key.
func keyStatusRows(k *SavedKey, now time.Time) [][2]string {
	if k == nil {
		return nil
	}
	rows := [][2]string{{"Key", fmt.Sprintf("%s (id %s)", k.Name, k.ID)}}
	if k.known {
		rows = append(rows, [2]string{"Expires", fmt.Sprintf("%s (%s)", k.expires.Local().Format("2006-01-02 15:04 MST"), cmdutil.Until(k.expires, now))})
	}
	return rows
}

// revokeProfileKey revokes, on the account, the key a profile saved. The
// profile is then forgotten by the caller. A key that no longer works
// (expired, already revoked) has nothing left to revoke.
func revokeProfileKey(ctx context.Context, f *cmdutil.Factory, name string, p *config.Profile) error {
	if p.APIKeyID == "" {
		return cmdutil.Usagef("profile %q holds a pasted key whose id ladmin does not know; find it with `ladmin apikey list`, revoke it with `ladmin apikey revoke ID`, then run `ladmin auth logout` (nothing was changed)", name)
	}
	key := p.APIKey
	if key == "" && p.APIKeyFile != "" {
		var err error
		if key, err = config.ReadAPIKeyFile(p.APIKeyFile); err != nil {
			return cmdutil.Usagef("%s", err.Error())
		}
	}
	cc, err := f.ClientConfigFor(p.URL, key)
	if err != nil {
		return err
	}
	c, err := liveagent.New(cc)
	if err != nil {
		return cmdutil.Usagef("%s", err.Error())
	}
	err = c.RevokeAPIKey(ctx, p.APIKeyID)
	switch {
	case err == nil:
		fmt.Fprintf(f.IOStreams.Out, "Revoked API key %q (id %s) on %s\n", p.APIKeyName, p.APIKeyID, p.URL)
	case liveagent.IsExpiredKey(err):
		f.Warnf("the API key %q (id %s) has expired, so it cannot revoke itself; it no longer works, and an admin can remove it with `ladmin apikey revoke %s`",
			p.APIKeyName, p.APIKeyID, p.APIKeyID)
	case liveagent.KindOf(err) == liveagent.KindAuth, liveagent.KindOf(err) == liveagent.KindNotFound:
		f.Notef("the API key %q (id %s) no longer works on %s (revoked already?): nothing to revoke", p.APIKeyName, p.APIKeyID, p.URL)
	default:
		return fmt.Errorf("could not revoke the API key %s, so profile %q was kept: %w", p.APIKeyID, name, err)
	}
	return nil
}

func osHostname() (string, error) { return os.Hostname() }
