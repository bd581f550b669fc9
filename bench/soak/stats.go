package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Outcomes of one token request to a replica.
const (
	outOK   = "ok"
	outDown = "down" // connection error to a replica that was being killed or restarted
)

// classifyToken names the outcome of a GET /v1/accounts/{name}/token answer:
// "ok" for 200, else "STATUS code" from the vault's error body (e.g.
// "409 login_required"), or just the status when the body is not the
// vault's error shape.
func classifyToken(status int, body []byte) string {
	if status == 200 {
		return outOK
	}
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Code != "" && len(e.Error.Code) <= 40 {
		return fmt.Sprintf("%d %s", status, e.Error.Code)
	}
	return fmt.Sprintf("%d", status)
}

// Results of checking a token at the simulator.
const (
	checkOK          = "ok"
	checkStale       = "stale"         // 401: the simulator does not take the token
	checkWrong       = "wrong_account" // 200, but the token is another account's
	checkRateLimited = "rate_limited"  // 429: PSN's per-account limit (not the token's fault)
	checkError       = "error"         // anything else
	checkSkipped     = "unchecked"     // the account's check budget was spent
)

// classifyCheck names the result of GET /api/v1/devices/accounts/me with a
// token that should belong to wantAccountID.
func classifyCheck(status int, body []byte, wantAccountID string) string {
	switch status {
	case 200:
		var me struct {
			AccountID string `json:"accountId"`
		}
		if json.Unmarshal(body, &me) != nil {
			return checkError
		}
		if me.AccountID != wantAccountID {
			return checkWrong
		}
		return checkOK
	case 401:
		return checkStale
	case 429:
		return checkRateLimited
	}
	return checkError
}

// counter is a set of named counts, safe for concurrent use.
type counter struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counter) inc(name string) { c.add(name, 1) }

func (c *counter) add(name string, n int) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[name] += n
	c.mu.Unlock()
}

func (c *counter) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name]
}

// total is the sum of every count.
func (c *counter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.m {
		n += v
	}
	return n
}

// except is the sum of every count but those named.
func (c *counter) except(names ...string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, v := range c.m {
		if !slices.Contains(names, k) {
			n += v
		}
	}
	return n
}

// sorted lists "name count" pairs, largest first (ties by name).
func (c *counter) sorted() []kv {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []kv
	for k, v := range c.m {
		out = append(out, kv{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].v != out[j].v {
			return out[i].v > out[j].v
		}
		return out[i].k < out[j].k
	})
	return out
}

type kv struct {
	k string
	v int
}

// latencies collects durations for percentiles.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// percentile returns the p-th percentile (0–100, nearest rank) or 0.
func (l *latencies) percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.999999) - 1
	rank = max(0, min(rank, len(s)-1))
	return s[rank]
}

var digits = regexp.MustCompile(`[0-9]+`)

// errorKind shortens an error line into a kind for the table: the first
// line, numbers replaced by N (so "version 4: stored version is 6" and
// "version 7: stored version is 9" count together), at most 140 bytes.
func errorKind(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	s = digits.ReplaceAllString(s, "N")
	if len(s) > 140 {
		s = s[:140] + "…"
	}
	if s == "" {
		s = "(no message)"
	}
	return s
}

// result is what the last line says.
type result struct {
	Lost, InvalidGrant, Failed, Stale, Grants, Saves int
	// Stuck counts accounts left unrefreshed (table only; fails --strict).
	Stuck int
	// Webhooks: expected events never received, POSTs with a bad
	// signature, 2xx deliveries of an id already received (allowed by
	// at-least-once: reported, never failed), distinct events received,
	// and bodies that held a secret (table; fails the run).
	HookMissing, HookBadSig, HookDupes, Hooks, HookLeaked int
}

// lastLine is the run's summary, the exact format CI and docs quote.
func (r result) lastLine() string {
	return fmt.Sprintf("lost=%d invalid_grant=%d failed=%d stale=%d grants=%d saves=%d hook_missing=%d hook_bad_sig=%d hook_dupes=%d hooks=%d",
		r.Lost, r.InvalidGrant, r.Failed, r.Stale, r.Grants, r.Saves, r.HookMissing, r.HookBadSig, r.HookDupes, r.Hooks)
}

// failing says why the run fails (empty: it passes). invalid_grant, lost,
// missing webhook events, bad signatures and secrets in webhook bodies
// always count; strict adds failed, stale, stuck and grants != saves.
func (r result) failing(strict bool) []string {
	var why []string
	if r.Lost > 0 {
		why = append(why, fmt.Sprintf("%d accounts lost", r.Lost))
	}
	if r.InvalidGrant > 0 {
		why = append(why, fmt.Sprintf("PSN saw %d invalid_grant", r.InvalidGrant))
	}
	if r.HookMissing > 0 {
		why = append(why, fmt.Sprintf("%d expected webhook events never delivered", r.HookMissing))
	}
	if r.HookBadSig > 0 {
		why = append(why, fmt.Sprintf("%d webhook POSTs with a bad signature", r.HookBadSig))
	}
	if r.HookLeaked > 0 {
		why = append(why, fmt.Sprintf("%d webhook bodies held a secret", r.HookLeaked))
	}
	if strict {
		if r.Failed > 0 {
			why = append(why, fmt.Sprintf("%d failed token requests or CLI runs", r.Failed))
		}
		if r.Stale > 0 {
			why = append(why, fmt.Sprintf("%d stale tokens", r.Stale))
		}
		if r.Stuck > 0 {
			why = append(why, fmt.Sprintf("%d accounts stuck unrefreshed", r.Stuck))
		}
		if r.Grants != r.Saves {
			why = append(why, fmt.Sprintf("PSN's refresh grants (%d) != saves (%d)", r.Grants, r.Saves))
		}
	}
	return why
}

// table prints rows of cells aligned in columns.
type table struct {
	rows [][]string
}

func (t *table) row(cells ...any) {
	r := make([]string, len(cells))
	for i, c := range cells {
		r[i] = fmt.Sprint(c)
	}
	t.rows = append(t.rows, r)
}

func (t *table) write(w io.Writer) {
	var width []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range t.rows {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-len([]rune(c))))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
