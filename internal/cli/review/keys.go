package review

import (
	"context"

	"github.com/ladmin/ladmin/internal/bulk"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// keyCounts counts each agent's API keys. A key that may see only its own
// keys (no apikeys.read) would undercount everyone else's, so then the
// counts are unknown (nil) and the column stays empty.
func keyCounts(ctx context.Context, c *liveagent.Client, acct *bulk.Account) (map[string]int, error) {
	if d := rbac.Decide(rbac.Request{Actor: acct.Actor(), Action: rbac.ReadAPIKeys}); !d.Allowed {
		return nil, nil
	}
	keys, err := c.ListAPIKeys(ctx, liveagent.ListOptions{})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, k := range keys {
		counts[k.UserID]++
	}
	return counts, nil
}
