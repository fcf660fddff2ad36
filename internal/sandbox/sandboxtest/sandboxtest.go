// Package sandboxtest starts a sandbox server for tests of other packages
// (the CLI's end-to-end tests), on an in-process httptest server.
package sandboxtest

import (
	"net/http/httptest"
	"testing"

	"github.com/ladmin/ladmin/internal/sandbox"
)

// Start runs a sandbox for the duration of the test and returns its account
// URL (without /api/v3: clients add it) and the server. opts.DB defaults to
// ":memory:", so every call gets a fresh seeded account; opts.API picks its
// face (sandbox.APIPublished: only LiveAgent's published API). Both the HTTP
// server and the database are closed when the test ends.
func Start(t testing.TB, opts sandbox.Options) (baseURL string, srv *sandbox.Server) {
	t.Helper()
	if opts.DB == "" {
		opts.DB = ":memory:"
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("sandboxtest: close: %v", err)
		}
	})
	return ts.URL, srv
}
