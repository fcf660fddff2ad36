package apikey

import (
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

func TestViewAndFilters(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	active := liveagent.Agent{ID: "a1", Email: "ana@acme.com", Status: "A"}
	gone := liveagent.Agent{ID: "b2", Email: "bo@acme.com", Status: "X"}
	keys := map[string]View{
		"never":   viewOf(liveagent.APIKey{ID: "1", UserID: "a1"}, active, true),
		"soon":    viewOf(liveagent.APIKey{ID: "2", UserID: "a1", ValidToDate: "2026-06-05 12:00:00"}, active, true),
		"later":   viewOf(liveagent.APIKey{ID: "3", UserID: "a1", ValidToDate: "2026-09-01 00:00:00"}, active, true),
		"expired": viewOf(liveagent.APIKey{ID: "4", UserID: "b2", ValidToDate: "2026-01-01 00:00:00"}, gone, true),
		"unknown": viewOf(liveagent.APIKey{ID: "5", UserID: "zz"}, liveagent.Agent{}, false),
	}
	for name, tt := range map[string]struct{ agent, expires string }{
		"never":   {"ana@acme.com", "never"},
		"soon":    {"ana@acme.com", "in 4 days"},
		"later":   {"ana@acme.com", "in 92 days"},
		"expired": {"b2 (deleted)", "expired"},
		"unknown": {"zz (unknown)", "never"},
	} {
		v := keys[name]
		if v.agentText() != tt.agent || v.expiresText(now) != tt.expires {
			t.Errorf("%s: agent %q expires %q", name, v.agentText(), v.expiresText(now))
		}
	}
	for _, tt := range []struct {
		opts ListOptions
		want []string
	}{
		{ListOptions{}, []string{"never", "soon", "later", "expired", "unknown"}},
		{ListOptions{Orphaned: true}, []string{"expired", "unknown"}},
		{ListOptions{NoExpiry: true}, []string{"never", "unknown"}},
		{ListOptions{Expiring: 14 * 24 * time.Hour}, []string{"soon", "expired"}},
		{ListOptions{Expiring: 14 * 24 * time.Hour, Orphaned: true}, []string{"expired"}},
	} {
		var got []string
		for _, name := range []string{"never", "soon", "later", "expired", "unknown"} {
			if keep(keys[name], &tt.opts, now) {
				got = append(got, name)
			}
		}
		if len(got) != len(tt.want) {
			t.Errorf("%+v: kept %v, want %v", tt.opts, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%+v: kept %v, want %v", tt.opts, got, tt.want)
				break
			}
		}
	}
}

func TestValidID(t *testing.T) {
	for _, id := range []string{"1", "42"} {
		if err := validID(id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	for _, id := range []string{"", "abc", "1 2", "-1", "../1"} {
		if validID(id) == nil {
			t.Errorf("%q accepted", id)
		}
	}
}
