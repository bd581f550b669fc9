package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/vault"
)

// HTTP limits of the vault API.
const (
	// maxRequestBody caps a request body.
	maxRequestBody = 64 << 10
	// tokenWait bounds how long a token request waits for a refresh.
	tokenWait = 70 * time.Second
	// requestWait bounds the other requests.
	requestWait = 30 * time.Second
)

// APIError is the body of every error answer of the API:
// {"error":{"code":"…","message":"…"}}. Messages never hold a secret.
type APIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Which and At are set on login_required: which secret stopped
	// working ("refresh token" or "NPSSO") and when.
	Which psn.SecretKind `json:"secret,omitempty"`
	At    time.Time      `json:"at,omitzero"`
}

// TokenResponse is the answer of GET /v1/accounts/{name}/token.
type TokenResponse struct {
	AccessToken string    `json:"accessToken"`
	Expiry      time.Time `json:"expiry"`
}

// addAccountRequest is the body of POST /v1/accounts.
type addAccountRequest struct {
	Name string `json:"name"`
	// NPSSO is the 64-character value or the whole {"npsso":"…"} JSON.
	NPSSO     string `json:"npsso"`
	KeepNPSSO bool   `json:"keepNpsso"`
}

// decodeAddAccount reads and checks a POST /v1/accounts body: one JSON
// object, no unknown fields, a valid account name and a well-formed NPSSO.
// Its errors never repeat the NPSSO.
func decodeAddAccount(r io.Reader) (addAccountRequest, psn.Secret, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var req addAccountRequest
	if err := dec.Decode(&req); err != nil {
		return addAccountRequest{}, "", errBadJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return addAccountRequest{}, "", errors.New("the body must hold one JSON object")
	}
	if !vault.ValidAccountName(req.Name) {
		return addAccountRequest{}, "", vault.ErrAccountName
	}
	if req.NPSSO == "" {
		return addAccountRequest{}, "", errors.New(`"npsso" is missing`)
	}
	npsso, err := psn.ParseNPSSO(req.NPSSO)
	if err != nil {
		return addAccountRequest{}, "", err
	}
	return req, npsso, nil
}

// errBadJSON describes a JSON error without quoting the input: a syntax
// error's text is safe (offsets only), a type error names the field.
func errBadJSON(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return fmt.Errorf("the body is larger than %d bytes", mbe.Limit)
	case errors.As(err, &se):
		return fmt.Errorf("the body is not valid JSON (at byte %d)", se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("field %q has the wrong type", te.Field)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the body is empty or cut short")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// Name a short field; a long one might be a pasted secret.
		if name := strings.TrimPrefix(err.Error(), "json: unknown field "); len(name) <= 26 {
			return errors.New("unknown field " + name + " (want name, npsso, keepNpsso)")
		}
		return errors.New("unknown field (want name, npsso, keepNpsso)")
	}
	return errors.New("the body is not a JSON object of the expected shape")
}

// parseBearer returns the credential of an "Authorization: Bearer …"
// header value (the scheme is case-insensitive), or false.
func parseBearer(h string) (string, bool) {
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	cred = strings.TrimSpace(cred)
	if cred == "" || strings.ContainsAny(cred, " \t") {
		return "", false
	}
	return cred, true
}

// api serves the HTTP API of a Service.
type api struct {
	svc      *Service
	keys     *APIKeys
	auditLog *slog.Logger // nil: no audit trail
	web      *webAuth     // guards /metrics and the pages off loopback
}

