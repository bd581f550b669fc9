package cli

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
)

// With --all, JSON and CSV show the first page's items before the next
// page is even asked for: the hook holds the request for the second page
// until the first page's titles are on stdout.
func TestAllStreamsPageByPage(t *testing.T) {
	e := newTestEnv(t, psntest.Config{}, 0)
	titles := simTitles(t, e)
	if len(titles) <= 50 {
		t.Fatalf("the simulator's user has %d titles; the test needs more than one page of 50", len(titles))
	}
	for _, format := range []string{"json", "csv"} {
		t.Run(format, func(t *testing.T) {
			out := &syncWriter{}
			seen := make(chan bool, 4)
			e.mu.Lock()
			e.hook = func(r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/trophyTitles") || r.URL.Query().Get("offset") != "50" {
					return
				}
				// Wait (bounded, so that a regression fails instead of
				// hanging) for the 50th title of the first page.
				deadline := time.Now().Add(10 * time.Second)
				for time.Now().Before(deadline) {
					if strings.Contains(out.String(), titles[49].NpCommunicationID) {
						seen <- true
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
				seen <- false
			}
			e.mu.Unlock()
			t.Cleanup(e.noHook)
			var errb strings.Builder
			code := run(context.Background(), []string{"titles", "--all", "--limit", "50", "-o", format}, strings.NewReader(""), out, &errb,
				func(k string) string { return e.env[k] })
			if code != exitOK {
				t.Fatalf("titles --all: exit %d: %s", code, errb.String())
			}
			if ok := <-seen; !ok {
				t.Fatal("the second page was requested before the first page's titles were written")
			}
			if format == "json" {
				var got []psn.TrophyTitle
				if err := json.Unmarshal([]byte(out.String()), &got); err != nil || len(got) != len(titles) {
					t.Fatalf("streamed JSON: %d titles, %v", len(got), err)
				}
			} else if n := strings.Count(out.String(), "\n"); n != len(titles)+1 {
				t.Fatalf("streamed CSV: %d lines, want %d", n, len(titles)+1)
			}
		})
	}
}

// A failure midway leaves the JSON array open: a reader must not take the
// part for the whole.
func TestStreamJSONLeavesAFailedArrayOpen(t *testing.T) {
	var b strings.Builder
	boom := errors.New("boom")
	err := streamJSON(&b, func(yield func(int, error) bool) {
		_ = yield(1, nil) && yield(2, nil) && yield(0, boom)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var v any
	if json.Unmarshal([]byte(b.String()), &v) == nil {
		t.Fatalf("a failed stream is valid JSON: %s", b.String())
	}
	b.Reset()
	if err := streamJSON(&b, func(func(int, error) bool) {}); err != nil || b.String() != "[]\n" {
		t.Fatalf("empty stream: %q, %v", b.String(), err)
	}
	b.Reset()
	want, _ := json.MarshalIndent([]map[string]int{{"a": 1}, {"b": 2}}, "", "  ")
	streamJSON(&b, func(yield func(map[string]int, error) bool) {
		_ = yield(map[string]int{"a": 1}, nil) && yield(map[string]int{"b": 2}, nil)
	})
	if b.String() != string(want)+"\n" {
		t.Fatalf("streamed %q, want what emit writes: %q", b.String(), want)
	}
}
