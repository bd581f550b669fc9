package psntest

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The PlayStation app's public OAuth client (docs/protocol.md, "The OAuth
// client").
const (
	clientID     = "09515159-7237-4370-9b40-3806e67c0891"
	clientSecret = "ucPjka5tntB2KqsP"
	redirectURI  = "com.scee.psxandroid.scecompcall://redirect"
	scopeCore    = "psn:mobile.v2.core"
	scopeApp     = "psn:clientapp"
	signinURL    = "https://my.account.sony.com/sonyacct/signin/"
	codeTTL      = 5 * time.Minute
	// refreshHold is how long a refresh_token grant is held in flight, so
	// that overlapping refreshes show in Stats.ConcurrentRefreshMax.
	refreshHold = 2 * time.Millisecond
	// maxFormBytes bounds the token endpoint's form body.
	maxFormBytes = 64 << 10
)

type authCode struct {
	u           *user
	redirectURI string
	expires     time.Time
}

type accessToken struct {
	u       *user
	expires time.Time
}

type refreshToken struct {
	u       *user
	expires time.Time // fixed at the authorization_code grant
}

func (s *Sim) authRoutes() []route {
	return []route{
		{"GET", "/api/authz/v3/oauth/authorize", public, s.authorize},
		{"POST", "/api/authz/v3/oauth/token", public, s.token},
	}
}

// authorize is GET /api/authz/v3/oauth/authorize: the NPSSO cookie becomes
// a single-use authorization code in a 302 to the app's redirect URI.
func (s *Sim) authorize(c *call) {
	w, q := c.w, c.r.URL.Query()
	cid := randomUUID()
	// A bad client or redirect URI cannot be redirected to (RFC 6749
	// §4.1.2.1): answer 400 here.
	if q.Get("client_id") != clientID {
		writeOAuthError(w, http.StatusBadRequest, oauthError{Error: "invalid_client", Description: "Invalid client_id"})
		return
	}
	if q.Get("redirect_uri") != redirectURI {
		writeOAuthError(w, http.StatusBadRequest, oauthError{Error: "invalid_request", Description: "Invalid redirect_uri"})
		return
	}
	redirectErr := func(code, desc string) {
		v := url.Values{"error": {code}, "error_description": {desc}, "cid": {cid}}
		redirect(w, redirectURI+"/?"+v.Encode())
	}
	switch {
	case q.Get("response_type") != "code":
		redirectErr("unsupported_response_type", "response_type must be code")
		return
	case !hasScopes(q.Get("scope")):
		redirectErr("invalid_scope", "scope must contain "+scopeCore+" and "+scopeApp)
		return
	case q.Get("access_type") != "offline":
		redirectErr("invalid_request", "access_type must be offline")
		return
	}
	var u *user
	if ck, err := c.r.Cookie("npsso"); err == nil {
		s.mu.Lock()
		u = s.byNPSSO[ck.Value]
		s.mu.Unlock()
	}
	if u == nil {
		s.stats.loginRequired.Add(1)
		redirect(w, signinLocation(q, cid))
		return
	}
	if !s.admit(w, u) {
		return
	}
	code := "v3." + randomAlnum(6)
	s.mu.Lock()
	s.prune()
	s.codes[code] = &authCode{u: u, redirectURI: redirectURI, expires: s.Now().Add(codeTTL)}
	s.mu.Unlock()
	redirect(w, redirectURI+"/?code="+code+"&cid="+cid)
}

func redirect(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	w.WriteHeader(http.StatusFound)
}

// hasScopes reports whether the space-separated scope holds both required
// scopes.
func hasScopes(scope string) bool {
	f := strings.Fields(scope)
	return slices.Contains(f, scopeCore) && slices.Contains(f, scopeApp)
}

// signinLocation builds the sign-in redirect PSN answers for a missing or
// dead NPSSO, as recorded in test_authenticator__incorrect_npsso.json: the
// request's parameters plus cid, sorted without regard to case, then the
// error parameters.
func signinLocation(q url.Values, cid string) string {
	type kv struct{ k, v string }
	var params []kv
	for k, vs := range q {
		for _, v := range vs {
			params = append(params, kv{k, v})
		}
	}
	params = append(params, kv{"cid", cid})
	slices.SortStableFunc(params, func(a, b kv) int {
		if c := strings.Compare(strings.ToLower(a.k), strings.ToLower(b.k)); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var b strings.Builder
	b.WriteString(signinURL + "?")
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.k) + "=" + url.QueryEscape(p.v))
	}
	b.WriteString("&auth_ver=v3&error=login_required&error_code=4165" +
		"&error_description=User+is+not+authenticated&no_captcha=true&cid=" + url.QueryEscape(cid))
	return b.String()
}

