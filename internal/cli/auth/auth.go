package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/config"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/text"
)

// NewCmdAuth is `ladmin auth`.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "Log in to an account, check the key in use, log out",
		Long: `Save an account's URL and API key as a profile, see which one is in use, or forget it.

The key is read from standard input or a hidden prompt, never from a flag, so it lands
in neither shell history nor the process list. It is stored in the config file
($XDG_CONFIG_HOME/ladmin/config.yaml), which is written with mode 0600.`,
		Example: `  ladmin auth login --url https://acme.ladesk.com
  ladmin auth login --profile staging --url https://acme-staging.ladesk.com < key.txt
  ladmin auth status`,
	}
	cmd.AddCommand(newCmdLogin(f), newCmdStatus(f), newCmdLogout(f))
	return cmd
}

func newCmdLogin(f *cmdutil.Factory) *cobra.Command {
	opts := loginEmailOptions{Hostname: osHostname, Now: time.Now}
	var expires string
	cmd := &cobra.Command{
		Use:   "login [--profile NAME] [--url URL] [--email EMAIL [--expires 90d]]",
		Short: "Save an account URL and API key as a profile",
		Long: `Read an API key from standard input (or a hidden prompt on a terminal), check it by
asking the account who it belongs to, and save the URL and key as a profile, which
becomes the current one (login says so, and which profile it replaces). Nothing is
saved when the check fails.

With --email, ladmin makes a key of its own instead: it asks for the agent's password
and, when the agent has two-factor authentication on, the current code (at hidden
prompts, or one per line on standard input), and the account makes a new key named
"ladmin on <hostname>" that expires after --expires (default 90d). The profile saves the
key with its id, name and expiry: ` + "`ladmin auth status`" + ` shows them and warns two weeks
before the key expires, and ` + "`ladmin auth logout --revoke`" + ` revokes it.`,
		Example: `  ladmin auth login --url https://acme.ladesk.com
  echo "$KEY" | ladmin auth login --profile ci --url https://acme.ladesk.com
  ladmin auth login --url https://acme.ladesk.com --email ana@acme.com --expires 30d`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("expires") && opts.Email == "" {
				return cmdutil.Usagef("--expires needs --email: a pasted key keeps the expiry it was made with")
			}
			if cmd.Flags().Changed("email") {
				if opts.Email == "" {
					return cmdutil.Usagef("--email needs the agent's email, e.g. --email ana@acme.com")
				}
				if f.Viper.GetString("api-key-file") != "" {
					return cmdutil.Usagef("--email and --api-key-file exclude each other: log in with a password, or save an existing key")
				}
				opts.Expires = DefaultKeyLifetime
				if expires != "" {
					d, err := cmdutil.ParseDuration("--expires", expires)
					if err != nil {
						return err
					}
					opts.Expires = d
				}
				return loginWithEmail(cmd.Context(), f, opts)
			}
			return loginRun(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&opts.Email, "email", "", "log in as this agent with its password: ladmin makes a key of its own")
	cmd.Flags().StringVar(&expires, "expires", "", "with --email, how long the new key lasts, e.g. 30d, 12h (default 90d)")
	return cmd
}

// loginURL is the account a login is for: --url, LADMIN_URL or the
// profile's, checked.
func loginURL(f *cmdutil.Factory) (string, error) {
	url := f.Setting("url", "")
	if url == "" {
		return "", cmdutil.Usagef("no account URL: pass --url, e.g. --url https://acme.ladesk.com")
	}
	base, err := liveagent.CheckURL(url)
	if err != nil {
		return "", cmdutil.Usagef("%s", err.Error())
	}
	return base, nil
}

// readSecret reads a secret (echo off on a terminal); what names it in the
// error. Ctrl-C ends it with the context's error (exit 130).
func readSecret(ctx context.Context, ios *iostreams.IOStreams, prompt, what string) (string, error) {
	secret, err := ios.ReadSecret(ctx, prompt)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", cmdutil.Usagef("could not read %s: %v", what, err)
	}
	return secret, nil
}

