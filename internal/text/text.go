// Package text holds the small wording helpers that messages across ladmin
// share, so every command counts things the same way.
package text

import "fmt"

// Count writes n with the right form: Count(1, "row", "rows") is "1 row",
// Count(3, "agent is", "agents are") is "3 agents are".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
