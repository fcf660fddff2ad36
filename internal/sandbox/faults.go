package sandbox

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// fault is one way a mutating request can be made to fail.
type fault int

const (
	faultNone        fault = iota
	faultErrorBefore       // 500, the change is not made
	faultDropBefore        // connection closed, the change is not made
	faultErrorAfter        // the change is committed, then 500
	faultDropAfter         // the change is committed, then the connection is closed
)

// faultInjector draws faults: with probability rate, one of the four kinds,
// equally likely. Half of them happen after the commit: the case a client
// cannot tell from a failure, and must converge through anyway.
type faultInjector struct {
	rate float64
	mu   sync.Mutex // rand.Rand is not safe for concurrent use
	rng  *rand.Rand
}

func newFaultInjector(rate float64, seed int64) *faultInjector {
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	return &faultInjector{rate: rate, rng: rand.New(rand.NewPCG(uint64(seed), 0x5a4db0c5))}
}

func (f *faultInjector) draw() fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng.Float64() >= f.rate {
		return faultNone
	}
	return faultErrorBefore + fault(f.rng.IntN(4))
}

// faultMessage is the same whether or not the change was made: a real server
// in trouble would not say either.
const faultMessage = "internal server error (injected by the sandbox's fault rate)"

// withFaults injects faults into POST, PUT and DELETE requests.
func (s *Server) withFaults(next http.Handler) http.Handler {
	if s.faults == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodDelete {
			next.ServeHTTP(w, r)
			return
		}
		switch s.faults.draw() {
		case faultNone:
			next.ServeHTTP(w, r)
		case faultErrorBefore:
			writeError(w, errorf(http.StatusInternalServerError, faultMessage))
		case faultDropBefore:
			dropConnection(w)
		case faultErrorAfter:
			next.ServeHTTP(&discardResponse{header: http.Header{}}, r)
			writeError(w, errorf(http.StatusInternalServerError, faultMessage))
		case faultDropAfter:
			next.ServeHTTP(&discardResponse{header: http.Header{}}, r)
			dropConnection(w)
		}
	})
}

// dropConnection closes the connection without a response, as a crashed
// server or a broken network would. Where the connection cannot be taken
// over (HTTP/2), aborting the handler resets the stream instead.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// discardResponse swallows the real response of a request whose change is
// committed before the fault hits.
type discardResponse struct {
	header http.Header
}

func (d *discardResponse) Header() http.Header         { return d.header }
func (d *discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardResponse) WriteHeader(int)             {}
