// Package accountcache is the small per-account cache of things ladmin learns
// from an account and may reuse for a while: which API it has today (spec
// api.md, "Accounts without the extensions"), and later the caller's identity
// and roles. It is one JSON file under $XDG_CACHE_HOME/ladmin, mode 0600,
// with one record per account and key: the key of a record is the account
// URL and a hash of the API key, so CI jobs that only set LADMIN_URL and
// LADMIN_API_KEY share it too, and the key itself is never written.
//
// A record holds named facts, each with the time it was learned; a new kind
// of fact is a new name, not a new file. A cache is never the truth: a file
// that cannot be read or written is treated as empty, silently.
package accountcache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/ladmin/ladmin/internal/fileutil"
)

// Fact names in use. Add yours here, so two features never share a name.
const (
	// FactAPI is the account's API: "published" or "extended".
	FactAPI = "api"
	// FactSession is the caller (an agent) and the account's roles, reused
	// for a minute by the next commands (liveagent.RecentSession).
	FactSession = "session"
)

// fileVersion is the format of the file; a file of another version is ignored.
const fileVersion = 1

// maxRecords bounds the file: beyond it the least recently learned go.
const maxRecords = 200

// Store is the cache file.
type Store struct {
	Path string
}

// DefaultPath is $XDG_CACHE_HOME/ladmin/accounts.json, or
// ~/.cache/ladmin/accounts.json (a relative XDG_CACHE_HOME is ignored).
func DefaultPath() string {
	dir := os.Getenv("XDG_CACHE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			home = ""
		}
		dir = filepath.Join(home, ".cache")
	}
	return filepath.Join(dir, "ladmin", "accounts.json")
}

// Key is the record key of an account URL and API key: the URL, then the
// first 32 hex digits of the key's SHA-256.
func Key(accountURL, apiKey string) string {
	sum := sha256.Sum256([]byte(apiKey))
	return accountURL + " " + hex.EncodeToString(sum[:16])
}

// Fact is one thing learned, with when.
type Fact struct {
	Value     json.RawMessage `json:"value"`
	LearnedAt time.Time       `json:"learned_at"`
}

type file struct {
	Version int                        `json:"version"`
	Records map[string]map[string]Fact `json:"records"`
}

func (s Store) load() file {
	f := file{Version: fileVersion, Records: map[string]map[string]Fact{}}
	data, err := os.ReadFile(s.Path)
	if err != nil {
		return f
	}
	var got file
	if json.Unmarshal(data, &got) != nil || got.Version != fileVersion || got.Records == nil {
		return f
	}
	return got
}

// Get reads a fact of the record key into v and says when it was learned;
// ok is false when there is none (or it does not decode into v).
func (s Store) Get(key, fact string, v any) (learnedAt time.Time, ok bool) {
	if s.Path == "" {
		return time.Time{}, false
	}
	ft, found := s.load().Records[key][fact]
	if !found || json.Unmarshal(ft.Value, v) != nil {
		return time.Time{}, false
	}
	return ft.LearnedAt, true
}

// Put records a fact of the record key, learned at the given time. The file
// is replaced atomically, with mode 0600 in a 0700 directory.
func (s Store) Put(key, fact string, v any, learnedAt time.Time) error {
	if s.Path == "" {
		return nil
	}
	value, err := json.Marshal(v)
	if err != nil {
		return err
	}
	unlock, err := fileutil.Lock(context.Background(), s.Path) // concurrent ladmins keep each other's facts
	if err != nil {
		return err
	}
	defer func() { _ = unlock() }()
	f := s.load()
	rec := f.Records[key]
	if rec == nil {
		rec = map[string]Fact{}
		f.Records[key] = rec
	}
	rec[fact] = Fact{Value: value, LearnedAt: learnedAt.UTC()}
	prune(f.Records)
	return s.write(f)
}

// Forget drops a fact of the record key (all of them when fact is "").
func (s Store) Forget(key, fact string) error {
	if s.Path == "" {
		return nil
	}
	unlock, err := fileutil.Lock(context.Background(), s.Path)
	if err != nil {
		return err
	}
	defer func() { _ = unlock() }()
	f := s.load()
	if fact == "" {
		delete(f.Records, key)
	} else {
		delete(f.Records[key], fact)
	}
	return s.write(f)
}

// prune keeps the most recently learned records, at most maxRecords.
func prune(records map[string]map[string]Fact) {
	for len(records) > maxRecords {
		var oldestKey string
		var oldest time.Time
		for k, rec := range records {
			latest := time.Time{}
			for _, ft := range rec {
				if ft.LearnedAt.After(latest) {
					latest = ft.LearnedAt
				}
			}
			if oldestKey == "" || latest.Before(oldest) {
				oldestKey, oldest = k, latest
			}
		}
		delete(records, oldestKey)
	}
}

func (s Store) write(f file) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return err
	}
	return fileutil.WriteAtomic(s.Path, append(data, '\n')) // mode 0600
}
