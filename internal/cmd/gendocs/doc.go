// Command gendocs writes what is generated from ladmin's command tree: the
// markdown command reference committed under docs/reference, the man pages
// and the shell completion scripts that release archives carry.
//
//	go run ./internal/cmd/gendocs --markdown docs/reference
//	go run ./internal/cmd/gendocs --man manpages --completions completions
//
// The output is deterministic (no generation dates), so the committed
// reference only changes when the commands do; TestReferenceIsFresh fails
// when it is out of date.
package main

//go:generate go run . --markdown ../../../docs/reference
