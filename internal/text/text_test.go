package text

import "testing"

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0 agents are"}, {1, "1 agent is"}, {2, "2 agents are"}} {
		if got := Count(tc.n, "agent is", "agents are"); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
