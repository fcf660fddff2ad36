package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// listCache keeps, for the list queries built at run time (filters, order),
// their prepared statements and the count each answered, so that a client
// reading 100 windows of one list has the query parsed once and the rows
// counted once, not 100 times.
//
// A count is valid for one generation of the data: Server.write bumps the
// generation after every commit, and a request reads the generation before
// its read transaction takes its snapshot, so a count saved under generation
// g was taken from data at least as new as g's. (SQLite takes a read
// snapshot at the first read, not at BEGIN.)
type listCache struct {
	gen atomic.Uint64

	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	counts map[string]int
	cgen   uint64 // the generation of counts
}

// Bounds: a client may send any filter, and each distinct one must not
// stay in memory for ever. Beyond them queries simply run unprepared or
// are counted again.
const (
	maxListStmts  = 64
	maxListCounts = 256
)

// changed marks the data as changed: every saved count is stale.
func (c *listCache) changed() { c.gen.Add(1) }

// stmt returns the statement prepared for query on db, preparing it on
// first use, or nil when it cannot be (the query then runs unprepared). It
// must not be called while holding a connection of an in-memory database
// (its only one).
func (c *listCache) stmt(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	st, found := c.stmts[query]
	full := len(c.stmts) >= maxListStmts
	c.mu.Unlock()
	if found || full {
		return st
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the query will fail again, unprepared, with its error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, raced := c.stmts[query]; raced {
		st.Close()
		return old
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st
}

func countKey(query string, args []any) string {
	var b strings.Builder
	b.WriteString(query)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%v", a)
	}
	return b.String()
}

// count returns the count saved for the query in generation gen.
func (c *listCache) count(query string, args []any, gen uint64) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cgen != gen {
		return 0, false
	}
	n, found := c.counts[countKey(query, args)]
	return n, found
}

// saveCount saves a count taken in generation gen.
func (c *listCache) saveCount(query string, args []any, gen uint64, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen < c.cgen {
		return
	}
	if gen > c.cgen || len(c.counts) >= maxListCounts {
		c.counts, c.cgen = map[string]int{}, gen
	}
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[countKey(query, args)] = n
}

func (c *listCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}

// queryRow runs query through st (prepared on the pool, possibly nil) in
// h's transaction.
func (h handle) queryRow(ctx context.Context, st *sql.Stmt, query string, args ...any) *sql.Row {
	if st != nil && h.tx != nil {
		return h.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return h.QueryRowContext(ctx, query, args...)
}

// query is queryRow for many rows.
func (h handle) query(ctx context.Context, st *sql.Stmt, query string, args ...any) (*sql.Rows, error) {
	if st != nil && h.tx != nil {
		return h.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return h.QueryContext(ctx, query, args...)
}
