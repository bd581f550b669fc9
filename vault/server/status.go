package server

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

// statusPage is the HTML of GET /: names, online ids, states and expiry
// instants; no secret, no account id, nothing that opens a sealed field.
var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{
	"instant": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="30">
<title>psn vault</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}th,td{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}
th{background:#f4f4f4}.ok{color:#176b1c}.expiring,.npsso-fallback{color:#8a5a00}.login-required{color:#b00020;font-weight:bold}
.err{color:#666;font-size:12px;max-width:40em}
</style>
</head>
<body>
<h1>psn vault</h1>
<p>{{.Total}} account(s){{range .Counts}} · {{.N}} {{.State}}{{end}} · counted at {{instant .Counted}} (at most 10 s before the page) · page of {{instant .Now}}</p>
{{if .Error}}<p class="login-required">The store could not be read: {{.Error}}</p>{{end}}
{{define "rows"}}<table>
<tr><th>Account</th><th>Online ID</th><th>State</th><th>Access token</th><th>Expires</th><th>Refresh token</th><th>Expires</th><th>NPSSO kept</th><th>Last error</th></tr>
{{range .}}<tr>
<td>{{.Account}}</td><td>{{.OnlineID}}</td><td class="{{.State}}">{{.State}}</td>
<td>{{.Access}}</td><td>{{instant .AccessExpiry}}</td><td>{{.Refresh}}</td><td>{{instant .RefreshExpiry}}</td>
<td>{{if .NPSSOKept}}yes{{else}}no{{end}}</td><td class="err">{{if .LastError}}{{instant .LastErrorAt}}: {{.LastError}}{{end}}</td>
</tr>{{end}}
</table>{{end}}
{{range .Attention}}{{if .Accounts}}<h2 class="{{.State}}">{{.Title}}</h2>
{{template "rows" .Accounts}}{{if .More}}<p>… and more: <a href="/v1/accounts?state={{.State}}">GET /v1/accounts?state={{.State}}</a> lists them all.</p>{{end}}
{{end}}{{end}}<h2>All accounts{{if .After}} after {{.After}}{{end}}</h2>
{{template "rows" .Accounts}}
{{if .Next}}<p><a href="/?cursor={{.Next}}">Next page</a></p>{{end}}
</body>
</html>
`))

// statusPageSize is how many accounts each table of the status page shows.
const statusPageSize = 100

// statusSection is one "needs a human" table of the status page.
type statusSection struct {
	State, Title string
	Accounts     []vault.Health
	More         bool
}

type statusData struct {
	Now       time.Time
	Counted   time.Time // when the counts' count began (countCache)
	Total     int
	Counts    []stateCount
	Attention []statusSection
	Accounts  []vault.Health
	After     string
	Next      string
	Error     string
}

type stateCount struct {
	State string
	N     int
}

// status serves GET /[?cursor=C]: the counts by state (from the service's
// countCache, at most CountsMaxAge old), then the accounts
// that need a human (login-required, then expiring; the first
// statusPageSize of each), then one page of every account by name. Each
// part is one store query (store.Pager); nothing reads every record.
func (a *api) status(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestWait)
	defer cancel()
	d := statusData{Now: a.svc.now()}
	code := http.StatusOK
	err := func() error {
		counts, at, err := a.svc.metrics.counts.get(ctx)
		d.Counted = at
		if err != nil {
			return err
		}
		for _, st := range store.States {
			d.Total += counts[st]
			d.Counts = append(d.Counts, stateCount{st, counts[st]})
		}
		for _, sec := range []statusSection{
			{State: store.StateLoginRequired, Title: "Need a login now"},
			{State: store.StateExpiring, Title: "Need a login soon (refresh token expiring)"},
		} {
			if counts[sec.State] == 0 {
				continue
			}
			p, err := a.svc.AccountsPage(ctx, PageRequest{Limit: statusPageSize, State: sec.State})
			if err != nil {
				return err
			}
			sec.Accounts, sec.More = clip(p.Accounts), p.Next != ""
			d.Attention = append(d.Attention, sec)
		}
		cursor := r.URL.Query().Get("cursor")
		if d.After, err = decodeCursor(cursor); err != nil {
			return err
		}
		p, err := a.svc.AccountsPage(ctx, PageRequest{Limit: statusPageSize, Cursor: cursor})
		if err != nil {
			return err
		}
		d.Accounts, d.Next = clip(p.Accounts), p.Next
		return nil
	}()
	if err != nil {
		code = http.StatusServiceUnavailable
		if errors.Is(err, ErrPageCursor) {
			code = http.StatusBadRequest
		}
		d.Error = err.Error()
	}
	var buf bytes.Buffer
	if err := statusPage.Execute(&buf, d); err != nil {
		http.Error(w, "status page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// clip shortens long error texts for the page.
func clip(hs []vault.Health) []vault.Health {
	for i := range hs {
		if len(hs[i].LastError) > 300 {
			hs[i].LastError = hs[i].LastError[:300] + "…"
		}
	}
	return hs
}
