package liveagent

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies a failure so the CLI can map it to one exit code.
type Kind int

const (
	KindUnknown     Kind = iota
	KindInvalid          // 400, 413, 422: the request itself is wrong
	KindAuth             // 401: no key, unknown key
	KindForbidden        // 403: a rule of spec/rbac.md says no
	KindNotFound         // 404
	KindConflict         // 409: already exists, role in use
	KindUnavailable      // 5xx, 429, timeouts and network errors, after retries
	KindUnsupported      // the account's API lacks an extension of spec/api.md (exit 8)
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindAuth:
		return "auth"
	case KindForbidden:
		return "forbidden"
	case KindNotFound:
		return "not found"
	case KindConflict:
		return "conflict"
	case KindUnavailable:
		return "unavailable"
	case KindUnsupported:
		return "unsupported"
	}
	return "unknown"
}

// Error is a failed API call: its kind, the HTTP status (0 when no answer came)
// and the server's one-sentence message.
type Error struct {
	Kind    Kind
	Status  int
	Message string
	Method  string
	Path    string
	// Attempts is how many times the request was sent.
	Attempts int
	// Uncertain is true when a mutating request may or may not have been
	// applied (the connection dropped or a 5xx came back after sending it).
	Uncertain bool
	Err       error
}

func (e *Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err, KindUnknown when it is not an API error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindUnknown
}

// IsUncertain reports whether err leaves it unknown if a mutation was applied.
func IsUncertain(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Uncertain
}

func kindForStatus(status int) Kind {
	switch {
	case status == http.StatusUnauthorized:
		return KindAuth
	case status == http.StatusForbidden:
		return KindForbidden
	case status == http.StatusNotFound:
		return KindNotFound
	case status == http.StatusConflict:
		return KindConflict
	case status == http.StatusTooManyRequests, status >= 500:
		return KindUnavailable
	case status >= 400:
		return KindInvalid
	}
	return KindUnknown
}

// NewError builds an API error; the client uses it, and so can callers that
// check something locally before sending (a not-found lookup by email, say).
func NewError(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}
