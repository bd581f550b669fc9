package psntest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/psnkit/psn/internal/recorded"
)

func TestAuthorizeSuccessRedirect(t *testing.T) {
	c := serve(t, Config{})
	u := c.sim.Users()[0]
	resp := c.authorizeWith(authorizeQuery(), u.NPSSO)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want 302", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); !codeLocation.MatchString(loc) {
		t.Fatalf("Location %q is not com.scee.psxandroid.scecompcall://redirect/?code=v3.XXXXXX&cid=<uuid>", loc)
	}
	// PSNAWP's longer query (recorded) is accepted too.
	rec := recorded.Load(t, "test_authenticator__authentication.json")
	ru, _ := url.Parse(rec.Interactions[0].Request.URI)
	resp = c.authorizeWith(ru.Query(), u.NPSSO)
	if !codeLocation.MatchString(resp.Header.Get("Location")) {
		t.Fatalf("PSNAWP query: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// The sign-in redirect for a bad NPSSO must be byte-for-byte the recorded
// one (apart from the random cid).
func TestAuthorizeLoginRequiredMatchesRecording(t *testing.T) {
	c := serve(t, Config{})
	rec := recorded.Load(t, "test_authenticator__incorrect_npsso.json")
	in := rec.Interactions[0]
	want := in.Response.Headers.Get("Location")
	ru, _ := url.Parse(in.Request.URI)
	resp := c.authorizeWith(ru.Query(), "not-a-live-npsso")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want 302", resp.StatusCode)
	}
	cidRE := regexp.MustCompile(`cid=[0-9a-f-]{36}`)
	got := cidRE.ReplaceAllString(resp.Header.Get("Location"), "cid=CID")
	want = cidRE.ReplaceAllString(want, "cid=CID")
	if got != want {
		t.Fatalf("Location\n got %s\nwant %s", got, want)
	}
}

func TestAuthorizeLoginRequired(t *testing.T) {
	c := serve(t, Config{})
	u := c.sim.Users()[0]
	fresh, err := c.sim.NewNPSSO(u.OnlineID)
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "https://my.account.sony.com/sonyacct/signin/?"
	const suffix = "&auth_ver=v3&error=login_required&error_code=4165&error_description=User+is+not+authenticated&no_captcha=true&cid="
	for _, tc := range []struct{ name, npsso string }{
		{"no cookie", ""},
		{"unknown NPSSO", strings.Repeat("x", 64)},
		{"replaced NPSSO", u.NPSSO},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := c.authorizeWith(authorizeQuery(), tc.npsso).Header.Get("Location")
			parsed, err := url.Parse(loc)
			if err != nil || !strings.HasPrefix(loc, prefix) || !strings.Contains(loc, suffix) || parsed.Query().Has("code") {
				t.Fatalf("Location %q", loc)
			}
		})
	}
	if got := c.sim.Stats().Errors.LoginRequired; got != 3 {
		t.Errorf("errors.login_required = %d, want 3", got)
	}
	c.code(fresh) // the new NPSSO works
}

func TestAuthorizeBadRequests(t *testing.T) {
	c := serve(t, Config{})
	npsso := c.sim.Users()[0].NPSSO
	for _, tc := range []struct {
		name      string
		key, val  string // "" val deletes
		status    int
		wantError string
	}{
		{"retired client", "client_id", "ac8d161a-d966-4728-b0ea-ffec22f69edc", 400, "invalid_client"},
		{"no client", "client_id", "", 400, "invalid_client"},
		{"retired redirect", "redirect_uri", "com.playstation.PlayStationApp://redirect", 400, "invalid_request"},
		{"no redirect", "redirect_uri", "", 400, "invalid_request"},
		{"implicit flow", "response_type", "token", 302, "unsupported_response_type"},
		{"old scope", "scope", "psn:mobile.v1 psn:clientapp", 302, "invalid_scope"},
		{"no scope", "scope", "", 302, "invalid_scope"},
		{"online access", "access_type", "online", 302, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := authorizeQuery()
			if tc.val == "" {
				q.Del(tc.key)
			} else {
				q.Set(tc.key, tc.val)
			}
			hdr := http.Header{"Cookie": {"npsso=" + npsso}}
			resp, body := c.do("GET", "/api/authz/v3/oauth/authorize?"+q.Encode(), hdr, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 400 {
				var e oauthError
				if json.Unmarshal(body, &e) != nil || e.Error != tc.wantError {
					t.Fatalf("body %s, want error %s", body, tc.wantError)
				}
				return
			}
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || !strings.HasPrefix(loc.String(), redirectURI+"/?") {
				t.Fatalf("Location %q", resp.Header.Get("Location"))
			}
			if got := loc.Query().Get("error"); got != tc.wantError || loc.Query().Has("code") {
				t.Fatalf("Location %q, want error=%s and no code", loc, tc.wantError)
			}
		})
	}
}

