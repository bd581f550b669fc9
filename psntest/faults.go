package psntest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Faults are failures injected into PSN routes (never into /_sim/). The
// decisions are deterministic: the n-th PSN request of a simulator gets the
// same fault for the same Seed and Faults. See [ParseFaults] for the text
// form used by `psn sim serve --faults`.
type Faults struct {
	// ServerError is the probability of a 5xx answer: 500 or 503 with PSN's
	// JSON error envelope, or 502 with an nginx HTML page.
	ServerError float64
	// Latency is added before every answer (stopped early when the client
	// gives up).
	Latency time.Duration
	// Reset is the probability that the connection is closed with no answer
	// (hijacked and closed with a TCP reset).
	Reset float64
	// Edge403 is the probability of Akamai's edge 403 with its HTML
	// "Access Denied" page.
	Edge403 float64
	// Burst429 is the length of a burst of consecutive 429 answers; zero
	// means no bursts.
	Burst429 int
	// Burst429Chance is the probability that a request starts a burst
	// (default 0.05 when Burst429 is set).
	Burst429Chance float64
	// Scope restricts the faults to some routes: "" or "all" (every PSN
	// route), "auth" (the authorize and token endpoints) or "data" (the rest).
	Scope string
}

// ErrFaultSpec is wrapped by every error of [ParseFaults].
var ErrFaultSpec = errors.New("psntest: bad fault spec")

const defaultBurstChance = 0.05

// ParseFaults parses the --faults syntax: comma-separated key=value items,
//
//	5xx=P          probability of a 5xx answer
//	latency=D      added latency, a Go duration (e.g. 50ms)
//	reset=P        probability of a connection reset
//	edge403=P      probability of an Akamai edge 403 (HTML)
//	burst429=N     bursts of N consecutive 429s, each request starting one
//	               with probability 0.05; burst429=N@P sets that probability
//	on=S           scope: all (default), auth or data
//
// where P is a number in [0, 1]. Example: 5xx=0.1,latency=50ms,reset=0.05,
// edge403=0.1,burst429=3. The empty spec means no faults. Keys may appear
// once each.
func ParseFaults(spec string) (Faults, error) {
	var f Faults
	seen := map[string]bool{}
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, val, ok := strings.Cut(item, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || key == "" || val == "" {
			return Faults{}, fmt.Errorf("%w: %q is not key=value", ErrFaultSpec, item)
		}
		if seen[key] {
			return Faults{}, fmt.Errorf("%w: %q appears twice", ErrFaultSpec, key)
		}
		seen[key] = true
		var err error
		switch key {
		case "5xx":
			f.ServerError, err = parseProb(val)
		case "reset":
			f.Reset, err = parseProb(val)
		case "edge403":
			f.Edge403, err = parseProb(val)
		case "latency":
			f.Latency, err = time.ParseDuration(val)
			if err == nil && (f.Latency < 0 || f.Latency > time.Minute) {
				err = errors.New("latency must be between 0 and 1m")
			}
		case "burst429":
			n, p, hasP := strings.Cut(val, "@")
			f.Burst429, err = strconv.Atoi(n)
			if err == nil && (f.Burst429 < 1 || f.Burst429 > 1000) {
				err = errors.New("burst length must be between 1 and 1000")
			}
			f.Burst429Chance = defaultBurstChance
			if err == nil && hasP {
				f.Burst429Chance, err = parseProb(p)
			}
		case "on":
			f.Scope = val
			if val != "all" && val != "auth" && val != "data" {
				err = errors.New("scope must be all, auth or data")
			}
		default:
			err = errors.New("unknown key")
		}
		if err != nil {
			return Faults{}, fmt.Errorf("%w: %q: %v", ErrFaultSpec, item, err)
		}
	}
	return f, nil
}

func parseProb(s string) (float64, error) {
	p, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errors.New("not a number")
	}
	if math.IsNaN(p) || p < 0 || p > 1 {
		return 0, errors.New("probability must be between 0 and 1")
	}
	return p, nil
}

// String returns f in the syntax of [ParseFaults].
func (f Faults) String() string {
	var items []string
	prob := func(k string, p float64) {
		if p > 0 {
			items = append(items, k+"="+strconv.FormatFloat(p, 'g', -1, 64))
		}
	}
	prob("5xx", f.ServerError)
	if f.Latency > 0 {
		items = append(items, "latency="+f.Latency.String())
	}
	prob("reset", f.Reset)
	prob("edge403", f.Edge403)
	if f.Burst429 > 0 {
		b := "burst429=" + strconv.Itoa(f.Burst429)
		if f.Burst429Chance != defaultBurstChance {
			b += "@" + strconv.FormatFloat(f.Burst429Chance, 'g', -1, 64)
		}
		items = append(items, b)
	}
	if f.Scope != "" {
		items = append(items, "on="+f.Scope)
	}
	return strings.Join(items, ",")
}

