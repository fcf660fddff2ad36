// Package sandbox is the local help desk server of `ladmin sandbox serve`: it
// speaks the LiveAgent v3 API of spec/api.md (published part and extensions),
// enforces the rules of spec/rbac.md through the same rbac package the CLI
// uses, and keeps its state in an embedded SQLite database.
package sandbox

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// Options configure a Server.
type Options struct {
	DB        string        // database file path (created with its directory), or ":memory:"
	Latency   time.Duration // delay before every API response
	RateLimit int           // requests per second per API key (burst = RateLimit); 0 = unlimited
	FaultRate float64       // fraction of mutating requests (POST/PUT/DELETE) that fail
	// SeedAgents adds generated agents (agent00001@example.com, ...) to a new
	// database, for load tests; an existing database is never seeded again.
	SeedAgents int
	// API is the face the sandbox shows: APIExtended (the default, also "")
	// answers every endpoint of spec/api.md; APIPublished answers only
	// LiveAgent's published API, like most real accounts: every extension
	// endpoint is a plain 404 and the departments field of agent bodies is
	// ignored (spec/sandbox.md, "Two faces").
	API string
	// RandSeed seeds fault injection, so a run can be replayed; 0 = time-based.
	// Generated agents do not need it: they follow their index.
	RandSeed int64
	Logger   *slog.Logger // one Debug line per request; nil discards
	// Warnings receives what a person running the sandbox must know (it
	// listens on the network); nil discards. `sandbox serve` passes stderr.
	Warnings io.Writer
}

// The two faces of Options.API.
const (
	APIExtended  = "extended"
	APIPublished = "published"
)

// Published reports whether the sandbox shows only LiveAgent's published API.
func (s *Server) Published() bool { return s.published.Load() }

// SetAPI switches the face the sandbox shows (APIExtended or APIPublished)
// from the next request on, so a test can make custom roles on the extended
// face and then look at them from outside.
func (s *Server) SetAPI(api string) error {
	switch api {
	case "", APIExtended:
		s.published.Store(false)
	case APIPublished:
		s.published.Store(true)
	default:
		return fmt.Errorf("sandbox: unknown API face %q (use %s or %s)", api, APIExtended, APIPublished)
	}
	return nil
}

// timeouts bound how long a connection may hold the server (sandbox.md,
// "Hardening"): a client that sends its headers or body slowly, or keeps an
// idle connection open, is cut off instead of tying up the server in CI.
// Write is counted on top of --latency. Tests shorten them.
var timeouts = struct {
	ReadHeader, Read, Write, Idle time.Duration
}{ReadHeader: 5 * time.Second, Read: 15 * time.Second, Write: 30 * time.Second, Idle: 60 * time.Second}

// Server is one sandbox: a database and the HTTP handler serving it.
type Server struct {
	opts    Options
	log     *slog.Logger
	db      *sql.DB
	stmts   map[string]*sql.Stmt // see prepared
	lists   listCache            // list queries' statements and counts
	handler http.Handler

	// writeMu serializes write transactions, so the reads a rule check makes
	// (e.g. "is this the last owner?") and the write they guard cannot
	// interleave with another request's.
	writeMu sync.Mutex

	published atomic.Bool // the face of Options.API; see SetAPI

	limiter  *rateLimiter   // nil when unlimited
	faults   *faultInjector // nil when no faults
	closed   sync.Once
	closeErr error
}