// NewHandler returns the vault's HTTP API (docs/vault.md; its place in
// docs/architecture.md, "Persisted, shared tokens"): /v1/* requires
// "Authorization: Bearer <api key>" whose scope (APIKeyScope) allows the
// request, else 403 forbidden; each request is audited to
// ServiceConfig.Audit. /healthz is open; /metrics and the status page / are
// open to requests that arrive on a loopback address and need an API key on
// any other (webauth.go; PagesNeedKey asks for one everywhere).
func NewHandler(svc *Service, keys *APIKeys, opts ...HandlerOption) http.Handler {
	a := &api{svc: svc, keys: keys, auditLog: svc.cfg.Audit}
	a.web = newWebAuth(svc, keys, opts)
	a.web.audit = a.audit
	v1 := http.NewServeMux()
	mux := http.NewServeMux()
	// Every endpoint is registered from routeTable (routes.go), which the
	// OpenAPI test compares with docs/vault-openapi.yaml.
	for _, rt := range routeTable() {
		if rt.apiKey {
			v1.Handle(rt.pattern, a.timed(rt.name, rt.handler(a)))
		} else {
			mux.Handle(rt.pattern, a.timed(rt.name, rt.handler(a)))
		}
	}
	a.handle(v1, "/v1/", "unknown", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(r.URL.Path); allow != "" {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, APIError{Code: "method_not_allowed", Message: r.Method + " is not allowed here; use " + allow})
			return
		}
		writeError(w, http.StatusNotFound, APIError{Code: "not_found", Message: "no such endpoint"})
	})
	mux.Handle("/v1/", a.auth(v1, a.timed("unauthorized", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reason := r.Context().Value(authProblem{}).(string)
		a.audit(r, AuditUnauthorized, slog.String("reason", reason), slog.String("method", r.Method), slog.String("path", auditPath(r)))
		unauthorized(w, reason)
	}))))
	return mux
}

// allowedMethods returns the methods the API serves at path, or "".
func allowedMethods(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "accounts":
		return "GET, POST"
	case len(parts) == 2 && parts[0] == "accounts" && parts[1] != "":
		return "GET, DELETE"
	case len(parts) == 3 && parts[0] == "accounts" && parts[1] != "" && parts[2] == "token":
		return "GET"
	}
	return ""
}

func (a *api) handle(mux *http.ServeMux, pattern, route string, h http.HandlerFunc) {
	mux.Handle(pattern, a.timed(route, h))
}

// statusWriter records the status code for the latency histogram.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (a *api) timed(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		a.svc.metrics.httpDuration.WithLabelValues(route, strconv.Itoa(sw.code)).Observe(time.Since(start).Seconds())
	})
}

// authProblem is the context key of the reason a request was refused.
type authProblem struct{}

