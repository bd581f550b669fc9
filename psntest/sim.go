package psntest

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config sets up a simulated PSN. The zero value is a usable default.
type Config struct {
	// AccessTTL is the lifetime of an access token (default 1h). PSN
	// announces one second less: expires_in is 3599 for one hour, and the
	// token stops working at that announced instant.
	AccessTTL time.Duration
	// RefreshTTL is the lifetime of a refresh token (default 1440h, i.e.
	// refresh_token_expires_in 5183999 for 60 days). It counts from the
	// authorization_code grant; refreshing never extends it.
	RefreshTTL time.Duration
	// RotateRefresh makes a refresh_token grant revoke the refresh token it
	// used and return a new one (with the same remaining lifetime). Without
	// it, a refresh returns the same refresh token.
	RotateRefresh bool
	// Seed (default 1) determines every user, id, NPSSO and data item.
	Seed int64
	// Users is the number of users created up front (default 3; a negative
	// value creates none).
	Users int
	// Faults are injected into PSN routes (never into /_sim/).
	Faults Faults
	// RateLimit is the number of requests an account may make per
	// RateWindow (default 300; a negative value disables the limit).
	RateLimit int
	// RateWindow is the sliding window of the rate limit (default 15m).
	RateWindow time.Duration
	// Logger receives one debug record per request and info records for
	// admin actions. It never receives a token, code or NPSSO. Default: none.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.AccessTTL <= 0 {
		c.AccessTTL = time.Hour
	}
	if c.RefreshTTL <= 0 {
		c.RefreshTTL = 1440 * time.Hour
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	switch {
	case c.Users == 0:
		c.Users = 3
	case c.Users < 0:
		c.Users = 0
	}
	if c.RateLimit == 0 {
		c.RateLimit = 300
	}
	if c.RateWindow <= 0 {
		c.RateWindow = 15 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// User is a simulated PSN account and its current NPSSO (empty after
// [Sim.RevokeNPSSO]). Its String, GoString and LogValue methods leave the
// NPSSO out; JSON encoding includes it (the admin API hands it out).
type User struct {
	// OnlineID is the user's PSN name (3 to 16 characters).
	OnlineID string `json:"onlineId"`
	// AccountID is the user's numeric account id.
	AccountID string `json:"accountId"`
	// NPSSO is the user's live NPSSO, "" after RevokeNPSSO.
	NPSSO string `json:"npsso"`
}

// String describes the user without the NPSSO.
func (u User) String() string {
	return fmt.Sprintf("psntest.User{OnlineID:%q AccountID:%q NPSSO:%s}", u.OnlineID, u.AccountID, redact(u.NPSSO))
}

// GoString is String: %#v must not print the NPSSO either.
func (u User) GoString() string { return u.String() }

// LogValue logs the user without the NPSSO.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("onlineId", u.OnlineID), slog.String("accountId", u.AccountID),
		slog.String("npsso", redact(u.NPSSO)))
}

func redact(secret string) string {
	if secret == "" {
		return "none"
	}
	return "redacted"
}

// ErrUnknownUser is returned for an online id that the simulator does not know.
var ErrUnknownUser = errors.New("psntest: unknown user")

// Stats counts what the simulator saw; it is also the JSON body of
// GET /_sim/stats.
type Stats struct {
	// Grants counts successful token grants by grant type.
	Grants GrantStats `json:"grants"`
	// Errors counts auth failures a client should react to.
	Errors ErrorStats `json:"errors"`
	// RateLimited counts 429 answers (rate limit and injected bursts).
	RateLimited int64 `json:"rateLimited"`
	// Requests counts requests to PSN routes (everything but /_sim/).
	Requests int64 `json:"requests"`
	// ConcurrentRefreshMax is the most refresh_token grants ever in flight
	// at once. Each is held for 2ms so that overlapping refreshes show.
	ConcurrentRefreshMax int64 `json:"concurrentRefreshMax"`
}

