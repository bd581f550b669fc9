package server

import "net/http"

// route is one endpoint NewHandler serves.
type route struct {
	// pattern is the http.ServeMux pattern, "METHOD /path".
	pattern string
	// name labels the route in psn_vault_http_request_duration_seconds.
	name string
	// apiKey: the route is under /v1/ and needs an API key.
	apiKey bool
	// handler makes the route's handler for a.
	handler func(a *api) http.Handler
}

// routeTable lists every endpoint NewHandler serves, and only those;
// docs/vault-openapi.yaml describes exactly these (TestOpenAPIMatchesRoutes
// compares the two both ways). Register a new endpoint here, not on a mux.
func routeTable() []route {
	f := func(h func(*api, http.ResponseWriter, *http.Request)) func(*api) http.Handler {
		return func(a *api) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(a, w, r) })
		}
	}
	return []route{
		{"POST /v1/accounts", "add_account", true, f((*api).addAccount)},
		{"GET /v1/accounts", "list_accounts", true, f((*api).listAccounts)},
		{"GET /v1/accounts/{name}", "get_account", true, f((*api).getAccount)},
		{"DELETE /v1/accounts/{name}", "delete_account", true, f((*api).deleteAccount)},
		{"GET /v1/accounts/{name}/token", "token", true, f((*api).token)},
		{"GET /healthz", "healthz", false, f((*api).healthz)},
		{"GET /metrics", "metrics", false, func(a *api) http.Handler { return a.web.metrics(a.svc.metrics.Handler()) }},
		{"GET /{$}", "status", false, func(a *api) http.Handler { return a.web.page(a.status) }},
		{"POST /login", "login", false, func(a *api) http.Handler { return a.web.csrf.Handler(http.HandlerFunc(a.web.login)) }},
		{"POST /logout", "logout", false, func(a *api) http.Handler { return a.web.csrf.Handler(http.HandlerFunc(a.web.logout)) }},
	}
}
