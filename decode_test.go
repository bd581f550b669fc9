package psn

// Decode and protocol tests over every recording in
// testdata/psn-recorded: each recorded request is mapped to the
// method that makes it; the method is called through a Client against an
// httptest server replaying the recorded answer; then
//   - the request the method sent must have the recorded method, path,
//     query and JSON body (protocol);
//   - a 2xx answer must decode with every JSON key mapped to a field of the
//     Go type and every recorded value equal to the decoded one (decode);
//   - a 4xx answer must come back as the right typed error (errors).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn/internal/recorded"
)

// route maps recorded requests to the method that makes them.
type route struct {
	name   string
	method string
	host   string         // substring of the recorded host
	path   *regexp.Regexp // on the escaped path; groups are path-unescaped
	match  func(q url.Values) bool
	// call makes the request through c and returns the decoded result.
	call func(ctx context.Context, c *Client, m []string, q url.Values, body any) (any, error)
	// at is the dotted path of the part of the body the result holds.
	at string
}

func re(s string) *regexp.Regexp { return regexp.MustCompile("^" + s + "$") }

func qs(q url.Values, k string) string { return q.Get(k) }

func qi(q url.Values, k string) int {
	n, _ := strconv.Atoi(q.Get(k))
	return n
}

func fieldIs(k, v string) func(url.Values) bool {
	return func(q url.Values) bool { return q.Get(k) == v }
}

