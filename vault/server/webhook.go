package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/psnkit/psn"
)

// Webhook events (docs/vault.md, "Webhooks").
const (
	// EventLoginRequired: PSN refused an account's last secret (or its
	// refresh token ended and no NPSSO is kept); a human must add it again.
	EventLoginRequired = "login_required"
	// EventRefreshExpiring: the refresh token is within the warning period
	// and no NPSSO is kept (at most once a day per account).
	EventRefreshExpiring = "refresh_expiring"
	// EventRecovered: an account that needed a human login works again.
	EventRecovered = "recovered"
	// EventAccountAdded: an account was logged in (added or replaced).
	EventAccountAdded = "account_added"
	// EventAccountDeleted: an account and its secrets were deleted.
	EventAccountDeleted = "account_deleted"
)

// WebhookEvents returns every event name.
func WebhookEvents() []string {
	return []string{EventLoginRequired, EventRefreshExpiring, EventRecovered, EventAccountAdded, EventAccountDeleted}
}

// Headers of a webhook POST.
const (
	HeaderEvent     = "X-Psn-Event"
	HeaderDelivery  = "X-Psn-Delivery"
	HeaderSignature = "X-Psn-Signature-256"
)

// WebhookTimeout bounds one webhook POST.
const WebhookTimeout = 10 * time.Second

// WebhookSecretEnv names the environment variable that holds the secret
// webhooks are signed with.
const WebhookSecretEnv = "PSN_WEBHOOK_SECRET"

// ErrWebhookSecret: webhook URLs were given without a secret to sign with.
var ErrWebhookSecret = errors.New("vault: webhooks need a signing secret: set " + WebhookSecretEnv)

// ErrWebhookURL: a webhook URL that is not an absolute http(s) URL.
var ErrWebhookURL = errors.New("vault: a webhook URL must be an absolute http:// or https:// URL")

// WebhookEvent is the JSON body of every webhook POST. It never holds a
// secret: no token, NPSSO or key.
type WebhookEvent struct {
	// ID names the event; it is the X-Psn-Delivery header too, and the
	// same on every retry and for every URL, so receivers deduplicate on it.
	ID string `json:"id"`
	// Event is one of WebhookEvents().
	Event string `json:"event"`
	// Account is the account's local name; OnlineID its PSN online id.
	Account  string `json:"account"`
	OnlineID string `json:"onlineId"`
	// At is when the vault saw it happen.
	At time.Time `json:"at"`
	// Detail holds facts about the event (the state, the refresh token's
	// expiry, what to do), never a secret.
	Detail map[string]any `json:"detail"`
}

// WebhookConfig configures a Service's webhooks (ServiceConfig.Webhooks).
type WebhookConfig struct {
	// URLs receive every event (each URL each event at least once). None:
	// no event is raised at all.
	URLs []string
	// Secret signs every body (X-Psn-Signature-256); required with URLs.
	Secret psn.Secret
	// Client sends the POSTs (default: WebhookTimeout, redirects not
	// followed). A client given here should not follow redirects either.
	Client *http.Client
	// RetryBase is the first retry's delay, doubled per failed attempt up
	// to RetryMax (defaults 5 s and 1 h), with ±20 % jitter.
	RetryBase, RetryMax time.Duration
	// GiveUpAfter is how long after it was raised an event is given up
	// (default 3 days): logged as an error and counted.
	GiveUpAfter time.Duration
	// Poll is how often the outbox is looked at for due events (default
	// 1 s); an event raised by this process is sent at once.
	Poll time.Duration
}

// SignWebhook returns the X-Psn-Signature-256 value of body:
// "sha256=" and the hex HMAC-SHA256 of body keyed with secret.
func SignWebhook(secret psn.Secret, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret.Reveal()))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook reports whether signature (the X-Psn-Signature-256 header)
// is body's signature under secret, in constant time.
func VerifyWebhook(secret psn.Secret, body []byte, signature string) bool {
	return hmac.Equal([]byte(SignWebhook(secret, body)), []byte(signature))
}

