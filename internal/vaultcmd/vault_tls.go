package vaultcmd

import (
	"crypto/tls"
	"log/slog"
	"net"
	"net/netip"
	"os"

	"github.com/psnkit/psn/internal/cli"
)

// vaultListener is where `psn-vault serve` listens, and how.
type vaultListener struct {
	ln  net.Listener
	url string
	// plainOffLoopback: plain HTTP on an address other hosts can reach.
	plainOffLoopback bool
}

// listenVault opens addr for the vault: HTTPS with the certificate and key
// of certFile and keyFile when both are given (one without the other is an
// error), else plain HTTP, with a loud warning when the address is not a
// loopback one (keys, tokens and session cookies would cross the network
// in clear).
func listenVault(addr, certFile, keyFile string, log *slog.Logger) (*vaultListener, error) {
	if (certFile == "") != (keyFile == "") {
		return nil, cli.UsageError("--tls-cert and --tls-key go together: give both (HTTPS) or neither (HTTP)")
	}
	var cfg *tls.Config
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, cli.Fail("loading --tls-cert/--tls-key failed", "", err)
		}
		if fi, err := os.Stat(keyFile); err == nil && fi.Mode().Perm()&0o077 != 0 {
			log.Warn("vault: the TLS key file is readable by other users; make it 0600", "file", keyFile, "mode", fi.Mode().Perm().String())
		}
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, cli.Fail("cannot listen on "+addr, "", err)
	}
	v := &vaultListener{ln: ln, url: "http://" + urlHost(ln.Addr())}
	if cfg != nil {
		v.ln, v.url = tls.NewListener(ln, cfg), "https://"+urlHost(ln.Addr())
		return v, nil
	}
	if ap, err := netip.ParseAddrPort(ln.Addr().String()); err != nil || !ap.Addr().Unmap().IsLoopback() {
		v.plainOffLoopback = true
		log.Warn("vault: serving PLAIN HTTP on a non-loopback address: API keys, tokens and status page sessions cross the network unencrypted, "+
			"and /metrics and the status page ask for an API key; give --tls-cert and --tls-key, or put a TLS proxy in front",
			"addr", ln.Addr().String())
	}
	return v, nil
}

// urlHost is the host:port of a URL that reaches a listener on a from this
// host: a listener on every address (0.0.0.0, [::]) is reached at
// 127.0.0.1, since "http://[::]:8788" is no address a client can use.
func urlHost(a net.Addr) string {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil || !ap.Addr().IsUnspecified() {
		return a.String()
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), ap.Port()).String()
}
