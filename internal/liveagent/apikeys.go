package liveagent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// APIKey is the published ApiKey object (spec/api.md). Key, the secret, is
// only ever set in the answer to POST /apikeys/_login: list and get never
// carry it, and nothing ladmin prints may show it.
type APIKey struct {
	ID          KeyID          `json:"id"`
	Key         string         `json:"key,omitempty"`
	Name        string         `json:"name"`
	Type        string         `json:"type"`   // A API, C chat, P phone, T ticket, W web
	UserID      string         `json:"userid"` // the agent the key belongs to
	Role        string         `json:"role"`   // that agent's role when the key was made
	ValidToDate string         `json:"valid_to_date"`
	Whitelist   string         `json:"whitelist"` // IPs or CIDRs, comma-separated; * any
	InstallID   string         `json:"installid"`
	Privileges  []APIPrivilege `json:"privileges,omitempty"` // only in the answer to _login
}

// API key type codes.
const (
	KeyTypeAPI    = "A"
	KeyTypeChat   = "C"
	KeyTypePhone  = "P"
	KeyTypeTicket = "T"
	KeyTypeWeb    = "W"
)

// WhitelistAny is the whitelist of a key usable from anywhere.
const WhitelistAny = "*"

// TimeLayout is the API's datetime format (no zone: the account's zone).
const TimeLayout = "2006-01-02 15:04:05"

// ErrAPIKeyExpired is the message a server answers a key past its
// valid_to_date with (401).
const ErrAPIKeyExpired = "API key expired"

// KeyID is an API key id. The wire carries a number; a string is accepted too,
// and an id that is all digits is written back as a number.
type KeyID string

// UnmarshalJSON accepts 12 or "12".
func (id *KeyID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*id = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = KeyID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("API key id %s is neither a number nor a string", b)
	}
	*id = KeyID(n.String())
	return nil
}

// MarshalJSON writes a numeric id as a number, anything else as a string.
func (id KeyID) MarshalJSON() ([]byte, error) {
	s := string(id)
	if s != "" && strings.Trim(s, "0123456789") == "" {
		return []byte(s), nil
	}
	return json.Marshal(s)
}

// MarshalYAML keeps YAML output in step with JSON (yaml.v3 calls it).
func (id KeyID) MarshalYAML() (any, error) {
	s := string(id)
	if s != "" && strings.Trim(s, "0123456789") == "" && len(s) < 19 {
		var n int64
		if _, err := fmt.Sscan(s, &n); err == nil {
			return n, nil
		}
	}
	return s, nil
}

func (id KeyID) String() string { return string(id) }

// NeverExpires reports whether the key has no valid_to_date.
func (k APIKey) NeverExpires() bool { return strings.TrimSpace(k.ValidToDate) == "" }

// ExpiresAt parses valid_to_date in loc (nil: UTC). ok is false when the key
// never expires; err is set when the date cannot be read.
func (k APIKey) ExpiresAt(loc *time.Location) (t time.Time, ok bool, err error) {
	if k.NeverExpires() {
		return time.Time{}, false, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	t, err = time.ParseInLocation(TimeLayout, strings.TrimSpace(k.ValidToDate), loc)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("API key %s has a valid_to_date %q that is not YYYY-MM-DD HH:MM:SS", k.ID, k.ValidToDate)
	}
	return t, true, nil
}

// Redacted returns the key without its secret: what any output may show.
func (k APIKey) Redacted() APIKey {
	k.Key = ""
	return k
}

// APIKeyLogin is the body of POST /apikeys/_login.
type APIKeyLogin struct {
	Login          string `json:"login"`
	Password       string `json:"password"`
	TwoFactorToken string `json:"two_factor_token,omitempty"`
	ValidToDate    string `json:"valid_to_date,omitempty"`
	Name           string `json:"name,omitempty"`
	Type           string `json:"type,omitempty"` // default A
	InstallID      string `json:"installid,omitempty"`
	Whitelist      string `json:"whitelist,omitempty"` // default *
}

// FormatTime writes t as the API's datetime, in loc (nil: UTC).
func FormatTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(TimeLayout)
}

// ListAPIKeys returns every API key matching opts. A caller without
// apikeys.read gets only its own keys from the server.
func (c *Client) ListAPIKeys(ctx context.Context, opts ListOptions) ([]APIKey, error) {
	return listAll[APIKey](ctx, c, PathAPIKeys, opts)
}

// ListAPIKeysOf returns the API keys of one agent (filter userid=).
func (c *Client) ListAPIKeysOf(ctx context.Context, userID string) ([]APIKey, error) {
	keys, err := c.ListAPIKeys(ctx, ListOptions{Filters: []Filter{{Field: "userid", Op: "=", Value: userID}}})
	if err != nil {
		return nil, err
	}
	// A server that ignores the filter must not make us act on others' keys.
	out := keys[:0]
	for _, k := range keys {
		if k.UserID == userID {
			out = append(out, k)
		}
	}
	return out, nil
}

// GetAPIKey returns one API key (without its secret).
func (c *Client) GetAPIKey(ctx context.Context, id string) (*APIKey, error) {
	var k APIKey
	return &k, c.do(ctx, call{method: http.MethodGet, path: PathAPIKey(id), result: &k})
}

// RevokeAPIKey deletes an API key: it stops working at once. A 404 after an
// earlier attempt whose answer was lost counts as done (as DeleteAgent).
func (c *Client) RevokeAPIKey(ctx context.Context, id string) error {
	err := c.do(ctx, call{method: http.MethodDelete, path: PathAPIKey(id), result: &struct{}{}})
	var e *Error
	if errors.As(err, &e) && e.Kind == KindNotFound && e.Attempts > 1 {
		return nil
	}
	return err
}

// LogoutAgent ends every session of an agent. Signing out twice is harmless,
// so the request is retried like an idempotent one.
func (c *Client) LogoutAgent(ctx context.Context, userID string) error {
	return c.do(ctx, call{method: http.MethodPost, path: PathAgentLogout(userID), body: struct{}{},
		result: &struct{}{}, retrySafe: true})
}

// LoginAPIKey makes a new API key from an agent's login. It is never retried
// after it may have reached the server (that could make two keys); the
// answer carries the secret in Key, once.
func (c *Client) LoginAPIKey(ctx context.Context, in APIKeyLogin) (*APIKey, error) {
	var k APIKey
	return &k, c.do(ctx, call{method: http.MethodPost, path: PathAPIKeyLogin, body: in, result: &k})
}

// IsExpiredKey reports whether err is the server refusing an expired key.
func IsExpiredKey(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusUnauthorized &&
		strings.Contains(strings.ToLower(e.Message), strings.ToLower(ErrAPIKeyExpired))
}
