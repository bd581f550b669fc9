package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// simStats is the part of GET /_sim/stats the harness reads.
type simStats struct {
	Grants struct {
		AuthorizationCode int `json:"authorization_code"`
		RefreshToken      int `json:"refresh_token"`
	} `json:"grants"`
	Errors struct {
		InvalidGrant  int `json:"invalid_grant"`
		LoginRequired int `json:"login_required"`
	} `json:"errors"`
	RateLimited          int `json:"rateLimited"`
	Requests             int `json:"requests"`
	ConcurrentRefreshMax int `json:"concurrentRefreshMax"`
}

// health is the part of an account's health the harness reads.
type health struct {
	Account   string `json:"account"`
	State     string `json:"state"`
	Refresh   string `json:"refresh"`
	NPSSOKept bool   `json:"npssoKept"`
	LastError string `json:"lastError"`
	// AccessExpiry in the past after the settle period means nobody
	// refreshes the account (its lease is held by a dead process, or it is
	// lost but nobody has tried its refresh token yet).
	AccessExpiry time.Time `json:"accessExpiry"`
}

// lostAccounts returns the accounts that no stored secret can renew any
// more — login-required, or a dead refresh token and no kept NPSSO (about to
// become login-required when its access token expires) — and those missing
// from the listing, out of n accounts acct0000…
func lostAccounts(hs []health, n int) []string {
	seen := map[string]bool{}
	var lost []string
	for _, h := range hs {
		seen[h.Account] = true
		if h.State == "login-required" || h.Refresh == "dead" && !h.NPSSOKept {
			lost = append(lost, h.Account)
		}
	}
	for i := range n {
		if !seen[acctName(i)] {
			lost = append(lost, acctName(i)+" (missing)")
		}
	}
	slices.Sort(lost)
	return lost
}

// stuckAccounts returns the accounts not lost whose access token expired
// more than after before now: the schedulers of live replicas should have
// refreshed them (a scheduler pass every 5 s lets short tokens lapse for a
// few seconds, so only a longer gap counts).
func stuckAccounts(hs []health, now time.Time, after time.Duration) []string {
	lost := map[string]bool{}
	for _, a := range lostAccounts(hs, 0) {
		lost[a] = true
	}
	var stuck []string
	for _, h := range hs {
		if !lost[h.Account] && !h.AccessExpiry.After(now.Add(-after)) {
			stuck = append(stuck, h.Account)
		}
	}
	slices.Sort(stuck)
	return stuck
}

func (h *harness) getJSON(ctx context.Context, url string, auth bool, v any) error {
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(rctx, http.MethodGet, url, nil)
	if auth {
		req.Header.Set("Authorization", "Bearer "+h.apiKey)
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", strings.TrimPrefix(url, "http://"), classifyToken(resp.StatusCode, b))
	}
	if s, ok := v.(*string); ok {
		*s = string(b)
		return nil
	}
	return json.Unmarshal(b, v)
}

