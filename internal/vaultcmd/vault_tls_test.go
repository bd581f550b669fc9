package vaultcmd

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// (0600) into dir and returns their paths and the pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "psn vault test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// vaultCall sends method path with body to the vault at url with key as
// the bearer and returns the status and body.
func vaultCall(t *testing.T, url, key, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// startServe runs `psn-vault serve args…` and returns the URL of its
// start-up line, its stderr and a stop that ends it and waits (also done
// when the test ends).
func startServe(t *testing.T, c *vaultCLI, args ...string) (string, *syncWriter, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	errb := &syncWriter{}
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), pw, errb, c.getenv)
		pw.Close()
		done <- code
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("serve exited %d; stderr:\n%s", code, errb.String())
			}
		})
	}
	t.Cleanup(stop)
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the startup line: %v (stderr %s)", err, errb.String())
	}
	go io.Copy(io.Discard, pr)
	var start struct{ URL string }
	if err := json.Unmarshal([]byte(line), &start); err != nil {
		t.Fatalf("startup line %q", line)
	}
	return start.URL, errb, stop
}

func TestVaultServeTLS(t *testing.T) {
	c := newVaultCLI(t)
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	u, errb, _ := startServe(t, c, "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(u, "https://127.0.0.1:") {
		t.Fatalf("URL %q, want https://127.0.0.1:…", u)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, u+"/healthz", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET /healthz over TLS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("GET /healthz over TLS = %d (TLS %v)", resp.StatusCode, resp.TLS != nil)
	}
	// Plain HTTP to the TLS port is no answer from the vault.
	if resp, err := http.Get("http://" + strings.TrimPrefix(u, "https://") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("the HTTPS port answered plain HTTP with 200")
		}
	}
	if strings.Contains(errb.String(), "PLAIN HTTP") {
		t.Errorf("a TLS vault warns about plain HTTP:\n%s", errb.String())
	}
}

func TestVaultServeTLSFlagsTogether(t *testing.T) {
	c := newVaultCLI(t)
	certFile, keyFile, _ := selfSigned(t, t.TempDir())
	for _, args := range [][]string{{"--tls-cert", certFile}, {"--tls-key", keyFile}} {
		code, _, errOut := c.run(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
		if code != 1 || !strings.Contains(errOut, "--tls-cert and --tls-key go together") {
			t.Errorf("serve %v = %d %q, want 1 and the rule", args, code, errOut)
		}
	}
	code, _, errOut := c.run("serve", "--addr", "127.0.0.1:0", "--tls-cert", keyFile, "--tls-key", certFile)
	if code != 1 || !strings.Contains(errOut, "loading --tls-cert/--tls-key") {
		t.Errorf("serve with swapped files = %d %q", code, errOut)
	}
}

func TestVaultServeWarnsPlainHTTPOffLoopback(t *testing.T) {
	c := newVaultCLI(t)
	url, errb, stop := startServe(t, c, "--addr", "0.0.0.0:0")
	// The printed URL is one a client on this host can use, not "[::]".
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("start-up URL on 0.0.0.0 = %q, want http://127.0.0.1:PORT", url)
	} else if resp, err := http.Get(url + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("GET %s/healthz = %v, %v", url, resp, err)
	} else {
		resp.Body.Close()
	}
	stop()
	logs := errb.String()
	if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "PLAIN HTTP on a non-loopback address") ||
		!strings.Contains(logs, "WITHOUT TLS on a non-loopback address") {
		t.Fatalf("no loud warning for plain HTTP on 0.0.0.0:\n%s", logs)
	}
	c2 := newVaultCLI(t)
	_, errb2, stop2 := startServe(t, c2, "--addr", "127.0.0.1:0")
	stop2()
	if strings.Contains(errb2.String(), "PLAIN HTTP") {
		t.Fatalf("a loopback vault warns:\n%s", errb2.String())
	}
}

func TestVaultServePagesNeedKey(t *testing.T) {
	c := newVaultCLI(t)
	_, out, _ := c.run("apikey", "create", "ci", "--admin")
	key := strings.TrimSpace(out)
	u, _, _ := startServe(t, c, "--addr", "127.0.0.1:0", "--pages-need-key")
	get := func(path, key string) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, u+path, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics on loopback with --pages-need-key = %d, want 401", code)
	}
	if code := get("/metrics", key); code != http.StatusOK {
		t.Errorf("/metrics with a key = %d, want 200", code)
	}
	if code := get("/healthz", ""); code != http.StatusOK {
		t.Errorf("/healthz = %d, want open", code)
	}
}
