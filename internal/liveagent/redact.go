package liveagent

import (
	"net/url"
	"regexp"
	"sync"
)

// Redacted is what RedactURL shows in place of a URL's password (or of its
// user name when it has no password: a user name alone is often a token).
const Redacted = "xxxxx"

// userinfo matches the userinfo of something that looks like a URL, for text
// url.Parse refuses.
var userinfo = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://)([^/?#@"'\n]*)@`) }) // compiled on first use, not at start-up

// RedactURL returns raw with the password of its userinfo replaced by xxxxx
// (https://user:xxxxx@host), or a user name without a password replaced
// (https://xxxxx@host). It is the one place ladmin hides credentials in
// URLs: --debug traces, connection errors, auth status, config list and
// every message that shows the account URL go through it. Text that does
// not parse as a URL is redacted by pattern.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return userinfo().ReplaceAllStringFunc(raw, func(m string) string {
			sub := userinfo().FindStringSubmatch(m)
			return sub[1] + redactUserinfo(sub[2]) + "@"
		})
	}
	if u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), Redacted)
	} else {
		u.User = url.User(Redacted)
	}
	return u.String()
}

func redactUserinfo(info string) string {
	for i := 0; i < len(info); i++ {
		if info[i] == ':' {
			return info[:i] + ":" + Redacted
		}
	}
	return Redacted
}
