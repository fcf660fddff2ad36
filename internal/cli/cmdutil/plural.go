package cmdutil

import "fmt"

// Count writes n with the noun in the right number: "1 agent", "3 agents".
// Nouns here are regular English plurals.
func Count(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
