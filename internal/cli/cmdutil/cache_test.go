package cmdutil

import (
	"path/filepath"
	"testing"
)

// The account cache follows the factory's environment: a factory that shows
// none (the demo, tests) remembers nothing on disk.
func TestCachePathFollowsTheEnvironment(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, ""},
		{map[string]string{"HOME": "/home/ana"}, filepath.Join("/home/ana", ".cache", "ladmin", "accounts.json")},
		{map[string]string{"HOME": "/home/ana", "XDG_CACHE_HOME": "/var/cache/ci"}, filepath.Join("/var/cache/ci", "ladmin", "accounts.json")},
		{map[string]string{"HOME": "/home/ana", "XDG_CACHE_HOME": "relative"}, filepath.Join("/home/ana", ".cache", "ladmin", "accounts.json")},
		{map[string]string{"HOME": "relative"}, ""},
	}
	for _, tt := range tests {
		f := &Factory{Getenv: func(k string) string { return tt.env[k] }}
		if got := f.cachePath(); got != tt.want {
			t.Errorf("env %v: cache %q, want %q", tt.env, got, tt.want)
		}
	}
	f := &Factory{CachePath: "/tmp/x.json", Getenv: func(string) string { return "" }}
	if got := f.cachePath(); got != "/tmp/x.json" {
		t.Errorf("CachePath ignored: %q", got)
	}
}