// New opens (creating and seeding if new) the database and builds the server.
func New(opts Options) (*Server, error) {
	switch {
	case opts.DB == "":
		return nil, errors.New("sandbox: no database given (a file path, or :memory:)")
	case opts.Latency < 0:
		return nil, fmt.Errorf("sandbox: latency %v is negative", opts.Latency)
	case opts.RateLimit < 0:
		return nil, fmt.Errorf("sandbox: rate limit %d is negative", opts.RateLimit)
	case opts.FaultRate < 0 || opts.FaultRate > 1:
		return nil, fmt.Errorf("sandbox: fault rate %v is not between 0 and 1", opts.FaultRate)
	case opts.SeedAgents < 0:
		return nil, fmt.Errorf("sandbox: seed agents %d is negative", opts.SeedAgents)
	case opts.API != "" && opts.API != APIExtended && opts.API != APIPublished:
		return nil, fmt.Errorf("sandbox: unknown API face %q (use %s or %s)", opts.API, APIExtended, APIPublished)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	db, err := openDB(opts.DB)
	if err != nil {
		return nil, fmt.Errorf("sandbox: open database %s: %w", opts.DB, err)
	}
	s := &Server{opts: opts, log: log, db: db}
	s.published.Store(opts.API == APIPublished)
	if err := s.initialise(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sandbox: initialise database %s: %w", opts.DB, err)
	}
	if s.stmts, err = prepareAll(context.Background(), db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if opts.RateLimit > 0 {
		s.limiter = newRateLimiter(opts.RateLimit)
	}
	if opts.FaultRate > 0 {
		s.faults = newFaultInjector(opts.FaultRate, opts.RandSeed)
	}
	s.handler = s.routes()
	return s, nil
}

// initialise creates and seeds a new database. A new in-memory database is
// copied from an image of the first one made in this process with the same
// seed, when there is one: tests start hundreds of throwaway sandboxes, and
// loading an image is several times faster than creating the schema.
func (s *Server) initialise() error {
	ctx := context.Background()
	plan := seedPlan{extraAgents: s.opts.SeedAgents}
	if isMemory(s.opts.DB) {
		if loaded, err := loadMemoryImage(ctx, s.db, plan); loaded || err != nil {
			return err
		}
	}
	err := s.write(ctx, func(h handle) error { return migrate(ctx, h.tx, plan) })
	if err == nil && isMemory(s.opts.DB) {
		err = saveMemoryImage(ctx, s.db, plan)
	}
	return err
}

// Handler serves the whole sandbox: the API under /api/v3 and the outbox.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve listens on addr (port 0 picks a free port), writes one line
// "sandbox listening on http://HOST:PORT" to out once it accepts connections,
// and serves until ctx is done. It then shuts down gracefully (in-flight
// requests finish) and closes the server: Serve owns it from the start, and
// closes it on every return, errors included.
func (s *Server) Serve(ctx context.Context, addr string, out io.Writer) error {
	defer s.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &listenError{addr: addr, err: err}
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: timeouts.ReadHeader,
		ReadTimeout:       timeouts.Read,
		WriteTimeout:      timeouts.Write + s.opts.Latency,
		IdleTimeout:       timeouts.Idle,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	shown := displayAddr(addr, ln.Addr())
	if w := networkWarning(shown, ln.Addr()); w != "" && s.opts.Warnings != nil {
		fmt.Fprintln(s.opts.Warnings, w)
	}
	if _, err := fmt.Fprintf(out, "sandbox listening on http://%s\n", shown); err != nil {
		srv.Close()
		if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
			return errors.Join(err, serveErr)
		}
		return err
	}

	select {
	case err := <-served:
		return fmt.Errorf("sandbox: serve: %w", err)
	case <-ctx.Done():
	}
	// In-flight requests get a generous while to finish; a client holding a
	// connection open beyond that is cut off so shutdown cannot hang.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if err != nil {
		srv.Close()
		return fmt.Errorf("sandbox: shutdown: %w", err)
	}
	return s.Close()
}

// listenError is a failure to listen, said once: net.Listen's own message
// repeats the operation and the address ("listen tcp X: bind: address
// already in use"), so only its innermost reason is kept in the text. The
// whole error stays reachable for errors.Is (e.g. syscall.EADDRINUSE).
type listenError struct {
	addr string
	err  error
}

func (e *listenError) Error() string {
	return "sandbox: cannot listen on " + e.addr + ": " + listenReason(e.err)
}

func (e *listenError) Unwrap() error { return e.err }