func TestTokenResponseShape(t *testing.T) {
	c := serve(t, Config{})
	resp, body := c.tokenPost(codeForm(c.code(c.sim.Users()[0].NPSSO)))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for k := range m {
		keys = append(keys, k)
	}
	wantKeys := []string{"access_token", "token_type", "expires_in", "scope", "id_token", "refresh_token", "refresh_token_expires_in"}
	if len(m) != len(wantKeys) {
		t.Fatalf("keys %v, want %v", keys, wantKeys)
	}
	if m["token_type"] != "bearer" || m["expires_in"] != 3599.0 || m["refresh_token_expires_in"] != 5183999.0 ||
		m["scope"] != "psn:mobile.v2.core psn:clientapp" {
		t.Errorf("body %s", body)
	}
	for _, k := range []string{"access_token", "id_token", "refresh_token"} {
		parts := strings.Split(m[k].(string), ".")
		if len(parts) != 3 {
			t.Fatalf("%s is not header.payload.signature", k)
		}
		for _, p := range parts[:2] {
			b, err := base64.RawURLEncoding.DecodeString(p)
			if err != nil || !json.Valid(b) {
				t.Fatalf("%s part is not base64url JSON", k)
			}
		}
		if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
			t.Fatalf("%s signature is not base64url", k)
		}
	}
	// The order of keys is the recorded one.
	if !strings.HasPrefix(string(body), `{"access_token":`) || !strings.Contains(string(body), `,"refresh_token_expires_in":5183999}`) {
		t.Errorf("key order differs from the recording: %s", body)
	}
}

