package cli

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/psnkit/psn"
)

func TestNoticeLimiterReportsOnlyWhenItHolds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var waits []time.Time
		l := &noticeLimiter{l: psn.NewWindowLimiter(2, time.Minute), onWait: func(until time.Time) { waits = append(waits, until) }}
		start := time.Now()
		for range 2 {
			if err := l.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if len(waits) != 0 || time.Since(start) != 0 {
			t.Fatalf("free slots waited %v and reported %v", time.Since(start), waits)
		}
		// The third request waits for the first slot to free: a minute.
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(waits) != 1 || !waits[0].Equal(start.Add(time.Minute)) {
			t.Fatalf("reported %v, want one wait until %v", waits, start.Add(time.Minute))
		}
		if got := time.Since(start); got != time.Minute {
			t.Fatalf("the third request went after %v, want 1m", got)
		}
		// The 2nd slot freed at 1m too: the 4th goes at once. The probes
		// reserved nothing, so the window now holds exactly the 3rd and
		// 4th, and the 5th waits until 2m.
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(waits) != 1 || time.Since(start) != time.Minute {
			t.Fatalf("4th request: waits %v at %v", waits, time.Since(start))
		}
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(waits) != 2 || !waits[1].Equal(start.Add(2*time.Minute)) || time.Since(start) != 2*time.Minute {
			t.Fatalf("5th request: waits %v at %v, want a 2nd wait until 2m", waits, time.Since(start))
		}
	})
}

func TestNoticeLimiterHonoursCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := &noticeLimiter{l: psn.NewWindowLimiter(1, time.Hour), onWait: func(time.Time) {}}
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(time.Second); cancel() }()
		if err := l.Wait(ctx); err == nil {
			t.Fatal("a cancelled wait for a full window returned nil")
		}
	})
}