// listenReason peels the operation and address off a net.Listen error:
// "address already in use", "permission denied", "missing port in address".
func listenReason(err error) string {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		err = opErr.Err
	}
	var sysErr *os.SyscallError
	var addrErr *net.AddrError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &sysErr) && sysErr.Err != nil:
		return sysErr.Err.Error()
	case errors.As(err, &addrErr):
		return addrErr.Err
	case errors.As(err, &dnsErr):
		return "the host cannot be resolved (" + dnsErr.Err + ")"
	}
	return err.Error()
}

// networkWarning is the warning for a sandbox reachable from other
// machines: its keys are the well-known ones printed in every doc, so anyone
// who can reach the port is the owner. "" on a loopback address.
func networkWarning(shown string, a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return ""
	}
	where := "on " + tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		where = "on every network interface"
	}
	return fmt.Sprintf("warning: the sandbox listens %s (%s): its well-known keys (%s, %s, %s) are open to anyone "+
		"who can reach this port; use --addr 127.0.0.1:%d to keep it on this machine (from here, use http://127.0.0.1:%d)",
		where, shown, OwnerKey, AdminKey, AgentKey, tcp.Port, tcp.Port)
}

// displayAddr is the address actually listened on, as the listening line
// shows it: the port that was picked, and for a wildcard the host as it
// was asked for (0.0.0.0 stays 0.0.0.0, where Go reports [::] on a
// dual-stack system).
func displayAddr(asked string, a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host, _, err := net.SplitHostPort(asked)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsUnspecified() {
			host = "0.0.0.0" // ":8085" listens everywhere too
		}
		return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
	}
	return a.String()
}

// Close closes the database. It is safe to call more than once.
func (s *Server) Close() error {
	s.closed.Do(func() {
		for _, st := range s.stmts {
			st.Close()
		}
		s.lists.close()
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// pool is a handle for reads outside a transaction.
func (s *Server) pool() handle { return handle{db: s.db, stmts: s.stmts} }

// write runs fn in one write transaction, serialized with every other write,
// and commits it when fn returns nil.
func (s *Server) write(ctx context.Context, fn func(tx handle) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(handle{db: s.db, stmts: s.stmts, tx: tx}); err != nil {
		tx.Rollback()
		return err
	}
	defer s.lists.changed() // after the commit: see listCache
	return tx.Commit()
}

// read runs fn in a read-only transaction: one consistent snapshot (WAL
// readers do not wait for the writer), e.g. for a count and a page.
func (s *Server) read(ctx context.Context, fn func(tx handle) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(handle{db: s.db, stmts: s.stmts, tx: tx})
}

// issueKey creates a new API key for an agent and returns it. The API has no
// key-issuing endpoint (keys are made in the LiveAgent panel); tests use this.
func (s *Server) issueKey(agentID string) (string, error) {
	key := "sbx_" + randomHex(32)
	err := s.write(context.Background(), func(tx handle) error {
		_, err := insertKey(context.Background(), tx, keySpec{agentID: agentID, secret: key, name: "test key"})
		return err
	})
	return key, err
}

// apiPath is a route pattern under the API base: method + "/api/v3" + path.
func apiPath(method, path string) string { return method + " " + liveagent.APIPrefix + path }

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	// An extension endpoint (liveagent.Extensions) is absent from the
	// published face: it answers exactly what an unknown path does, before
	// even the key is read.
	handle := func(method, path string, h apiHandler) {
		authed := s.authed(h)
		if !liveagent.IsExtension(method, path) {
			api.Handle(apiPath(method, path), authed)
			return
		}
		api.Handle(apiPath(method, path), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s.Published() {
				unknownPath(w, r)
				return
			}
			authed.ServeHTTP(w, r)
		}))
	}

	handle("GET", liveagent.PathPing, s.handlePing)
	handle("GET", liveagent.PathAgents, s.handleListAgents)
	handle("POST", liveagent.PathAgents, s.handleCreateAgent)
	handle("GET", liveagent.PathAgentMe, s.handleMe)
	handle("GET", liveagent.PatternAgent, s.handleGetAgent)
	handle("PUT", liveagent.PatternAgent, s.handleUpdateAgent)
	handle("DELETE", liveagent.PatternAgent, s.handleDeleteAgent)
	handle("POST", liveagent.PathAgentUndelete, s.handleUndeleteAgent)
	handle("GET", liveagent.PathDepartments, s.handleListDepartments)
	handle("GET", liveagent.PatternDepartment, s.handleGetDepartment)
	handle("GET", liveagent.PathAPIPrivileges, s.handlePrivileges)
	handle("GET", liveagent.PathRoles, s.handleListRoles)
	handle("POST", liveagent.PathRoles, s.handleCreateRole)
	handle("GET", liveagent.PatternRole, s.handleGetRole)
	handle("PUT", liveagent.PatternRole, s.handleUpdateRole)
	handle("DELETE", liveagent.PatternRole, s.handleDeleteRole)
	handle("GET", liveagent.PathPermissions, s.handlePermissions)
	handle("GET", liveagent.PathAPIKeys, s.handleListAPIKeys)
	handle("GET", liveagent.PatternAPIKey, s.handleGetAPIKey)
	handle("DELETE", liveagent.PatternAPIKey, s.handleDeleteAPIKey)
	handle("POST", liveagent.PatternAgentLogout, s.handleLogoutAgent)
	// Logging in is how a key is made: it needs none.
	api.HandleFunc(apiPath("POST", liveagent.PathAPIKeyLogin), s.handleLogin)
	api.Handle(liveagent.APIPrefix+"/", unmatched(api))

	// The API chain: latency first (it emulates the network), then the rate
	// limit (a limited request costs nothing else), then faults.
	var apiChain http.Handler = api
	apiChain = s.withFaults(apiChain)
	apiChain = s.withRateLimit(apiChain)
	apiChain = s.withLatency(apiChain)

	root := http.NewServeMux()
	root.Handle(liveagent.APIPrefix+"/", apiChain)
	// The outbox is the test's mailbox, not part of the emulated API: no key,
	// and no latency, rate limit or faults.
	root.HandleFunc("GET "+OutboxPath, s.handleOutbox)
	root.HandleFunc("GET "+liveagent.APIPrefix+OutboxPath, s.handleOutbox)
	root.HandleFunc("GET "+SessionsPath, s.handleSessions)
	root.HandleFunc("GET "+liveagent.APIPrefix+SessionsPath, s.handleSessions)
	root.Handle("/", unmatched(root))
	return s.withRequestLog(root)
}

