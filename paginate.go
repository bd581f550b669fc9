package psn

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// This file holds what the data calls share: id checks and escaping,
// limit/offset parameters, and the page walker behind every …All iterator.

// InvalidIDError names the parameter whose value was unusable. It matches
// ErrInvalidID.
type InvalidIDError struct {
	Param string // "accountId", "npCommunicationId", …
	// Problem says what is wrong ("empty").
	Problem string
}

// Error describes the failure.
func (e *InvalidIDError) Error() string {
	return fmt.Sprintf("psn: invalid %s: %s (no request sent)", e.Param, e.Problem)
}

// Is makes errors.Is(err, ErrInvalidID) work.
func (e *InvalidIDError) Is(target error) bool { return target == ErrInvalidID }

// PageLoopError describes a page sequence that does not advance. It matches
// ErrPageLoop and ErrUnexpectedResponse.
type PageLoopError struct {
	URL        string // scheme, host and path of the paginated endpoint
	Offset     int    // the offset of the page that was read
	NextOffset int    // the nextOffset PSN gave for it
	Problem    string // what was wrong
}

// Error describes the failure.
func (e *PageLoopError) Error() string {
	return fmt.Sprintf("psn: pagination of %s does not advance: offset %d, nextOffset %d: %s", e.URL, e.Offset, e.NextOffset, e.Problem)
}

// Is makes errors.Is work for ErrPageLoop and ErrUnexpectedResponse.
func (e *PageLoopError) Is(target error) bool {
	return target == ErrPageLoop || target == ErrUnexpectedResponse
}

// Page-size ceilings PSN enforces today. Sony changes them (gamelist went
// from 1000 to 500 to 200 in 2023): every …All iterator takes its page size
// from the Limit field of its options and falls back to these only when
// Limit is zero.
const (
	// MaxTrophyTitlesPageSize is the largest limit trophyTitles accepts.
	MaxTrophyTitlesPageSize = 800
	// MaxGameListPageSize is the largest limit the gamelist accepts.
	MaxGameListPageSize = 200
	// MaxTrophiesPageSize is the page size used to list trophies.
	MaxTrophiesPageSize = 200
	// MaxFriendsPageSize is the page size used to list friends.
	MaxFriendsPageSize = 1000
	// MaxNpTitleIDs is how many ids one npTitleIds request may carry.
	MaxNpTitleIDs = 5
)

// Page is the pagination part of PSN's list responses.
type Page struct {
	// NextOffset is the offset of the next page; nil on the last page.
	NextOffset *int `json:"nextOffset,omitempty"`
	// PreviousOffset is the offset of the previous page, when PSN gives it.
	PreviousOffset *int `json:"previousOffset,omitempty"`
	// TotalItemCount is the number of items over all pages.
	TotalItemCount int `json:"totalItemCount"`
}

// pathID checks that id is usable as a path segment and escapes it, so an
// id holding '/', '?' or '#' can never change the request's path or query.
func pathID(param, id string) (string, error) {
	if strings.TrimSpace(id) == "" {
		return "", &InvalidIDError{Param: param, Problem: "empty"}
	}
	return url.PathEscape(id), nil
}

// pageQuery returns a query with limit and offset, leaving out zero limits.
func pageQuery(limit, offset int) url.Values {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 || limit > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return q
}

// pageFetcher fetches the page at offset and returns its items and page info.
type pageFetcher[T any] func(ctx context.Context, offset int) ([]T, Page, error)

// maxPages bounds every walk: no PSN list comes near it (trophyTitles at
// 800 a page would be 8 million titles), so reaching it means a server
// that keeps inventing pages.
const maxPages = 10000

// paginate walks pages from start with fetch and yields every item. It
// stops when a page has no nextOffset, when nextOffset reaches the total,
// when the consumer breaks, or with a *PageLoopError when the sequence does
// not advance (nextOffset not past the current offset, an empty page that
// names a next one, or more than maxPages pages). Offsets only grow, so no
// page is fetched twice.
func paginate[T any](ctx context.Context, where string, start int, fetch pageFetcher[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		offset := start
		for pages := 1; ; pages++ {
			items, page, err := fetch(ctx, offset)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if page.NextOffset == nil {
				return
			}
			next := *page.NextOffset
			loop := func(problem string) {
				yield(zero, &PageLoopError{URL: where, Offset: offset, NextOffset: next, Problem: problem})
			}
			switch {
			case page.TotalItemCount > 0 && next >= page.TotalItemCount:
				return // PSN sometimes names an offset past the end
			case next <= offset:
				loop("nextOffset does not move forward")
				return
			case len(items) == 0:
				loop("empty page with a nextOffset")
				return
			case pages >= maxPages:
				loop(fmt.Sprintf("more than %d pages", maxPages))
				return
			}
			offset = next
		}
	}
}

// ListOptions selects a page of a list: it is embedded in the options of
// every call that pages (go-github's convention).
type ListOptions struct {
	// Limit is the page size; zero means PSN's default for a single page
	// and the call's largest page size for an …All iterator.
	Limit int
	// Offset is the index of the first item: where the page, or the walk
	// of an …All iterator, starts.
	Offset int
}

// list gives the generic page walker the ListOptions of any options type
// that embeds it.
func (o *ListOptions) list() *ListOptions { return o }

// pagedOptions is an options type that embeds ListOptions.
type pagedOptions[O any] interface {
	*O
	list() *ListOptions
}

// allPages is the body of every …All iterator over a Limit/Offset list: it
// copies the caller's options (opt may be nil), gives a zero or negative
// Limit the value defLimit, and walks pages from the caller's Offset with
// paginate, calling fetch for each page with a copy of those options whose
// Offset is the page's. where names the endpoint in a *PageLoopError.
func allPages[O any, PO pagedOptions[O], T any](ctx context.Context, where string, opt *O, defLimit int, fetch func(ctx context.Context, o *O) ([]T, Page, error)) iter.Seq2[T, error] {
	var o O
	if opt != nil {
		o = *opt
	}
	lo := PO(&o).list()
	if lo.Limit <= 0 {
		lo.Limit = defLimit
	}
	return paginate(ctx, where, lo.Offset, func(ctx context.Context, offset int) ([]T, Page, error) {
		po := o
		PO(&po).list().Offset = offset
		return fetch(ctx, &po)
	})
}

// batches splits ids into groups of at most n.
func batches(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}
