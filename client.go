package psn

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// PSN's hosts (docs/protocol.md, "Hosts"). Every URL the client builds
// starts with one of these; WithEndpoint replaces scheme and host for all
// of them at once, keeping the paths (they do not collide), which is how
// the client talks to the psntest simulator.
const (
	AuthBaseURL      = "https://ca.account.sony.com/api/authz/v3/oauth"
	TrophyBaseURL    = "https://m.np.playstation.com/api/trophy"
	UserBaseURL      = "https://m.np.playstation.com/api/userProfile/v1/internal/users"
	UserV2BaseURL    = "https://m.np.playstation.com/api/userProfile/v2/internal/users"
	GamelistBaseURL  = "https://m.np.playstation.com/api/gamelist/v2/users"
	LegacyProfileURL = "https://us-prof.np.community.playstation.net/userProfile/v1/users"
	CPSSBaseURL      = "https://m.np.playstation.com/api/cpss"
	DMSBaseURL       = "https://dms.api.playstation.com/api"
	SearchBaseURL    = "https://m.np.playstation.com/api/search"
	GraphQLURL       = "https://m.np.playstation.com/api/graphql/v1/op"
	APIBaseURL       = "https://m.np.playstation.com/api"
	// GroupsBaseURL is the base of the groups and messages API.
	GroupsBaseURL = "https://m.np.playstation.com/api/gamingLoungeGroups/v1"
	// CatalogBaseURL is the store catalog's base.
	CatalogBaseURL = "https://m.np.playstation.com/api/catalog/v2/titles"
)

// The PlayStation Android app's public OAuth client (docs/protocol.md, "The
// OAuth client").
const (
	ClientID    = "09515159-7237-4370-9b40-3806e67c0891"
	RedirectURI = "com.scee.psxandroid.scecompcall://redirect"
	Scope       = "psn:mobile.v2.core psn:clientapp"
	// clientSecret is sent only as HTTP Basic credentials.
	clientSecret = "ucPjka5tntB2KqsP"
)

// DefaultUserAgent is sent unless WithUserAgent says otherwise.
const DefaultUserAgent = "psnkit (+https://github.com/psnkit/psn)"

// Client talks to the PlayStation Network. Create one with NewClient; it is
// safe for concurrent use. A Client without a token source can run the auth
// exchanges (Authorize, ExchangeCode, Refresh, Login); data calls need a
// token source (WithTokenSource).
//
// The services group the data calls by area, like google/go-github.
type Client struct {
	cfg    *config
	tokens TokenSource

	// Trophies, Users, Games, Search and Groups group the data calls.
	Trophies *TrophyService
	Users    *UserService
	Games    *GameService
	Search   *SearchService
	Groups   *GroupService
}

// service is the common base of the API services.
type service struct{ client *Client }

// config is what options set; it is shared by a Client and its copies.
type config struct {
	http        *http.Client
	endpoint    *url.URL // nil: the real hosts
	endpointErr error    // WithEndpoint's value was unusable
	userAgent   string
	language    string
	header      http.Header // sent with every data request
	logger      *slog.Logger
	now         func() time.Time
	customClock bool
	limiter     Limiter
	retry       RetryPolicy
	timeout     time.Duration
	maxBody     int64
	notBefore   *notBefore
}

// Option configures a Client.
type Option func(*config)

// WithHTTPClient sets the underlying *http.Client (its CheckRedirect is
// never used: the client does not follow redirects on auth calls).
func WithHTTPClient(h *http.Client) Option { return func(c *config) { c.http = h } }

// WithEndpoint sends every PSN request to base (an http or https URL:
// scheme, host and optional path prefix) instead of Sony's hosts, keeping
// each request's path: point it at a psntest simulator. An empty string
// restores the real hosts. A value that is not such a URL makes the
// Client unusable: Client.Err returns an *EndpointError and every request
// fails with it, unsent.
func WithEndpoint(base string) Option {
	return func(c *config) {
		c.endpoint, c.endpointErr = nil, nil
		if base == "" {
			return
		}
		u, err := parseEndpoint(base)
		if err != nil {
			c.endpointErr = err
			return
		}
		c.endpoint = u
	}
}

// parseEndpoint checks that base is an http(s) base URL.
func parseEndpoint(base string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		return nil, &EndpointError{Problem: "not a URL"}
	}
	bad := func(problem string) error { return &EndpointError{Endpoint: u.Redacted(), Problem: problem} }
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, bad("scheme must be http or https")
	case u.Host == "":
		return nil, bad("no host")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, bad("a base URL has no query or fragment")
	}
	return u, nil
}

// Err reports a setting that makes the client unusable (today: a bad
// WithEndpoint, as an *EndpointError), or nil. Every request of such a
// client fails with the same error.
func (c *Client) Err() error { return c.cfg.endpointErr }

