package psntest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/psnkit/psn/internal/recorded"
)

// The shape-conformance test: every recorded 2xx response of a route the
// simulator serves is compared with the simulator's answer to the same
// route. Both must have the same JSON keys with the same kinds of value at
// every level (array elements are compared with the merged shape of all
// recorded elements). A key the recordings always have must be there; a key
// they never have is an error unless listed in shapeExtras.

// shapeExtras allow-lists keys the simulator adds beyond the recordings,
// as "<route key> <json path>" -> why. Keep it documented in
// docs/simulator.md.
var shapeExtras = map[string]string{
	keyTitleTrophies + " $.trophies[].trophyProgressTargetValue":      "PS5 progress trophies (psn-api's Trophy model)",
	keyTitleTrophies + " $.trophies[].trophyRewardName":               "PS5 trophy rewards (psn-api's Trophy model)",
	keyTitleTrophies + " $.trophies[].trophyRewardImageUrl":           "PS5 trophy rewards (psn-api's Trophy model)",
	keyUserTrophies + " $.trophies[].trophyProgressTargetValue":       "PS5 progress trophies (psn-api's UserThinTrophy)",
	keyUserTrophies + " $.trophies[].progress":                        "PS5 progress trophies (protocol notes)",
	keyUserTrophies + " $.trophies[].progressRate":                    "PS5 progress trophies (protocol notes)",
	keyUserTrophies + " $.trophies[].progressedDateTime":              "PS5 progress trophies (protocol notes)",
	keyUserTrophies + " $.trophies[].trophyRewardName":                "PS5 trophy rewards (psn-api's UserThinTrophy)",
	keyUserTrophies + " $.trophies[].trophyRewardImageUrl":            "PS5 trophy rewards (psn-api's UserThinTrophy)",
	keyUserTrophies + " $.rarestTrophies[].trophyProgressTargetValue": "as in trophies[]",
	keyUserTrophies + " $.rarestTrophies[].progress":                  "as in trophies[]",
	keyUserTrophies + " $.rarestTrophies[].progressRate":              "as in trophies[]",
	keyUserTrophies + " $.rarestTrophies[].progressedDateTime":        "as in trophies[]",
	keyUserTrophies + " $.rarestTrophies[].trophyRewardName":          "as in trophies[]",
	keyUserTrophies + " $.rarestTrophies[].trophyRewardImageUrl":      "as in trophies[]",
	keyDevices + " $.accountDevices":                                  "consoles of the account (psn-api's AccountDevicesResponse); the recorded account had none",
	keyByTitle + " $.titles[].trophyTitles[].notEarnedTrophyIds":      "with includeNotEarnedTrophyIds=true (psn-api's option)",
}

// shapeOptional lists keys that every recording has but the simulator
// rightly leaves out in some answers, as "<route key> <json path>" -> why.
var shapeOptional = map[string]string{
	keyUserTrophies + " $.trophies[].earnedDateTime": "absent while a trophy is not earned (psn-api's Trophy model); every recorded trophy was earned",
	keyGroups + " $.nextOffset":                      "absent on the last page; every recorded list had a next page",
}

// keyGroups is the groups list.
const keyGroups = "GET /api/gamingLoungeGroups/v1/members/{acc}/groups?includeFields"

// Route keys used by the allow-lists.
const (
	keyTitleTrophies    = "GET /api/trophy/v1/npCommunicationIds/{np}/trophyGroups/{group}/trophies?npServiceName"
	keyUserTrophies     = "GET /api/trophy/v1/users/{acc}/npCommunicationIds/{np}/trophyGroups/{group}/trophies?npServiceName"
	keyUserTrophyGroups = "GET /api/trophy/v1/users/{acc}/npCommunicationIds/{np}/trophyGroups?npServiceName"
	keyByTitle          = "GET /api/trophy/v1/users/{acc}/titles/trophyTitles?npTitleIds"
	keyPresences        = "GET /api/userProfile/v2/internal/users/basicPresences?accountIds,platforms,type,withOwnGameTitleInfo"
	keyPresenceV2       = "GET /api/userProfile/v2/internal/users/{acc}/basicPresences?platforms,type,withOwnGameTitleInfo"
	keyPresenceV1       = "GET /api/userProfile/v1/internal/users/{acc}/basicPresences?type"
	keyDevices          = "GET /api/v1/devices/accounts/{acc}?includeFields,platform"
)

