package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// TestInFilterBound: a huge `in` list is a 400 that says the limit, never a
// 500 from SQLite's limit on placeholders.
func TestInFilterBound(t *testing.T) {
	ts := newTestServer(t, Options{})
	values := func(n int) []string {
		vs := make([]string, n)
		for i := range vs {
			vs[i] = strconv.Itoa(i)
		}
		return vs
	}
	filter := func(n int) string {
		b, _ := json.Marshal([][3]any{{"email", "in", values(n)}})
		return string(b)
	}
	r := ts.do(OwnerKey, "GET", liveagent.PathAgents+query(liveagent.QueryFilters, filter(40000)), nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.message(), "has 40000 values; at most 1000 are allowed") {
		t.Errorf("40,000 in values: %v, want 400 naming the limit", r)
	}
	obj, _ := json.Marshal(map[string][]string{"email": values(1001)})
	if r := ts.do(OwnerKey, "GET", liveagent.PathAgents+query(liveagent.QueryFilters, string(obj)), nil); r.status != http.StatusBadRequest {
		t.Errorf("1001 in values as an object: %v, want 400", r)
	}
	ts.must(http.StatusOK, OwnerKey, "GET", liveagent.PathAgents+query(liveagent.QueryFilters, filter(1000)), nil)

	// Many conditions, each within the bound, cannot add up past SQLite's limit either.
	var many [][3]any
	for range 40 {
		many = append(many, [3]any{"email", "in", values(100)})
	}
	b, _ := json.Marshal(many)
	if r := ts.do(OwnerKey, "GET", liveagent.PathAgents+query(liveagent.QueryFilters, string(b)), nil); r.status != http.StatusBadRequest ||
		!strings.Contains(r.message(), "40 conditions; at most 20") {
		t.Errorf("40 conditions: %v, want 400", r)
	}
}

// TestInvalidUTF8Refused: JSON with bytes that are not UTF-8 is a 400;
// nothing is stored with U+FFFD in their place.
func TestInvalidUTF8Refused(t *testing.T) {
	ts := newTestServer(t, Options{})
	before := len(ts.allAgents())
	for _, body := range []string{
		"{\"name\":\"Ana\",\"email\":\"an\xe9@example.com\",\"role\":\"agent\"}",
		"{\"name\":\"An\xffa\",\"email\":\"ana@example.com\",\"role\":\"agent\"}",
		"{\"name\":\"Ana\",\"email\":\"ana@example.com\",\"role\":\"agent\",\"x\":\"\xc3\"}",
	} {
		r := ts.do(OwnerKey, "POST", liveagent.PathAgents, body)
		if r.status != http.StatusBadRequest || !strings.Contains(r.message(), "not valid UTF-8") {
			t.Errorf("POST %q: %v, want 400 not valid UTF-8", body, r)
		}
	}
	if after := ts.allAgents(); len(after) != before {
		t.Errorf("%d agents stored from invalid UTF-8", len(after)-before)
	}
	if r := ts.do(OwnerKey, "GET", liveagent.PathAgents+query(liveagent.QueryFilters, "{\"email\":\"\xe9\"}"), nil); r.status != http.StatusBadRequest {
		t.Errorf("_filters with invalid UTF-8: %v, want 400", r)
	}
	// Real UTF-8 is kept exactly, of course.
	a, _ := ts.createAgent("", liveagent.AgentCreate{Name: "Łukasz Żółć", Email: "lukasz@example.com", Role: "agent"})
	if a.Name != "Łukasz Żółć" {
		t.Errorf("name = %q", a.Name)
	}
}

// serve runs the sandbox on a real listener (Serve, not httptest) and
// returns its address and what it printed on stdout and as warnings.
func serve(t *testing.T, addr string) (hostport, stdout string, warnings *strings.Builder) {
	t.Helper()
	warnings = &strings.Builder{}
	srv, err := New(Options{DB: ":memory:", Warnings: warnings})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, addr, pw) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		pw.Close()
	})
	m := regexp.MustCompile(`^sandbox listening on http://(\S+)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("listening line %q", line)
	}
	return m[1], line, warnings
}

func TestListenLineAndNetworkWarning(t *testing.T) {
	hostport, line, warnings := serve(t, "127.0.0.1:0")
	if !strings.HasPrefix(line, "sandbox listening on http://127.0.0.1:") || warnings.Len() != 0 {
		t.Errorf("loopback: line %q, warnings %q", line, warnings)
	}
	_ = hostport

	hostport, line, warnings = serve(t, "0.0.0.0:0")
	_, port, _ := net.SplitHostPort(hostport)
	if want := "sandbox listening on http://0.0.0.0:" + port + "\n"; line != want {
		t.Errorf("line = %q, want the real address %q", line, want)
	}
	w := warnings.String()
	for _, s := range []string{"warning: the sandbox listens on every network interface (0.0.0.0:" + port + ")",
		OwnerKey, "are open to anyone who can reach this port", "--addr 127.0.0.1:" + port, "http://127.0.0.1:" + port} {
		if !strings.Contains(w, s) {
			t.Errorf("warning %q does not say %q", w, s)
		}
	}
}

// TestConnectionTimeouts: a client that sends its body slowly, or holds an
// idle keep-alive connection, is cut off instead of holding the server.
func TestConnectionTimeouts(t *testing.T) {
	saved := timeouts
	timeouts.ReadHeader, timeouts.Read, timeouts.Write, timeouts.Idle = 300*time.Millisecond, 500*time.Millisecond, 2*time.Second, 500*time.Millisecond
	t.Cleanup(func() { timeouts = saved })
	hostport, _, _ := serve(t, "127.0.0.1:0")

	// closed reports whether the server closed conn (reading gets EOF or a
	// reset, after any response) within a bound far above the timeouts.
	closed := func(conn net.Conn) bool {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := io.Copy(io.Discard, conn)
		var ne net.Error
		return !(errors.As(err, &ne) && ne.Timeout())
	}
	dial := func() net.Conn {
		conn, err := net.Dial("tcp", hostport)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}

	var wg sync.WaitGroup
	for _, tc := range []struct{ name, send string }{
		{"slow headers", "GET /api/v3/agents HTTP/1.1\r\nHost: x\r\n"},
		{"slow body", "POST /api/v3/agents HTTP/1.1\r\nHost: x\r\napikey: " + OwnerKey + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":"},
		{"idle keep-alive", "GET /api/v3/agents/_me HTTP/1.1\r\nHost: x\r\napikey: " + OwnerKey + "\r\n\r\n"},
	} {
		conn := dial()
		if _, err := io.WriteString(conn, tc.send); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !closed(conn) {
				t.Errorf("%s: the connection is still open", tc.name)
			}
		}()
	}
	wg.Wait()
}