// WithUserAgent sets the User-Agent header of data requests.
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// WithLanguage sets the default Accept-Language (e.g. "en-US", "ja-JP").
func WithLanguage(lang string) Option { return func(c *config) { c.language = lang } }

// WithHeader adds a header to every data request (not to the auth
// exchanges). With Client.With it sets a header for some calls only.
func WithHeader(key, value string) Option {
	return func(c *config) {
		c.header = c.header.Clone()
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Add(key, value)
	}
}

// WithLogger sets a logger for retries, refreshes and warnings. The client
// is silent by default. Nothing secret is ever logged.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithClock sets the clock used to turn lifetimes into instants (tests).
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now, c.customClock = now, now != nil }
}

// WithLimiter replaces the client-side rate limiter (default: an exact
// sliding window of 300 requests per 15 minutes). NewWindowLimiter(n,
// window) makes another window; a *rate.Limiter from golang.org/x/time/rate
// fits too. Nil disables client-side limiting.
func WithLimiter(l Limiter) Option { return func(c *config) { c.limiter = l } }

// WithRetry sets the retry policy.
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithTimeout sets the timeout of each HTTP attempt (default 30 s).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithMaxBodySize caps response bodies (default 16 MiB); a larger body is
// ErrBodyTooLarge, never an out-of-memory.
func WithMaxBodySize(n int64) Option { return func(c *config) { c.maxBody = n } }

// NewClient returns a Client with the given options. Defaults: Sony's real
// hosts, http.DefaultTransport with a 30 s per-attempt timeout, a limit of
// 300 requests per 15 minutes, 4 attempts with full-jitter backoff for
// idempotent requests, silent logging.
func NewClient(opts ...Option) *Client {
	cfg := &config{
		userAgent: DefaultUserAgent,
		language:  "en-US",
		now:       time.Now,
		retry:     DefaultRetryPolicy(),
		timeout:   30 * time.Second,
		maxBody:   16 << 20,
		notBefore: &notBefore{},
		limiter:   NewWindowLimiter(300, 15*time.Minute),
	}
	for _, o := range opts {
		o(cfg)
	}
	cfg.finish(nil)
	c := &Client{cfg: cfg}
	c.initServices()
	return c
}

// finish fills what options left unset and prepares the HTTP client;
// prevHTTP is the already prepared client of the Client being copied (nil
// in NewClient), kept when no option replaced it.
func (cfg *config) finish(prevHTTP *http.Client) {
	if cfg.now == nil {
		cfg.now, cfg.customClock = time.Now, false
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.http != nil && cfg.http == prevHTTP {
		return
	}
	if cfg.http == nil {
		cfg.http = &http.Client{}
	}
	// The auth calls must see the 302, never follow it: copy the client
	// so the caller's one is left as it was.
	h := *cfg.http
	h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	h.Timeout = 0 // per-attempt timeouts come from contexts
	cfg.http = &h
}

// With returns a copy of c with opts applied on top of c's settings: the
// way to change a setting for some calls, e.g.
// c.With(psn.WithLanguage("ja-JP")).Trophies.Summary(ctx, "me"). The copy
// keeps c's token source, and shares its HTTP client, limiter and
// rate-limit state unless opts replace them.
func (c *Client) With(opts ...Option) *Client {
	cfg := *c.cfg
	for _, o := range opts {
		o(&cfg)
	}
	cfg.finish(c.cfg.http)
	cp := &Client{cfg: &cfg, tokens: c.tokens}
	cp.initServices()
	return cp
}

func (c *Client) initServices() {
	c.Trophies = &TrophyService{client: c}
	c.Users = &UserService{client: c}
	c.Games = &GameService{client: c}
	c.Search = &SearchService{client: c}
	c.Groups = &GroupService{client: c}
}

// WithTokenSource returns a copy of c that authenticates data calls with
// src. The copy shares c's HTTP client, limiter and rate-limit state, so it
// counts against the same per-account budget.
func (c *Client) WithTokenSource(src TokenSource) *Client {
	cp := &Client{cfg: c.cfg, tokens: src}
	cp.initServices()
	return cp
}

// resolve maps a URL on one of Sony's hosts to the configured endpoint.
func (c *Client) resolve(raw string) string {
	if c.cfg.endpoint == nil {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	e := c.cfg.endpoint
	u.Scheme, u.Host = e.Scheme, e.Host
	u.Path = e.Path + u.Path
	if u.RawPath != "" {
		u.RawPath = e.EscapedPath() + u.RawPath
	}
	return u.String()
}

// safeURL is a URL for error messages: scheme, host and path, never the
// query (which may hold ids) or credentials.
func safeURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	v := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return v.String()
}

// readBody reads at most the configured cap from r.
func (c *Client) readBody(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = c.cfg.maxBody
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}
