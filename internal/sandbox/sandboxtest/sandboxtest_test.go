package sandboxtest_test

import (
	"net/http"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
)

func TestStart(t *testing.T) {
	url, _ := sandboxtest.Start(t, sandbox.Options{})
	req, err := http.NewRequest("GET", url+liveagent.APIPrefix+liveagent.PathPing, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("apikey", sandbox.OwnerKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /ping: status %d, want 200", resp.StatusCode)
	}
}

// The published face is the same option: extension endpoints are plain 404s.
func TestStartPublished(t *testing.T) {
	url, srv := sandboxtest.Start(t, sandbox.Options{API: sandbox.APIPublished})
	if !srv.Published() {
		t.Fatal("the sandbox does not show the published face")
	}
	for path, want := range map[string]int{liveagent.PathAgentMe: http.StatusNotFound, liveagent.PathRoles: http.StatusNotFound,
		liveagent.PathAPIPrivileges: http.StatusOK, liveagent.PathAgents: http.StatusOK} {
		req, err := http.NewRequest("GET", url+liveagent.APIPrefix+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("apikey", sandbox.OwnerKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: status %d, want %d", path, resp.StatusCode, want)
		}
	}
}