// gqlVars decodes a recorded GraphQL variables parameter.
func gqlVars(q url.Values) map[string]any {
	var v map[string]any
	_ = json.Unmarshal([]byte(q.Get("variables")), &v)
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// routes lists every data request the recordings hold.
func routes() []route {
	seg := `([^/]+)`
	return []route{
		{name: "Users.AccountID", method: "GET", host: "dms.api", path: re(`/api/v1/devices/accounts/me`), match: fieldIs("includeFields", ""), at: "accountId",
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.AccountID(ctx)
			}},
		{name: "Users.Devices", method: "GET", host: "dms.api", path: re(`/api/v1/devices/accounts/me`), match: func(q url.Values) bool { return q.Get("includeFields") != "" },
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.Devices(ctx)
			}},
		{name: "Users.Profile", method: "GET", path: re(`/api/userProfile/v1/internal/users/` + seg + `/profiles`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.Profile(ctx, m[1])
			}},
		{name: "Users.ProfileByOnlineID lookup", method: "GET", path: re(`/userProfile/v1/users/` + seg + `/profile2`), match: fieldIs("fields", LookupFields), at: "profile",
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.ProfileByOnlineID(ctx, m[1], &LegacyProfileOptions{Fields: LookupFields})
			}},
		{name: "Users.ProfileByOnlineID", method: "GET", path: re(`/userProfile/v1/users/` + seg + `/profile2`), match: fieldIs("fields", ProfileFields), at: "profile",
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.ProfileByOnlineID(ctx, m[1], nil)
			}},
		{name: "Users.ShareableLink", method: "GET", path: re(`/api/cpss/v1/share/profile/` + seg),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.ShareableLink(ctx, m[1])
			}},
		{name: "Users.Blocked", method: "GET", path: re(`/api/userProfile/v1/internal/users/me/blocks`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.Blocked(ctx)
			}},
		{name: "Users.FriendRequests", method: "GET", path: re(`/api/userProfile/v1/internal/users/me/friends/receivedRequests`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.FriendRequests(ctx)
			}},
		{name: "Users.AvailableToPlay", method: "GET", path: re(`/api/userProfile/v1/internal/users/me/friends/subscribing/availableToPlay`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.AvailableToPlay(ctx)
			}},
		{name: "Users.Friendship", method: "GET", path: re(`/api/userProfile/v1/internal/users/me/friends/` + seg + `/summary`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.Friendship(ctx, m[1])
			}},
		{name: "Users.AcceptFriendRequest", method: "PUT", path: re(`/api/userProfile/v1/internal/users/me/friends/` + seg),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return nil, c.Users.AcceptFriendRequest(ctx, m[1])
			}},
		{name: "Users.RemoveFriend", method: "DELETE", path: re(`/api/userProfile/v1/internal/users/me/friends/` + seg),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return nil, c.Users.RemoveFriend(ctx, m[1])
			}},
		{name: "Users.Friends", method: "GET", path: re(`/api/userProfile/v1/internal/users/` + seg + `/friends`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.Friends(ctx, m[1], &FriendsOptions{ListOptions: ListOptions{Limit: qi(q, "limit"), Offset: qi(q, "offset")}})
			}},
		{name: "Users.Presences", method: "GET", path: re(`/api/userProfile/v2/internal/users//?basicPresences`), at: "basicPresences",
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.Presences(ctx, strings.Split(q.Get("accountIds"), ","))
			}},
		{name: "Users.Presence", method: "GET", path: re(`/api/userProfile/v2/internal/users/` + seg + `/basicPresences`), at: "basicPresence",
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Users.Presence(ctx, m[1])
			}},
		{name: "Games.Played", method: "GET", path: re(`/api/gamelist/v2/users/` + seg + `/titles`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Games.Played(ctx, m[1], &PlayedOptions{ListOptions: ListOptions{Limit: qi(q, "limit"), Offset: qi(q, "offset")}})
			}},
		{name: "Games.Entitlements", method: "GET", path: re(`/api/entitlement/v2/users/me/internal/entitlements`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Games.Entitlements(ctx, &EntitlementsOptions{ListOptions: ListOptions{Limit: qi(q, "limit"), Offset: qi(q, "offset")}})
			}},
		{name: "Games.TitleConcepts", method: "GET", path: re(`/api/catalog/v2/titles/` + seg + `/concepts`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Games.TitleConcepts(ctx, m[1], &ConceptOptions{Country: qs(q, "country"), Language: qs(q, "language"), Age: qi(q, "age")})
			}},
		{name: "Trophies.Summary", method: "GET", path: re(`/api/trophy/v1/users/` + seg + `/trophySummary`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Trophies.Summary(ctx, m[1])
			}},
		{name: "Trophies.Titles", method: "GET", path: re(`/api/trophy/v1/users/` + seg + `/trophyTitles`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Trophies.Titles(ctx, m[1], &TitlesOptions{ListOptions: ListOptions{Limit: qi(q, "limit"), Offset: qi(q, "offset")}})
			}},
		{name: "Trophies.TitlesForTitleIDs", method: "GET", path: re(`/api/trophy/v1/users/` + seg + `/titles/trophyTitles`), at: "titles",
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				ids := strings.Split(strings.TrimSuffix(q.Get("npTitleIds"), ","), ",")
				return c.Trophies.TitlesForTitleIDs(ctx, m[1], ids, nil)
			}},
		{name: "Trophies.TitleTrophyGroups", method: "GET", path: re(`/api/trophy/v1/npCommunicationIds/` + seg + `/trophyGroups`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Trophies.TitleTrophyGroups(ctx, m[1], &TrophiesOptions{NpServiceName: q.Get("npServiceName")})
			}},
		{name: "Trophies.TitleTrophies", method: "GET", path: re(`/api/trophy/v1/npCommunicationIds/` + seg + `/trophyGroups/` + seg + `/trophies`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Trophies.TitleTrophies(ctx, m[1], m[2], &TrophiesOptions{NpServiceName: q.Get("npServiceName"), ListOptions: ListOptions{Limit: qi(q, "limit"), Offset: qi(q, "offset")}})
			}},
		{name: "Trophies.UserTrophyGroups", method: "GET", path: re(`/api/trophy/v1/users/` + seg + `/npCommunicationIds/` + seg + `/trophyGroups`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Trophies.UserTrophyGroups(ctx, m[1], m[2], &TrophiesOptions{NpServiceName: q.Get("npServiceName")})
			}},
		{name: "Trophies.UserTrophies", method: "GET", path: re(`/api/trophy/v1/users/` + seg + `/npCommunicationIds/` + seg + `/trophyGroups/` + seg + `/trophies`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Trophies.UserTrophies(ctx, m[1], m[2], m[3], &TrophiesOptions{NpServiceName: q.Get("npServiceName"), ListOptions: ListOptions{Limit: qi(q, "limit"), Offset: qi(q, "offset")}})
			}},
		{name: "Search.FirstPages", method: "GET", path: re(`/api/graphql/v1/op`), match: fieldIs("operationName", "metGetContextSearchResults"), at: "data.universalContextSearch",
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				v := gqlVars(q)
				return c.Search.FirstPages(ctx, str(v["searchTerm"]), str(v["searchContext"]), &SearchOptions{Locale: str(v["displayTitleLocale"])})
			}},
		{name: "Search.Domain", method: "GET", path: re(`/api/graphql/v1/op`), match: fieldIs("operationName", "metGetDomainSearchResults"), at: "data.universalDomainSearch",
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				v := gqlVars(q)
				return c.Search.Domain(ctx, str(v["searchTerm"]), str(v["searchDomain"]), str(v["nextCursor"]), num(v["pageOffset"]), &SearchOptions{Locale: str(v["displayTitleLocale"]), PageSize: num(v["pageSize"])})
			}},
		{name: "Groups.List", method: "GET", path: re(`/api/gamingLoungeGroups/v1/members/me/groups`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Groups.List(ctx, &GroupsOptions{ListOptions: ListOptions{Limit: qi(q, "limit"), Offset: qi(q, "offset")}})
			}},
		{name: "Groups.Get", method: "GET", path: re(`/api/gamingLoungeGroups/v1/members/me/groups/` + seg),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Groups.Get(ctx, m[1])
			}},
		{name: "Groups.Messages", method: "GET", path: re(`/api/gamingLoungeGroups/v1/members/me/groups/` + seg + `/threads/` + seg + `/messages`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return c.Groups.Messages(ctx, m[1], &MessagesOptions{ListOptions: ListOptions{Limit: qi(q, "limit")}})
			}},
		{name: "Groups.Create", method: "POST", path: re(`/api/gamingLoungeGroups/v1/groups`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, body any) (any, error) {
				var ids []string
				for _, inv := range body.(map[string]any)["invitees"].([]any) {
					ids = append(ids, str(inv.(map[string]any)["accountId"]))
				}
				return c.Groups.Create(ctx, ids)
			}},
		{name: "Groups.Rename", method: "PATCH", path: re(`/api/gamingLoungeGroups/v1/groups/` + seg),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, body any) (any, error) {
				return nil, c.Groups.Rename(ctx, m[1], str(body.(map[string]any)["groupName"].(map[string]any)["value"]))
			}},
		{name: "Groups.Send", method: "POST", path: re(`/api/gamingLoungeGroups/v1/groups/` + seg + `/threads/` + seg + `/messages`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, body any) (any, error) {
				return c.Groups.Send(ctx, m[1], str(body.(map[string]any)["body"]))
			}},
		{name: "Groups.Leave", method: "DELETE", path: re(`/api/gamingLoungeGroups/v1/groups/` + seg + `/members/me`),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return nil, c.Groups.Leave(ctx, m[1])
			}},
		{name: "Groups.Kick", method: "DELETE", path: re(`/api/gamingLoungeGroups/v1/groups/` + seg + `/members/` + seg),
			call: func(ctx context.Context, c *Client, m []string, q url.Values, _ any) (any, error) {
				return nil, c.Groups.Kick(ctx, m[1], m[2])
			}},
	}
}

