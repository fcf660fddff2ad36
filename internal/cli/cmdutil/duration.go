package cmdutil

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ladmin/ladmin/internal/text"
)

// ParseDuration reads a duration as people write them for keys and reviews:
// days and weeks (90d, 2w) as well as Go durations (36h, 90m, 2s). It must
// be positive; flag names the flag in the error.
func ParseDuration(flag, raw string) (time.Duration, error) {
	s := strings.TrimSpace(raw)
	var d time.Duration
	var err error
	switch {
	case strings.HasSuffix(s, "d") || strings.HasSuffix(s, "w"):
		unit := 24 * time.Hour
		if strings.HasSuffix(s, "w") {
			unit *= 7
		}
		var n int
		n, err = strconv.Atoi(s[:len(s)-1])
		d = time.Duration(n) * unit
		if n > 100*366 {
			err = fmt.Errorf("too long")
		}
	default:
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, Usagef("invalid %s %q: use a positive duration such as 90d, 2w, 12h or 30m", flag, raw)
	}
	return d, nil
}

// Until says how far t is from now, for people: "in 12 days", "in 5 hours",
// "in 3 minutes", or "expired" once it has passed.
func Until(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return "expired"
	case d < time.Minute:
		return "in " + text.Count(int(d/time.Second), "second", "seconds")
	case d < time.Hour:
		return "in " + text.Count(int(d/time.Minute), "minute", "minutes")
	case d < 48*time.Hour:
		return "in " + text.Count(int(d/time.Hour), "hour", "hours")
	}
	// Days are rounded: a key made for 10 days reads "in 10 days", not 9.
	return "in " + text.Count(int((d+12*time.Hour)/(24*time.Hour)), "day", "days")
}
