package liveagent

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// Filter is one `_filters` triple: field, operator (=, !=, like, in) and value.
type Filter struct {
	Field string
	Op    string
	Value any
}

// ListOptions narrows and orders a list.
type ListOptions struct {
	Filters   []Filter
	SortField string
	SortDir   string // ASC or DESC
	// Limit, when positive, stops the list after that many objects, so a
	// short listing of a large account reads one window, not all of them.
	Limit int
	// Total, when not nil, receives how many objects match on the server
	// (its X-Total-Count, whatever Limit), or -1 when it did not say.
	Total *int
}

// PageSize is how many objects one list request asks for: the sandbox's
// maximum, so big accounts take few round trips.
var PageSize = 1000

// maxConcurrentPages bounds how many windows are fetched at once.
const maxConcurrentPages = 8

// maxPrealloc bounds the elements allocated ahead on a server's count.
const maxPrealloc = 1 << 22

func (o ListOptions) query() url.Values {
	q := url.Values{}
	if len(o.Filters) > 0 {
		triples := make([][3]any, len(o.Filters))
		for i, f := range o.Filters {
			triples[i] = [3]any{f.Field, f.Op, f.Value}
		}
		b, _ := json.Marshal(triples)
		q.Set(QueryFilters, string(b))
	}
	if o.SortField != "" {
		q.Set(QuerySortField, o.SortField)
		dir := o.SortDir
		if dir == "" {
			dir = "ASC"
		}
		q.Set(QuerySortDir, dir)
	}
	return q
}

// listAll reads every object of a list endpoint. It asks for windows by
// offset (_from/_to) rather than by page number, so a server that caps the
// page size below ours still yields every row; when the server says how many
// there are (X-Total-Count) the remaining windows are fetched concurrently.
// Any failed window fails the whole list: a partial list is never returned.
func listAll[T any](ctx context.Context, c *Client, path string, opts ListOptions) ([]T, error) {
	all, err := listUpTo[T](ctx, c, path, opts)
	if opts.Limit > 0 && len(all) > opts.Limit {
		all = all[:opts.Limit]
	}
	return all, err
}

func listUpTo[T any](ctx context.Context, c *Client, path string, opts ListOptions) ([]T, error) {
	first, total, err := listWindow[T](ctx, c, path, opts, 0, nil)
	if err != nil {
		return nil, err
	}
	if opts.Total != nil {
		*opts.Total = total
	}
	if opts.Limit > 0 && total > opts.Limit {
		total = opts.Limit
	}
	if total < 0 {
		// No count: walk windows until one comes back empty (or the limit is met).
		all := first
		for len(all) > 0 && len(first) > 0 && (opts.Limit <= 0 || len(all) < opts.Limit) {
			first, _, err = listWindow[T](ctx, c, path, opts, len(all), nil)
			if err != nil {
				return nil, err
			}
			all = append(all, first...)
		}
		return nonNil(all), nil
	}
	if len(first) >= total || len(first) == 0 {
		return nonNil(first), nil
	}
	step := len(first)
	var offsets []int
	for off := step; off < total; off += step {
		offsets = append(offsets, off)
	}
	// Windows are decoded straight into one array of total elements
	// (encoding/json appends into a slice's spare capacity), so a large list
	// is not held twice, once in windows and once joined. A window that comes
	// back with another length than asked leaves its place and is joined
	// below. A count beyond maxPrealloc is not trusted with an allocation.
	var all []T
	if total <= maxPrealloc {
		all = make([]T, total)
		copy(all, first)
	}
	windows := make([][]T, len(offsets))
	errs := make([]error, len(offsets))
	sem := make(chan struct{}, maxConcurrentPages)
	var wg sync.WaitGroup
	for i, off := range offsets {
		if all != nil {
			windows[i] = all[off:off:min(off+step, total)]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			windows[i], _, errs[i] = listWindow(ctx, c, path, opts, off, windows[i])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	inPlace := all != nil
	for i, off := range offsets {
		w := windows[i]
		inPlace = inPlace && len(w) == min(step, total-off) && &w[0] == &all[off]
	}
	if inPlace {
		return all, nil
	}
	all = make([]T, 0, min(total, maxPrealloc))
	all = append(all, first...)
	for _, w := range windows {
		all = append(all, w...)
	}
	// A window may come back short if objects vanished meanwhile; the
	// server's count is only a hint, so finish with a sequential tail check.
	for len(all) < total {
		more, _, err := listWindow[T](ctx, c, path, opts, len(all), nil)
		if err != nil {
			return nil, err
		}
		if len(more) == 0 {
			break
		}
		all = append(all, more...)
	}
	return all, nil
}

// listWindow reads the window starting at from, decoding it into dst's
// spare capacity when it fits.
func listWindow[T any](ctx context.Context, c *Client, path string, opts ListOptions, from int, dst []T) ([]T, int, error) {
	size := PageSize
	if opts.Limit > 0 && opts.Limit-from < size {
		size = max(opts.Limit-from, 1)
	}
	q := opts.query()
	q.Set(QueryFrom, strconv.Itoa(from))
	q.Set(QueryTo, strconv.Itoa(from+size))
	q.Set(QueryPerPage, strconv.Itoa(size))
	items := dst
	var h http.Header
	if err := c.do(ctx, call{method: http.MethodGet, path: path, query: q, result: &items, header: &h}); err != nil {
		return nil, 0, err
	}
	total := -1
	if n, ok := headerInt(h, "X-Total-Count"); ok {
		total = n
	}
	return items, total, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