// GrantStats counts successful grants.
type GrantStats struct {
	// AuthorizationCode counts successful authorization_code grants.
	AuthorizationCode int64 `json:"authorization_code"`
	// RefreshToken counts successful refresh_token grants.
	RefreshToken int64 `json:"refresh_token"`
}

// ErrorStats counts auth errors.
type ErrorStats struct {
	// InvalidGrant counts 400 invalid_grant answers of the token endpoint.
	InvalidGrant int64 `json:"invalid_grant"`
	// LoginRequired counts authorize redirects with error=login_required.
	LoginRequired int64 `json:"login_required"`
}

type counters struct {
	grantCode, grantRefresh     atomic.Int64
	invalidGrant, loginRequired atomic.Int64
	rateLimited, requests       atomic.Int64
	refreshInFlight, refreshMax atomic.Int64
}

// Sim is a simulated PlayStation Network. It is safe for concurrent use.
type Sim struct {
	cfg     Config
	log     *slog.Logger
	handler http.Handler
	catalog func() *catalog
	offset  atomic.Int64 // clock offset in nanoseconds; only grows
	stats   counters

	mu        sync.Mutex
	users     []*user
	byOnline  map[string]*user // by lower-cased online id
	byAccount map[string]*user
	byNPSSO   map[string]*user
	codes     map[string]*authCode
	access    map[string]*accessToken
	refresh   map[string]*refreshToken
	issued    int                    // tokens and codes issued, for pruning
	window    map[string][]time.Time // rate limit: recent requests by account id
	burstLeft int                    // 429s left in an injected burst
	// Changes to the seeded social graph (accepted and removed friends).
	friendsSet  map[pairKey]bool // by the two users' indexes, lower first
	requestsSet map[pairKey]bool // pending request by (from, to)
	// Groups and their messages.
	chats     map[string]*chat
	chatOrder []*chat // creation order
	msgSeq    int
}

// New returns a simulator with cfg.Users users, each with a live NPSSO.
func New(cfg Config) *Sim {
	cfg = cfg.withDefaults()
	s := &Sim{
		cfg:       cfg,
		log:       cfg.Logger,
		byOnline:  map[string]*user{},
		byAccount: map[string]*user{},
		byNPSSO:   map[string]*user{},
		codes:     map[string]*authCode{},
		access:    map[string]*accessToken{},
		refresh:   map[string]*refreshToken{},
		window:    map[string][]time.Time{},

		friendsSet:  map[pairKey]bool{},
		requestsSet: map[pairKey]bool{},
		chats:       map[string]*chat{},
	}
	seed := cfg.Seed
	s.catalog = sync.OnceValue(func() *catalog { return newCatalog(seed) })
	for range cfg.Users {
		s.AddUser()
	}
	s.mu.Lock()
	s.seedChats()
	s.mu.Unlock()
	s.handler = s.buildHandler()
	return s
}

// Handler returns the one handler that serves every PSN host's paths and
// the /_sim/ admin endpoints.
func (s *Sim) Handler() http.Handler { return s.handler }

// Users returns every user with their current NPSSO, in creation order.
func (s *Sim) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u.public())
	}
	return out
}

// public must be called with s.mu held.
func (u *user) public() User {
	return User{OnlineID: u.onlineID, AccountID: u.accountID, NPSSO: u.npsso}
}

// AddUser creates the next user of the seed with a live NPSSO. The n-th
// user of a seed is always the same, whenever it is created.
func (s *Sim) AddUser() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := len(s.users)
	u := newUser(s.cfg.Seed, idx, func(online, acct string) bool {
		_, a := s.byOnline[strings.ToLower(online)]
		_, b := s.byAccount[acct]
		return a || b
	})
	seed, cat := s.cfg.Seed, s.catalog
	u.trophies = sync.OnceValue(func() *userTrophies { return deriveTrophies(seed, idx, cat()) })
	u.profile = sync.OnceValue(func() *profile { return deriveProfile(seed, u, u.trophies()) })
	s.users = append(s.users, u)
	s.byOnline[strings.ToLower(u.onlineID)] = u
	s.byAccount[u.accountID] = u
	s.setNPSSO(u)
	s.log.Info("psntest: user added", "onlineId", u.onlineID, "accountId", u.accountID)
	return u.public()
}

