package cmdutil

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for raw, want := range map[string]time.Duration{
		"90d": 90 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "12h": 12 * time.Hour, "2s": 2 * time.Second, " 1d ": 24 * time.Hour,
	} {
		if got, err := ParseDuration("--expires", raw); err != nil || got != want {
			t.Errorf("%q: %v %v", raw, got, err)
		}
	}
	for _, raw := range []string{"", "0", "0d", "-1d", "d", "1.5d", "ninety days", "99999999d"} {
		if _, err := ParseDuration("--expires", raw); err == nil {
			t.Errorf("%q accepted", raw)
		} else if want := `invalid --expires "` + raw + `"`; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
			t.Errorf("%q: %v", raw, err)
		}
	}
}

func TestUntil(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		-time.Hour: "expired", 0: "expired", 30 * time.Second: "in 30 seconds", 90 * time.Second: "in 1 minute",
		5 * time.Hour: "in 5 hours", 47 * time.Hour: "in 47 hours", 12*24*time.Hour + time.Hour: "in 12 days",
	} {
		if got := Until(now.Add(d), now); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
