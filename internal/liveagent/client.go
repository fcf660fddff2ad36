// Package liveagent is the client of the LiveAgent REST API v3 (spec/api.md)
// over go-resty: models, typed errors, paging, retries and rate limits.
package liveagent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/ladmin/ladmin/internal/text"
)

// Config says where and how to talk to an account.
type Config struct {
	// URL is the account URL, e.g. https://acme.ladesk.com; the client adds /api/v3.
	URL    string
	APIKey string
	// Timeout bounds each HTTP request (not the whole command). Default 30s.
	Timeout time.Duration
	// MaxRetries is how many times a retryable failure is retried. Default 4.
	MaxRetries int
	// Debug, when set, receives a trace of every request with the key redacted.
	Debug io.Writer
	// Limiter paces requests; nil means a limiter with no fixed rate that still
	// obeys the server's 429s and rate-limit hints.
	Limiter *Limiter
	// UserAgent is sent on every request.
	UserAgent string
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
	// BackoffBase is the first retry delay, doubled on each retry with jitter. Default 250ms.
	BackoffBase time.Duration
	// Recorder, when set, journals every write request (see recorder.go).
	Recorder Recorder
	// API overrides what is learned of the account's API: APIPublished or
	// APIExtended; "" or APIAuto learns it (see Client.API).
	API string
	// Capabilities remembers what was learned between runs; nil remembers
	// only for the life of the client.
	Capabilities CapabilityStore
	// Now is the clock of learned facts (tests); default time.Now.
	Now func() time.Time
}

// Client speaks the API. It is safe for concurrent use.
type Client struct {
	rc          *resty.Client
	base        string
	maxRetries  int
	limiter     *Limiter
	debug       io.Writer
	backoffBase time.Duration
	recorder    Recorder
	who         caller
	caps        capabilities
}

// New checks the configuration and builds a client. Plain HTTP is refused for
// any host but loopback, so a key never crosses a network in clear text.
func New(cfg Config) (*Client, error) {
	base, err := CheckURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 4
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = 250 * time.Millisecond
	}
	if cfg.Limiter == nil {
		cfg.Limiter = NewLimiter(0)
	}
	rc := resty.New().
		SetBaseURL(base+APIPrefix).
		SetTimeout(cfg.Timeout).
		SetHeader("Accept", "application/json").
		SetHeader("apikey", cfg.APIKey).
		SetLogger(discardLogger{}).
		SetRedirectPolicy(resty.RedirectPolicyFunc(checkRedirect)).
		// Retries are ours (do), with a per-method policy resty cannot express.
		SetRetryCount(0)
	if cfg.UserAgent != "" {
		rc.SetHeader("User-Agent", cfg.UserAgent)
	}
	if cfg.Transport == nil {
		cfg.Transport = NewTransport(maxConcurrentPages)
	}
	rc.SetTransport(cfg.Transport)
	switch cfg.API {
	case "", APIAuto:
		cfg.API = ""
	case APIPublished, APIExtended:
	default:
		return nil, NewError(KindInvalid, "unknown API %q: use auto, published or extended", cfg.API)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{rc: rc, base: base, maxRetries: cfg.MaxRetries, limiter: cfg.Limiter,
		debug: cfg.Debug, backoffBase: cfg.BackoffBase, recorder: cfg.Recorder,
		caps: capabilities{override: cfg.API, store: cfg.Capabilities, now: cfg.Now}}, nil
}

// NewTransport is the HTTP transport a client uses unless given one. It keeps
// enough idle connections for conns concurrent requests to one account
// (resty's default keeps GOMAXPROCS+1), so page windows and import workers
// reuse connections instead of dialling anew for every request.
func NewTransport(conns int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(conns, 2) + 2
	t.MaxIdleConns = max(t.MaxIdleConns, t.MaxIdleConnsPerHost)
	return t
}

// CheckURL validates an account URL and returns it without a trailing slash
// or /api/v3 suffix.
func CheckURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", NewError(KindInvalid, "no account URL: pass --url, set LADMIN_URL, or run `ladmin auth login`")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", NewError(KindInvalid, "account URL %q is not a valid http(s) URL, e.g. https://acme.ladesk.com", RedactURL(raw))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", NewError(KindInvalid, "refusing plain HTTP to %s: the API key would travel unencrypted; use https://", u.Host)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), APIPrefix)
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimSuffix(u.String(), "/"), nil
}

// redirectError is a redirect the client refused to follow.
type redirectError struct{ from, to *url.URL }