// setNPSSO gives u its next NPSSO; the previous one dies. s.mu must be held.
func (s *Sim) setNPSSO(u *user) {
	if u.npsso != "" {
		delete(s.byNPSSO, u.npsso)
	}
	u.npssoGen++
	u.npsso = npssoFor(s.cfg.Seed, u.idx, u.npssoGen)
	s.byNPSSO[u.npsso] = u
}

// lookupOnline finds a user by online id (case-insensitive, like PSN).
// s.mu must be held.
func (s *Sim) lookupOnline(onlineID string) (*user, error) {
	u, ok := s.byOnline[strings.ToLower(onlineID)]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownUser, onlineID)
	}
	return u, nil
}

// NewNPSSO issues a new NPSSO for the user, as logging in again at
// playstation.com does. The old NPSSO dies: a user has one live NPSSO.
func (s *Sim) NewNPSSO(onlineID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.lookupOnline(onlineID)
	if err != nil {
		return "", err
	}
	s.setNPSSO(u)
	s.log.Info("psntest: new NPSSO", "onlineId", u.onlineID)
	return u.npsso, nil
}

// RevokeNPSSO kills the user's NPSSO, like logging out everywhere. Refresh
// and access tokens already issued keep working.
func (s *Sim) RevokeNPSSO(onlineID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.lookupOnline(onlineID)
	if err != nil {
		return err
	}
	delete(s.byNPSSO, u.npsso)
	u.npsso = ""
	s.log.Info("psntest: NPSSO revoked", "onlineId", u.onlineID)
	return nil
}

// RevokeRefreshTokens kills every refresh token of the user: their next
// refresh_token grant fails with invalid_grant. Access tokens already
// issued keep working until they expire.
func (s *Sim) RevokeRefreshTokens(onlineID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.lookupOnline(onlineID)
	if err != nil {
		return err
	}
	for tok, rt := range s.refresh {
		if rt.u == u {
			delete(s.refresh, tok)
		}
	}
	s.log.Info("psntest: refresh tokens revoked", "onlineId", u.onlineID)
	return nil
}

// Advance moves the simulator's clock forward by d; a d ≤ 0 does nothing.
// The clock is the real clock plus an offset that only grows, so tokens
// also expire in real time.
func (s *Sim) Advance(d time.Duration) {
	if d > 0 {
		s.offset.Add(int64(d))
	}
}

// Now returns the simulator's current time.
func (s *Sim) Now() time.Time { return time.Now().Add(time.Duration(s.offset.Load())) }

// Stats returns what the simulator counted so far.
func (s *Sim) Stats() Stats {
	c := &s.stats
	return Stats{
		Grants:               GrantStats{AuthorizationCode: c.grantCode.Load(), RefreshToken: c.grantRefresh.Load()},
		Errors:               ErrorStats{InvalidGrant: c.invalidGrant.Load(), LoginRequired: c.loginRequired.Load()},
		RateLimited:          c.rateLimited.Load(),
		Requests:             c.requests.Load(),
		ConcurrentRefreshMax: c.refreshMax.Load(),
	}
}

// StartupLine returns the line `psn sim serve` prints on start, newline
// included: {"url":"<url>","users":[{"onlineId":…,"accountId":…,"npsso":…}]}.
func (s *Sim) StartupLine(url string) []byte {
	b, err := json.Marshal(struct {
		URL   string `json:"url"`
		Users []User `json:"users"`
	}{url, s.Users()})
	if err != nil { // cannot happen: strings only
		panic(err)
	}
	return append(b, '\n')
}