// tokenResponse is the body of a successful grant, field for field as
// recorded.
type tokenResponse struct {
	AccessToken           string `json:"access_token"`
	TokenType             string `json:"token_type"`
	ExpiresIn             int64  `json:"expires_in"`
	Scope                 string `json:"scope"`
	IDToken               string `json:"id_token"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
}

var (
	errInvalidRefresh = oauthError{Error: "invalid_grant", Description: "Invalid refresh token", ErrorCode: 4159}
	errInvalidCode    = oauthError{Error: "invalid_grant", Description: "Invalid authorization code"}
)

// token is POST /api/authz/v3/oauth/token (grant types authorization_code
// and refresh_token).
func (s *Sim) token(c *call) {
	w, r := c.w, c.r
	if !validClient(r.Header.Get("Authorization")) {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth"`)
		writeOAuthError(w, http.StatusUnauthorized, oauthError{Error: "invalid_client", Description: "Bad client credentials"})
		return
	}
	form, err := readForm(w, r)
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, oauthError{Error: "invalid_request", Description: err.Error()})
		return
	}
	get := func(k string) (string, error) {
		switch vs := form[k]; len(vs) {
		case 0:
			return "", fmt.Errorf("missing parameter %s", k)
		case 1:
			if vs[0] == "" {
				return "", fmt.Errorf("empty parameter %s", k)
			}
			return vs[0], nil
		default:
			return "", fmt.Errorf("repeated parameter %s", k)
		}
	}
	bad := func(err error) {
		writeOAuthError(w, http.StatusBadRequest, oauthError{Error: "invalid_request", Description: err.Error()})
	}
	grant, err := get("grant_type")
	if err != nil {
		bad(err)
		return
	}
	if grant != "authorization_code" && grant != "refresh_token" {
		writeOAuthError(w, http.StatusBadRequest, oauthError{Error: "unsupported_grant_type", Description: "Unsupported grant type"})
		return
	}
	if grant == "refresh_token" {
		defer s.refreshInFlight(r.Context())()
	}
	if tf, err := get("token_format"); err != nil {
		bad(err)
		return
	} else if tf != "jwt" {
		bad(fmt.Errorf("token_format must be jwt"))
		return
	}
	// Optional parameters may appear once.
	for _, k := range []string{"scope", "cid"} {
		if len(form[k]) > 1 {
			bad(fmt.Errorf("repeated parameter %s", k))
			return
		}
	}
	if grant == "authorization_code" {
		s.grantCode(w, get)
	} else {
		s.grantRefresh(w, get)
	}
}

// refreshInFlight counts a refresh_token grant as in flight until the
// returned func is called, recording the most ever in flight, and holds it
// for refreshHold (valid or not) so that concurrent refreshes overlap
// visibly.
func (s *Sim) refreshInFlight(ctx context.Context) (done func()) {
	n := s.stats.refreshInFlight.Add(1)
	for m := s.stats.refreshMax.Load(); n > m && !s.stats.refreshMax.CompareAndSwap(m, n); m = s.stats.refreshMax.Load() {
	}
	_ = sleep(ctx, refreshHold)
	return func() { s.stats.refreshInFlight.Add(-1) }
}

// validClient checks HTTP Basic credentials of the app's client.
func validClient(h string) bool {
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(raw, []byte(clientID+":"+clientSecret)) == 1
}

// readForm reads an application/x-www-form-urlencoded body; parameters in
// the URL are not accepted.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("content type must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("malformed form body")
	}
	return r.PostForm, nil
}

func (s *Sim) grantCode(w http.ResponseWriter, get func(string) (string, error)) {
	code, err := get("code")
	var ruri string
	if err == nil {
		ruri, err = get("redirect_uri")
	}
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, oauthError{Error: "invalid_request", Description: err.Error()})
		return
	}
	// scope (and cid) are optional here, as PSNAWP sends them and psn-api does not.
	if sc, err := get("scope"); err == nil && !validScope(sc) {
		writeOAuthError(w, http.StatusBadRequest, oauthError{Error: "invalid_scope", Description: "Invalid scope"})
		return
	}
	now := s.Now()
	s.mu.Lock()
	ac, ok := s.codes[code]
	if ok && ac.redirectURI == ruri && now.Before(ac.expires) {
		delete(s.codes, code) // single use
	} else {
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		s.stats.invalidGrant.Add(1)
		writeOAuthError(w, http.StatusBadRequest, errInvalidCode)
		return
	}
	if !s.admit(w, ac.u) {
		return
	}
	s.mu.Lock()
	rt := s.newRefreshToken(ac.u, now.Add(s.lifetime(s.cfg.RefreshTTL)))
	resp := s.issue(ac.u, now, rt, scopeCore+" "+scopeApp)
	s.mu.Unlock()
	s.stats.grantCode.Add(1)
	writeToken(w, resp)
}