func TestTokenGrantErrors(t *testing.T) {
	c := serve(t, Config{})
	u := c.sim.Users()[0]
	live := c.login(u.NPSSO)
	used := c.code(u.NPSSO)
	c.tokenPost(codeForm(used))

	type want struct {
		status int
		body   string // exact JSON, or "" to check only the error field
		error  string
	}
	with := func(f url.Values, k, v string) url.Values {
		g := url.Values{}
		for kk, vv := range f {
			g[kk] = vv
		}
		if v == "" {
			g.Del(k)
		} else {
			g.Set(k, v)
		}
		return g
	}
	invalidRefresh := `{"error":"invalid_grant","error_description":"Invalid refresh token","error_code":4159}`
	for _, tc := range []struct {
		name string
		hdr  http.Header
		form url.Values
		raw  string // body instead of form
		want want
	}{
		{"no client credentials", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, refreshForm(live.RefreshToken), "",
			want{401, "", "invalid_client"}},
		{"wrong secret", http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":nope"))},
			"Content-Type": {"application/x-www-form-urlencoded"}}, refreshForm(live.RefreshToken), "", want{401, "", "invalid_client"}},
		{"bearer instead of basic", http.Header{"Authorization": {"Bearer " + live.AccessToken},
			"Content-Type": {"application/x-www-form-urlencoded"}}, refreshForm(live.RefreshToken), "", want{401, "", "invalid_client"}},
		{"JSON body", http.Header{"Authorization": {basicAuth()}, "Content-Type": {"application/json"}}, nil, `{"grant_type":"refresh_token"}`, want{400, "", "invalid_request"}},
		{"malformed form", nil, nil, "grant_type=%zz", want{400, "", "invalid_request"}},
		{"no grant_type", nil, with(refreshForm(live.RefreshToken), "grant_type", ""), "", want{400, "", "invalid_request"}},
		{"password grant", nil, with(refreshForm(live.RefreshToken), "grant_type", "password"), "", want{400, "", "unsupported_grant_type"}},
		{"repeated grant_type", nil, nil, "grant_type=refresh_token&grant_type=refresh_token&token_format=jwt&scope=psn:clientapp&refresh_token=" + url.QueryEscape(live.RefreshToken),
			want{400, "", "invalid_request"}},
		{"code: no token_format", nil, with(codeForm(c.code(u.NPSSO)), "token_format", ""), "", want{400, "", "invalid_request"}},
		{"code: opaque token_format", nil, with(codeForm(c.code(u.NPSSO)), "token_format", "opaque"), "", want{400, "", "invalid_request"}},
		{"code: no code", nil, with(codeForm("x"), "code", ""), "", want{400, "", "invalid_request"}},
		{"code: no redirect_uri", nil, with(codeForm(c.code(u.NPSSO)), "redirect_uri", ""), "", want{400, "", "invalid_request"}},
		{"code: unknown", nil, codeForm("v3.AAAAAA"), "", want{400, "", "invalid_grant"}},
		{"code: used twice", nil, codeForm(used), "", want{400, "", "invalid_grant"}},
		{"code: other redirect_uri", nil, with(codeForm(c.code(u.NPSSO)), "redirect_uri", "com.playstation.PlayStationApp://redirect"), "",
			want{400, "", "invalid_grant"}},
		{"code: bad scope", nil, with(codeForm(c.code(u.NPSSO)), "scope", "psn:admin"), "", want{400, "", "invalid_scope"}},
		{"refresh: no token", nil, with(refreshForm(""), "refresh_token", ""), "", want{400, "", "invalid_request"}},
		{"refresh: no scope", nil, with(refreshForm(live.RefreshToken), "scope", ""), "", want{400, "", "invalid_request"}},
		{"refresh: no token_format", nil, with(refreshForm(live.RefreshToken), "token_format", ""), "", want{400, "", "invalid_request"}},
		{"refresh: foreign scope", nil, with(refreshForm(live.RefreshToken), "scope", "psn:mobile.v1"), "", want{400, "", "invalid_scope"}},
		{"refresh: unknown token", nil, refreshForm("eyJ.not.known"), "", want{400, invalidRefresh, ""}},
		{"refresh: access token instead", nil, refreshForm(live.AccessToken), "", want{400, invalidRefresh, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := tc.hdr
			if hdr == nil {
				hdr = http.Header{"Authorization": {basicAuth()}, "Content-Type": {"application/x-www-form-urlencoded"}}
			}
			body := tc.raw
			if tc.form != nil {
				body = tc.form.Encode()
			}
			resp, got := c.do("POST", "/api/authz/v3/oauth/token", hdr, body)
			if resp.StatusCode != tc.want.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want.status, got)
			}
			if tc.want.body != "" {
				if string(got) != tc.want.body {
					t.Fatalf("body %s\nwant %s", got, tc.want.body)
				}
				return
			}
			var e oauthError
			if err := json.Unmarshal(got, &e); err != nil || e.Error != tc.want.error || e.Description == "" {
				t.Fatalf("body %s, want error %q with a description", got, tc.want.error)
			}
		})
	}
	// unknown, used twice, other redirect_uri, and the two bad refresh tokens
	if got := c.sim.Stats().Errors.InvalidGrant; got != 5 {
		t.Errorf("errors.invalid_grant = %d, want 5", got)
	}
	// The live refresh token survived all of that.
	c.refresh(live.RefreshToken)
}

func TestTokenMethodNotAllowed(t *testing.T) {
	c := serve(t, Config{})
	resp, _ := c.do("GET", "/api/authz/v3/oauth/token", nil, "")
	if resp.StatusCode == http.StatusOK {
		t.Fatal("GET on the token endpoint succeeded")
	}
}

func TestAuthCodeExpiresAfterFiveMinutes(t *testing.T) {
	c := serve(t, Config{})
	npsso := c.sim.Users()[0].NPSSO
	early := c.code(npsso)
	late := c.code(npsso)
	c.sim.Advance(4*time.Minute + 59*time.Second)
	c.login(npsso)
	if resp, _ := c.tokenPost(codeForm(early)); resp.StatusCode != http.StatusOK {
		t.Fatalf("code at 4m59s: %d", resp.StatusCode)
	}
	c.sim.Advance(time.Second)
	if resp, _ := c.tokenPost(codeForm(late)); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("code at 5m: %d, want 400", resp.StatusCode)
	}
}

