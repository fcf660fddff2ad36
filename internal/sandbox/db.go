package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DefaultDBPath is where `ladmin sandbox serve` keeps its database when --db
// is not given: $XDG_DATA_HOME/ladmin/sandbox.db, else
// ~/.local/share/ladmin/sandbox.db.
func DefaultDBPath() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "ladmin", "sandbox.db")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		// Without a home there is no good place; the working directory is at
		// least visible to the person who ran the command.
		return "sandbox.db"
	}
	return filepath.Join(home, ".local", "share", "ladmin", "sandbox.db")
}

// isMemory reports whether path names a throwaway in-memory database.
func isMemory(path string) bool { return path == ":memory:" }

// openDB opens (creating if needed) the database and configures every pooled
// connection through DSN parameters, since PRAGMAs are per connection.
func openDB(path string) (*sql.DB, error) {
	params := url.Values{}
	params.Add("_pragma", "busy_timeout(5000)")
	params.Add("_pragma", "foreign_keys(1)")
	// Writes are serialized in Go (Server.writeMu); IMMEDIATE also takes
	// SQLite's write lock at BEGIN, so a write transaction that starts with
	// its rule-check reads can never fail to upgrade later.
	params.Set("_txlock", "immediate")

	var dsn string
	if isMemory(path) {
		dsn = ":memory:?" + params.Encode()
	} else {
		// WAL + synchronous=NORMAL: a commit is in the WAL file (written, not
		// yet fsynced) before it is acknowledged, so it survives kill -9; only
		// a power loss could lose the last commits.
		params.Add("_pragma", "journal_mode(WAL)")
		params.Add("_pragma", "synchronous(NORMAL)")
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
			return nil, fmt.Errorf("create the database directory: %w", err)
		}
		// Create the file ourselves so it is private (it holds key hashes and
		// temporary passwords); SQLite gives its -wal and -shm files the same mode.
		f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("open the database file: %w", err)
		}
		f.Close()
		u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: params.Encode()}
		dsn = u.String()
	}

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if isMemory(path) {
		// Each connection to ":memory:" is its own empty database: keep exactly
		// one, and never let the pool retire it.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		// WAL lets readers run beside the single writer.
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// querier is what *sql.DB, *sql.Tx and handle have in common, so reads can
// run either inside a write transaction (rule checks) or on their own.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// preparedQueries are the texts of every prepared(...) query.
var preparedQueries []string

// prepared registers a static query, to be prepared once per connection
// when the server starts. The driver parses an unprepared query again on
// every call, which is most of a small request's time. Queries built at run
// time (list filters, partial updates) are not registered and run unprepared.
func prepared(query string) string {
	preparedQueries = append(preparedQueries, query)
	return query
}

// prepareAll prepares every registered query. It runs before the server
// takes requests: later, with ":memory:"'s single connection held by a
// transaction, preparing on the pool would wait forever.
func prepareAll(ctx context.Context, db *sql.DB) (map[string]*sql.Stmt, error) {
	stmts := make(map[string]*sql.Stmt, len(preparedQueries))
	for _, q := range preparedQueries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			for _, st := range stmts {
				st.Close()
			}
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		stmts[q] = st
	}
	return stmts, nil
}

// handle runs queries in tx, or on the pool when tx is nil, through the
// prepared statement of the query text when there is one. (database/sql
// reuses a statement already prepared on the transaction's connection.)
type handle struct {
	db    *sql.DB
	stmts map[string]*sql.Stmt // read-only once the server runs
	tx    *sql.Tx
}

func (h handle) stmt(ctx context.Context, query string) *sql.Stmt {
	st := h.stmts[query]
	if st != nil && h.tx != nil {
		st = h.tx.StmtContext(ctx, st)
	}
	return st
}

func (h handle) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := h.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if h.tx != nil {
		return h.tx.ExecContext(ctx, query, args...)
	}
	return h.db.ExecContext(ctx, query, args...)
}

func (h handle) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := h.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if h.tx != nil {
		return h.tx.QueryContext(ctx, query, args...)
	}
	return h.db.QueryContext(ctx, query, args...)
}

func (h handle) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := h.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if h.tx != nil {
		return h.tx.QueryRowContext(ctx, query, args...)
	}
	return h.db.QueryRowContext(ctx, query, args...)
}

// memoryImages holds, per seed plan, the bytes of a freshly created and
// seeded in-memory database (see Server.initialise). Every sandbox loaded
// from one image starts with the same agent ids, which is harmless: they are
// separate accounts, and each is random enough across processes.
var memoryImages sync.Map // seedPlan -> []byte

// maxImageAgents bounds what is cached: big load-test seeds are made once.
const maxImageAgents = 5000

// serializer is what the sqlite driver's connection offers to copy an
// in-memory database out and in.
type serializer interface {
	Serialize() ([]byte, error)
	Deserialize([]byte) error
}

func loadMemoryImage(ctx context.Context, db *sql.DB, plan seedPlan) (bool, error) {
	img, found := memoryImages.Load(plan)
	if !found {
		return false, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		s, canSerialize := dc.(serializer)
		if !canSerialize {
			return errors.New("the sqlite driver cannot deserialize")
		}
		return s.Deserialize(img.([]byte)) // the driver copies the bytes
	})
	return err == nil, err
}

func saveMemoryImage(ctx context.Context, db *sql.DB, plan seedPlan) error {
	if plan.extraAgents > maxImageAgents {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		s, canSerialize := dc.(serializer)
		if !canSerialize {
			return nil // no cache, only slower
		}
		img, err := s.Serialize()
		if err == nil && len(img) > 0 {
			memoryImages.LoadOrStore(plan, img)
		}
		return err
	})
}

// agentColumns selects an Agent in the field order of scanAgent.
const agentColumns = `seq, id, name, email, role, ifnull(role_id, ''), avatar_url, online_status,
	status, gender, last_pswd_change, twofactor_auth, voice_status, sip_phone_id, api_phone_id`