func (s *Sim) grantRefresh(w http.ResponseWriter, get func(string) (string, error)) {
	tok, err := get("refresh_token")
	var sc string
	if err == nil {
		sc, err = get("scope")
	}
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, oauthError{Error: "invalid_request", Description: err.Error()})
		return
	}
	if !validScope(sc) {
		writeOAuthError(w, http.StatusBadRequest, oauthError{Error: "invalid_scope", Description: "Invalid scope"})
		return
	}
	now := s.Now()
	s.mu.Lock()
	rt, ok := s.refresh[tok]
	if ok && !now.Before(rt.expires) {
		delete(s.refresh, tok)
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		s.stats.invalidGrant.Add(1)
		writeOAuthError(w, http.StatusBadRequest, errInvalidRefresh)
		return
	}
	if !s.admit(w, rt.u) {
		return
	}
	s.mu.Lock()
	if _, still := s.refresh[tok]; !still { // revoked or rotated meanwhile
		s.mu.Unlock()
		s.stats.invalidGrant.Add(1)
		writeOAuthError(w, http.StatusBadRequest, errInvalidRefresh)
		return
	}
	if s.cfg.RotateRefresh {
		delete(s.refresh, tok)
		tok = s.newRefreshToken(rt.u, rt.expires)
	}
	// PSN changes the scope's word order on refresh (recorded).
	resp := s.issue(rt.u, now, tok, scopeApp+" "+scopeCore)
	s.mu.Unlock()
	s.stats.grantRefresh.Add(1)
	writeToken(w, resp)
}

// validScope accepts a non-empty subset of the app's two scopes.
func validScope(sc string) bool {
	f := strings.Fields(sc)
	if len(f) == 0 {
		return false
	}
	for _, x := range f {
		if x != scopeCore && x != scopeApp {
			return false
		}
	}
	return true
}

// lifetime is what a TTL becomes on the wire and in force: PSN announces
// (and the simulator enforces) one second less than the nominal lifetime.
func (s *Sim) lifetime(ttl time.Duration) time.Duration {
	if ttl <= time.Second {
		return ttl
	}
	return ttl - time.Second
}

// newRefreshToken stores a refresh token of u expiring at exp. s.mu must be held.
func (s *Sim) newRefreshToken(u *user, exp time.Time) string {
	tok := newJWT("refresh", exp)
	s.refresh[tok] = &refreshToken{u: u, expires: exp}
	return tok
}

// issue creates an access token for u and the grant response carrying the
// refresh token rt. s.mu must be held.
func (s *Sim) issue(u *user, now time.Time, rt, scope string) tokenResponse {
	s.prune()
	exp := now.Add(s.lifetime(s.cfg.AccessTTL))
	at := newJWT("access", exp)
	s.access[at] = &accessToken{u: u, expires: exp}
	return tokenResponse{
		AccessToken:           at,
		TokenType:             "bearer",
		ExpiresIn:             seconds(exp.Sub(now)),
		Scope:                 scope,
		IDToken:               newJWT("id", exp),
		RefreshToken:          rt,
		RefreshTokenExpiresIn: seconds(s.refresh[rt].expires.Sub(now)),
	}
}

// seconds is a remaining lifetime on the wire: whole seconds, rounded to
// the nearest (so 9.001s after a 5183999 grant a refresh says 5183990, as
// recorded).
func seconds(d time.Duration) int64 { return int64(d.Round(time.Second) / time.Second) }

// prune drops expired codes and tokens now and then, so that a
// long-running simulator does not grow without bound. s.mu must be held.
func (s *Sim) prune() {
	s.issued++
	if s.issued%1024 != 0 {
		return
	}
	now := s.Now()
	for k, v := range s.codes {
		if !now.Before(v.expires) {
			delete(s.codes, k)
		}
	}
	for k, v := range s.access {
		if !now.Before(v.expires) {
			delete(s.access, k)
		}
	}
	for k, v := range s.refresh {
		if !now.Before(v.expires) {
			delete(s.refresh, k)
		}
	}
}

func writeToken(w http.ResponseWriter, resp tokenResponse) {
	b, _ := json.Marshal(resp) // strings and integers only
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// newJWT returns a random token shaped like a JWT (header.payload.signature
// in base64url). Nothing checks its signature: the simulator looks tokens
// up by value.
func newJWT(kind string, exp time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT","kid":"psntest"}`))
	payload, _ := json.Marshal(map[string]any{
		"jti": randomUUID(), "typ": kind, "iss": "psntest", "exp": exp.Unix(),
	})
	sig := make([]byte, 256)
	_, _ = rand.Read(sig)
	return header + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString(sig)
}

// randomAlnum returns n random characters of [A-Za-z0-9].
func randomAlnum(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}