func TestRefreshKeepsTokenAndLifetime(t *testing.T) {
	c := serve(t, Config{})
	first := c.login(c.sim.Users()[0].NPSSO)
	c.sim.Advance(9 * time.Second)
	second := c.refresh(first.RefreshToken)
	if second.RefreshToken != first.RefreshToken {
		t.Error("refresh returned a new refresh token without RotateRefresh")
	}
	if second.RefreshTokenExpiresIn != 5183990 {
		t.Errorf("refresh_token_expires_in %d after 9s, want 5183990 (not extended)", second.RefreshTokenExpiresIn)
	}
	if second.ExpiresIn != 3599 || second.AccessToken == first.AccessToken {
		t.Errorf("expires_in %d, new access token %v", second.ExpiresIn, second.AccessToken != first.AccessToken)
	}
	if second.Scope != "psn:clientapp psn:mobile.v2.core" {
		t.Errorf("scope %q, want the recorded refresh order", second.Scope)
	}
	// Both access tokens work.
	for _, at := range []string{first.AccessToken, second.AccessToken} {
		if resp, _ := c.get("/api/v1/devices/accounts/me", at); resp.StatusCode != 200 {
			t.Errorf("access token: %d", resp.StatusCode)
		}
	}
	// The refresh token dies at its original expiry.
	c.sim.Advance(time.Duration(second.RefreshTokenExpiresIn-1) * time.Second)
	c.refresh(first.RefreshToken)
	c.sim.Advance(time.Second)
	if resp, _ := c.tokenPost(refreshForm(first.RefreshToken)); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("refresh after 60 days: %d, want 400", resp.StatusCode)
	}
}

func TestNewLoginStartsNewRefreshLifetime(t *testing.T) {
	c := serve(t, Config{})
	npsso := c.sim.Users()[0].NPSSO
	old := c.login(npsso)
	c.sim.Advance(10 * 24 * time.Hour)
	fresh := c.login(npsso)
	if fresh.RefreshTokenExpiresIn != 5183999 {
		t.Errorf("new grant: refresh_token_expires_in %d, want 5183999", fresh.RefreshTokenExpiresIn)
	}
	if got := c.refresh(old.RefreshToken).RefreshTokenExpiresIn; got != 5183999-10*86400 {
		t.Errorf("old refresh token: %d, want %d", got, 5183999-10*86400)
	}
}

