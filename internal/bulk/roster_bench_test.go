package bulk

import (
	"fmt"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// BenchmarkRoster100k is the client-side cost of `agent export` for an
// account of 100,000 agents, once the agents are read.
func BenchmarkRoster100k(b *testing.B) {
	agents := make([]liveagent.Agent, 100_000)
	for i := range agents {
		agents[i] = liveagent.Agent{ID: fmt.Sprintf("%08x", i*7919%100_000), Name: "Agent", Role: "agent",
			Email: fmt.Sprintf("Agent.%06d@Example.COM", (i*7919)%100_000), Status: liveagent.StatusActive}
	}
	acct := NewAccount(liveagent.Agent{}, nil, nil, agents)
	b.ResetTimer()
	for range b.N {
		if len(Roster(acct, nil)) != len(agents) {
			b.Fatal("short roster")
		}
	}
}