// shape is the merged JSON shape of many values.
type shape struct {
	kinds   map[string]bool
	fields  map[string]*shape
	present map[string]int // objects that had the key
	objects int            // objects merged
	elem    *shape         // merged array elements; nil if none seen
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case float64, json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func (s *shape) add(v any) {
	if s.kinds == nil {
		s.kinds, s.fields, s.present = map[string]bool{}, map[string]*shape{}, map[string]int{}
	}
	s.kinds[kindOf(v)] = true
	switch v := v.(type) {
	case map[string]any:
		s.objects++
		for k, x := range v {
			if s.fields[k] == nil {
				s.fields[k] = &shape{}
			}
			s.fields[k].add(x)
			s.present[k]++
		}
	case []any:
		for _, x := range v {
			if s.elem == nil {
				s.elem = &shape{}
			}
			s.elem.add(x)
		}
	}
}

// conform lists how v differs from the recorded shape rec. It marks the
// allow-list entries it relied on in used (if not nil).
func conform(key, path string, rec *shape, v any, problems *[]string, used map[string]bool) {
	k := kindOf(v)
	if !rec.kinds[k] {
		*problems = append(*problems, fmt.Sprintf("%s: %s, recorded %v", path, k, keys(rec.kinds)))
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for f, x := range v {
			if rec.fields[f] == nil {
				entry := key + " " + path + "." + f
				if _, ok := shapeExtras[entry]; !ok {
					*problems = append(*problems, fmt.Sprintf("%s.%s: not in the recordings", path, f))
				} else if used != nil {
					used[entry] = true
				}
				continue
			}
			conform(key, path+"."+f, rec.fields[f], x, problems, used)
		}
		for f, n := range rec.present {
			if _, ok := v[f]; ok || n != rec.objects {
				continue
			}
			entry := key + " " + path + "." + f
			if _, ok := shapeOptional[entry]; !ok {
				*problems = append(*problems, fmt.Sprintf("%s.%s: missing (every recording has it)", path, f))
			} else if used != nil {
				used[entry] = true
			}
		}
	case []any:
		if rec.elem == nil {
			return // only empty arrays recorded: nothing to compare with
		}
		for _, x := range v {
			conform(key, path+"[]", rec.elem, x, problems, used)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// accountSegment matches a path segment that names an account.
var accountSegment = regexp.MustCompile(`^(me|\d{5,20})$`)

// routeKey names the route of a request: method, path with account ids as
// {acc}, and the names of the query parameters other than paging ones.
func routeKey(method string, u *url.URL) string {
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		switch {
		case accountSegment.MatchString(s):
			segs[i] = "{acc}"
		case npCommSegment.MatchString(s):
			segs[i] = "{np}"
		case i > 0 && segs[i-1] == "trophyGroups":
			segs[i] = "{group}"
		case i+1 < len(segs) && segs[i+1] == "profile2":
			segs[i] = "{onlineId}"
		case npTitleID.MatchString(s):
			segs[i] = "{titleId}"
		case i > 0 && (segs[i-1] == "groups" || segs[i-1] == "threads"):
			segs[i] = "{" + strings.TrimSuffix(segs[i-1], "s") + "}"
		}
	}
	var q []string
	for k := range u.Query() {
		if k != "limit" && k != "offset" {
			q = append(q, k)
		}
	}
	sort.Strings(q)
	key := method + " " + path0(strings.Join(segs, "/"))
	if len(q) > 0 {
		key += "?" + strings.Join(q, ",")
	}
	if op := u.Query().Get("operationName"); op != "" { // GraphQL: one route per operation and search
		var vars map[string]any
		_ = json.Unmarshal([]byte(u.Query().Get("variables")), &vars)
		key += " " + op
		for _, k := range []string{"searchContext", "searchDomain"} {
			if v, ok := vars[k].(string); ok {
				key += " " + v
			}
		}
	}
	return key
}

// path0 collapses PSNAWP's "//" the way the simulator does.
func path0(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

type recordedCall struct {
	file, method string
	u            *url.URL
	body         any
}

// recorded2xx returns every recorded 2xx interaction with a JSON body.
func recorded2xx(t *testing.T) []recordedCall {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(recorded.Dir(t), "*.json"))
	if err != nil || len(files) < 80 {
		t.Fatalf("recordings: %v (%d files)", err, len(files))
	}
	var out []recordedCall
	for _, f := range files {
		for _, in := range recorded.Load(t, filepath.Base(f)).Interactions {
			code := in.Response.Status.Code
			var body any
			if code < 200 || code > 299 || json.Unmarshal([]byte(in.Response.Body.String), &body) != nil {
				continue
			}
			u, err := url.Parse(in.Request.URI)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, recordedCall{filepath.Base(f), in.Request.Method, u, body})
		}
	}
	return out
}

func TestShapeConformance(t *testing.T) {
	rec := recorded2xx(t)
	shapes := map[string]*shape{}
	for _, r := range rec {
		k := routeKey(r.method, r.u)
		if shapes[k] == nil {
			shapes[k] = &shape{}
		}
		shapes[k].add(r.body)
	}

	// The single presence routes answer what the batch route answers for
	// each account (psn-api documents the same body; only a mobile-app
	// presence was recorded on the single route, and nothing on v1).
	if batch := shapes[keyPresences]; batch != nil && batch.fields["basicPresences"] != nil {
		for _, k := range []string{keyPresenceV1, keyPresenceV2} {
			if shapes[k] == nil {
				shapes[k] = &shape{}
			}
		}
		for _, r := range rec {
			if routeKey(r.method, r.u) != keyPresences {
				continue
			}
			for _, e := range r.body.(map[string]any)["basicPresences"].([]any) {
				e := maps.Clone(e.(map[string]any))
				delete(e, "accountId")
				for _, k := range []string{keyPresenceV1, keyPresenceV2} {
					shapes[k].add(map[string]any{"basicPresence": e})
				}
			}
		}
	}

	c := serve(t, Config{Users: 10, RateLimit: -1})
	users := c.sim.Users()
	tok := c.login(users[0].NPSSO)
	other := users[1].AccountID

	// simBodies holds the simulator's answers by route key.
	simBodies := map[string][]any{}
	addBody := func(key string, body []byte) {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s: simulator answered non-JSON %q", key, body)
		}
		simBodies[key] = append(simBodies[key], v)
	}

	// The token endpoint: an authorization_code and a refresh_token grant.
	tokenKey := "POST /api/authz/v3/oauth/token"
	_, b := c.tokenPost(codeForm(c.code(users[0].NPSSO)))
	addBody(tokenKey, b)
	_, b = c.tokenPost(refreshForm(tok.RefreshToken))
	addBody(tokenKey, b)

	// Every recorded GET, replayed with the simulator's own account ids.
	var unserved, writes []string
	for _, r := range rec {
		if r.method != "GET" {
			writes = append(writes, routeKey(r.method, r.u)) // asked for below
			continue
		}
		resp, body := c.get(simPath(c.sim, r.u, users[0].AccountID, other), tok.AccessToken)
		key := routeKey("GET", r.u)
		if resp.StatusCode == http.StatusNotFound && strings.Contains(string(body), "psntest has no route") {
			unserved = append(unserved, key)
			continue
		}
		if resp.StatusCode/100 != 2 {
			t.Errorf("%s (%s): simulator answered %d %s to a route it serves", key, r.file, resp.StatusCode, body)
			continue
		}
		addBody(key, body)
	}

	// Pages the recordings may not reach: the last page of trophy titles.
	var first trophyTitlesPage
	c.getOK("/api/trophy/v1/users/me/trophyTitles", tok.AccessToken, &first)
	_, b = c.get(fmt.Sprintf("/api/trophy/v1/users/me/trophyTitles?limit=10&offset=%d", first.TotalItemCount-3), tok.AccessToken)
	addBody("GET /api/trophy/v1/users/{acc}/trophyTitles", b)

	// Trophy lists with unearned trophies, PS5 progress, add-on groups and
	// notEarnedTrophyIds, which the recordings do not show.
	for _, x := range c.sim.userByAccount(users[0].AccountID).trophies().titles {
		ts := x.t
		if x.progress == 0 || x.progress == 100 || (ts.service == "trophy2" && !slices.ContainsFunc(ts.targets, func(n int) bool { return n > 0 })) {
			continue
		}
		q := "?npServiceName=" + ts.service
		for _, p := range []string{
			"/api/trophy/v1/npCommunicationIds/" + ts.npCommID + "/trophyGroups/all/trophies" + q,
			"/api/trophy/v1/users/me/npCommunicationIds/" + ts.npCommID + "/trophyGroups/all/trophies" + q,
			"/api/trophy/v1/users/me/npCommunicationIds/" + ts.npCommID + "/trophyGroups" + q,
			"/api/trophy/v1/users/me/titles/trophyTitles?includeNotEarnedTrophyIds=true&npTitleIds=" + ts.npTitleIDs[0],
		} {
			u, _ := url.Parse(p)
			resp, body := c.get(p, tok.AccessToken)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", p, resp.StatusCode, body)
			}
			key := routeKey("GET", u)
			if key == strings.Replace(keyByTitle, "?", "?includeNotEarnedTrophyIds,", 1) {
				key = keyByTitle // the same route with an option
			}
			addBody(key, body)
		}
	}

	// Every user as seen by user 0: self, friend, stranger, private; online,
	// offline, on the mobile app.
	full := "npId,onlineId,accountId,avatarUrls,plus,aboutMe,languagesUsed,trophySummary(@default,level,progress,earnedTrophies)," +
		"isOfficiallyVerified,personalDetail(@default,profilePictureUrls),personalDetailSharing,personalDetailSharingRequestMessageFlag," +
		"primaryOnlineStatus,presences(@default,@titleInfo,platform,lastOnlineDate,hasBroadcastData),requestMessageFlag,blocking,friendRelation,following,consoleAvailability"
	for _, v := range c.sim.Users() {
		for _, p := range []string{
			"/api/userProfile/v1/internal/users/" + v.AccountID + "/profiles",
			"/api/userProfile/v1/internal/users/" + v.AccountID + "/friends?limit=1000",
			"/api/userProfile/v1/internal/users/" + v.AccountID + "/basicPresences?type=primary",
			"/api/userProfile/v2/internal/users/" + v.AccountID + "/basicPresences?platforms=PS4,PS5,MOBILE_APP,PSPC&type=primary&withOwnGameTitleInfo=true",
			"/api/cpss/v1/share/profile/" + v.AccountID,
			"/userProfile/v1/users/" + v.OnlineID + "/profile2?fields=" + url.QueryEscape(full),
			"/userProfile/v1/users/" + v.OnlineID + "/profile2?fields=accountId,onlineId,currentOnlineId",
		} {
			resp, body := c.get(p, tok.AccessToken)
			if resp.StatusCode == http.StatusForbidden {
				continue // a private user
			}
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", p, resp.StatusCode, body)
			}
			u, _ := url.Parse(p)
			addBody(routeKey("GET", u), body)
		}
	}

	// Groups: create one and post to it; the last page of the list.
	bearer := http.Header{"Authorization": {"Bearer " + tok.AccessToken}, "Content-Type": {"application/json"}}
	resp, body := c.do("POST", "/api/gamingLoungeGroups/v1/groups", bearer,
		`{"invitees":[{"accountId":"`+users[1].AccountID+`"},{"accountId":"`+users[2].AccountID+`"}]}`)
	var created struct{ GroupID string }
	if resp.StatusCode != 200 || json.Unmarshal(body, &created) != nil {
		t.Fatalf("create group: %d %s", resp.StatusCode, body)
	}
	addBody("POST /api/gamingLoungeGroups/v1/groups", body)
	resp, body = c.do("POST", "/api/gamingLoungeGroups/v1/groups/"+created.GroupID+"/threads/"+created.GroupID+"/messages", bearer,
		`{"messageType":1,"body":"Hello"}`)
	if resp.StatusCode != 201 {
		t.Fatalf("send: %d %s", resp.StatusCode, body)
	}
	addBody("POST /api/gamingLoungeGroups/v1/groups/{group}/threads/{thread}/messages", body)
	for _, p := range []string{
		"/api/gamingLoungeGroups/v1/members/me/groups?includeFields=members&limit=10&offset=0",
		"/api/gamingLoungeGroups/v1/members/me/groups/" + created.GroupID +
			"?includeFields=groupName,groupIcon,members,mainThread,joinedTimestamp,modifiedTimestamp,isFavorite,existsNewArrival,notificationSetting",
	} {
		resp, body := c.get(p, tok.AccessToken)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, body)
		}
		u, _ := url.Parse(p)
		addBody(routeKey("GET", u), body)
	}

	// Games: the devices of a console player, gamelist pages (the last one
	// has nextOffset null), entitlements.
	for _, p := range []string{
		"/api/v1/devices/accounts/me?includeFields=device,systemData&platform=PS5,PS4,PS3,PSVita",
		"/api/gamelist/v2/users/me/titles?limit=200&offset=0",
		"/api/gamelist/v2/users/me/titles?limit=5&offset=3",
		"/api/entitlement/v2/users/me/internal/entitlements?entitlementType=1,2,3,4,5&fields=titleMeta,gameMeta,conceptMeta,rewardMeta&gameMetaPackageType=PSGD,PS4GD&limit=5&offset=0",
	} {
		resp, body := c.get(p, tok.AccessToken)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, body)
		}
		u, _ := url.Parse(p)
		addBody(routeKey("GET", u), body)
	}

	used := map[string]bool{}
	for _, key := range keys(simBodies) {
		if shapes[key] == nil {
			t.Errorf("%s: no recording to compare with", key)
			continue
		}
		for i, v := range simBodies[key] {
			var problems []string
			conform(key, "$", shapes[key], v, &problems, used)
			for _, p := range problems {
				t.Errorf("%s (answer %d): %s", key, i, p)
			}
		}
	}
	for _, must := range []string{tokenKey, "GET /api/v1/devices/accounts/{acc}", "GET /api/v1/devices/accounts/{acc}?includeFields,platform",
		"GET /api/trophy/v1/users/{acc}/trophySummary", "GET /api/trophy/v1/users/{acc}/trophyTitles"} {
		if len(simBodies[must]) == 0 {
			t.Errorf("%s was not checked", must)
		}
	}
	for _, k := range writes {
		if len(simBodies[k]) == 0 {
			unserved = append(unserved, k)
		}
	}
	// A stale allow-list entry would hide a future difference.
	for _, list := range []map[string]string{shapeExtras, shapeOptional} {
		for entry := range list {
			if !used[entry] {
				t.Errorf("allow-list entry never needed: %s", entry)
			}
		}
	}
	slices.Sort(unserved)
	unserved = slices.Compact(unserved)
	t.Logf("checked %d routes; recorded routes not served (yet): %d", len(simBodies), len(unserved))
	for _, k := range unserved {
		t.Logf("  not served: %s", k)
	}
}