func loginRun(ctx context.Context, f *cmdutil.Factory) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	profile := f.ProfileName()
	base, err := loginURL(f)
	if err != nil {
		return err
	}
	ios := f.IOStreams
	if !ios.IsStdinTTY() && f.Viper.GetString("api-key-file") == "" {
		f.Notef("reading the API key from standard input")
	}
	var key string
	if path := f.Viper.GetString("api-key-file"); path != "" {
		if key, err = config.ReadAPIKeyFile(path); err != nil {
			return cmdutil.Usagef("%s", err.Error())
		}
	} else if key, err = readSecret(ctx, ios, "API key for "+liveagent.RedactURL(base)+": ", "the API key"); err != nil {
		return err
	}
	key = strings.TrimSpace(key)
	if key == "" {
		return cmdutil.Usagef("no API key given on standard input")
	}
	cc, err := f.ClientConfigFor(base, key)
	if err != nil {
		return err
	}
	c, err := liveagent.New(cc)
	if err != nil {
		return cmdutil.Usagef("%s", err.Error())
	}
	id, err := identify(ctx, c)
	if liveagent.KindOf(err) == liveagent.KindAuth {
		return liveagent.NewError(liveagent.KindAuth, "%s refused this API key; nothing was saved", liveagent.RedactURL(base))
	}
	if err != nil {
		return err
	}
	p, ok := cfg.Profile(profile)
	if !ok {
		p = &config.Profile{}
	}
	p.URL, p.APIKey, p.APIKeyFile = base, key, ""
	cfg.SetProfile(profile, p)
	previous := cfg.CurrentProfile
	cfg.CurrentProfile = profile
	if err := cfg.Save(); err != nil {
		return fmt.Errorf("could not save the config file: %w", err)
	}
	_ = cmdutil.PrintLine(ios, fmt.Sprintf("Logged in to %s as %s; saved as profile %q in %s",
		liveagent.RedactURL(base), whoText(id), profile, cfg.Path()))
	noteNowUses(f, profile, previous)
	if id.API == liveagent.APIPublished {
		f.Notef("This account has only LiveAgent's published API: ladmin lists, updates, re-roles, deletes, restores, exports, imports updates and audits; inviting agents, custom roles and departments are managed in LiveAgent itself (exit 8 here). See docs/liveagent-accounts.md.")
	}
	return nil
}

// Status is what `auth status` prints for programs.
type Status struct {
	Profile   string `json:"profile"`
	URL       string `json:"url"`
	KeySource string `json:"key_source"`
	Identity
	// APISource says where API comes from: "learned" (probed now or within
	// a day) or "config" (config set api).
	APISource string `json:"api_source"`
	// SavedKey is the key `auth login --email` made, when the profile's key is in use.
	SavedKey *SavedKey `json:"saved_key,omitempty"`
}

