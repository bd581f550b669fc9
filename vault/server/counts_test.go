package server

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/store"
)

// fakeCounter is a count function that counts its calls; each count
// takes countTook (of synctest's time) and answers n = its call number in
// state ok, or errCount when fail is set.
type fakeCounter struct {
	calls atomic.Int64
	fail  atomic.Bool
}

var errCount = errors.New("count failed")

const countTook = 100 * time.Millisecond

func (f *fakeCounter) count(context.Context) (store.StateCounts, error) {
	n := f.calls.Add(1)
	time.Sleep(countTook)
	if f.fail.Load() {
		return nil, errCount
	}
	c := store.NewStateCounts()
	c[store.StateOK] = int(n)
	return c, nil
}

// TestCountCacheOneCountPerPeriod: many reads at one instant cost one
// count; the background loop counts again every countsPeriod while read,
// so a read never waits and never gets a count begun more than
// CountsMaxAge ago; counting stops countsKeepWarm after the last read.
func TestCountCacheOneCountPerPeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var f fakeCounter
		c := newCountCache(f.count, time.Now)
		ctx := t.Context()
		t0 := time.Now()
		for range 100 {
			counts, at, err := c.get(ctx)
			if err != nil || counts[store.StateOK] != 1 || !at.Equal(t0) {
				t.Fatalf("get = %v, %v, %v; want the first count, begun now", counts, at, err)
			}
		}
		if n := f.calls.Load(); n != 1 {
			t.Fatalf("100 reads at one instant made %d counts, want 1", n)
		}
		// One read a second for a minute: at most one count per period, and
		// every read's count begun at most CountsMaxAge ago.
		start := time.Now()
		for range 60 {
			time.Sleep(time.Second)
			t0 := time.Now()
			_, at, err := c.get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if age := time.Since(at); age > CountsMaxAge {
				t.Fatalf("read served a count %v old, bound %v", age, CountsMaxAge)
			}
			if !time.Now().Equal(t0) {
				t.Fatalf("a read at %v waited for a count; the background loop should have counted", time.Since(start))
			}
		}
		if n, most := f.calls.Load(), int64(1+time.Since(start)/countsPeriod); n > most {
			t.Fatalf("%d counts in %v, want at most %d (one per %v)", n, time.Since(start), most, countsPeriod)
		}
		// Nobody reads: counting stops after countsKeepWarm.
		time.Sleep(countsKeepWarm + 2*countsPeriod)
		idle := f.calls.Load()
		time.Sleep(10 * countsPeriod)
		if n := f.calls.Load(); n != idle {
			t.Fatalf("%d counts while nobody read, want 0", n-idle)
		}
		// The next read finds the count too old, so it waits for a new one.
		t0 = time.Now()
		_, at, err := c.get(ctx)
		if err != nil || !at.Equal(t0) || time.Since(t0) != countTook || f.calls.Load() != idle+1 {
			t.Fatalf("read after idle: count begun %v after the read, waited %v, err %v, counts %d; want a new count",
				at.Sub(t0), time.Since(t0), err, f.calls.Load()-idle)
		}
		c.close()
	})
}

// TestCountCacheNeverServesPastBound: when counting fails, the last count
// is served only while younger than CountsMaxAge; then reads fail rather
// than show old figures.
func TestCountCacheNeverServesPastBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var f fakeCounter
		c := newCountCache(f.count, time.Now)
		defer c.close()
		ctx := t.Context()
		_, first, err := c.get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f.fail.Store(true)
		for {
			time.Sleep(time.Second)
			counts, at, err := c.get(ctx)
			if time.Since(first) <= CountsMaxAge {
				if err != nil || counts[store.StateOK] != 1 || !at.Equal(first) {
					t.Fatalf("within the bound: %v, %v, %v; want the first count", counts, at, err)
				}
				continue
			}
			if !errors.Is(err, errCount) {
				t.Fatalf("%v after the last good count: %v, %v; want %v", time.Since(first), counts, err, errCount)
			}
			break
		}
	})
}

// TestCountCacheFollowsServiceClock: moving the service's clock (which
// decides expiring / login-required) past the bound makes the next read
// count again, however little wall time passed.
func TestCountCacheFollowsServiceClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var f fakeCounter
		var skew atomic.Int64
		c := newCountCache(f.count, func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
		defer c.close()
		if _, _, err := c.get(t.Context()); err != nil {
			t.Fatal(err)
		}
		skew.Store(int64(time.Hour))
		counts, _, err := c.get(t.Context())
		if err != nil || counts[store.StateOK] != 2 {
			t.Fatalf("after the service clock moved an hour: %v, %v; want a second count", counts, err)
		}
	})
}

// TestMetricsScrapeNoStoreCall: scrapes of /metrics within the staleness
// bound make no store call after the first; the status page shares the
// count; the age gauge is exposed.
func TestMetricsScrapeNoStoreCall(t *testing.T) {
	e := newSvcEnv(t, envOptions{sim: psntest.Config{AccessTTL: time.Hour}})
	cs := &countingStore{Store: e.st}
	svc := e.newService(cs, e.keys, envOptions{})
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	// No wall-clock bound in a test: the cache keeps its count for an hour.
	svc.metrics.counts.maxAge, svc.metrics.counts.period = time.Hour, time.Hour
	e.add("alice", 0, false)
	scrape := func() string {
		rec := httptest.NewRecorder()
		svc.Metrics().Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != 200 {
			t.Fatalf("/metrics = %d %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	body := scrape()
	for _, want := range []string{`psn_vault_accounts{state="ok"} 1`, `psn_vault_account_counts_age_seconds `} {
		if !strings.Contains(body, want) {
			t.Fatalf("/metrics lacks %s:\n%s", want, body)
		}
	}
	before := cs.calls.Load()
	for range 20 {
		scrape()
	}
	if n := cs.calls.Load() - before; n != 0 {
		t.Fatalf("20 scrapes within the bound made %d store calls, want 0", n)
	}
	if _, _, err := svc.metrics.counts.get(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := cs.calls.Load() - before; n != 0 {
		t.Fatalf("the status page's count made %d store calls, want 0 (shared)", n)
	}
}
