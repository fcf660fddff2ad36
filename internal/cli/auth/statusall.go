package auth

import (
	"time"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/config"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
)

// ProfileStatus is one row of `auth status --all`: a saved profile as the
// config file holds it, without the key. Nothing is sent to the accounts,
// so the list is instant and works offline.
type ProfileStatus struct {
	Name    string `json:"name"`
	Current bool   `json:"current"`
	URL     string `json:"url"`
	// Key is the kind of key: "saved key", "key file PATH" or "none".
	Key string `json:"key"`
	// Expires is when the key expires (RFC 3339), "" when not known.
	Expires string `json:"expires,omitempty"`
}

// profileStatuses lists every saved profile, in name order; current is the
// profile in use (--profile, LADMIN_PROFILE or the config's).
func profileStatuses(cfg *config.File, current string) []ProfileStatus {
	var list []ProfileStatus
	for _, name := range cfg.ProfileNames() {
		p, _ := cfg.Profile(name)
		st := ProfileStatus{Name: name, Current: name == current, URL: liveagent.RedactURL(p.URL), Key: "none"}
		switch {
		case p.APIKey != "":
			st.Key = "saved key"
		case p.APIKeyFile != "":
			st.Key = "key file " + p.APIKeyFile
		}
		if t, ok := p.KeyExpiry(); ok {
			st.Expires = t.UTC().Format(time.RFC3339)
		}
		list = append(list, st)
	}
	return list
}

// profileColumns are the table of `auth status --all`; add a column here
// (and a field above) to show more of each profile.
func profileColumns() []output.Column {
	p := func(i any) ProfileStatus { return i.(ProfileStatus) }
	return []output.Column{
		{Header: "", Fit: output.Keep, Value: func(i any) string {
			if p(i).Current {
				return "*"
			}
			return ""
		}},
		{Header: "PROFILE", Fit: output.Keep, Value: func(i any) string { return p(i).Name }},
		{Header: "URL", Fit: output.Keep, Value: func(i any) string { return p(i).URL }},
		{Header: "KEY", Value: func(i any) string { return p(i).Key }},
		{Header: "EXPIRES", Value: func(i any) string {
			if p(i).Expires == "" {
				return "-"
			}
			if t, err := time.Parse(time.RFC3339, p(i).Expires); err == nil {
				return t.Local().Format("2006-01-02")
			}
			return p(i).Expires
		}},
	}
}

// statusAllRun prints every saved profile, the current one marked.
func statusAllRun(f *cmdutil.Factory) error {
	o, err := f.Output()
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	list := profileStatuses(cfg, f.ProfileName())
	if len(list) == 0 && !cmdutil.IsStructured(o) {
		f.Notef("No profiles saved: run `ladmin auth login --url URL` to save one.")
		return nil
	}
	return output.PrintList(f.IOStreams.Out, o, list, profileColumns())
}
