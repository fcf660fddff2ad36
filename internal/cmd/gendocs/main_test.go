package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestReferenceIsFresh regenerates the markdown reference and compares it
// with the committed docs/reference, so help text cannot drift from the docs.
func TestReferenceIsFresh(t *testing.T) {
	committed := filepath.Join("..", "..", "..", "docs", "reference")
	fresh := t.TempDir()
	if err := run([]string{"--markdown", fresh}, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := pages(t, fresh)
	got := pages(t, committed)

	var problems []string
	for name, content := range want {
		have, ok := got[name]
		switch {
		case !ok:
			problems = append(problems, "missing: "+name)
		case !bytes.Equal(have, content):
			problems = append(problems, "out of date: "+name+firstDifference(have, content))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			problems = append(problems, "no longer generated: "+name)
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		t.Fatalf("docs/reference does not match the command tree; run go generate ./...\n  %s",
			strings.Join(problems, "\n  "))
	}
}

func pages(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "ladmin*.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(p)] = b
	}
	return m
}

// firstDifference shows the first line that differs, enough to see why.
func firstDifference(have, want []byte) string {
	h := strings.Split(string(have), "\n")
	w := strings.Split(string(want), "\n")
	for i := 0; i < len(h) || i < len(w); i++ {
		var hl, wl string
		if i < len(h) {
			hl = h[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if hl != wl {
			return fmt.Sprintf("\n      line %d: committed %q\n      line %d: generated %q", i+1, hl, i+1, wl)
		}
	}
	return ""
}

// TestManAndCompletionsAreReproducible checks that the release artefacts
// depend only on the command tree and the given version and date.
func TestManAndCompletionsAreReproducible(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	gen := func() string {
		dir := t.TempDir()
		args := []string{"--man", filepath.Join(dir, "man"), "--completions", filepath.Join(dir, "completions"),
			"--version", "v1.2.3", "--date", "2026-03-04T10:00:00Z"}
		if err := run(args, io.Discard); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b := gen(), gen()
	for _, sub := range []string{"man", "completions"} {
		entries, err := os.ReadDir(filepath.Join(a, sub))
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			t.Fatalf("%s: nothing generated", sub)
		}
		for _, e := range entries {
			x, _ := os.ReadFile(filepath.Join(a, sub, e.Name()))
			y, err := os.ReadFile(filepath.Join(b, sub, e.Name()))
			if err != nil || !bytes.Equal(x, y) {
				t.Errorf("%s/%s differs between two runs", sub, e.Name())
			}
		}
	}
	for _, name := range []string{"ladmin.bash", "_ladmin", "ladmin.fish", "ladmin.ps1"} {
		if _, err := os.Stat(filepath.Join(a, "completions", name)); err != nil {
			t.Errorf("completion script %s not written: %v", name, err)
		}
	}
	top, err := os.ReadFile(filepath.Join(a, "man", "ladmin.1"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(top), `.TH "LADMIN" "1" "Mar 2026" "ladmin 1.2.3"`) {
		t.Errorf("ladmin.1 header lacks the given date and version:\n%.200s", top)
	}
	if strings.Contains(string(top), "Auto generated") {
		t.Error("ladmin.1 carries cobra's dated auto-generated tag")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"extra"},
		{"--man", t.TempDir(), "--date", "yesterday"},
	} {
		if err := run(args, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}

func TestManDate(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	for in, want := range map[string]string{
		"":                     defaultManDate,
		"2026-03-04":           "2026-03-04",
		"2026-03-04T23:00:00Z": "2026-03-04",
		"0001-01-01T00:00:00Z": defaultManDate, // a goreleaser snapshot without git info
	} {
		got, err := manDate(in)
		if err != nil || got.Format(time.DateOnly) != want {
			t.Errorf("manDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1772582400") // 2026-03-04
	if got, _ := manDate(""); got.Format(time.DateOnly) != "2026-03-04" {
		t.Errorf("SOURCE_DATE_EPOCH ignored: got %v", got)
	}
}
