package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// FuzzAPI sends arbitrary requests (method, path, query string, body, key)
// to the sandbox's whole handler: it must never panic, never answer 500
// (fault injection is off, so a 500 is a bug: a request the sandbox should
// have refused with a 4xx), and every error must be a JSON ErrorResponse
// with a message. The seeds run with every `go test`; to search further:
//
//	go test ./internal/sandbox -run '^$' -fuzz FuzzAPI -fuzztime 60s
func FuzzAPI(f *testing.F) {
	seeds := []struct {
		method uint8
		path   string
		query  string
		body   string
		key    uint8
	}{
		{0, liveagent.PathAgents, "", "", 0},
		{0, liveagent.PathAgents, "_filters=" + url.QueryEscape(`[["email","in",["a@example.com","owner@example.com"]]]`), "", 0},
		{0, liveagent.PathAgents, "_filters=" + url.QueryEscape(`{"email":["a@example.com"],"status":"A"}`), "", 1},
		{0, liveagent.PathAgents, "_filters=" + url.QueryEscape(`[["name","like","%a_\\%"]]`), "", 0},
		{0, liveagent.PathAgents, "_filters=" + url.QueryEscape(`[["email","in",[]]]`), "", 0},
		{0, liveagent.PathAgents, "_filters=" + url.QueryEscape(`[["email","~",1]]`), "", 0},
		{0, liveagent.PathAgents, "_filters=%FF%FE", "", 0},
		{0, liveagent.PathAgents, "_page=2&_perPage=1&_sortField=name&_sortDir=DESC", "", 0},
		{0, liveagent.PathAgents, "_page=-1&_perPage=99999999999999999999&_sortField=%00", "", 0},
		{0, liveagent.PathAgents, "_from=0&_to=5", "", 0},
		{0, liveagent.PathAgentMe, "", "", 2},
		{0, "/agents/x%2F..%2F", "", "", 0},
		{0, "/agents/" + strings.Repeat("9", 400), "", "", 0},
		{1, liveagent.PathAgents, "", `{"name":"Ana","email":"ana@example.com","role":"agent"}`, 0},
		{1, liveagent.PathAgents, "", `{"name":"Ana","email":"ana@example.com","role":"owner","departments":["d1","x"]}`, 1},
		{1, liveagent.PathAgents, "", "{\"name\":\"A\u202e\",\"email\":\"a\u200b@example.com\"}", 0},
		{1, liveagent.PathAgents, "", "{\"name\":\"\xff\",\"email\":\"x@example.com\"}", 0},
		{1, liveagent.PathAgents, "", `{"name":1e999,"email":[]}`, 0},
		{1, liveagent.PathAgents, "", `[]`, 0},
		{1, liveagent.PathAgents, "", `{"name":"x","email":"x@example.com","role_id":"nope","gender":"Q"}`, 0},
		{2, "/agents/1", "", `{"role":"admin","departments":[]}`, 0},
		{2, "/agents/1", "", `{"name":null,"role_id":""}`, 1},
		{3, "/agents/2", "", "", 0},
		{3, "/roles/1", "reassign_to=2", "", 0},
		{1, liveagent.PathAgentUndelete, "", `{"id":"2"}`, 0},
		{1, liveagent.PathRoles, "", `{"name":"temps","base":"agent","permissions":["agents.read","nope"]}`, 0},
		{2, "/roles/custom", "", `{"name":"","permissions":null}`, 0},
		{0, liveagent.PathRoles, "", "", 3},
		{0, liveagent.PathPermissions, "", "", 4},
		{0, liveagent.PathDepartments + "/%00", "", "", 0},
		{0, liveagent.PathAPIPrivileges, "", "", 2},
		{4, liveagent.PathAgents, "", "", 0},
		{0, liveagent.PathAPIKeys, "_filters=" + url.QueryEscape(`[["userid","=","x"]]`), "", 0},
		{1, liveagent.PathAPIKeyLogin, "", `{"login":"owner@example.com","password":"x","name":"k","type":"A","valid_to_date":"2030-01-01 00:00:00"}`, 3},
		{1, liveagent.PathAPIKeyLogin, "", `{"login":"owner@example.com","password":"","twofactor_token":"000000","valid_to_date":"not a date"}`, 3},
		{3, "/apikeys/1", "", "", 1},
		{0, "/apikeys/%FF", "", "", 0},
		{1, "/agents/1/_logout", "", "", 1},
		{0, "/../../etc/passwd", "", "", 0},
		{0, OutboxPath, "", "", 3},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, []byte(s.body), s.key)
	}

	srv, err := New(Options{DB: ":memory:"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	handler := srv.Handler()
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH"}
	keys := []string{OwnerKey, AdminKey, AgentKey, "", "not-a-key"}

	f.Fuzz(func(t *testing.T, method uint8, path, query string, body []byte, key uint8) {
		if !strings.HasPrefix(path, OutboxPath) {
			path = liveagent.APIPrefix + path
		}
		u, err := url.Parse("http://sandbox.test" + path)
		if err != nil || u.Path == "" {
			return // not a request a client could send
		}
		u.RawQuery = query
		req := &http.Request{
			Method:        methods[int(method)%len(methods)],
			URL:           u,
			RequestURI:    u.RequestURI(),
			Proto:         "HTTP/1.1",
			ProtoMajor:    1,
			ProtoMinor:    1,
			Header:        http.Header{"Content-Type": {"application/json"}},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
			Host:          "sandbox.test",
			RemoteAddr:    "127.0.0.1:12345",
		}
		if k := keys[int(key)%len(keys)]; k != "" {
			req.Header.Set("apikey", k)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req.WithContext(t.Context()))
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s %q: %d %s", req.Method, path, query, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e liveagent.ErrorResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Message == "" {
				t.Fatalf("%s %s?%s: %d with a body that is not an error message: %q", req.Method, path, query, rec.Code, rec.Body)
			}
		}
	})
}
