package bulk

import "sync"

// InFileOrder passes results to fn in the plan's order (the file's order),
// whatever order the workers finish them in, so a person reads one line per
// row as in the file (spec/cli.md). A result is held only until the rows
// before it have ended; flush, called after Apply returns, passes whatever
// is still held (rows that never produced a result leave no gap behind).
// The returned function is safe for concurrent use.
func InFileOrder(p *Plan, fn func(Result)) (onResult func(Result), flush func()) {
	index := make(map[*Step]int, len(p.Steps))
	for i := range p.Steps {
		index[&p.Steps[i]] = i
	}
	var mu sync.Mutex
	held := map[int]Result{}
	next := 0
	onResult = func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		i, ok := index[r.Step]
		if !ok { // not a step of this plan: nothing to wait for
			fn(r)
			return
		}
		held[i] = r
		for {
			r, ok := held[next]
			if !ok {
				return
			}
			delete(held, next)
			next++
			fn(r)
		}
	}
	flush = func() {
		mu.Lock()
		defer mu.Unlock()
		for ; next < len(p.Steps); next++ {
			if r, ok := held[next]; ok {
				delete(held, next)
				fn(r)
			}
		}
	}
	return onResult, flush
}
