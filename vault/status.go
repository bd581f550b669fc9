package vault

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"time"
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
<p>{{len .Accounts}} account(s) · {{.LoginRequired}} need(s) a login · as of {{instant .Now}}</p>
{{if .Error}}<p class="login-required">The store could not be read: {{.Error}}</p>{{end}}
<table>
<tr><th>Account</th><th>Online ID</th><th>State</th><th>Access token</th><th>Expires</th><th>Refresh token</th><th>Expires</th><th>NPSSO kept</th><th>Last error</th></tr>
{{range .Accounts}}<tr>
<td>{{.Account}}</td><td>{{.OnlineID}}</td><td class="{{.State}}">{{.State}}</td>
<td>{{.Access}}</td><td>{{instant .AccessExpiry}}</td><td>{{.Refresh}}</td><td>{{instant .RefreshExpiry}}</td>
<td>{{if .NPSSOKept}}yes{{else}}no{{end}}</td><td class="err">{{if .LastError}}{{instant .LastErrorAt}}: {{.LastError}}{{end}}</td>
</tr>{{end}}
</table>
</body>
</html>
`))

type statusData struct {
	Now           time.Time
	Accounts      []Health
	LoginRequired int
	Error         string
}

func (a *api) status(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestWait)
	defer cancel()
	d := statusData{Now: a.svc.now()}
	hs, err := a.svc.Accounts(ctx)
	code := http.StatusOK
	if err != nil {
		d.Error, code = err.Error(), http.StatusServiceUnavailable
	}
	for i := range hs {
		if hs[i].State == StateLoginRequired {
			d.LoginRequired++
		}
		if len(hs[i].LastError) > 300 {
			hs[i].LastError = hs[i].LastError[:300] + "…"
		}
	}
	d.Accounts = hs
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
