package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
)

// leakForms returns the ways a key could show up in printed output.
func leakForms(key []byte) []string {
	dec := strings.Trim(fmt.Sprint(key[:8]), "[]") // "12 34 56 …"
	return []string{
		string(key),
		hex.EncodeToString(key),
		fmt.Sprintf("% x", key[:8]),
		fmt.Sprintf("%X", key),
		base64.StdEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key),
		dec,
		strings.ReplaceAll(dec, " ", ", "), // %#v of a byte slice: 0xc, 0x22 … is covered by hex below
		fmt.Sprintf("%#v", key[:8])[len("[]byte{"):],
		fmt.Sprintf("%#v", [8]byte(key[:8]))[len("[8]uint8{"):],
	}
}

// printed renders v every way a program might log it.
func printed(v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	out["Sprint"] = fmt.Sprint(v)
	out["%+v in struct"] = fmt.Sprintf("%+v", struct{ V any }{v})
	out["%#v in struct"] = fmt.Sprintf("%#v", struct{ V any }{v})
	out["%v in slice"] = fmt.Sprintf("%v", []any{v})
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("msg", "v", v, slog.Any("any", v), slog.Group("g", "v", v))
	slog.New(slog.NewJSONHandler(&js, nil)).Info("msg", "v", v, slog.Any("any", v))
	out["slog text"] = text.String()
	out["slog json"] = js.String()
	return out
}

// checkRedacted asserts that no printed form of v holds any of secrets, that
// %#v forms show wantGo and that the others show want.
func checkRedacted(t *testing.T, name string, v any, want, wantGo string, secrets ...[]byte) {
	t.Helper()
	for how, s := range printed(v) {
		for _, secret := range secrets {
			for _, form := range leakForms(secret) {
				if strings.Contains(s, form) {
					t.Errorf("%s printed with %s leaks the key as %q: %s", name, how, form, s)
				}
			}
		}
		w := want
		if strings.HasPrefix(how, "%#v") {
			w = wantGo
		}
		if how != "%x" && how != "%d" && !strings.Contains(s, w) {
			t.Errorf("%s printed with %s = %q, want it to contain %q", name, how, s, w)
		}
	}
}

func TestRedaction(t *testing.T) {
	r := newTestRing(t)
	if _, err := r.Rotate(); err != nil {
		t.Fatal(err)
	}
	var ringKeys [][]byte
	for _, k := range r.keys {
		ringKeys = append(ringKeys, k.raw[:])
	}
	checkRedacted(t, "Ring", r, "[REDACTED]", "[REDACTED]", ringKeys...)
	for id, k := range r.keys {
		checkRedacted(t, fmt.Sprint("dataKey ", id), k, "[REDACTED]", "[REDACTED]", k.raw[:])
	}

	kf := KeyFile(t.TempDir() + "/key")
	kfKey, err := kf.key(nil)
	if err != nil {
		t.Fatal(err)
	}
	checkRedacted(t, "KeyFile", kf, "keyfile(", "seal.KeyFile(", kfKey[:])

	kb := KeyBase64(testKeyB64)
	checkRedacted(t, "KeyBase64", kb, "base64 key", "seal.KeyBase64([REDACTED])", seq32())

	var runs atomic.Int32
	pass := []byte("correct horse battery staple")
	pp := cheapPassphrase(string(pass), &runs, nil)
	if _, err := r.Marshal(pp); err != nil { // fills the derived-key cache
		t.Fatal(err)
	}
	var derived [][]byte
	for _, k := range pp.cache {
		derived = append(derived, k[:])
	}
	if len(derived) != 1 {
		t.Fatalf("cache holds %d keys", len(derived))
	}
	checkRedacted(t, "Passphrase", pp, "passphrase", "seal.Passphrase([REDACTED])", append(derived, pass)...)

	env := map[string]string{"PSN_KEY": testKeyB64}
	src, err := ResolveKEK(func(k string) string { return env[k] }, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkRedacted(t, "ResolveKEK(PSN_KEY)", src, "env PSN_KEY", "seal.KeyBase64([REDACTED])", seq32())
	env = map[string]string{"PSN_PASSPHRASE": "hunter2-hunter2"}
	src, err = ResolveKEK(func(k string) string { return env[k] }, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkRedacted(t, "ResolveKEK(PSN_PASSPHRASE)", src, "passphrase", "seal.Passphrase([REDACTED])", []byte("hunter2-hunter2"))
}

// The wrong-key error names the source, never its key.
func TestWrongKeyErrorHoldsNoKey(t *testing.T) {
	blob, err := newTestRing(t).Marshal(KeyFile(t.TempDir() + "/key"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenRing(blob, KeyBase64(testKeyB64))
	if err == nil {
		t.Fatal("opened with another key")
	}
	for _, form := range leakForms(seq32()) {
		if strings.Contains(err.Error(), form) {
			t.Fatalf("error %q leaks the key", err)
		}
	}
	if !strings.Contains(err.Error(), "base64 key") {
		t.Fatalf("error %q does not name the source", err)
	}
}
