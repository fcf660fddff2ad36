package agent

import (
	"testing"

	"github.com/ladmin/ladmin/internal/bulk"
)

// The exit messages agree in number with their counts.
func TestImportExitMessagesGrammar(t *testing.T) {
	for _, c := range []struct {
		sum  bulk.Summary
		want string
	}{
		{bulk.Summary{Failed: 1}, "1 of 1 row failed"},
		{bulk.Summary{Created: 3, Failed: 1, NotAttempted: 1, Stopped: true},
			"1 of 5 rows failed and 1 was not attempted (the first failure stopped the import; --continue-on-error attempts every row)"},
		{bulk.Summary{Created: 1, Failed: 2, Unknown: 1, NotAttempted: 2, Stopped: true},
			"2 of 6 rows failed, 1 has an unknown outcome (it may or may not have been applied; running the same import again resolves it) " +
				"and 2 were not attempted (the first failure stopped the import; --continue-on-error attempts every row)"},
		{bulk.Summary{Created: 1, Unknown: 2},
			"2 of 3 rows have an unknown outcome (they may or may not have been applied; running the same import again resolves them)"},
	} {
		if got := notCleanMessage(c.sum); got != c.want {
			t.Errorf("%+v:\n got %q\nwant %q", c.sum, got, c.want)
		}
	}
	if got := unknownNote(bulk.Summary{Unknown: 1}); got != " and 1 row whose outcome is unknown (it may or may not have been applied)" {
		t.Errorf("%q", got)
	}
}
