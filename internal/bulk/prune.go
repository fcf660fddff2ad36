package bulk

import (
	"fmt"
	"path"
	"strings"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// PruneOptions shape `agent import --prune`.
type PruneOptions struct {
	// Protect lists email globs (*@acme.com) never pruned.
	Protect []string
	// MaxDeletes is how many agents a prune may offboard (default 10).
	MaxDeletes int
}

// DefaultMaxDeletes is the default of --max-deletes.
const DefaultMaxDeletes = 10

// ErrPruneEmpty refuses --prune with a file that has no rows.
type ErrPruneEmpty struct{ File string }

func (e *ErrPruneEmpty) Error() string {
	return fmt.Sprintf("%s has no rows: with --prune it would offboard every agent; refused, nothing was changed", e.File)
}

// ErrTooManyDeletes refuses a prune past --max-deletes.
type ErrTooManyDeletes struct {
	Count, Max int
}

func (e *ErrTooManyDeletes) Error() string {
	return fmt.Sprintf("--prune would offboard %d agents, more than --max-deletes %d; nothing was changed (check the file, or raise --max-deletes to %d)",
		e.Count, e.Max, e.Count)
}

// CheckProtect validates --protect patterns.
func CheckProtect(patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(strings.ToLower(p), ""); err != nil || strings.TrimSpace(p) == "" {
			return fmt.Errorf("invalid --protect pattern %q: use an email glob such as *@acme.com", p)
		}
	}
	return nil
}

// Prune adds to the plan a delete (offboard) step for every active agent the
// file does not list, except the caller, the owners and the agents matching
// a --protect pattern. It refuses a file with no rows, and more deletes than
// MaxDeletes, before anything is sent. It returns the agents it left alone
// and why, for the dry run.
func Prune(plan *Plan, acct *Account, keys map[string][]Key, off OffboardOptions, opts PruneOptions) (kept []string, err error) {
	if len(plan.File.Records) == 0 {
		return nil, &ErrPruneEmpty{File: plan.File.Name}
	}
	if opts.MaxDeletes <= 0 {
		opts.MaxDeletes = DefaultMaxDeletes
	}
	listed := map[string]bool{}
	for _, r := range plan.File.Records {
		listed[strings.ToLower(strings.TrimSpace(r.Email))] = true
	}
	var steps []Step
	for i := range acct.Agents {
		a := &acct.Agents[i]
		email := strings.ToLower(a.Email)
		if !a.Active() || listed[email] {
			continue
		}
		switch {
		case a.ID == acct.Me.ID:
			kept = append(kept, fmt.Sprintf("%s: not in the file, but it is you (the caller); never pruned", a.Email))
			continue
		case acct.Roles.IsOwner(*a):
			kept = append(kept, fmt.Sprintf("%s: not in the file, but an owner; never pruned", a.Email))
			continue
		case protected(email, opts.Protect):
			kept = append(kept, fmt.Sprintf("%s: not in the file, but matches --protect; kept", a.Email))
			continue
		}
		step := OffboardStep(&Record{Email: a.Email}, a, keys[a.ID], off)
		step.Before = liveagent.StateOf(*a, append([]string{}, acct.DepartmentsOf(a.ID)...))
		step.Details = fmt.Sprintf("not in the file (role %s): %s", acct.Roles.RoleName(*a), step.Details)
		steps = append(steps, step)
	}
	if len(steps) > opts.MaxDeletes {
		return kept, &ErrTooManyDeletes{Count: len(steps), Max: opts.MaxDeletes}
	}
	plan.Steps = append(plan.Steps, steps...)
	return kept, nil
}

func protected(email string, patterns []string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(strings.TrimSpace(p)), email); ok {
			return true
		}
	}
	return false
}