func newCmdStatus(f *cmdutil.Factory) *cobra.Command {
	var refresh, all bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the profile, URL, identity, role and API in use",
		Long: `Show which profile and account URL are in use, where the API key comes from (never
the key itself), the agent and role it belongs to, and which API the account has:
"LiveAgent published API only" or "published API + ladmin extensions". Exit 3 when
the key is refused.

ladmin learns the account's API from one request and remembers it for a day in
$XDG_CACHE_HOME/ladmin/accounts.json; --refresh learns it again now. ` + "`ladmin config set api published|extended`" + `
says it instead (auto: learn it).

--all lists every saved profile from the config file, without asking the accounts:
its name, URL, the kind of key (saved key or key file), the key's expiry when known,
and a * on the profile in use.`,
		Example: `  ladmin auth status
  ladmin auth status --all
  ladmin auth status --refresh
  LADMIN_PROFILE=staging ladmin auth status -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if all {
				if refresh {
					return cmdutil.Usagef("--all and --refresh cannot be used together: --all reads only the config file")
				}
				return statusAllRun(f)
			}
			o, err := f.Output()
			if err != nil {
				return err
			}
			_, source, err := f.APIKey()
			if err != nil {
				return err
			}
			c, err := f.Client()
			if err != nil {
				return err
			}
			if refresh {
				if _, err := c.RefreshAPI(cmd.Context()); err != nil {
					return err
				}
			}
			id, err := identify(cmd.Context(), c)
			if err != nil {
				return err
			}
			st := Status{Profile: f.ProfileName(), URL: c.BaseURL(), KeySource: source, Identity: id, APISource: "learned",
				SavedKey: savedKey(f, source, time.Now())}
			if c.APIOverridden() {
				st.APISource = "config"
			}
			if cmdutil.IsStructured(o) {
				return output.PrintObject(f.IOStreams.Out, o, st, nil)
			}
			api := apiText(id.API)
			if st.APISource == "config" {
				api += " (set by `ladmin config set api`)"
			}
			rows := append([][2]string{{"Profile", st.Profile}, {"URL", st.URL}, {"Key from", st.KeySource}},
				keyStatusRows(st.SavedKey, time.Now())...)
			rows = append(rows, [2]string{"API", api})
			rows = append(rows, identityRows(id)...)
			return output.PrintKeyValues(f.IOStreams.Out, rows, f.IOStreams.TerminalWidth())
		},
	}
	cmd.Flags().BoolVar(&refresh, "refresh", false, "learn again which API the account has, instead of what was learned within a day")
	cmd.Flags().BoolVar(&all, "all", false, "list every saved profile (name, URL, kind of key, expiry), the current one marked *; sends nothing")
	return cmd
}

// noteNowUses says that login made profile the current one, and how to go
// back to the one it replaces.
func noteNowUses(f *cmdutil.Factory, profile, previous string) {
	if previous != "" && previous != profile {
		f.Notef("%s", text.Safe(fmt.Sprintf("ladmin now uses profile %q (it used %q: `ladmin config use-profile %s` switches back)",
			profile, previous, previous)))
		return
	}
	f.Notef("%s", text.Safe(fmt.Sprintf("ladmin now uses profile %q", profile)))
}

// afterLogout says which profile ladmin uses once the current one is gone:
// "default" when it exists (the fallback), else none, and how to choose.
func afterLogout(cfg *config.File) string {
	names := cfg.ProfileNames()
	if _, ok := cfg.Profile("default"); ok {
		return `ladmin now uses profile "default"`
	}
	if len(names) == 0 {
		return "no profiles are left: run `ladmin auth login --url URL` to save one"
	}
	return fmt.Sprintf("no profile is current now: choose one with `ladmin config use-profile NAME` (profiles: %s)",
		strings.Join(names, ", "))
}

func newCmdLogout(f *cmdutil.Factory) *cobra.Command {
	var revoke bool
	cmd := &cobra.Command{
		Use:   "logout [--profile NAME] [--revoke]",
		Short: "Forget a saved profile and its key",
		Long: `Remove a profile, with its URL and API key, from the config file. The key itself stays
valid on the account, unless --revoke is given: then the key is revoked on the account
first (it stops working at once), and the profile is forgotten only once that is done.
--revoke needs the key's id, which profiles saved by ` + "`ladmin auth login --email`" + ` have.`,
		Example: `  ladmin auth logout
  ladmin auth logout --revoke
  ladmin auth logout --profile staging`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			name := f.ProfileName()
			if _, ok := cfg.Profile(name); !ok {
				return liveagent.NewError(liveagent.KindNotFound, "profile %q not found (profiles: %s)",
					name, strings.Join(cfg.ProfileNames(), ", "))
			}
			if revoke {
				p, _ := cfg.Profile(name)
				if err := revokeProfileKey(cmd.Context(), f, name, p); err != nil {
					return err
				}
			}
			wasCurrent := cfg.CurrentProfile == name
			cfg.DeleteProfile(name)
			if wasCurrent {
				cfg.CurrentProfile = ""
			}
			if err := cfg.Save(); err != nil {
				return fmt.Errorf("could not save the config file: %w", err)
			}
			_ = cmdutil.PrintLine(f.IOStreams, fmt.Sprintf("Logged out of profile %q", name))
			if wasCurrent {
				f.Notef("%s", text.Safe(afterLogout(cfg)))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&revoke, "revoke", false, "also revoke the profile's API key on the account")
	return cmd
}
