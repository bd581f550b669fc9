package psn

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// fakePages serves pages from a table keyed by offset and counts fetches.
type fakePages struct {
	pages   map[int]fakePage
	fetches []int
}

type fakePage struct {
	items int
	next  *int
	total int
	err   error
}

func ip(n int) *int { return &n }

func (f *fakePages) fetch(_ context.Context, offset int) ([]int, Page, error) {
	f.fetches = append(f.fetches, offset)
	p, ok := f.pages[offset]
	if !ok {
		return nil, Page{}, errors.New("fake: no page at this offset")
	}
	if p.err != nil {
		return nil, Page{}, p.err
	}
	items := make([]int, p.items)
	for i := range items {
		items[i] = offset + i
	}
	return items, Page{NextOffset: p.next, TotalItemCount: p.total}, nil
}

func drain(seq iter.Seq2[int, error]) (items []int, err error) {
	for it, e := range seq {
		if e != nil {
			return items, e
		}
		items = append(items, it)
	}
	return items, nil
}

func TestPaginateFollowsNextOffsetToTheEnd(t *testing.T) {
	f := &fakePages{pages: map[int]fakePage{
		0: {items: 2, next: ip(2), total: 5},
		2: {items: 2, next: ip(4), total: 5},
		4: {items: 1, total: 5},
	}}
	items, err := drain(paginate(context.Background(), "x", 0, f.fetch))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(items, []int{0, 1, 2, 3, 4}) || !slices.Equal(f.fetches, []int{0, 2, 4}) {
		t.Errorf("items %v, fetches %v", items, f.fetches)
	}
}

func TestPaginateStopsWhenNextOffsetReachesTotal(t *testing.T) {
	f := &fakePages{pages: map[int]fakePage{0: {items: 3, next: ip(3), total: 3}}}
	items, err := drain(paginate(context.Background(), "x", 0, f.fetch))
	if err != nil || len(items) != 3 || len(f.fetches) != 1 {
		t.Errorf("items %v, err %v, fetches %v", items, err, f.fetches)
	}
}

func TestPaginateLoopGuards(t *testing.T) {
	for name, pages := range map[string]map[int]fakePage{
		"nextOffset repeats the same page": {0: {items: 2, next: ip(0), total: 10}},
		"nextOffset goes backwards":        {0: {items: 2, next: ip(2), total: 10}, 2: {items: 2, next: ip(1), total: 10}},
		"empty page names a next one":      {0: {items: 0, next: ip(5), total: 10}},
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakePages{pages: pages}
			_, err := drain(paginate(context.Background(), "https://m.np.playstation.com/api/x", 0, f.fetch))
			var loop *PageLoopError
			if !errors.As(err, &loop) || !errors.Is(err, ErrPageLoop) || !errors.Is(err, ErrUnexpectedResponse) {
				t.Fatalf("err = %v, want *PageLoopError", err)
			}
			if len(f.fetches) > 2 {
				t.Errorf("fetched %v after the loop showed", f.fetches)
			}
			if !strings.Contains(err.Error(), "/api/x") {
				t.Errorf("error does not say where: %v", err)
			}
		})
	}
}

func TestPaginateBoundsEndlessPages(t *testing.T) {
	// A server that always names one more page and never a total.
	n := 0
	fetch := func(_ context.Context, offset int) ([]int, Page, error) {
		n++
		next := offset + 1
		return []int{offset}, Page{NextOffset: &next}, nil
	}
	_, err := drain(paginate(context.Background(), "x", 0, fetch))
	if !errors.Is(err, ErrPageLoop) {
		t.Fatalf("err = %v, want ErrPageLoop", err)
	}
	if n != maxPages {
		t.Errorf("fetched %d pages, want the cap %d", n, maxPages)
	}
}

func TestPaginateEarlyStop(t *testing.T) {
	f := &fakePages{pages: map[int]fakePage{
		0: {items: 2, next: ip(2), total: 6},
		2: {items: 2, next: ip(4), total: 6},
		4: {items: 2, total: 6},
	}}
	for it, err := range paginate(context.Background(), "x", 0, f.fetch) {
		if err != nil {
			t.Fatal(err)
		}
		if it == 2 {
			break
		}
	}
	if !slices.Equal(f.fetches, []int{0, 2}) {
		t.Errorf("fetches %v, want [0 2]", f.fetches)
	}
}

func TestPaginateYieldsFetchErrorOnce(t *testing.T) {
	boom := errors.New("boom")
	f := &fakePages{pages: map[int]fakePage{0: {items: 1, next: ip(1), total: 3}, 1: {err: boom}}}
	var errs int
	var items int
	for _, err := range paginate(context.Background(), "x", 0, f.fetch) {
		if err != nil {
			errs++
			if !errors.Is(err, boom) {
				t.Errorf("err = %v", err)
			}
			continue
		}
		items++
	}
	if errs != 1 || items != 1 {
		t.Errorf("items %d, errors %d", items, errs)
	}
}

func TestBatches(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}
	got := batches(ids, 5)
	if len(got) != 3 || len(got[0]) != 5 || len(got[1]) != 5 || len(got[2]) != 2 || got[2][1] != "l" {
		t.Errorf("batches = %v", got)
	}
	if got := batches(ids[:5], 5); len(got) != 1 {
		t.Errorf("5 ids gave %d batches", len(got))
	}
	// Appending to a batch must not overwrite the next one.
	b := batches(ids, 5)
	_ = append(b[0], "x")
	if b[1][0] != "f" {
		t.Error("batches share capacity")
	}
}

func TestPathIDEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"2721516955383551246":                "2721516955383551246",
		"a/b":                                "a%2Fb",
		"x?limit=1":                          "x%3Flimit=1",
		"../../me":                           "..%2F..%2Fme",
		"#frag":                              "%23frag",
		"~1CACE0CDC2C96B5B.25C4C5406FD6D50E": "~1CACE0CDC2C96B5B.25C4C5406FD6D50E",
	} {
		got, err := pathID("id", in)
		if err != nil || got != want {
			t.Errorf("pathID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "  ", "\t"} {
		if _, err := pathID("accountId", in); !errors.Is(err, ErrInvalidID) {
			t.Errorf("pathID(%q) err = %v", in, err)
		}
	}
}

func TestIteratorsStopOnCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	c, _ := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		writeJSON(w, 200, `{"trophyTitles":[{"npCommunicationId":"A"}],"nextOffset":`+r.URL.Query().Get("limit")+`,"totalItemCount":1000}`)
	})
	var err error
	n := 0
	for _, e := range c.Trophies.TitlesAll(ctx, "me", &TitlesOptions{ListOptions: ListOptions{Limit: 1}}) {
		if e != nil {
			err = e
			break
		}
		n++
		cancel() // the consumer's context ends after the first title
	}
	if !errors.Is(err, context.Canceled) || n != 1 || calls != 1 {
		t.Errorf("err %v after %d titles and %d requests", err, n, calls)
	}
}
