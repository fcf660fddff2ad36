package cmdutil

import "github.com/ladmin/ladmin/internal/bulk"

// CheckConcurrency is the one check of --concurrency for every command that
// applies a plan (import, offboard, apply, undo, review apply).
func CheckConcurrency(n int) error {
	if n < 1 || n > bulk.MaxConcurrency {
		return Usagef("invalid --concurrency %d: use 1 to %d", n, bulk.MaxConcurrency)
	}
	return nil
}
