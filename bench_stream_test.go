package psn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"
)

// manyTitlesPages returns the trophyTitles pages of an account with n
// titles, paged by limit as PSN pages them: the recorded page's 50 titles
// repeated with distinct npCommunicationIds (what bench/climem serves).
func manyTitlesPages(b *testing.B, n, limit int) map[int][]byte {
	var rec struct {
		TrophyTitles []json.RawMessage `json:"trophyTitles"`
	}
	if err := json.Unmarshal(recordedBody(b, "test_user__trophy_titles_pagination_test", "trophyTitles"), &rec); err != nil || len(rec.TrophyTitles) == 0 {
		b.Fatalf("recorded titles: %v", err)
	}
	pages := map[int][]byte{}
	for offset := 0; offset < n; offset += limit {
		page := []json.RawMessage{}
		for i := offset; i < min(n, offset+limit); i++ {
			src := rec.TrophyTitles[i%len(rec.TrophyTitles)]
			var id struct {
				NpCommunicationID string `json:"npCommunicationId"`
			}
			json.Unmarshal(src, &id)
			fresh := fmt.Sprintf("NPWR%05d_00", 90000-i)
			page = append(page, bytes.Replace(src, []byte(`"`+id.NpCommunicationID+`"`), []byte(`"`+fresh+`"`), 1))
		}
		body := map[string]any{"trophyTitles": page, "totalItemCount": n}
		if offset+limit < n {
			body["nextOffset"] = offset + limit
		}
		pages[offset], _ = json.Marshal(body)
	}
	return pages
}

// pagesTransport answers every request with the page at its offset, in
// memory: no server, so that a benchmark counts the client's allocations
// alone.
type pagesTransport map[int][]byte

func (p pagesTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	return &http.Response{
		StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
		Body: io.NopCloser(bytes.NewReader(p[offset])), ContentLength: int64(len(p[offset])),
	}, nil
}

// BenchmarkTitlesAll walks 2,053 trophy titles in pages of 800, as `psn
// titles me --all` does (issue 10): the client's whole cost of TitlesAll
// (requests, bodies, decoding, paging) over an in-memory transport. B/title
// and allocs/title are per title walked.
func BenchmarkTitlesAll(b *testing.B) {
	const n = 2053
	pages := manyTitlesPages(b, n, MaxTrophyTitlesPageSize)
	size := 0
	for _, p := range pages {
		size += len(p)
	}
	c := testClient("http://psn.invalid", WithHTTPClient(&http.Client{Transport: pagesTransport(pages)}))
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(size))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		got := 0
		for _, err := range c.Trophies.TitlesAll(ctx, "me", nil) {
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		if got != n {
			b.Fatalf("%d titles, want %d", got, n)
		}
	}
	runtime.ReadMemStats(&after)
	titles := float64(b.N * n)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/titles, "B/title")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/titles, "allocs/title")
}
