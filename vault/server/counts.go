package server

import (
	"context"
	"sync"
	"time"

	"github.com/psnkit/psn/store"
)

// The account counts by state behind /metrics and the status page are
// kept by a countCache: counting reads every account's row (on SQLite the
// sealed tokens are inline, ~200 MB at 100,000 accounts), too much to do on
// every scrape.
const (
	// CountsMaxAge bounds the staleness of the account counts served by
	// /metrics and the status page: a count begun longer ago than this is
	// never served; the reader waits for a new one instead.
	CountsMaxAge = 10 * time.Second
	// countsPeriod is how often the counts are taken again while someone
	// reads them, so that a reader finds a count younger than
	// CountsMaxAge without waiting.
	countsPeriod = 5 * time.Second
	// countsKeepWarm is how long after the last read the counts are still
	// taken every countsPeriod (covers any usual scrape interval); then
	// counting stops until the next read.
	countsKeepWarm = 5 * time.Minute
	// countTimeout bounds one count.
	countTimeout = 30 * time.Second
)

// countCache serves the account counts by state from memory, never older
// than maxAge (measured from the instant the count began, on the wall
// clock and on the service's clock, whichever moved more: a test or
// simulator that moves the service's clock changes the states). The first read
// starts a background loop that counts again every period until nobody
// has read for keepWarm; a read that finds no count young enough waits for
// the one in flight (at most one count runs at a time).
type countCache struct {
	count                    func(context.Context) (store.StateCounts, error)
	clock                    func() time.Time // the service's clock (states depend on it)
	period, maxAge, keepWarm time.Duration

	ctx    context.Context // cancelled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup // the loop and the count in flight

	mu     sync.Mutex
	counts store.StateCounts // last successful count; nil before
	at     time.Time         // when it began (wall clock)
	atSvc  time.Time         // idem, on the service's clock
	run    *countRun         // the count in flight, or nil
	read   time.Time         // last read
	loop   bool              // the background loop runs
}

// countRun is one count; done is closed when counts/err are set.
type countRun struct {
	done   chan struct{}
	at     time.Time
	atSvc  time.Time
	counts store.StateCounts
	err    error
}

func newCountCache(count func(context.Context) (store.StateCounts, error), clock func() time.Time) *countCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &countCache{count: count, clock: clock, period: countsPeriod, maxAge: CountsMaxAge, keepWarm: countsKeepWarm, ctx: ctx, cancel: cancel}
}

// get returns the counts and the instant their count began (never more
// than maxAge ago), waiting for a new count, until ctx is done, when the
// cached one is too old or missing.
func (c *countCache) get(ctx context.Context) (store.StateCounts, time.Time, error) {
	c.mu.Lock()
	now := time.Now()
	c.read = now
	if !c.loop && c.ctx.Err() == nil {
		c.loop = true
		c.wg.Add(1)
		go c.warm()
	}
	if c.counts != nil && now.Sub(c.at) <= c.maxAge && c.clock().Sub(c.atSvc) <= c.maxAge {
		counts, at := c.counts, c.at
		c.mu.Unlock()
		return counts, at, nil
	}
	run := c.startLocked(now)
	c.mu.Unlock()
	select {
	case <-run.done:
		return run.counts, run.at, run.err
	case <-ctx.Done():
		return nil, time.Time{}, ctx.Err()
	}
}

// startLocked returns the count in flight, starting one if there is none.
// c.mu is held.
func (c *countCache) startLocked(now time.Time) *countRun {
	if c.run != nil {
		return c.run
	}
	run := &countRun{done: make(chan struct{}), at: now, atSvc: c.clock()}
	c.run = run
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.ctx, countTimeout)
		run.counts, run.err = c.count(ctx)
		cancel()
		c.mu.Lock()
		c.run = nil
		if run.err == nil && !run.at.Before(c.at) {
			c.counts, c.at, c.atSvc = run.counts, run.at, run.atSvc
		}
		c.mu.Unlock()
		close(run.done)
	}()
	return run
}

// warm counts again every period until nobody has read the counts for
// keepWarm, or close.
func (c *countCache) warm() {
	defer c.wg.Done()
	t := time.NewTicker(c.period)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			c.mu.Lock()
			c.loop = false
			c.mu.Unlock()
			return
		case <-t.C:
		}
		c.mu.Lock()
		now := time.Now()
		if now.Sub(c.read) > c.keepWarm {
			c.loop = false
			c.mu.Unlock()
			return
		}
		run := c.startLocked(now)
		c.mu.Unlock()
		<-run.done
	}
}

// close stops the loop and the count in flight and waits for them.
func (c *countCache) close() {
	c.cancel()
	c.wg.Wait()
}