// notMapped are recorded requests no psnkit method makes, with why.
var notMapped = map[string]string{
	"tmdb.np.dl.playstation.net": "PSNAWP's title icon lookup on the TMDB host needs PSNAWP's HMAC key; not in the issue's list",
}

// protocolDiffs are recordings whose request psnkit deliberately does
// not reproduce byte for byte, with why. Their answers are still decoded.
var protocolDiffs = map[string]string{
	"test_exception__exception_parsing#1":          "PSNAWP sent limit=-1; FriendsOptions has no way to send a negative limit",
	"test_search__get_get_addon_pagination_test#1": "PSNAWP sent pageSize 0; SearchOptions uses 0 for the default (20)",
}

// findRoute returns the route for a recorded request, the path groups.
func findRoute(in recorded.Interaction) (*route, []string, url.Values, error) {
	u, err := url.Parse(in.Request.URI)
	if err != nil {
		return nil, nil, nil, err
	}
	q := u.Query()
	rs := routes()
	for i := range rs {
		r := &rs[i]
		if r.method != in.Request.Method || (r.host != "" && !strings.Contains(u.Host, r.host)) {
			continue
		}
		m := r.path.FindStringSubmatch(u.EscapedPath())
		if m == nil || (r.match != nil && !r.match(q)) {
			continue
		}
		for j := 1; j < len(m); j++ {
			if m[j], err = url.PathUnescape(m[j]); err != nil {
				return nil, nil, nil, err
			}
		}
		return r, m, q, nil
	}
	return nil, nil, q, fmt.Errorf("no route for %s %s", in.Request.Method, u.EscapedPath())
}

