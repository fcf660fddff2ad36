package bulk

import (
	"sync"
	"testing"
)

func TestInFileOrder(t *testing.T) {
	p := &Plan{Steps: make([]Step, 5)}
	for i := range p.Steps {
		p.Steps[i].Record = &Record{Line: i + 2}
	}
	var got []int
	on, flush := InFileOrder(p, func(r Result) { got = append(got, r.Step.Record.Line) })
	// Finished out of order, concurrently; row 5 (index 3) never ends.
	var wg sync.WaitGroup
	for _, i := range []int{4, 2, 0, 1} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			on(Result{Step: &p.Steps[i]})
		}()
	}
	wg.Wait()
	if len(got) != 3 || got[0] != 2 || got[1] != 3 || got[2] != 4 {
		t.Fatalf("before flush: lines %v, want [2 3 4] (line 6 waits for line 5)", got)
	}
	flush()
	if len(got) != 4 || got[3] != 6 {
		t.Fatalf("after flush: lines %v, want [2 3 4 6]", got)
	}
}