var (
	npCommSegment = regexp.MustCompile(`^NPWR\d{5}_\d{2}$`)
	npTitleID     = regexp.MustCompile(`^([A-Z]{4})\d{5}_\d{2}$`)
)

// simPath turns a recorded URL into the same request to the simulator:
// host dropped, account ids replaced by a simulated user's (other; "me"
// stays), trophy set and title ids replaced by ones that user played.
func simPath(sim *Sim, u *url.URL, me, other string) string {
	owner := me
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		switch {
		case accountSegment.MatchString(s) && s != "me":
			segs[i], owner = other, other
		case i+1 < len(segs) && segs[i+1] == "profile2":
			segs[i] = sim.userByAccount(other).onlineID
		}
	}
	for i := range segs {
		if i > 0 && (segs[i-1] == "groups" || segs[i-1] == "threads") { // the owner's direct-message group
			sim.mu.Lock()
			for _, g := range sim.chatOrder {
				if g.dm && g.has(sim.byAccount[owner]) {
					segs[i] = g.id
					break
				}
			}
			sim.mu.Unlock()
		}
	}
	for i, s := range segs {
		if npTitleID.MatchString(s) && !npCommSegment.MatchString(s) { // a store title the owner played on PS4/PS5
			for _, g := range gamesOf(sim.cfg.Seed, sim.userByAccount(owner)) {
				segs[i] = g.titleID
				break
			}
		}
	}
	played := sim.userByAccount(owner).trophies().titles
	q := u.Query()
	for i, s := range segs {
		if npCommSegment.MatchString(s) {
			svc := q.Get("npServiceName")
			if svc == "" {
				svc = "trophy2"
			}
			for _, x := range played {
				if x.t.service == svc {
					segs[i] = x.t.npCommID
					break
				}
			}
		}
	}
	if ids := q.Get("accountIds"); ids != "" {
		var out []string
		for i := range strings.Split(ids, ",") {
			if i+1 < len(sim.Users()) {
				out = append(out, sim.Users()[i+1].AccountID)
			}
		}
		q.Set("accountIds", strings.Join(out, ","))
	}
	if ids := q.Get("npTitleIds"); ids != "" {
		var out []string
		used := map[string]bool{}
		for id := range strings.SplitSeq(ids, ",") {
			m := npTitleID.FindStringSubmatch(id)
			if m == nil {
				continue
			}
			for _, x := range played {
				if t := x.t.npTitleIDs[0]; strings.HasPrefix(t, m[1]) && !used[t] {
					out, used[t] = append(out, t), true
					break
				}
			}
		}
		q.Set("npTitleIds", strings.Join(out, ","))
	}
	p := strings.Join(segs, "/")
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// The checker itself must catch what it claims to catch.
func TestConformDetects(t *testing.T) {
	var rec shape
	for _, s := range []string{`{"a":1,"b":[{"x":"s"}],"c":null}`, `{"a":2,"b":[],"c":"z","d":true}`} {
		var v any
		_ = json.Unmarshal([]byte(s), &v)
		rec.add(v)
	}
	for _, tc := range []struct {
		sim  string
		want int
	}{
		{`{"a":3,"b":[{"x":"t"}],"c":"q"}`, 0},           // d optional, c string or null
		{`{"a":3,"b":[],"c":null,"d":false}`, 0},         // all keys
		{`{"b":[],"c":null}`, 1},                         // a missing
		{`{"a":"3","b":[],"c":null}`, 1},                 // a wrong kind
		{`{"a":3,"b":[{"x":1}],"c":null}`, 1},            // element field wrong kind
		{`{"a":3,"b":[{"x":"s","y":1}],"c":null}`, 1},    // extra element key
		{`{"a":3,"b":[],"c":null,"e":1}`, 1},             // extra key
		{`{"a":3,"b":{"x":"s"},"c":null}`, 1},            // object for array
		{`[1]`, 1},                                       // array for object
		{`{"a":3,"b":[{"x":"s"}],"c":null,"d":"no"}`, 1}, // optional key, wrong kind
	} {
		var v any
		_ = json.Unmarshal([]byte(tc.sim), &v)
		var problems []string
		conform("k", "$", &rec, v, &problems, nil)
		if len(problems) != tc.want {
			t.Errorf("%s: %v, want %d problems", tc.sim, problems, tc.want)
		}
	}
}
