package liveagent

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestAPIKeyFieldNames(t *testing.T) {
	k := APIKey{ID: "12", Key: "s3cret", Name: "ladmin on h", Type: "A", UserID: "u1", Role: "admin",
		ValidToDate: "2030-01-02 03:04:05", Whitelist: "*", InstallID: "i"}
	b, _ := json.Marshal(k)
	want := `{"id":12,"key":"s3cret","name":"ladmin on h","type":"A","userid":"u1","role":"admin","valid_to_date":"2030-01-02 03:04:05","whitelist":"*","installid":"i"}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(k.Redacted())
	if strings.Contains(string(b), "s3cret") || strings.Contains(string(b), `"key"`) {
		t.Fatalf("redacted key still carries its secret: %s", b)
	}
	l := APIKeyLogin{Login: "a@b.co", Password: "p", TwoFactorToken: "123456", ValidToDate: "d", Name: "n", Type: "A", InstallID: "i", Whitelist: "*"}
	b, _ = json.Marshal(l)
	want = `{"login":"a@b.co","password":"p","two_factor_token":"123456","valid_to_date":"d","name":"n","type":"A","installid":"i","whitelist":"*"}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var got APIKey
	if err := json.Unmarshal([]byte(`{"id":"7"}`), &got); err != nil || got.ID != "7" {
		t.Fatalf("string id: %v %q", err, got.ID)
	}
	if err := json.Unmarshal([]byte(`{"id":8}`), &got); err != nil || got.ID != "8" {
		t.Fatalf("number id: %v %q", err, got.ID)
	}
}

func TestListAPIKeysOfFiltersByUser(t *testing.T) {
	s := &script{replies: []func(http.ResponseWriter, *http.Request){
		// A server that ignores the filter: the client keeps only u1's keys.
		status(200, `[{"id":1,"userid":"u1"},{"id":2,"userid":"u2"}]`, "X-Total-Count", "2"),
	}}
	c := newTestClient(t, s, nil)
	keys, err := c.ListAPIKeysOf(context.Background(), "u1")
	if err != nil || len(keys) != 1 || keys[0].ID != "1" {
		t.Fatalf("keys %+v err %v", keys, err)
	}
	q := s.requests[0].URL.Query()
	if s.requests[0].URL.Path != "/api/v3/apikeys" || q.Get("_filters") != `[["userid","=","u1"]]` {
		t.Fatalf("request %s", s.requests[0].URL)
	}
}

func TestRevokeAPIKeyLostAnswerCountsAsDone(t *testing.T) {
	s := &script{replies: []func(http.ResponseWriter, *http.Request){
		drop, status(404, `{"message":"API key not found"}`),
	}}
	c := newTestClient(t, s, nil)
	if err := c.RevokeAPIKey(context.Background(), "5"); err != nil {
		t.Fatalf("revoke after a lost answer: %v", err)
	}
	if s.requests[0].Method != http.MethodDelete || s.requests[0].URL.Path != "/api/v3/apikeys/5" {
		t.Fatalf("request %s %s", s.requests[0].Method, s.requests[0].URL)
	}
	// A first-attempt 404 is a real "not found".
	s2 := &script{replies: []func(http.ResponseWriter, *http.Request){status(404, `{"message":"API key not found"}`)}}
	if err := newTestClient(t, s2, nil).RevokeAPIKey(context.Background(), "5"); KindOf(err) != KindNotFound {
		t.Fatalf("got %v, want not found", err)
	}
}

func TestLogoutAgentIsRetried(t *testing.T) {
	s := &script{replies: []func(http.ResponseWriter, *http.Request){drop, status(200, `{}`)}}
	c := newTestClient(t, s, nil)
	if err := c.LogoutAgent(context.Background(), "u 1"); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if s.count() != 2 || s.requests[1].Method != http.MethodPost || s.requests[1].URL.EscapedPath() != "/api/v3/agents/u%201/_logout" {
		t.Fatalf("%d requests, last %s %s", s.count(), s.requests[1].Method, s.requests[1].URL)
	}
}

func TestLoginAPIKeyNotRetriedAndSecretsNotTraced(t *testing.T) {
	s := &script{replies: []func(http.ResponseWriter, *http.Request){
		status(200, `{"id":9,"key":"fresh-secret-value","name":"ladmin on h","userid":"u1","privileges":[{"object":"agent","privileges":["read"]}]}`),
	}}
	var debug bytes.Buffer
	c := newTestClient(t, s, &debug)
	k, err := c.LoginAPIKey(context.Background(), APIKeyLogin{Login: "a@b.co", Password: "hunter2-password", TwoFactorToken: "424242"})
	if err != nil || k.Key != "fresh-secret-value" || k.ID != "9" || len(k.Privileges) != 1 {
		t.Fatalf("key %+v err %v", k, err)
	}
	for _, secret := range []string{"fresh-secret-value", "hunter2-password", "424242", "secret-key-123"} {
		if strings.Contains(debug.String(), secret) {
			t.Fatalf("%q leaked into the trace:\n%s", secret, debug.String())
		}
	}
	if !strings.Contains(debug.String(), "a@b.co") {
		t.Fatalf("trace lost the harmless fields:\n%s", debug.String())
	}

	s2 := &script{replies: []func(http.ResponseWriter, *http.Request){status(500, `{"message":"boom"}`)}}
	_, err = newTestClient(t, s2, nil).LoginAPIKey(context.Background(), APIKeyLogin{Login: "a@b.co"})
	if s2.count() != 1 || !IsUncertain(err) {
		t.Fatalf("login sent %d times, err %v (uncertain %v)", s2.count(), err, IsUncertain(err))
	}
}

func TestIsExpiredKey(t *testing.T) {
	s := &script{replies: []func(http.ResponseWriter, *http.Request){status(401, `{"message":"API key expired"}`)}}
	err := newTestClient(t, s, nil).Ping(context.Background())
	if !IsExpiredKey(err) || KindOf(err) != KindAuth {
		t.Fatalf("err %v", err)
	}
	s2 := &script{replies: []func(http.ResponseWriter, *http.Request){status(401, `{"message":"invalid API key"}`)}}
	if IsExpiredKey(newTestClient(t, s2, nil).Ping(context.Background())) {
		t.Fatal("an unknown key is not an expired one")
	}
}