// unmatched answers requests no route took, in JSON like every other error:
// 405 (with Allow) when the path exists for other methods, else 404.
func unmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, self := mux.Handler(r)
		var allowed []string
		for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != self {
				allowed = append(allowed, m)
			}
		}
		if len(allowed) > 0 {
			for _, m := range allowed {
				w.Header().Add("Allow", m)
			}
			writeError(w, errorf(http.StatusMethodNotAllowed, "method %s is not allowed on %s", r.Method, r.URL.Path))
			return
		}
		unknownPath(w, r)
	})
}

// unknownPath is the answer to a path the API does not have, as a LiveAgent
// account gives it: 404 {"message": "Not found"}.
func unknownPath(w http.ResponseWriter, r *http.Request) {
	writeError(w, errorf(http.StatusNotFound, "Not found"))
}

// withLatency delays every API request, to emulate a remote server. A client
// that gives up meanwhile gets nothing, as it would from a slow network.
func (s *Server) withLatency(next http.Handler) http.Handler {
	d := s.opts.Latency
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			next.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// withRequestLog logs one Debug line per request. The apikey header is never
// logged, nor is the query string (filters may carry emails).
func (s *Server) withRequestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 && !rec.hijacked {
			status = http.StatusOK
		}
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Bool("dropped", rec.hijacked),
			slog.Duration("duration", time.Since(start)))
	})
}

// statusRecorder remembers the status written, and whether the connection
// was taken over (a dropped-connection fault).
type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Hijack is found by http.ResponseController before Unwrap, so the recorder
// learns about the takeover.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(r.ResponseWriter).Hijack()
	if err == nil {
		r.hijacked = true
	}
	return conn, rw, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
