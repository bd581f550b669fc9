package psntest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// h drives a simulator through a plain http.Client, like a PSN client would.
type h struct {
	t    testing.TB
	base string
	sim  *Sim
	hc   *http.Client
}

// serve starts a real loopback server.
func serve(t *testing.T, cfg Config) *h {
	t.Helper()
	srv := NewServer(cfg)
	t.Cleanup(srv.Close)
	return &h{t: t, base: srv.URL, sim: srv.Sim, hc: srv.Client()}
}

// inMemory calls the handler directly (for testing/synctest bubbles, where
// real sockets would keep the fake clock from advancing).
func inMemory(t *testing.T, cfg Config) *h {
	t.Helper()
	sim := New(cfg)
	return &h{t: t, base: "http://psn.test", sim: sim, hc: &http.Client{
		Transport:     handlerTransport{sim.Handler()},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// do sends a request and returns the response with its body read.
func (c *h) do(method, path string, hdr http.Header, body string) (*http.Response, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, b
}

// authorizeQuery is what psn-api sends to the authorize endpoint.
func authorizeQuery() url.Values {
	return url.Values{
		"access_type":   {"offline"},
		"client_id":     {clientID},
		"redirect_uri":  {redirectURI},
		"response_type": {"code"},
		"scope":         {"psn:mobile.v2.core psn:clientapp"},
	}
}

func (c *h) authorizeWith(q url.Values, npsso string) *http.Response {
	c.t.Helper()
	hdr := http.Header{}
	if npsso != "" {
		hdr.Set("Cookie", "npsso="+npsso)
	}
	resp, _ := c.do("GET", "/api/authz/v3/oauth/authorize?"+q.Encode(), hdr, "")
	return resp
}

var codeLocation = regexp.MustCompile(`^com\.scee\.psxandroid\.scecompcall://redirect/\?code=(v3\.[A-Za-z0-9]{6})&cid=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// code runs the authorize step and returns the authorization code.
func (c *h) code(npsso string) string {
	c.t.Helper()
	resp := c.authorizeWith(authorizeQuery(), npsso)
	m := codeLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || m == nil {
		c.t.Fatalf("authorize: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return m[1]
}

func basicAuth() string {
	// base64("09515159-7237-4370-9b40-3806e67c0891:ucPjka5tntB2KqsP"), written out
	// so that the test checks the constants too.
	return "Basic MDk1MTUxNTktNzIzNy00MzcwLTliNDAtMzgwNmU2N2MwODkxOnVjUGprYTV0bnRCMktxc1A="
}

// tokenPost posts a form to the token endpoint with the app's credentials.
func (c *h) tokenPost(form url.Values) (*http.Response, []byte) {
	c.t.Helper()
	return c.do("POST", "/api/authz/v3/oauth/token", http.Header{
		"Authorization": {basicAuth()},
		"Content-Type":  {"application/x-www-form-urlencoded"},
	}, form.Encode())
}

func codeForm(code string) url.Values {
	return url.Values{"code": {code}, "redirect_uri": {redirectURI},
		"grant_type": {"authorization_code"}, "token_format": {"jwt"}}
}

func refreshForm(rt string) url.Values {
	return url.Values{"refresh_token": {rt}, "grant_type": {"refresh_token"},
		"token_format": {"jwt"}, "scope": {"psn:mobile.v2.core psn:clientapp"}}
}

// login turns an NPSSO into tokens.
func (c *h) login(npsso string) tokenResponse {
	c.t.Helper()
	resp, body := c.tokenPost(codeForm(c.code(npsso)))
	return c.decodeToken(resp, body)
}

// refresh runs a refresh_token grant that must succeed.
func (c *h) refresh(rt string) tokenResponse {
	c.t.Helper()
	resp, body := c.tokenPost(refreshForm(rt))
	return c.decodeToken(resp, body)
}

func (c *h) decodeToken(resp *http.Response, body []byte) tokenResponse {
	c.t.Helper()
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("token grant: %d %s", resp.StatusCode, body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		c.t.Fatal(err)
	}
	return tr
}

// get calls a data route with a bearer token.
func (c *h) get(path, access string) (*http.Response, []byte) {
	c.t.Helper()
	hdr := http.Header{}
	if access != "" {
		hdr.Set("Authorization", "Bearer "+access)
	}
	return c.do("GET", path, hdr, "")
}

// getOK calls a data route that must answer 200 and decodes its body.
func (c *h) getOK(path, access string, v any) {
	c.t.Helper()
	resp, body := c.get(path, access)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
}

// psnErr decodes PSN's error envelope.
func psnErr(t *testing.T, body []byte) psnErrorBody {
	t.Helper()
	var e psnError
	if err := json.Unmarshal(body, &e); err != nil || e.Error.ReferenceID == "" {
		t.Fatalf("not PSN's error envelope: %s", body)
	}
	return e.Error
}