// NewWebhookClient returns the HTTP client webhooks are sent with: a
// WebhookTimeout per request and no redirect followed (a 3xx is a failed
// attempt).
func NewWebhookClient() *http.Client {
	return &http.Client{
		Timeout:       WebhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// CheckWebhookURL fails unless u is an absolute http(s) URL with a host.
func CheckWebhookURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("%w: %s", ErrWebhookURL, RedactURL(u))
	}
	return nil
}

// RedactURL shows a webhook URL in logs and errors: its scheme and host
// only, since a path or query may carry a receiver's own credential.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "(a malformed URL)"
	}
	if p.Path == "" || p.Path == "/" {
		return p.Scheme + "://" + p.Host + "/"
	}
	return p.Scheme + "://" + p.Host + "/…"
}

// postWebhook sends one signed body to target and returns the status
// code. An error never quotes the URL's path or query.
func postWebhook(ctx context.Context, client *http.Client, target, id, event string, body []byte, secret psn.Secret) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: %s", ErrWebhookURL, RedactURL(target))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "psnkit-vault-webhook")
	req.Header.Set(HeaderEvent, event)
	req.Header.Set(HeaderDelivery, id)
	req.Header.Set(HeaderSignature, SignWebhook(secret, body))
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the whole URL
		}
		return 0, fmt.Errorf("POST %s: %w", RedactURL(target), err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// SendSampleWebhook POSTs one signed sample event of kind event (one of
// WebhookEvents(); "" is login_required) to target, as `psn-vault webhook
// test` does, and returns the receiver's status code. Its account is
// "example"; its id starts with "evt_test_".
func SendSampleWebhook(ctx context.Context, client *http.Client, target string, secret psn.Secret, event string) (int, WebhookEvent, error) {
	if event == "" {
		event = EventLoginRequired
	}
	if !validEvent(event) {
		return 0, WebhookEvent{}, fmt.Errorf("vault: unknown webhook event %q (want one of %s)", event, strings.Join(WebhookEvents(), ", "))
	}
	if secret == "" {
		return 0, WebhookEvent{}, ErrWebhookSecret
	}
	if err := CheckWebhookURL(target); err != nil {
		return 0, WebhookEvent{}, err
	}
	if client == nil {
		client = NewWebhookClient()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	now := time.Now().UTC().Truncate(time.Second)
	ev := WebhookEvent{ID: "evt_test_" + hex.EncodeToString(b[:]), Event: event, Account: "example", OnlineID: "example_online_id", At: now,
		Detail: sampleDetail(event, now)}
	body, err := json.Marshal(ev)
	if err != nil {
		return 0, WebhookEvent{}, err
	}
	code, err := postWebhook(ctx, client, target, ev.ID, event, body, secret)
	return code, ev, err
}

func validEvent(e string) bool {
	for _, w := range WebhookEvents() {
		if e == w {
			return true
		}
	}
	return false
}

// sampleDetail is the detail of a sample event: the shape real events of
// that kind have.
func sampleDetail(event string, now time.Time) map[string]any {
	d := map[string]any{"sample": true}
	switch event {
	case EventLoginRequired:
		d["state"], d["secret"], d["since"] = "login-required", string(psn.SecretRefreshToken), now
		d["action"] = loginAction
	case EventRefreshExpiring:
		d["state"], d["refreshExpiry"], d["action"] = "expiring", now.Add(3*24*time.Hour), expiringAction
	case EventRecovered:
		d["state"], d["how"] = "ok", "logged in again"
	case EventAccountAdded:
		d["state"], d["npssoKept"], d["replaced"] = "ok", false, false
	}
	return d
}

// What an operator does about an event, in the bodies' "action".
const (
	loginAction    = "add the account again with a new NPSSO (POST /v1/accounts with the same name)"
	expiringAction = "add the account again with a new NPSSO before the refresh token expires (POST /v1/accounts with the same name; keepNpsso lets the vault log in by itself)"
)
