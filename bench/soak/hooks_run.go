package main

import (
	"context"
	"fmt"
	"time"
)

// claimLease is how long a replica's claim on outbox events lasts
// (vault/server's deliverLease, docs/vault.md): the events a killed
// replica had claimed wait that long before another replica may send them.
const claimLease = 2 * time.Minute

// awaitHookInFlight waits, with the receiver holding every POST unanswered,
// until one held POST comes from replica r (by its sockets), at most limit.
// It returns a note for the kill line.
func (h *harness) awaitHookInFlight(r *replica, limit time.Duration) string {
	r.mu.Lock()
	pid := r.child.cmd.Process.Pid
	r.mu.Unlock()
	missing := len(h.hooks.missing(expectedHooks(h.cfg.accounts)))
	start := time.Now()
	for time.Since(start) < limit {
		if held := h.hooks.held(); len(held) > 0 {
			if ports, err := localPorts(pid); err == nil {
				for _, a := range held {
					if ports[portOf(a)] {
						return fmt.Sprintf("; with a webhook POST of its own held unanswered (found after %s; %d expected events not yet received)", ms(time.Since(start)), missing)
					}
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Sprintf("; NO webhook POST of its own in flight within %s (%d held from other replicas; %d expected events not yet received)", limit, len(h.hooks.held()), missing)
}

// drainHooks waits, after the settle period, until every expected webhook
// event has been received or --hook-drain has passed. After a kill it waits
// at least until the killed replica's claims have lapsed and been retried
// (kill + claimLease + 15 s) while events are still missing: at-least-once
// promises delivery, not delivery before the claims of a dead process
// expire.
func (h *harness) drainHooks(ctx context.Context) error {
	start := time.Now()
	deadline := start.Add(h.cfg.hookDrain)
	if !h.killedAt.IsZero() {
		if d := h.killedAt.Add(claimLease + 15*time.Second); d.After(deadline) {
			deadline = d
		}
	}
	want := expectedHooks(h.cfg.accounts)
	said := false
	for {
		n := len(h.hooks.missing(want))
		if n == 0 || !time.Now().Before(deadline) {
			h.hookWait = time.Since(start)
			if n > 0 {
				h.logf("webhooks: %d expected events still missing after %s", n, h.hookWait.Round(time.Millisecond))
			}
			return nil
		}
		if !said {
			h.logf("webhooks: waiting for %d expected events (until %s at most)", n, deadline.UTC().Format("15:04:05"))
			said = true
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("stopped while waiting for webhooks: %w", context.Cause(ctx))
		}
	}
}