// recordedCase is one data interaction of one recording.
type recordedCase struct {
	key string // file#index
	in  recorded.Interaction
}

func allRecordedCases(t *testing.T) []recordedCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(recorded.Dir(t), "test_*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recordings: %v", err)
	}
	var out []recordedCase
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		for i, in := range dataInteractions(t, name) {
			out = append(out, recordedCase{key: fmt.Sprintf("%s#%d", name, i), in: in})
		}
	}
	return out
}

func TestRecordings(t *testing.T) {
	cases := allRecordedCases(t)
	var ok2xx, ok4xx, skipped int
	covered := map[string]bool{}
	for _, rc := range cases {
		u, _ := url.Parse(rc.in.Request.URI)
		if why, skip := notMapped[u.Host]; skip {
			t.Logf("%s: not mapped: %s", rc.key, why)
			skipped++
			continue
		}
		status := rc.in.Response.Status.Code
		t.Run(rc.key, func(t *testing.T) {
			r, m, q, err := findRoute(rc.in)
			if err != nil {
				t.Fatal(err)
			}
			covered[r.name] = true
			var body any
			if rc.in.Request.Body != nil && *rc.in.Request.Body != "" {
				if err := json.Unmarshal([]byte(*rc.in.Request.Body), &body); err != nil {
					t.Fatalf("recorded request body: %v", err)
				}
			}
			c, srv := replayClient(t, rc.in)
			got, callErr := r.call(context.Background(), c, m, q, body)

			// Protocol: the request matches the recorded one.
			reqs := srv.requests()
			if len(reqs) != 1 {
				t.Fatalf("%s made %d requests, want 1", r.name, len(reqs))
			}
			if why, diff := protocolDiffs[rc.key]; diff {
				t.Logf("protocol not compared: %s", why)
			} else {
				assertSameRecordedRequest(t, reqs[0], rc.in, body)
			}

			switch {
			case status >= 200 && status < 300:
				if callErr != nil {
					t.Fatalf("%s: %v", r.name, callErr)
				}
				if rc.in.Response.Body.String == "" {
					return
				}
				var whole any
				if err := json.Unmarshal([]byte(rc.in.Response.Body.String), &whole); err != nil {
					t.Fatalf("recorded body: %v", err)
				}
				part := jsonAt(t, whole, r.at)
				checkDecoded(t, "$", part, reflect.ValueOf(got))
			case status >= 400 && status < 500:
				assertRecordedError(t, callErr, rc.in)
			default:
				t.Fatalf("unexpected recorded status %d", status)
			}
		})
		if status >= 200 && status < 300 {
			ok2xx++
		} else {
			ok4xx++
		}
	}
	t.Logf("%d recorded exchanges: %d 2xx, %d 4xx, %d not mapped", len(cases), ok2xx, ok4xx, skipped)
	if ok4xx == 0 || ok2xx == 0 {
		t.Error("expected both 2xx and 4xx recordings")
	}
	for _, r := range routes() {
		if !covered[r.name] {
			t.Logf("route %s has no recording (tested elsewhere or not recorded)", r.name)
		}
	}
}

