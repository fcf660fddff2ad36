package agent_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"fmt"
	"time"

	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
)

type rec struct{ http.ResponseWriter; code int }
func (r *rec) WriteHeader(c int) { r.code = c; r.ResponseWriter.WriteHeader(c) }

func TestZZCount(t *testing.T) {
	e := newEnv(t, nil)
	_, srv := sandboxtest.Start(t, sandbox.Options{RateLimit: 2})
	var mu sync.Mutex
	var log []string
	start := time.Now()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &rec{w, 200}
		srv.Handler().ServeHTTP(rw, r)
		mu.Lock(); log = append(log, fmt.Sprint(time.Since(start).Round(time.Millisecond), " ", rw.code, " ", r.Method+" "+r.URL.Path)); mu.Unlock()
	}))
	defer ts.Close()
	t.Setenv("LADMIN_URL", ts.URL)
	path := e.write("a.csv", "email,name\nana@acme.example,Ana\nbob@acme.example,Bob\ncat@acme.example,Cat\n")
	r := e.ladmin("agent", "import", "-f", path)
	fmt.Println(r.code, r.out, r.errOut)
	for _, l := range log { fmt.Println(l) }
}
