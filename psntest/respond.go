package psntest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// PSN error codes. Those marked "recorded" appear in the recordings or the
// protocol notes; the others are the simulator's inference from the
// pattern of the recorded ones (service prefix + 0x001 for a bad request).
const (
	codeTrophyBadRequest  = 2240513 // inferred: 0x223001 (trophy service, bad request)
	codeTrophyNotFound    = 2240525 // recorded: "Resource not found"
	codeTrophyForbidden   = 2240526 // recorded: "Not permitted by access control"
	codeInvalidToken      = 2241025 // the brief's choice; no 401 body was recorded
	codeRateLimited       = 2138635 // recorded in the protocol notes: "Rate limit exceeded"
	codeProfileBadRequest = 2281473 // recorded: "Bad Request (path: accountId)"
	codeProfileForbidden  = 2281486 // recorded: "Not permitted by access control"
	codeProfileNotFound   = 2281604 // protocol notes: not found (profile)
	codeUserNotFound      = 2105356 // recorded: "User not found (user: '…')"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeJSON writes v as the JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only the simulator's own types are written
		http.Error(w, "psntest: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// psnError is PSN's error envelope.
type psnError struct {
	Error psnErrorBody `json:"error"`
}

type psnErrorBody struct {
	ReferenceID string `json:"referenceId"`
	Code        int    `json:"code"`
	Message     string `json:"message"`
}

// writePSNError writes PSN's data-API error envelope:
// {"error":{"referenceId":"…","code":N,"message":"…"}}.
func writePSNError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, psnError{psnErrorBody{ReferenceID: referenceID(), Code: code, Message: msg}})
}

// writeRateLimited writes PSN's 429 with the instant the next request is
// accepted in X-RateLimit-Next-Available (unix seconds, rounded up).
func writeRateLimited(w http.ResponseWriter, next time.Time) {
	secs := next.Unix()
	if next.Nanosecond() > 0 {
		secs++
	}
	w.Header().Set("X-RateLimit-Next-Available", strconv.FormatInt(secs, 10))
	writePSNError(w, http.StatusTooManyRequests, codeRateLimited, "Rate limit exceeded")
}

// oauthError is the auth server's RFC 6749 §5.2 error body. ErrorCode is
// Sony's numeric code where one is known (4159 invalid refresh token).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	ErrorCode   int    `json:"error_code,omitempty"`
}

func writeOAuthError(w http.ResponseWriter, status int, e oauthError) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, e)
}

// referenceID returns a random id shaped like PSN's (a time-based UUID,
// e.g. 697ab598-3205-11f0-bd07-8f56189d5dfc).
func referenceID() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-11f0-" + h[16:20] + "-" + h[20:32]
}

// randomUUID returns a random version-4 UUID.
func randomUUID() string {
	h := []byte(randomHex(16))
	h[12] = '4'
	h[16] = "89ab"[h[16]%4]
	s := string(h)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics on broken systems)
	return hex.EncodeToString(b)
}

// object is a JSON object that keeps its members in order, for answers
// whose keys depend on the request (e.g. profile2's fields parameter).
type object []member

type member struct {
	key string
	val any
}

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.val)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}