// judge reads the accounts' health, the metrics, the simulator's counts and
// the replicas' logs, stops every process, and prints the table and the
// last line.
func (h *harness) judge(ctx context.Context) (result, error) {
	var res result
	var url string
	for _, r := range h.reps {
		if u, up, _ := r.state(); up {
			url = u
			break
		}
	}
	if url == "" {
		return res, fmt.Errorf("no replica is up to read the accounts from")
	}
	// GET /v1/accounts is paged (docs/vault.md): follow "next" to the end.
	var list struct {
		Accounts []health `json:"accounts"`
	}
	for cursor := ""; ; {
		var page struct {
			Accounts []health `json:"accounts"`
			Next     string   `json:"next"`
		}
		q := "/v1/accounts?limit=1000"
		if cursor != "" {
			q += "&cursor=" + neturl.QueryEscape(cursor)
		}
		if err := h.getJSON(ctx, url+q, true, &page); err != nil {
			return res, fmt.Errorf("reading the accounts: %w", err)
		}
		list.Accounts = append(list.Accounts, page.Accounts...)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	lost := lostAccounts(list.Accounts, h.cfg.accounts)
	stuck := stuckAccounts(list.Accounts, time.Now(), h.cfg.stuckAfter)
	states := &counter{}
	lastErrs := &counter{}
	for _, a := range list.Accounts {
		states.inc(a.State)
		if a.LastError != "" {
			lastErrs.inc(errorKind(a.LastError))
		}
	}
	metrics := make([]float64, len(h.reps))
	for i, r := range h.reps {
		u, up, _ := r.state()
		if !up {
			metrics[i] = -1
			continue
		}
		var text string
		if err := h.getJSON(ctx, u+"/metrics", false, &text); err != nil {
			metrics[i] = -1
			continue
		}
		metrics[i] = metricSum(text, "psn_vault_refreshes_total", `reason="refresh_token"`)
	}

	// Stop the replicas (gracefully: a refresh in flight saves first), then
	// read what PSN saw, then stop the simulator.
	var wg sync.WaitGroup
	for _, r := range h.reps {
		r.mu.Lock()
		c, up := r.child, r.up
		r.up = false
		r.mu.Unlock()
		if !up {
			continue
		}
		wg.Go(func() {
			if err := h.procs.stop(c, 40*time.Second); err != nil {
				h.logf("replica %d: %v", r.i, err)
			}
		})
	}
	wg.Wait()
	var st simStats
	if err := h.getJSON(ctx, h.simURL+"/_sim/stats", false, &st); err != nil {
		return res, fmt.Errorf("reading the simulator's stats: %w", err)
	}
	if err := h.procs.stop(h.sim, 10*time.Second); err != nil {
		h.logf("simulator: %v", err)
	}

	logs := make([]*logCounts, len(h.reps))
	for i, r := range h.reps {
		f, err := os.Open(r.logFile.Name())
		if err != nil {
			return res, err
		}
		logs[i] = scanLog(f)
		f.Close()
	}

	savedByReplicas := 0
	for _, l := range logs {
		savedByReplicas += l.SavedRefresh
	}
	res = result{
		Lost:         len(lost),
		InvalidGrant: st.Errors.InvalidGrant,
		Failed: h.tokens.except(outOK, outDown) + h.checks.get(checkWrong) + h.cliChecks.get(checkWrong) +
			h.cliRuns.except("ok", "skipped (cli-max in flight)"),
		Stale:  h.checks.get(checkStale) + h.cliChecks.get(checkStale),
		Grants: st.Grants.RefreshToken,
		Saves:  savedByReplicas + h.cliSaves,
		Stuck:  len(stuck),
	}
	// The replicas are stopped: no webhook arrives any more.
	hookMissing := h.hooks.missing(expectedHooks(h.cfg.accounts))
	hc := h.hooks.counts()
	res.HookMissing, res.HookBadSig, res.HookDupes, res.Hooks, res.HookLeaked = len(hookMissing), hc.BadSig, hc.Dupes, hc.Events, hc.Leaked
	h.report(res, st, lost, stuck, states, lastErrs, logs, metrics)
	h.reportHooks(hc, hookMissing)
	fmt.Fprintln(h.out)
	fmt.Fprintln(h.out, res.lastLine())
	return res, nil
}

func (h *harness) report(res result, st simStats, lost, stuck []string, states, lastErrs *counter, logs []*logCounts, metrics []float64) {
	cfg := h.cfg
	w := h.out
	fmt.Fprintf(w, "\nsoak: %d replicas of psn-vault serve on %s (%s), %d accounts (keepNpsso=%v), access tokens %s, rotating refresh tokens\n",
		cfg.replicas, h.ns.kind, h.ns.display, cfg.accounts, cfg.keepNPSSO, cfg.accessTTL)
	kill := "no kill"
	if cfg.killAt > 0 {
		kill = fmt.Sprintf("kill -9 replica %d at %s %s, restarted after %s (down %s)", cfg.killReplica, cfg.killAt, h.killNote, cfg.restartAfter, h.downFor.Round(10*time.Millisecond))
	}
	cli := "no CLI"
	if cfg.cliEvery > 0 {
		cli = fmt.Sprintf("psn token print every %s (at most %d at once)", cfg.cliEvery, cfg.cliMax)
	}
	fmt.Fprintf(w, "load: %s, %d clients at %g req/s, %s, %s; settle %s\n\n", cfg.duration, cfg.clients, cfg.rate, cli, kill, cfg.settle)

	t := &table{}
	t.row("PART", "WHAT", "COUNT")
	t.row("token requests", "total", h.tokens.total())
	for _, p := range h.tokens.sorted() {
		label := p.k
		if p.k == outDown {
			label = "down (connection to the killed/restarting replica; not failed)"
		}
		t.row("", label, p.v)
	}
	if b := h.behind.Load(); b > 0 {
		t.row("", "not sent (every client busy)", b)
	}
	t.row("", "latency p50 / p99 / max (ok)", fmt.Sprintf("%s / %s / %s", ms(h.lat.percentile(50)), ms(h.lat.percentile(99)), ms(h.lat.percentile(100))))
	if left := time.Duration(h.minLeftNs.Load()); h.lat.percentile(50) > 0 {
		t.row("", "least validity left in an answer", left.Round(time.Millisecond))
	}
	t.row("vault tokens at the simulator", "checked", h.checks.total())
	for _, p := range h.checks.sorted() {
		t.row("", p.k, p.v)
	}
	if cfg.cliEvery > 0 {
		t.row("psn token print", "runs", h.cliRuns.total())
		for _, p := range h.cliRuns.sorted() {
			t.row("", p.k, p.v)
		}
		for i, p := range h.cliErrs.sorted() {
			if i == 5 {
				break
			}
			t.row("", "  "+clip(p.k, 90), p.v)
		}
		for _, p := range h.cliChecks.sorted() {
			t.row("", "token at the simulator: "+p.k, p.v)
		}
		t.row("", "refresh grants / saved (exit 0) / unsaved (failed run)", fmt.Sprintf("%d / %d / %d", h.cliGrants.Refresh, h.cliSaves, h.cliUnsaved))
		t.row("", "invalid_grant answers", h.cliGrants.InvalidGrant)
	}
	t.row("PSN (/_sim/stats)", "refresh_token grants", st.Grants.RefreshToken)
	t.row("", "authorization_code grants", st.Grants.AuthorizationCode)
	t.row("", "invalid_grant", st.Errors.InvalidGrant)
	t.row("", "login_required", st.Errors.LoginRequired)
	t.row("", "rate limited (429)", st.RateLimited)
	t.row("", "requests", st.Requests)
	t.row("", "refresh grants in flight at most", st.ConcurrentRefreshMax)
	for i, l := range logs {
		g := h.proxy.get(fmt.Sprintf("r%d", i))
		m := "-"
		if metrics[i] >= 0 {
			m = fmt.Sprintf("%.0f", metrics[i])
		}
		t.row(fmt.Sprintf("replica %d", i), "PSN refresh grants / saves (log) / metric (last life, at judging)", fmt.Sprintf("%d / %d / %s", g.Refresh, l.SavedRefresh, m))
		t.row("", "invalid_grant answers / logins (code grants)", fmt.Sprintf("%d / %d", g.InvalidGrant, g.Code))
		t.row("", "refresh failed / login required (log)", fmt.Sprintf("%d / %d", l.RefreshFailed, l.LoginRequired))
		if l.SavedNPSSO > 0 {
			t.row("", "saved after an NPSSO login", l.SavedNPSSO)
		}
		t.row("", "WARN / ERROR lines", fmt.Sprintf("%d / %d", l.Warn, l.Error))
		for j, p := range l.Kinds.sorted() {
			if j == 4 {
				break
			}
			t.row("", "  "+clip(p.k, 90), p.v)
		}
	}
	t.row("accounts (vault health)", "listed", states.total())
	for _, p := range states.sorted() {
		t.row("", p.k, p.v)
	}
	for i, p := range lastErrs.sorted() {
		if i == 3 {
			break
		}
		t.row("", "last error: "+clip(p.k, 90), p.v)
	}
	t.row("", "lost (login-required, dead refresh token, missing)", names(lost))
	t.row("", fmt.Sprintf("stuck (access token expired over %s ago)", cfg.stuckAfter), names(stuck))
	t.row("grants vs saves", "PSN refresh grants", res.Grants)
	t.row("", "saves (replica logs + CLI runs that exited 0)", fmt.Sprintf("%d (%d + %d)", res.Saves, res.Saves-h.cliSaves, h.cliSaves))
	unsaved := h.cliUnsaved
	for i, l := range logs {
		unsaved += max(0, h.proxy.get(fmt.Sprintf("r%d", i)).Refresh-l.SavedRefresh)
	}
	t.row("", "grants no process saved (PSN rotated the refresh token anyway)", unsaved)
	t.write(w)
}

// reportHooks prints what the webhook receiver saw.
func (h *harness) reportHooks(hc hookCounts, missing []string) {
	t := &table{}
	t.row("webhooks (receiver)", "POSTs received", hc.Posts)
	t.row("", fmt.Sprintf("answered 500 on purpose (--hook-fail %g)", h.cfg.hookFail), hc.Injected)
	t.row("", "bad signature (answered 401)", hc.BadSig)
	t.row("", "malformed (body id/event not the headers')", hc.Malformed)
	t.row("", "bodies holding a secret", hc.Leaked)
	t.row("", "events received (distinct ids, 2xx)", fmt.Sprintf("%d: %s", hc.Events, kindsLine(hc.ByKind)))
	t.row("", "duplicates (id already received; allowed)", hc.Dupes)
	t.row("", "waited after the settle period", h.hookWait.Round(time.Millisecond))
	t.row("", "expected events missing (account_added per account)", names(missing))
	t.write(h.out)
}

// clip shortens s to n bytes at most.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// names is "N a b c …" (at most 10 names).
func names(list []string) string {
	shown := list
	if len(shown) > 10 {
		shown = append(slices.Clone(shown[:10]), "…")
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", len(list), strings.Join(shown, " ")))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
