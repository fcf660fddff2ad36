package fileutil

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAtomicAppearsOnlyOnCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "failed.csv")
	a, err := CreateAtomic(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.WriteString("email\nana@acme.com\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists before Commit: %v", path, err)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "email\nana@acme.com\n" {
		t.Errorf("content = %q", data)
	}
	if err := a.Close(); err != nil {
		t.Errorf("Close after Commit = %v", err)
	}
	if fi, _ := os.Stat(path); fi == nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode())
	}
	checkOnly(t, filepath.Dir(path), "failed.csv")
}

func TestAtomicCloseWithoutCommitLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := CreateAtomic(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = a.WriteString("new, half written")
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "old" {
		t.Errorf("content = %q, want the old file untouched", data)
	}
	checkOnly(t, dir, "out.csv")
}

func TestCommitFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	rename = func(string, string) error { return errors.New("disk on fire") }
	t.Cleanup(func() { rename = os.Rename })
	if err := WriteAtomic(path, []byte("new")); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("WriteAtomic = %v, want the rename error", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "old" {
		t.Errorf("content = %q", data)
	}
	checkOnly(t, dir, "config.yaml")
}

func TestWriteAtomicThroughSymlinkReplacesTarget(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.yaml")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced")
	}
	if data, _ := os.ReadFile(target); string(data) != "new" {
		t.Errorf("target = %q", data)
	}
}

func TestLockExcludesAndTimesOutWithAReason(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.ndjson")
	unlock, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	// A second lock of the same file cannot be taken while the first is held
	// (flock locks are per open file, so this holds within one process too).
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lock(ctx, path); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock while held with a canceled ctx = %v, want context.Canceled", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock2, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatalf("Lock after unlock = %v", err)
	}
	_ = unlock2()
}

func checkOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}
