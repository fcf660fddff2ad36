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
