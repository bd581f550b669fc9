package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// grantCounts is what one process's traffic to PSN's token endpoint did.
type grantCounts struct {
	Refresh      int // refresh_token grants answered 200
	Code         int // authorization_code grants answered 200
	InvalidGrant int // 400 invalid_grant (either grant type)
	OtherErr     int // any other non-200 answer of the token endpoint
}

func (g *grantCounts) add(o grantCounts) {
	g.Refresh += o.Refresh
	g.Code += o.Code
	g.InvalidGrant += o.InvalidGrant
	g.OtherErr += o.OtherErr
}

// tokenPath is PSN's OAuth token endpoint.
const tokenPath = "/api/authz/v3/oauth/token"

// grantProxy sits between the psn processes and the simulator: each process
// gets the endpoint proxyURL/p/TAG, so that PSN's refresh grants can be
// told apart by process (the simulator only counts them all). It reads the
// grant type of token requests and the error of failed ones; it logs
// nothing and keeps no secret.
type grantProxy struct {
	url string
	srv *http.Server
	rp  *httputil.ReverseProxy

	mu       sync.Mutex
	byTag    map[string]*grantCounts
	inFlight map[string]int   // token requests being answered, by tag
	waiting  map[string]int   // token requests held at the gate, by tag
	held     map[string]*gate // tags whose new token requests wait
}

// gate holds a tag's token requests until open is closed; drop (set
// before) turns them away instead.
type gate struct {
	open chan struct{}
	drop bool
}

func newGrantProxy(target string) (*grantProxy, error) {
	tu, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &grantProxy{url: "http://" + ln.Addr().String(), byTag: map[string]*grantCounts{},
		inFlight: map[string]int{}, waiting: map[string]int{}, held: map[string]*gate{}}
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(tu)
			r.Out.Host = tu.Host
		},
		Transport: tr,
		// The client's own retries decide what a failed hop means.
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// endpoint is the PSN endpoint a process tagged tag is given.
func (p *grantProxy) endpoint(tag string) string { return p.url + "/p/" + tag }

// ServeHTTP strips /p/TAG and forwards; token requests are counted.
func (p *grantProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tag, rest, ok := splitTag(r.URL.Path)
	if !ok {
		http.Error(w, "soak proxy: path must start with /p/TAG/", http.StatusNotFound)
		return
	}
	r.URL.Path = rest
	r.URL.RawPath = ""
	if r.Method != http.MethodPost || rest != tokenPath {
		p.rp.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if !p.enter(r, tag) {
		w.WriteHeader(http.StatusBadGateway) // the held process went away
		return
	}
	defer p.leave(tag)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	form, _ := url.ParseQuery(string(body))
	grant := form.Get("grant_type")
	rec := &recorder{ResponseWriter: w}
	p.rp.ServeHTTP(rec, r)
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.byTag[tag]
	if g == nil {
		g = &grantCounts{}
		p.byTag[tag] = g
	}
	switch {
	case rec.status == http.StatusOK && grant == "refresh_token":
		g.Refresh++
	case rec.status == http.StatusOK && grant == "authorization_code":
		g.Code++
	case rec.status == http.StatusBadRequest && bytes.Contains(rec.head, []byte(`"invalid_grant"`)):
		g.InvalidGrant++
	case rec.status != http.StatusOK:
		g.OtherErr++
	}
}

// enter waits while tag is held, then counts a token request in flight.
// It returns false when the request was dropped (its process was killed
// while it waited) or its client went away.
func (p *grantProxy) enter(r *http.Request, tag string) bool {
	for {
		p.mu.Lock()
		g, held := p.held[tag]
		if !held {
			p.inFlight[tag]++
			p.mu.Unlock()
			return true
		}
		p.waiting[tag]++
		p.mu.Unlock()
		select {
		case <-g.open:
		case <-r.Context().Done():
		}
		p.mu.Lock()
		p.waiting[tag]--
		p.mu.Unlock()
		if g.drop || r.Context().Err() != nil {
			return false
		}
	}
}

func (p *grantProxy) leave(tag string) {
	p.mu.Lock()
	p.inFlight[tag]--
	p.mu.Unlock()
}

// hold makes tag's new token requests wait until release or drop.
func (p *grantProxy) hold(tag string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.held[tag]; !ok {
		p.held[tag] = &gate{open: make(chan struct{})}
	}
}

// release lets tag's held token requests go on.
func (p *grantProxy) release(tag string) { p.open(tag, false) }

// drop turns tag's held token requests away (502) without sending them:
// their process is dead, and a grant PSN answered now would be saved by
// nobody.
func (p *grantProxy) drop(tag string) { p.open(tag, true) }

func (p *grantProxy) open(tag string, drop bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if g, ok := p.held[tag]; ok {
		g.drop = drop
		close(g.open)
		delete(p.held, tag)
	}
}

// heldCount returns how many of tag's token requests wait at the gate.
func (p *grantProxy) heldCount(tag string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waiting[tag]
}

// busy returns how many of tag's token requests are being answered.
func (p *grantProxy) busy(tag string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.inFlight[tag]
}

// splitTag splits /p/TAG/rest into TAG and /rest.
func splitTag(path string) (tag, rest string, ok bool) {
	s, ok := strings.CutPrefix(path, "/p/")
	if !ok {
		return "", "", false
	}
	tag, rest, ok = strings.Cut(s, "/")
	if !ok || tag == "" {
		return "", "", false
	}
	return tag, "/" + rest, true
}

// take returns and forgets tag's counts.
func (p *grantProxy) take(tag string) grantCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.byTag[tag]
	delete(p.byTag, tag)
	if g == nil {
		return grantCounts{}
	}
	return *g
}

// get returns tag's counts so far.
func (p *grantProxy) get(tag string) grantCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	if g := p.byTag[tag]; g != nil {
		return *g
	}
	return grantCounts{}
}

func (p *grantProxy) close() { _ = p.srv.Close() }

// recorder keeps the status and the first bytes of a response body (enough
// to see an OAuth error code; a token answer's secrets are never looked at
// since only error answers are searched, and nothing is kept past the
// request).
type recorder struct {
	http.ResponseWriter
	status int
	head   []byte
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.status != http.StatusOK && len(r.head) < 512 {
		n := min(512-len(r.head), len(b))
		r.head = append(r.head, b[:n]...)
	}
	return r.ResponseWriter.Write(b)
}
