package psntest

import (
	"net/http"
	"time"
)

// admit counts one request of account u against the rate limit: at most
// Config.RateLimit requests in any sliding Config.RateWindow of the
// simulator's clock. Over the limit it writes PSN's 429 (with
// X-RateLimit-Next-Available) and returns false; rejected requests do not
// count.
func (s *Sim) admit(w http.ResponseWriter, u *user) bool {
	if s.cfg.RateLimit < 0 {
		return true
	}
	now := s.Now()
	cut := now.Add(-s.cfg.RateWindow)
	s.mu.Lock()
	q := s.window[u.accountID]
	i := 0
	for i < len(q) && !q[i].After(cut) {
		i++
	}
	q = q[i:]
	if len(q) >= s.cfg.RateLimit {
		next := q[0].Add(s.cfg.RateWindow)
		s.window[u.accountID] = q
		s.mu.Unlock()
		s.stats.rateLimited.Add(1)
		writeRateLimited(w, next)
		return false
	}
	s.window[u.accountID] = append(q, now)
	s.mu.Unlock()
	return true
}

// burstNext is the X-RateLimit-Next-Available of an injected 429 burst.
func burstNext(now time.Time) time.Time { return now.Add(time.Second) }