// auth lets a request through to next only with a valid API key; it hands
// the others to deny, with the reason in the context.
func (a *api) auth(next, deny http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := parseBearer(r.Header.Get("Authorization"))
		if !ok {
			deny.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), authProblem{},
				"missing API key: send Authorization: Bearer <api key>, with a key this vault issued")))
			return
		}
		// verify bounds its own store read (requestWait), and the argon2id
		// checks of an address that keeps sending wrong keys.
		info, err := a.web.verify(r, key)
		if err != nil {
			var te *throttledError
			if errors.As(err, &te) {
				// Not audited line by line: a flood of guesses must not
				// grow the audit trail; the first failures were audited.
				a.web.writeThrottled(w, te)
				return
			}
			if errors.Is(err, ErrAPIKeyBusy) {
				writeError(w, http.StatusServiceUnavailable, APIError{Code: "busy", Message: "too many API key checks at once; try again"})
				return
			}
			if errors.Is(err, ErrAPIKeyInvalid) {
				deny.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), authProblem{}, "invalid API key")))
				return
			}
			if errors.Is(err, store.ErrUnavailable) {
				// No key is accepted yet: the driver's error (the store's
				// host, user, database) is for the log, not for anyone.
				a.svc.log.ErrorContext(r.Context(), "vault: the API keys could not be read", "err", err)
				writeError(w, http.StatusServiceUnavailable, APIError{Code: "store_unavailable", Message: "the API keys could not be read; try again shortly"})
				return
			}
			a.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyInfoKey{}, info)))
	})
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="psn-vault"`)
	writeError(w, http.StatusUnauthorized, APIError{Code: "unauthorized", Message: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, e APIError) {
	writeJSON(w, code, struct {
		Error APIError `json:"error"`
	}{e})
}

// fail answers err with the status and code it deserves. Error strings of
// psnkit never hold a secret, so they are shown as they are.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	var lr *psn.LoginRequiredError
	switch {
	case errors.As(err, &lr):
		writeError(w, http.StatusConflict, APIError{Code: "login_required", Message: err.Error(), Which: lr.Which, At: lr.At})
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, APIError{Code: "account_not_found", Message: "no account of that name"})
	case errors.Is(err, vault.ErrAccountName):
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid_name", Message: err.Error()})
	case errors.Is(err, ErrPageLimit):
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid_limit", Message: err.Error()})
	case errors.Is(err, ErrPageCursor):
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid_cursor", Message: err.Error()})
	case errors.Is(err, ErrPageState):
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid_state", Message: err.Error()})
	case errors.Is(err, psn.ErrMalformedNPSSO):
		writeError(w, http.StatusBadRequest, APIError{Code: "malformed_npsso", Message: err.Error()})
	case errors.Is(err, psn.ErrNPSSORejected):
		writeError(w, http.StatusUnprocessableEntity, APIError{Code: "npsso_rejected", Message: err.Error()})
	case errors.Is(err, ErrServiceClosed), errors.Is(err, psn.ErrSourceClosed):
		writeError(w, http.StatusServiceUnavailable, APIError{Code: "shutting_down", Message: err.Error()})
	case errors.Is(err, store.ErrUnavailable):
		writeError(w, http.StatusServiceUnavailable, APIError{Code: "store_unavailable", Message: err.Error()})
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		writeError(w, http.StatusGatewayTimeout, APIError{Code: "timeout", Message: "gave up waiting: " + err.Error()})
	case errors.Is(err, psn.ErrRateLimited):
		writeError(w, http.StatusServiceUnavailable, APIError{Code: "psn_rate_limited", Message: err.Error()})
	case errors.Is(err, ErrNoFreshToken), isPSNError(err):
		writeError(w, http.StatusBadGateway, APIError{Code: "psn_error", Message: err.Error()})
	default:
		a.svc.log.ErrorContext(r.Context(), "vault: request failed", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, APIError{Code: "internal", Message: err.Error()})
	}
}

// isPSNError reports whether err came from talking to PSN.
func isPSNError(err error) bool {
	for _, e := range []error{psn.ErrInvalidGrant, psn.ErrEdgeBlocked, psn.ErrUnauthorized, psn.ErrForbidden,
		psn.ErrServer, psn.ErrBadRequest, psn.ErrBodyTooLarge, psn.ErrUnexpectedResponse, psn.ErrNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) || strings.HasPrefix(err.Error(), "psn: ")
}

func (a *api) addAccount(w http.ResponseWriter, r *http.Request) {
	if !a.needAdmin(w, r, "add an account") {
		return
	}
	req, npsso, err := decodeAddAccount(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		if errors.Is(err, vault.ErrAccountName) || errors.Is(err, psn.ErrMalformedNPSSO) {
			a.fail(w, r, err)
			return
		}
		writeError(w, http.StatusBadRequest, APIError{Code: "bad_request", Message: err.Error()})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), tokenWait)
	defer cancel()
	h, created, err := a.svc.AddAccount(ctx, req.Name, npsso, req.KeepNPSSO)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.audit(r, AuditAccountAdded, slog.String("account", req.Name), slog.Bool("created", created))
	code := http.StatusOK
	if created {
		code = http.StatusCreated
		w.Header().Set("Location", "/v1/accounts/"+req.Name)
	}
	writeJSON(w, code, h)
}

// listAccounts serves GET /v1/accounts?limit=N&cursor=C&state=S: one page,
// ordered by name; "next" is absent on the last page.
func (a *api) listAccounts(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestWait)
	defer cancel()
	q := r.URL.Query()
	req := PageRequest{Cursor: q.Get("cursor"), State: q.Get("state")}
	if l, ok := q["limit"]; ok {
		n, err := strconv.Atoi(l[0])
		if err != nil || n < 1 || len(l) > 1 {
			a.fail(w, r, ErrPageLimit)
			return
		}
		req.Limit = n
	}
	page, err := a.svc.scopedPage(ctx, req, keyOf(r).Scope)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (a *api) getAccount(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestWait)
	defer cancel()
	if !a.mayRead(w, r, r.PathValue("name")) {
		return
	}
	h, err := a.svc.Account(ctx, r.PathValue("name"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

func (a *api) deleteAccount(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestWait)
	defer cancel()
	if !a.needAdmin(w, r, "delete an account") {
		return
	}
	if err := a.svc.DeleteAccount(ctx, r.PathValue("name")); err != nil {
		a.fail(w, r, err)
		return
	}
	a.audit(r, AuditAccountDeleted, slog.String("account", r.PathValue("name")))
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) token(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !a.mayRead(w, r, name) {
		return
	}
	ctx := r.Context()
	rejected, replacing := r.URL.Query()["rejected"]
	if replacing || !a.svc.cached(name) { // may wait for the store or a refresh: bound it
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, tokenWait)
		defer cancel()
	}
	var tok *psn.Token
	var err error
	if replacing {
		if len(rejected) != 1 || !validFingerprint(rejected[0]) {
			writeError(w, http.StatusBadRequest, APIError{Code: "bad_request", Message: ErrBadFingerprint.Error()})
			return
		}
		tok, err = a.svc.tokenReplacing(ctx, name, rejected[0])
	} else {
		tok, err = a.svc.Token(ctx, name)
	}
	if err != nil {
		result := "error"
		switch {
		case errors.Is(err, store.ErrNotFound):
			result = "not_found"
		case errors.Is(err, psn.ErrLoginRequired):
			result = "login_required"
		}
		a.svc.metrics.tokenRequests.WithLabelValues(result).Inc()
		a.fail(w, r, err)
		return
	}
	a.svc.metrics.tokensOK.Inc()
	a.audit(r, AuditTokenIssued, slog.String("account", name), slog.Bool("rejected", replacing),
		slog.String("token_fp", TokenFingerprint(tok.AccessToken.Reveal())), slog.Time("expiry", tok.Expiry.UTC()))
	writeJSON(w, http.StatusOK, TokenResponse{AccessToken: tok.AccessToken.Reveal(), Expiry: tok.Expiry.UTC()})
}

func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := a.svc.Ping(ctx); err != nil {
		// /healthz is open everywhere: a driver's error names the store's
		// host, user and database, so only loopback (or the log) sees it.
		msg := "the store does not answer (the vault's log says why)"
		if a.web.open(r) {
			msg = err.Error()
		} else {
			a.svc.log.WarnContext(r.Context(), "vault: /healthz: the store does not answer", "err", err)
		}
		writeError(w, http.StatusServiceUnavailable, APIError{Code: "store_unavailable", Message: msg})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// NewHTTPServer returns an *http.Server for h with timeouts fit for the
// vault API (a token request may wait for a refresh of up to a minute).
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      tokenWait + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
	}
}

// ShutdownTimeout bounds a graceful stop of Serve: requests in flight,
// then refreshes in flight.
const ShutdownTimeout = 30 * time.Second

// Serve runs the scheduler and serves h on ln until ctx is done, then
// stops gracefully: no new connections, requests in flight finish, the
// scheduler stops claiming and its refreshes finish and save, and every
// refresh still in flight is waited for (each step within
// ShutdownTimeout). It returns nil after a stop asked for by ctx.
func (s *Service) Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := NewHTTPServer(h)
	schedCtx, stopSched := context.WithCancel(context.WithoutCancel(ctx))
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		_ = s.Run(schedCtx)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		err = fmt.Errorf("vault: serving HTTP: %w", err)
	}
	s.log.InfoContext(ctx, "vault: shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		_ = srv.Close()
	}
	stopSched()
	<-schedDone
	cctx, cancel2 := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel2()
	if cerr := s.Close(cctx); cerr != nil {
		err = errors.Join(err, cerr)
	}
	s.log.InfoContext(ctx, "vault: stopped")
	return err
}