func TestRotateRefresh(t *testing.T) {
	c := serve(t, Config{RotateRefresh: true})
	first := c.login(c.sim.Users()[0].NPSSO)
	c.sim.Advance(time.Minute)
	second := c.refresh(first.RefreshToken)
	if second.RefreshToken == first.RefreshToken {
		t.Fatal("RotateRefresh returned the same refresh token")
	}
	if second.RefreshTokenExpiresIn != 5183999-60 {
		t.Errorf("rotated token lifetime %d, want %d (not extended)", second.RefreshTokenExpiresIn, 5183999-60)
	}
	resp, body := c.tokenPost(refreshForm(first.RefreshToken))
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"invalid_grant"`) {
		t.Fatalf("old refresh token after rotation: %d %s", resp.StatusCode, body)
	}
	c.refresh(second.RefreshToken)
}

func TestOneLiveNPSSO(t *testing.T) {
	c := serve(t, Config{})
	u := c.sim.Users()[1]
	fresh, err := c.sim.NewNPSSO(u.OnlineID)
	if err != nil || fresh == u.NPSSO || len(fresh) != 64 {
		t.Fatalf("NewNPSSO: %v (64 chars, new: %v)", err, fresh != u.NPSSO)
	}
	if got := c.sim.Users()[1].NPSSO; got != fresh {
		t.Error("Users() does not show the new NPSSO")
	}
	if loc := c.authorizeWith(authorizeQuery(), u.NPSSO).Header.Get("Location"); !strings.Contains(loc, "error=login_required") {
		t.Errorf("old NPSSO still works: %q", loc)
	}
	c.code(fresh)

	if err := c.sim.RevokeNPSSO(strings.ToUpper(u.OnlineID)); err != nil { // online ids ignore case
		t.Fatal(err)
	}
	if loc := c.authorizeWith(authorizeQuery(), fresh).Header.Get("Location"); !strings.Contains(loc, "error=login_required") {
		t.Errorf("revoked NPSSO still works: %q", loc)
	}
	if got := c.sim.Users()[1].NPSSO; got != "" {
		t.Error("Users() shows a revoked NPSSO")
	}
	for _, err := range []error{
		c.sim.RevokeNPSSO("nobody"), c.sim.RevokeRefreshTokens("nobody"),
		func() error { _, err := c.sim.NewNPSSO("nobody"); return err }(),
	} {
		if !errors.Is(err, ErrUnknownUser) {
			t.Errorf("unknown user: %v, want ErrUnknownUser", err)
		}
	}
}

func TestRevokeRefreshTokens(t *testing.T) {
	c := serve(t, Config{})
	u, other := c.sim.Users()[0], c.sim.Users()[1]
	a, b, o := c.login(u.NPSSO), c.login(u.NPSSO), c.login(other.NPSSO)
	if err := c.sim.RevokeRefreshTokens(u.OnlineID); err != nil {
		t.Fatal(err)
	}
	for _, rt := range []string{a.RefreshToken, b.RefreshToken} {
		if resp, body := c.tokenPost(refreshForm(rt)); resp.StatusCode != 400 || !strings.Contains(string(body), "4159") {
			t.Errorf("revoked refresh token: %d %s", resp.StatusCode, body)
		}
	}
	c.refresh(o.RefreshToken) // another user's tokens are untouched
	if resp, _ := c.get("/api/v1/devices/accounts/me", a.AccessToken); resp.StatusCode != 200 {
		t.Errorf("access token after refresh revocation: %d, want 200 until it expires", resp.StatusCode)
	}
	c.login(u.NPSSO) // the NPSSO still works
}

func TestAccessTokenExpiresWithClock(t *testing.T) {
	c := serve(t, Config{AccessTTL: 30 * time.Minute})
	tok := c.login(c.sim.Users()[0].NPSSO)
	if tok.ExpiresIn != 1799 {
		t.Fatalf("expires_in %d, want 1799", tok.ExpiresIn)
	}
	c.sim.Advance(1798 * time.Second)
	if resp, _ := c.get("/api/v1/devices/accounts/me", tok.AccessToken); resp.StatusCode != 200 {
		t.Fatalf("at 1798s: %d", resp.StatusCode)
	}
	c.sim.Advance(time.Second)
	resp, body := c.get("/api/v1/devices/accounts/me", tok.AccessToken)
	if resp.StatusCode != 401 {
		t.Fatalf("at expires_in: %d, want 401", resp.StatusCode)
	}
	if e := psnErr(t, body); e.Code != 2241025 || e.Message != "Invalid token" {
		t.Errorf("401 body %s", body)
	}
	c.refresh(tok.RefreshToken) // the refresh token outlives it
}

// Tokens also expire in real time: the clock is the real clock plus an offset.
func TestAccessTokenExpiresInRealTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := inMemory(t, Config{})
		tok := c.login(c.sim.Users()[0].NPSSO)
		time.Sleep(3598 * time.Second)
		if resp, _ := c.get("/api/v1/devices/accounts/me", tok.AccessToken); resp.StatusCode != 200 {
			t.Fatalf("after 3598s: %d", resp.StatusCode)
		}
		time.Sleep(time.Second)
		if resp, _ := c.get("/api/v1/devices/accounts/me", tok.AccessToken); resp.StatusCode != 401 {
			t.Fatalf("after 3599s: %d, want 401", resp.StatusCode)
		}
	})
}

func TestConcurrentRefreshMax(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := inMemory(t, Config{})
		tok := c.login(c.sim.Users()[0].NPSSO)
		c.refresh(tok.RefreshToken)
		c.refresh(tok.RefreshToken)
		if got := c.sim.Stats().ConcurrentRefreshMax; got != 1 {
			t.Fatalf("sequential refreshes: concurrentRefreshMax %d, want 1", got)
		}
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() { c.refresh(tok.RefreshToken) })
		}
		wg.Wait()
		st := c.sim.Stats()
		if st.ConcurrentRefreshMax != 5 || st.Grants.RefreshToken != 7 || st.Grants.AuthorizationCode != 1 {
			t.Fatalf("stats %+v, want concurrentRefreshMax 5, 7 refresh grants, 1 code grant", st)
		}
	})
}

func TestUserHidesNPSSO(t *testing.T) {
	u := New(Config{}).Users()[0]
	var b strings.Builder
	for _, s := range []string{u.String(), u.GoString(), u.LogValue().String()} {
		b.WriteString(s)
	}
	if strings.Contains(b.String(), u.NPSSO) || !strings.Contains(b.String(), u.OnlineID) {
		t.Fatalf("User formatting: %s", b.String())
	}
	j, _ := json.Marshal(u)
	var back User
	if json.Unmarshal(j, &back) != nil || !reflect.DeepEqual(back, u) {
		t.Fatalf("JSON round trip: %s", j)
	}
}