// applies reports whether the faults' scope covers the PSN path p.
func (f *Faults) applies(p string) bool {
	switch f.Scope {
	case "auth":
		return isAuthPath(p)
	case "data":
		return !isAuthPath(p)
	}
	return true
}

type faultKind int

const (
	noFault faultKind = iota
	faultReset
	faultEdge403
	faultServerError
	faultBurst429
)

// decideFault picks the fault of the n-th PSN request (if any). An ongoing
// 429 burst comes first; then reset, edge 403, 5xx and the start of a new
// burst, each from its own deterministic draw.
func (s *Sim) decideFault(n uint64) faultKind {
	f := &s.cfg.Faults
	if f.Burst429 > 0 {
		s.mu.Lock()
		inBurst := s.burstLeft > 0
		if inBurst {
			s.burstLeft--
		}
		s.mu.Unlock()
		if inBurst {
			return faultBurst429
		}
	}
	r := newRNG(s.cfg.Seed, "fault", n)
	reset, edge, server, burst := r.float(), r.float(), r.float(), r.float()
	switch {
	case reset < f.Reset:
		return faultReset
	case edge < f.Edge403:
		return faultEdge403
	case server < f.ServerError:
		return faultServerError
	case f.Burst429 > 0 && burst < f.Burst429Chance:
		s.mu.Lock()
		s.burstLeft = f.Burst429 - 1
		s.mu.Unlock()
		return faultBurst429
	}
	return noFault
}

// injectFault applies the latency and the fault of the n-th PSN request.
// It reports whether the request was answered (or dropped) by a fault.
func (s *Sim) injectFault(w http.ResponseWriter, r *http.Request, n uint64) bool {
	f := &s.cfg.Faults
	if !f.applies(r.URL.Path) {
		return false
	}
	if f.Latency > 0 && sleep(r.Context(), f.Latency) != nil {
		return true // the client is gone
	}
	switch s.decideFault(n) {
	case faultReset:
		resetConn(w)
	case faultEdge403:
		writeEdge403(w, r, s.Now())
	case faultServerError:
		writeServerError(w, newRNG(s.cfg.Seed, "fault-status", n).intn(3))
	case faultBurst429:
		s.stats.rateLimited.Add(1)
		writeRateLimited(w, burstNext(s.Now()))
	default:
		return false
	}
	return true
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// resetConn drops the connection without an answer: a TCP reset where the
// connection can be hijacked, else an aborted handler (HTTP/2 stream reset,
// or closed connection).
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with RST, not FIN
	}
	_ = conn.Close()
}

// writeEdge403 writes the page Akamai answers when its edge refuses a
// request.
func writeEdge403(w http.ResponseWriter, r *http.Request, now time.Time) {
	ref := fmt.Sprintf("18.%s.%d.%s", randomHex(4), now.Unix(), randomHex(4))
	host := r.Host
	if host == "" {
		host = "m.np.playstation.com"
	}
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Server", "AkamaiGHost")
	w.Header().Set("Mime-Version", "1.0")
	w.Header().Set("Expires", now.UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"+
		"You don't have permission to access \"http&#58;&#47;&#47;%s%s\" on this server.<P>\n"+
		"Reference&#32;#%s\n<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;%s</P>\n</BODY>\n</HTML>\n",
		htmlEntities(host), htmlEntities(r.URL.Path), ref, htmlEntities(ref))
}

// htmlEntities encodes like Akamai's page: every character but letters and
// digits as &#N;.
func htmlEntities(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			fmt.Fprintf(&b, "&#%d;", c)
		}
	}
	return b.String()
}

// writeServerError writes one of three 5xx answers (which = 0, 1, 2): a 500
// and a 503 with PSN's envelope (code = the status; no real 5xx body was
// recorded), and a 502 HTML page like nginx's.
func writeServerError(w http.ResponseWriter, which int) {
	switch which {
	case 0:
		writePSNError(w, http.StatusInternalServerError, http.StatusInternalServerError, "Internal Server Error")
	case 1:
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Server", "nginx")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = fmt.Fprint(w, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"+
			"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
	default:
		writePSNError(w, http.StatusServiceUnavailable, http.StatusServiceUnavailable, "Service Unavailable")
	}
}