// assertSameRecordedRequest compares method, path, query and JSON body.
// PSNAWP's batch presence URL has a doubled slash (users//basicPresences);
// psnkit sends the single-slash path the protocol document names.
func assertSameRecordedRequest(t *testing.T, got seenRequest, in recorded.Interaction, recordedBody any) {
	t.Helper()
	fixed := in
	fixed.Request.URI = strings.Replace(in.Request.URI, "users//basicPresences", "users/basicPresences", 1)
	assertSameRequest(t, got, fixed)
	if recordedBody != nil {
		var sent any
		if err := json.Unmarshal([]byte(got.Body), &sent); err != nil {
			t.Fatalf("sent body is not JSON: %q", got.Body)
		}
		if !reflect.DeepEqual(sent, recordedBody) {
			t.Errorf("body = %s, want %s", got.Body, *in.Request.Body)
		}
		if ct := got.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
	}
}

// assertRecordedError checks that a 4xx answer is the right typed error
// with PSN's envelope in it.
func assertRecordedError(t *testing.T, err error, in recorded.Interaction) {
	t.Helper()
	status := in.Response.Status.Code
	want := map[int]error{400: ErrBadRequest, 401: ErrUnauthorized, 403: ErrForbidden, 404: ErrNotFound, 429: ErrRateLimited}[status]
	if err == nil {
		t.Fatalf("HTTP %d returned no error", status)
	}
	if !errors.Is(err, want) {
		t.Errorf("error %v does not match %v", err, want)
	}
	for _, other := range []error{ErrBadRequest, ErrForbidden, ErrNotFound, ErrUnauthorized} {
		if other != want && errors.Is(err, other) && !(want == ErrNotFound && other == ErrBadRequest) {
			t.Errorf("error %v also matches %v", err, other)
		}
	}
	var env struct {
		Error struct {
			ReferenceID string `json:"referenceId"`
			Code        int    `json:"code"`
			Message     string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(in.Response.Body.String), &env) != nil {
		return
	}
	var api *APIError
	if !errors.As(err, &api) {
		t.Fatalf("error %T is not an *APIError", err)
	}
	if api.Status != status || api.Code != env.Error.Code || api.Message != env.Error.Message || api.ReferenceID != env.Error.ReferenceID {
		t.Errorf("APIError = %+v, want status %d, envelope %+v", api, status, env.Error)
	}
}

// jsonAt walks a dotted path ("data.universalContextSearch").
func jsonAt(t *testing.T, v any, at string) any {
	t.Helper()
	if at == "" {
		return v
	}
	for _, k := range strings.Split(at, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("body has no object at %q", k)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("body has no key %q", k)
		}
	}
	return v
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	unixMilliType = reflect.TypeFor[UnixMilli]()
	durationType  = reflect.TypeFor[time.Duration]()
	rawType       = reflect.TypeFor[json.RawMessage]()
)

// jsonFields maps the JSON names of a struct's fields (promoted ones
// included) to field indexes.
func jsonFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || (f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "") {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Index
	}
	return out
}

