package psn

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TitlesAll decodes each page into the array of the page before: the
// titles a loop body kept from one page are still intact after the next
// page is decoded, and two walks of the same sequence at once (each with
// its own array) both see every title, in order.
func TestTitlesAllReusesPagesSafely(t *testing.T) {
	const n, limit = 7, 3
	c, _ := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		var items []string
		for i := offset; i < min(n, offset+limit); i++ {
			items = append(items, fmt.Sprintf(`{"npCommunicationId":"NPWR%05d_00","trophyTitleName":"Title %d","extra":{"i":%d}}`, i, i, i))
		}
		next := ""
		if offset+limit < n {
			next = fmt.Sprintf(`,"nextOffset":%d`, offset+limit)
		}
		writeJSON(w, 200, fmt.Sprintf(`{"trophyTitles":[%s],"totalItemCount":%d%s}`, strings.Join(items, ","), n, next))
	})
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf(`{"npCommunicationId":"NPWR%05d_00","trophyTitleName":"Title %d","extra":{"i":%d}}`, i, i, i)
	}
	seq := c.Trophies.TitlesAll(context.Background(), "me", &TitlesOptions{ListOptions: ListOptions{Limit: limit}})
	walk := func() ([]string, error) {
		var kept []TrophyTitle
		for tt, err := range seq {
			if err != nil {
				return nil, err
			}
			kept = append(kept, tt)
		}
		var got []string
		for _, tt := range kept { // encoded only after the whole walk
			b, err := tt.MarshalJSON()
			if err != nil {
				return nil, err
			}
			got = append(got, string(b))
		}
		return got, nil
	}
	var wg sync.WaitGroup
	results := make([][]string, 2)
	errs := make([]error, 2)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = walk() })
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil || !slices.Equal(results[i], want) {
			t.Fatalf("walk %d: %v\n got %q\nwant %q", i, errs[i], results[i], want)
		}
	}
}