func (e *redirectError) Error() string {
	return fmt.Sprintf("refusing to follow a redirect from %s to %s: the API key is sent only to the account's own host over HTTPS; pass the final URL with --url",
		e.from.Redacted(), e.to.Redacted())
}

// checkRedirect keeps the apikey header from following a redirect anywhere
// the first request could not have gone: Go's HTTP client re-sends custom
// headers on redirects, even to another host or over plain HTTP.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if len(via) >= 5 {
		return &redirectError{from: first, to: req.URL}
	}
	sameHost := strings.EqualFold(req.URL.Host, first.Host)
	plain := req.URL.Scheme == "http" && !isLoopback(req.URL.Hostname())
	if !sameHost || plain {
		return &redirectError{from: first, to: req.URL}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL is the account URL the client talks to, as it may be shown: a
// password in it is redacted (RedactURL).
func (c *Client) BaseURL() string { return RedactURL(c.base) }

// call describes one API request.
type call struct {
	method string
	path   string
	query  url.Values
	body   any
	result any
	// header receives the response headers of the successful attempt.
	header *http.Header
	// retrySafe marks a POST that may be repeated without harm (signing out),
	// so it is retried like an idempotent method and is never Uncertain.
	retrySafe bool
}

func (cl call) idempotent() bool { return cl.retrySafe || idempotent(cl.method) }

func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodPut || method == http.MethodDelete || method == http.MethodHead
}

// do sends a request, retrying what is safe to retry: 429 always (the server
// did not act on it), 5xx and network errors only for idempotent methods. A
// POST that fails after it may have reached the server is returned as an
// Uncertain error for the caller to resolve (look the object up, then decide).
func (c *Client) do(ctx context.Context, cl call) error {
	return c.recorded(ctx, cl, func() error { return c.send(ctx, cl) })
}