// checkDecoded requires every key of the recorded JSON j to be mapped to a
// field of v's type and every recorded value to equal the decoded one.
// It is stricter than DisallowUnknownFields: it also catches fields that
// exist but were not filled (wrong tag case, wrong type, lost in a custom
// decoder).
func checkDecoded(t *testing.T, path string, j any, v reflect.Value) {
	t.Helper()
	if j == nil { // JSON null: nothing to hold
		return
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface && v.Type() != reflect.TypeFor[any]() {
		if v.IsNil() {
			t.Errorf("%s: recorded %s, decoded nil", path, short(j))
			return
		}
		v = v.Elem()
	}
	switch v.Type() {
	case timeType:
		s, _ := j.(string)
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || !v.Interface().(time.Time).Equal(want) {
			t.Errorf("%s: recorded %q, decoded %v", path, s, v.Interface())
		}
		return
	case unixMilliType:
		s, _ := j.(string)
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v.Interface().(UnixMilli).UnixMilli() != ms {
			t.Errorf("%s: recorded %q, decoded %v", path, s, v.Interface())
		}
		return
	case durationType:
		s, _ := j.(string)
		want, err := ParseISODuration(s)
		if err != nil || time.Duration(v.Int()) != want {
			t.Errorf("%s: recorded %q, decoded %v", path, s, v.Interface())
		}
		return
	case rawType:
		var got any
		if err := json.Unmarshal(v.Bytes(), &got); err != nil || !reflect.DeepEqual(got, j) {
			t.Errorf("%s: raw JSON %s, recorded %s", path, v.Bytes(), short(j))
		}
		return
	}
	switch v.Kind() {
	case reflect.Interface: // an `any` field: decoded generically
		if !reflect.DeepEqual(v.Interface(), j) {
			t.Errorf("%s: recorded %s, decoded %v", path, short(j), v.Interface())
		}
	case reflect.Struct:
		obj, ok := j.(map[string]any)
		if !ok {
			t.Errorf("%s: recorded %s where %s expects an object", path, short(j), v.Type())
			return
		}
		fields := jsonFields(v.Type())
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			idx, ok := fields[k]
			if !ok {
				t.Errorf("%s.%s: key not mapped by %s", path, k, v.Type())
				continue
			}
			checkDecoded(t, path+"."+k, obj[k], v.FieldByIndex(idx))
		}
	case reflect.Map:
		obj, ok := j.(map[string]any)
		if !ok {
			t.Errorf("%s: recorded %s where a map is expected", path, short(j))
			return
		}
		if v.Len() != len(obj) {
			t.Errorf("%s: %d keys decoded, %d recorded", path, v.Len(), len(obj))
		}
		for k, x := range obj {
			e := v.MapIndex(reflect.ValueOf(k))
			if !e.IsValid() {
				t.Errorf("%s[%q]: missing", path, k)
				continue
			}
			checkDecoded(t, fmt.Sprintf("%s[%q]", path, k), x, e)
		}
	case reflect.Slice:
		arr, ok := j.([]any)
		if !ok {
			t.Errorf("%s: recorded %s where a list is expected", path, short(j))
			return
		}
		if v.Len() != len(arr) {
			t.Errorf("%s: %d items decoded, %d recorded", path, v.Len(), len(arr))
			return
		}
		for i, x := range arr {
			checkDecoded(t, fmt.Sprintf("%s[%d]", path, i), x, v.Index(i))
		}
	case reflect.String:
		if s, ok := j.(string); !ok || s != v.String() {
			t.Errorf("%s: recorded %s, decoded %q", path, short(j), v.String())
		}
	case reflect.Bool:
		if b, ok := j.(bool); !ok || b != v.Bool() {
			t.Errorf("%s: recorded %s, decoded %v", path, short(j), v.Bool())
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		if f, ok := j.(float64); !ok || int64(f) != v.Int() {
			t.Errorf("%s: recorded %s, decoded %d", path, short(j), v.Int())
		}
	case reflect.Float64:
		if f, ok := j.(float64); !ok || f != v.Float() {
			t.Errorf("%s: recorded %s, decoded %v", path, short(j), v.Float())
		}
	default:
		t.Errorf("%s: unhandled kind %s", path, v.Kind())
	}
}

func short(j any) string {
	b, _ := json.Marshal(j)
	if len(b) > 60 {
		b = append(b[:57], "..."...)
	}
	return string(b)
}

// TestRecordingsFieldCoverage lists, per decoded type, the declared fields
// that no recording holds, so a reader sees which fields come only from
// psn-api's documentation (PS5 progress, devices, …). It fails only if a
// type has no recorded field at all.
func TestRecordingsFieldCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("coverage report")
	}
	seen := map[reflect.Type]map[string]bool{}
	var mark func(j any, tp reflect.Type)
	mark = func(j any, tp reflect.Type) {
		for tp.Kind() == reflect.Pointer {
			tp = tp.Elem()
		}
		switch tp.Kind() {
		case reflect.Struct:
			if tp == timeType || tp == unixMilliType {
				return
			}
			obj, _ := j.(map[string]any)
			if seen[tp] == nil {
				seen[tp] = map[string]bool{}
			}
			fields := jsonFields(tp)
			for k, x := range obj {
				if idx, ok := fields[k]; ok && x != nil {
					seen[tp][k] = true
					mark(x, tp.FieldByIndex(idx).Type)
				}
			}
		case reflect.Slice:
			arr, _ := j.([]any)
			for _, x := range arr {
				mark(x, tp.Elem())
			}
		case reflect.Map:
			obj, _ := j.(map[string]any)
			for _, x := range obj {
				mark(x, tp.Elem())
			}
		}
	}
	for _, rc := range allRecordedCases(t) {
		code := rc.in.Response.Status.Code
		if code < 200 || code >= 300 || rc.in.Response.Body.String == "" {
			continue
		}
		r, m, q, err := findRoute(rc.in)
		if err != nil {
			continue
		}
		c, _ := replayClient(t, rc.in)
		var body any
		if rc.in.Request.Body != nil && *rc.in.Request.Body != "" {
			_ = json.Unmarshal([]byte(*rc.in.Request.Body), &body)
		}
		got, err := r.call(context.Background(), c, m, q, body)
		if err != nil || got == nil {
			continue
		}
		var whole any
		_ = json.Unmarshal([]byte(rc.in.Response.Body.String), &whole)
		mark(jsonAt(t, whole, r.at), reflect.TypeOf(got))
	}
	var lines []string
	for tp, keys := range seen {
		var missing []string
		for name := range jsonFields(tp) {
			if !keys[name] {
				missing = append(missing, name)
			}
		}
		if len(keys) == 0 {
			t.Errorf("%s: no recorded field", tp)
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			lines = append(lines, fmt.Sprintf("%s: not in any recording: %s", tp, strings.Join(missing, ", ")))
		}
	}
	slices.Sort(lines)
	for _, l := range lines {
		t.Log(l)
	}
	if os.Getenv("PSN_FIELD_REPORT") != "" {
		fmt.Println(strings.Join(lines, "\n"))
	}
}

// TestRecordedStatusCodes checks the error mapping of every recorded 4xx
// answer without the route table: the envelope alone must give the right
// sentinel (a regression guard for statusError).
func TestRecordedStatusCodes(t *testing.T) {
	for _, rc := range allRecordedCases(t) {
		code := rc.in.Response.Status.Code
		if code < 400 || code >= 500 {
			continue
		}
		t.Run(rc.key, func(t *testing.T) {
			c, _ := replayClient(t, rc.in)
			err := c.Call(context.Background(), rc.in.Request.Method, APIBaseURL+"/any", nil, nil, &struct{}{})
			assertRecordedError(t, err, rc.in)
		})
	}
	_ = http.StatusOK
}
