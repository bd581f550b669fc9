package server

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/psnkit/psn/vault"
)

// Metrics are a Service's Prometheus metrics, in a registry of their own
// (nothing is registered globally). Series:
//
//	psn_vault_refreshes_total{reason}          new tokens saved ("refresh_token" or "npsso")
//	psn_vault_refresh_failures_total           failed refreshes (login-required ones included)
//	psn_vault_login_required_total             times an account was found to need a human login
//	psn_vault_refresh_expiring_warnings_total  refresh tokens found within the warning period
//	psn_vault_scheduler_claims_total           due accounts the scheduler claimed
//	psn_vault_token_requests_total{result}     token requests: ok, not_found, login_required, error
//	psn_vault_http_request_duration_seconds{route,code}  HTTP latency
//	psn_vault_accounts{state}                  accounts by state, from a count at most CountsMaxAge old
//	psn_vault_login_required_accounts          accounts that need a human login, idem
//	psn_vault_account_counts_age_seconds       how long ago the count behind those two began
//	psn_vault_token_sources                    accounts whose token source is in this process's memory
//
// plus the Go runtime and process collectors.
type Metrics struct {
	reg           *prometheus.Registry
	refreshes     *prometheus.CounterVec
	failures      prometheus.Counter
	loginRequired prometheus.Counter
	expiring      prometheus.Counter
	claimed       prometheus.Counter
	tokenRequests *prometheus.CounterVec
	tokensOK      prometheus.Counter // tokenRequests{result="ok"}, resolved once
	httpDuration  *prometheus.HistogramVec
	counts        *countCache // the account counts by state, shared with the status page
	activity      *activity   // refreshes and failures per 10 min, for the status page's chart
}

func newMetrics(s *Service) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "psn_vault_refreshes_total", Help: "New tokens obtained and saved, by reason (refresh_token or npsso).",
		}, []string{"reason"}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "psn_vault_refresh_failures_total", Help: "Failed refreshes, login-required ones included.",
		}),
		loginRequired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "psn_vault_login_required_total", Help: "Times an account was found to need a human login.",
		}),
		expiring: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "psn_vault_refresh_expiring_warnings_total", Help: "Refresh tokens found within the warning period before their expiry.",
		}),
		claimed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "psn_vault_scheduler_claims_total", Help: "Due accounts claimed by the scheduler.",
		}),
		tokenRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "psn_vault_token_requests_total", Help: "Token requests by result (ok, not_found, login_required, error).",
		}, []string{"result"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "psn_vault_http_request_duration_seconds", Help: "HTTP request latency by route and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "code"}),
	}
	for _, r := range []string{"refresh_token", "npsso"} {
		m.refreshes.WithLabelValues(r)
	}
	for _, r := range []string{"ok", "not_found", "login_required", "error"} {
		m.tokenRequests.WithLabelValues(r)
	}
	m.tokensOK = m.tokenRequests.WithLabelValues("ok")
	m.counts = newCountCache(s.CountStates, s.now)
	m.activity = &activity{started: s.now()}
	m.reg.MustRegister(m.refreshes, m.failures, m.loginRequired, m.expiring, m.claimed, m.tokenRequests, m.httpDuration,
		&accountsCollector{counts: m.counts},
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "psn_vault_token_sources", Help: "Accounts whose token source is in this process's memory (see ServiceConfig.MaxSources).",
		}, func() float64 { return float64(s.SourcesCached()) }),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry holding every series, to add one's own or
// to gather them.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// accountsCollector serves the accounts by state from the service's
// countCache: one aggregate store query (Service.CountStates: no secret
// opened) at most every few seconds while someone scrapes, never a count
// begun more than CountsMaxAge ago, so a scrape costs no store access
// and the gauges agree across every process sharing the store within
// that bound. psn_vault_account_counts_age_seconds says how old they are.
type accountsCollector struct{ counts *countCache }

var (
	accountsDesc = prometheus.NewDesc("psn_vault_accounts", "Accounts by state (ok, expiring, npsso-fallback, login-required), from a count at most 10 s old.", []string{"state"}, nil)
	loginReqDesc = prometheus.NewDesc("psn_vault_login_required_accounts", "Accounts that need a human login, from a count at most 10 s old.", nil, nil)
	countAgeDesc = prometheus.NewDesc("psn_vault_account_counts_age_seconds", "Seconds since the count behind psn_vault_accounts began.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *accountsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- accountsDesc
	ch <- loginReqDesc
	ch <- countAgeDesc
}

// Collect implements prometheus.Collector.
func (c *accountsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, at, err := c.counts.get(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(accountsDesc, err)
		return
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(accountsDesc, prometheus.GaugeValue, float64(n), state)
	}
	ch <- prometheus.MustNewConstMetric(loginReqDesc, prometheus.GaugeValue, float64(counts[string(vault.StateLoginRequired)]))
	ch <- prometheus.MustNewConstMetric(countAgeDesc, prometheus.GaugeValue, max(0, time.Since(at).Seconds()))
}
