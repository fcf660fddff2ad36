package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func testFile() *File {
	f := &File{CurrentProfile: "prod"}
	f.SetProfile("prod", &Profile{URL: "https://acme.ladesk.com", APIKey: "k-SECRET", Output: "json", Timeout: "30s"})
	return f
}

func TestGet(t *testing.T) {
	tests := []struct {
		profile, key, want, wantErr string
	}{
		{profile: "prod", key: "url", want: "https://acme.ladesk.com"},
		{profile: "prod", key: "output", want: "json"},
		{profile: "prod", key: "timeout", want: "30s"},
		{profile: "prod", key: "api_key_file", want: ""},
		{profile: "", key: "current_profile", want: "prod"},
		{profile: "prod", key: "api_key", wantErr: "ladmin auth login"},
		{profile: "prod", key: "colour", wantErr: `unknown config key "colour"; valid keys are current_profile, url, api_key_file, output, timeout`},
		{profile: "dev", key: "url", wantErr: `profile "dev" not found; profiles are prod`},
		{profile: "", key: "url", wantErr: "no profile selected"},
	}
	for _, tt := range tests {
		t.Run(tt.profile+"/"+tt.key, func(t *testing.T) {
			got, err := testFile().Get(tt.profile, tt.key)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "k-SECRET") || got != "" {
					t.Errorf("the key leaked: %q, %v", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Get() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestSet(t *testing.T) {
	abs, _ := filepath.Abs("key.txt")
	tests := []struct {
		name, profile, key, value string
		want                      string // the value Get returns afterwards
		wantErr                   string
	}{
		{name: "https url", profile: "prod", key: "url", value: "https://other.ladesk.com/", want: "https://other.ladesk.com"},
		{name: "loopback http url", profile: "prod", key: "url", value: "http://127.0.0.1:8085", want: "http://127.0.0.1:8085"},
		{name: "new profile", profile: "dev", key: "url", value: "https://dev.ladesk.com", want: "https://dev.ladesk.com"},
		{name: "output", profile: "prod", key: "output", value: "yaml", want: "yaml"},
		{name: "unset output", profile: "prod", key: "output", value: "", want: ""},
		{name: "timeout", profile: "prod", key: "timeout", value: "2m", want: "2m"},
		{name: "key file made absolute", profile: "prod", key: "api_key_file", value: "key.txt", want: abs},
		{name: "current profile", profile: "", key: "current_profile", value: "prod", want: "prod"},

		{name: "url without scheme", profile: "prod", key: "url", value: "acme.ladesk.com", wantErr: `invalid url "acme.ladesk.com"`},
		{name: "url ftp", profile: "prod", key: "url", value: "ftp://acme.ladesk.com", wantErr: "http or https"},
		{name: "url no host", profile: "prod", key: "url", value: "https://", wantErr: "invalid url"},
		{name: "url empty", profile: "prod", key: "url", value: "", wantErr: "url cannot be empty"},
		{name: "output is lowercase", profile: "prod", key: "output", value: "JSON", wantErr: `invalid output "JSON"`},
		{name: "bad output", profile: "prod", key: "output", value: "xml", wantErr: `invalid output "xml"; valid formats are table, wide, json, yaml, csv`},
		{name: "bad timeout", profile: "prod", key: "timeout", value: "30", wantErr: `invalid timeout "30"`},
		{name: "negative timeout", profile: "prod", key: "timeout", value: "-5s", wantErr: "positive duration"},
		{name: "api key", profile: "prod", key: "api_key", value: "k-NEW", wantErr: "use `ladmin auth login`"},
		{name: "unknown key", profile: "prod", key: "proxy", value: "x", wantErr: "valid keys are current_profile, url, api_key_file, output, timeout"},
		{name: "unknown current profile", profile: "", key: "current_profile", value: "nope", wantErr: `profile "nope" not found`},
		{name: "no profile", profile: "", key: "url", value: "https://a.example", wantErr: "no profile selected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFile()
			before := f.List("prod")
			err := f.Set(tt.profile, tt.key, tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if after := f.List("prod"); !equalPairs(before, after) {
					t.Errorf("a failed Set changed the file: %v -> %v", before, after)
				}
				if p, _ := f.Profile("prod"); p.APIKey != "k-SECRET" {
					t.Errorf("api_key changed to %q", p.APIKey)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, err := f.Get(tt.profile, tt.key); err != nil || got != tt.want {
				t.Errorf("Get() after Set = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestListNeverShowsTheKey(t *testing.T) {
	f := testFile()
	f.SetProfile("keyless", &Profile{URL: "https://b.example", APIKeyFile: "/k"})
	tests := []struct {
		profile string
		want    [][2]string
	}{
		{"prod", [][2]string{
			{"current_profile", "prod"}, {"url", "https://acme.ladesk.com"}, {"api_key", "(set)"},
			{"api_key_file", ""}, {"output", "json"}, {"timeout", "30s"}, {"api", ""},
		}},
		{"keyless", [][2]string{
			{"current_profile", "prod"}, {"url", "https://b.example"}, {"api_key", ""},
			{"api_key_file", "/k"}, {"output", ""}, {"timeout", ""}, {"api", ""},
		}},
	}
	for _, tt := range tests {
		got := f.List(tt.profile)
		if !equalPairs(got, tt.want) {
			t.Errorf("List(%q) = %v, want %v", tt.profile, got, tt.want)
		}
		for _, kv := range got {
			if strings.Contains(kv[1], "SECRET") {
				t.Errorf("List(%q) shows the API key: %v", tt.profile, kv)
			}
		}
	}
}

func equalPairs(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
