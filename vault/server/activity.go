package server

import (
	"sync"
	"time"
)

// The status page's chart: refreshes and failures of this process over
// the last day, in buckets of activityBucket, kept in memory only (a
// replica shows its own work since it started).
const (
	// activityBucket is the width of one bar of the chart.
	activityBucket = 10 * time.Minute
	// activityBuckets cover the last 24 hours.
	activityBuckets = int(24 * time.Hour / activityBucket)
)

// activity is a ring of per-bucket counts of refreshes and failures. It is
// safe for concurrent use; recording is a mutex and two additions.
type activity struct {
	mu      sync.Mutex
	started time.Time // first instant recorded or asked about
	slots   [activityBuckets]activitySlot
}

type activitySlot struct {
	bucket              int64 // Unix time / activityBucket of the counts; stale when not the current one
	refreshes, failures int
}

// bucketOf returns the bucket number of t.
func bucketOf(t time.Time) int64 {
	return t.Unix() / int64(activityBucket/time.Second)
}

func (a *activity) startLocked(now time.Time) {
	if a.started.IsZero() {
		a.started = now
	}
}

// add counts one refresh (ok) or one failure at now.
func (a *activity) add(now time.Time, ok bool) {
	b := bucketOf(now)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.startLocked(now)
	s := &a.slots[int(b%int64(activityBuckets)+int64(activityBuckets))%activityBuckets]
	if s.bucket != b {
		*s = activitySlot{bucket: b}
	}
	if ok {
		s.refreshes++
	} else {
		s.failures++
	}
}

// activityBar is one bucket of the chart.
type activityBar struct {
	Start               time.Time
	Refreshes, Failures int
}

// last returns the activityBuckets buckets that end with the one holding
// now, oldest first, and the instant the counting began (this process's
// first refresh or failure, or the first call of last).
func (a *activity) last(now time.Time) ([]activityBar, time.Time) {
	cur := bucketOf(now)
	out := make([]activityBar, activityBuckets)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.startLocked(now)
	for i := range out {
		b := cur - int64(activityBuckets-1-i)
		out[i].Start = time.Unix(b*int64(activityBucket/time.Second), 0).UTC()
		s := a.slots[int(b%int64(activityBuckets)+int64(activityBuckets))%activityBuckets]
		if s.bucket == b {
			out[i].Refreshes, out[i].Failures = s.refreshes, s.failures
		}
	}
	return out, a.started
}
