package psn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func sampleToken() *Token {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	return &Token{
		AccessToken: "ACCESS-SECRET", RefreshToken: "REFRESH-SECRET", IDToken: "ID-SECRET",
		TokenType: "bearer", Scope: Scope,
		Expiry: now.Add(time.Hour), RefreshExpiry: now.Add(60 * 24 * time.Hour), IssuedAt: now,
	}
}

func TestTokenRedactsEverywhere(t *testing.T) {
	tok := sampleToken()
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outs = append(outs, fmt.Sprintf(verb, tok), fmt.Sprintf(verb, *tok), fmt.Sprintf(verb, tok.AccessToken))
	}
	outs = append(outs, tok.String(), fmt.Sprint(tok), fmt.Sprintln(tok.RefreshToken, tok.IDToken))
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("tok", "token", tok, "access", tok.AccessToken, "value", *tok)
	}
	outs = append(outs, buf.String())
	for _, o := range outs {
		if strings.Contains(o, "SECRET") {
			t.Errorf("secret printed: %s", o)
		}
	}
	if !strings.Contains(buf.String(), "expiry") {
		t.Errorf("slog lost the expiry: %s", buf.String())
	}
}

func TestTokenJSONRoundTripUTC(t *testing.T) {
	tok := sampleToken()
	b, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"expiry":"2026-11-26T12:00:00Z"`) {
		t.Errorf("expiry not RFC 3339 UTC: %s", b)
	}
	var back Token
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.AccessToken != tok.AccessToken || back.RefreshToken != tok.RefreshToken || !back.Expiry.Equal(tok.Expiry) || !back.RefreshExpiry.Equal(tok.RefreshExpiry) {
		t.Errorf("round trip lost data: %+v", back)
	}
}

func TestTokenExpiry(t *testing.T) {
	tok := sampleToken()
	if tok.Expired(tok.Expiry.Add(-time.Nanosecond)) || !tok.Expired(tok.Expiry) {
		t.Error("Expired is wrong at the boundary")
	}
	if tok.RefreshExpired(tok.RefreshExpiry.Add(-time.Second)) || !tok.RefreshExpired(tok.RefreshExpiry) {
		t.Error("RefreshExpired is wrong at the boundary")
	}
	if !tok.Valid(tok.Expiry.Add(-2*time.Minute), time.Minute) || tok.Valid(tok.Expiry.Add(-30*time.Second), time.Minute) {
		t.Error("Valid margin is wrong")
	}
	var nilTok *Token
	if !nilTok.Expired(time.Now()) || !nilTok.RefreshExpired(time.Now()) {
		t.Error("nil token must count as expired")
	}
}

func TestDecodeTokenResponseRejectsNonsense(t *testing.T) {
	now := time.Now()
	for _, body := range []string{
		``, `null`, `[]`, `{}`, `{"access_token":""}`,
		`{"access_token":"a","expires_in":0}`,
		`{"access_token":"a","expires_in":-5}`,
		`{"access_token":"a","expires_in":99999999999}`,
		`{"access_token":"a","expires_in":3599,"refresh_token":"r"}`,
		`{"access_token":"a","expires_in":3599,"refresh_token":"r","refresh_token_expires_in":-1}`,
	} {
		if _, err := decodeTokenResponse([]byte(body), now); err == nil {
			t.Errorf("decodeTokenResponse(%s) accepted", body)
		}
	}
}