// send is do without the journal.
func (c *Client) send(ctx context.Context, cl call) error {
	var lastErr *Error
	for attempt := 1; ; attempt++ {
		if err := c.limiter.Wait(ctx); err != nil {
			return err
		}
		start := time.Now()
		req := c.rc.R().SetContext(ctx).SetDoNotParseResponse(true)
		if cl.query != nil {
			req.SetQueryParamsFromValues(cl.query)
		}
		if cl.body != nil {
			req.SetHeader("Content-Type", "application/json").SetBody(cl.body)
		}
		resp, err := req.Execute(cl.method, cl.path)
		if ctx.Err() != nil {
			closeBody(resp)
			c.limiter.Observe(0, nil) // no answer, but nothing is held for one
			return ctx.Err()
		}
		var status int
		var body []byte
		var header http.Header
		if err == nil {
			status = resp.StatusCode()
			header = resp.Header()
			body, err = readBody(resp)
		}
		c.trace(cl, status, header, body, err, time.Since(start))
		c.limiter.Observe(status, header)

		if err == nil && status >= 200 && status < 300 {
			if cl.header != nil {
				*cl.header = header
			}
			if cl.result != nil && len(body) > 0 {
				if jerr := json.Unmarshal(body, cl.result); jerr != nil {
					return &Error{Kind: KindUnavailable, Status: status, Method: cl.method, Path: cl.path, Attempts: attempt,
						Message: fmt.Sprintf("the server sent a response that is not the expected JSON (%s %s)", cl.method, cl.path), Err: jerr}
				}
			}
			return nil
		}

		lastErr = c.toError(cl, status, body, err, attempt)
		retry, wait := c.retryable(cl.idempotent(), status, header, err, attempt)
		if !retry || attempt > c.maxRetries {
			return lastErr
		}
		if status == http.StatusTooManyRequests {
			// Every worker sharing the limiter pauses, not only this one.
			c.limiter.PauseFor(wait)
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func (c *Client) toError(cl call, status int, body []byte, err error, attempt int) *Error {
	e := &Error{Status: status, Method: cl.method, Path: cl.path, Attempts: attempt}
	var redirect *redirectError
	if errors.As(err, &redirect) {
		e.Kind, e.Err, e.Message = KindInvalid, err, redirect.Error()
		return e
	}
	if err != nil {
		e.Kind = KindUnavailable
		e.Err = err
		e.Message = networkMessage(RedactURL(c.base), err)
		e.Uncertain = !cl.idempotent()
		return e
	}
	e.Kind = kindForStatus(status)
	var er ErrorResponse
	if json.Unmarshal(body, &er) == nil && er.Message != "" {
		e.Message = er.Message
	} else {
		e.Message = fmt.Sprintf("the server answered %d %s to %s %s", status, http.StatusText(status), cl.method, cl.path)
	}
	if status >= 500 {
		e.Uncertain = !cl.idempotent()
		e.Message = fmt.Sprintf("the server failed (%d): %s", status, strings.TrimSuffix(e.Message, "."))
	}
	return e
}

func networkMessage(base string, err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("the request to %s timed out; raise --timeout or try again", base)
	case strings.Contains(err.Error(), "connection refused"):
		return fmt.Sprintf("cannot connect to %s: connection refused", base)
	case strings.Contains(err.Error(), "no such host"):
		return fmt.Sprintf("cannot resolve the host of %s", base)
	}
	return fmt.Sprintf("the connection to %s failed: %s", base, RedactURL(errorTail(err)))
}

// errorTail keeps the last, most specific part of a wrapped network error.
func errorTail(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// retryable decides whether to try again and how long to wait first.
func (c *Client) retryable(idempotent bool, status int, header http.Header, err error, attempt int) (bool, time.Duration) {
	wait := c.backoff(attempt)
	if d, ok := retryAfter(header); ok && err == nil {
		wait = d // 429 and 503 may say when to come back
	}
	var redirect *redirectError
	switch {
	case errors.As(err, &redirect):
		return false, 0
	case status == http.StatusTooManyRequests:
		return true, wait
	case err != nil, status >= 500:
		return idempotent, wait
	}
	return false, 0
}

// backoff is exponential with full jitter, capped at 10s.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.backoffBase << (attempt - 1)
	if d > 10*time.Second || d <= 0 {
		d = 10 * time.Second
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter parses Retry-After as seconds or an HTTP date.
func retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func readBody(resp *resty.Response) ([]byte, error) {
	rb := resp.RawBody()
	if rb == nil {
		return nil, nil
	}
	defer rb.Close()
	return io.ReadAll(io.LimitReader(rb, 64<<20))
}

func closeBody(resp *resty.Response) {
	if resp != nil && resp.RawBody() != nil {
		resp.RawBody().Close()
	}
}

// trace writes one request and its answer to the debug writer. The apikey
// header is never written: only the fact that one was sent.
func (c *Client) trace(cl call, status int, header http.Header, body []byte, err error, took time.Duration) {
	if c.debug == nil {
		return
	}
	u := RedactURL(c.base) + APIPrefix + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n> apikey: [REDACTED]\n", cl.method, u)
	if cl.body != nil {
		if j, jerr := json.Marshal(cl.body); jerr == nil {
			fmt.Fprintf(&b, "> %s\n", text.Safe(truncate(redactSecrets(j), 2000)))
		}
	}
	if err != nil {
		fmt.Fprintf(&b, "< error after %s: %s\n", took.Round(time.Millisecond), RedactURL(err.Error()))
	} else {
		fmt.Fprintf(&b, "< %d %s (%s)\n", status, http.StatusText(status), took.Round(time.Millisecond))
		for _, k := range []string{"Retry-After", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Total-Count"} {
			if v := header.Get(k); v != "" {
				fmt.Fprintf(&b, "< %s: %s\n", k, v)
			}
		}
		if len(body) > 0 {
			// The body is the account's data: shown through text.Safe like
			// every other human-readable output.
			fmt.Fprintf(&b, "< %s\n", text.Safe(truncate(strings.TrimSpace(redactSecrets(body)), 2000)))
		}
	}
	io.WriteString(c.debug, b.String())
}

// secretFields are the JSON fields a trace never shows: an API key's secret
// (the answer to POST /apikeys/_login) and the login's password and code.
var secretFields = map[string]bool{"key": true, "password": true, "two_factor_token": true, "apikey": true}

// redactSecrets returns a JSON body with the values of secretFields replaced,
// at any depth. A body that is not JSON is shown only by its size when it
// mentions a secret field, since it cannot be redacted field by field.
func redactSecrets(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		for f := range secretFields {
			if strings.Contains(string(body), `"`+f+`"`) {
				return fmt.Sprintf("[%d bytes, not shown: not JSON and may hold a secret]", len(body))
			}
		}
		return string(body)
	}
	if !redactValue(v) {
		return string(body)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return "[not shown]"
	}
	return string(out)
}

func redactValue(v any) (changed bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if secretFields[strings.ToLower(k)] {
				if s, ok := x.(string); !ok || s != "" {
					t[k] = "[REDACTED]"
					changed = true
				}
				continue
			}
			changed = redactValue(x) || changed
		}
	case []any:
		for _, x := range t {
			changed = redactValue(x) || changed
		}
	}
	return changed
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("... (%d more bytes)", len(s)-n)
}

// discardLogger keeps resty from writing WARN lines to stderr on its own.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}
