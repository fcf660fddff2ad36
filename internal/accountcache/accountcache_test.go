package accountcache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPutGetForget(t *testing.T) {
	s := Store{Path: filepath.Join(t.TempDir(), "sub", "accounts.json")}
	k := Key("https://acme.ladesk.com", "secret-key-1")
	var mode string
	if _, ok := s.Get(k, FactAPI, &mode); ok {
		t.Fatal("a missing file has a fact")
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if err := s.Put(k, FactAPI, "published", at); err != nil {
		t.Fatal(err)
	}
	learned, ok := s.Get(k, FactAPI, &mode)
	if !ok || mode != "published" || !learned.Equal(at) {
		t.Fatalf("Get = %q, %v, %v", mode, learned, ok)
	}
	// Another key of the same account is another record.
	if _, ok := s.Get(Key("https://acme.ladesk.com", "secret-key-2"), FactAPI, &mode); ok {
		t.Error("a fact leaked to another key")
	}
	// Other facts live in the same record.
	if err := s.Put(k, "caller", map[string]string{"id": "a1"}, at); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(k, FactAPI, &mode); !ok {
		t.Error("a second fact replaced the first")
	}
	info, err := os.Stat(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(s.Path)
	if strings.Contains(string(data), "secret-key-1") {
		t.Error("the API key was written to the cache")
	}
	if err := s.Forget(k, FactAPI); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(k, FactAPI, &mode); ok {
		t.Error("Forget kept the fact")
	}
}

func TestBrokenFileIsEmpty(t *testing.T) {
	s := Store{Path: filepath.Join(t.TempDir(), "accounts.json")}
	os.WriteFile(s.Path, []byte("{not json"), 0o600)
	var mode string
	if _, ok := s.Get("k", FactAPI, &mode); ok {
		t.Fatal("a broken file has a fact")
	}
	if err := s.Put("k", FactAPI, "extended", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get("k", FactAPI, &mode); !ok || mode != "extended" {
		t.Fatal("a broken file was not replaced")
	}
}

func TestPruneKeepsRecent(t *testing.T) {
	recs := map[string]map[string]Fact{}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < maxRecords+3; i++ {
		recs[Key("https://a", string(rune('a'+i)))] = map[string]Fact{FactAPI: {LearnedAt: base.Add(time.Duration(i) * time.Hour)}}
	}
	prune(recs)
	if len(recs) != maxRecords {
		t.Fatalf("%d records, want %d", len(recs), maxRecords)
	}
	for i := 0; i < 3; i++ {
		if _, ok := recs[Key("https://a", string(rune('a'+i)))]; ok {
			t.Errorf("record %d (oldest) kept", i)
		}
	}
}
