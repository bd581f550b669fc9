package psn

// Tests of lossless results: every recorded 2xx answer comes back from
// json.Marshal of the decoded result as PSN sent it; unknown members,
// zero values, nulls and non-canonical texts survive; every result type
// has the codec.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// sameJSON reports whether a and b hold the same JSON value, key order
// and number spelling aside, and describes the first difference.
func sameJSON(a, b []byte) (bool, string) {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false, fmt.Sprintf("first is not JSON: %v", err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, fmt.Sprintf("second is not JSON: %v", err)
	}
	if d := jsonDiff("$", x, y); d != "" {
		return false, d
	}
	return true, ""
}

// jsonDiff names the first place where two decoded JSON values differ.
func jsonDiff(path string, x, y any) string {
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: object vs %s", path, short(y))
		}
		for k, v := range xv {
			w, ok := yv[k]
			if !ok {
				return fmt.Sprintf("%s.%s: only in the first (%s)", path, k, short(v))
			}
			if d := jsonDiff(path+"."+k, v, w); d != "" {
				return d
			}
		}
		for k, w := range yv {
			if _, ok := xv[k]; !ok {
				return fmt.Sprintf("%s.%s: only in the second (%s)", path, k, short(w))
			}
		}
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return fmt.Sprintf("%s: %s vs %s", path, short(x), short(y))
		}
		for i := range xv {
			if d := jsonDiff(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i]); d != "" {
				return d
			}
		}
	default:
		if !reflect.DeepEqual(x, y) {
			return fmt.Sprintf("%s: %s vs %s", path, short(x), short(y))
		}
	}
	return ""
}

// TestRecordedBodiesRoundTrip decodes every recorded 2xx answer through
// the call that asks for it and requires json.Marshal of the result
// (encoding/json and the v2 API alike) to give back exactly the part of
// the body the result holds, key order aside.
func TestRecordedBodiesRoundTrip(t *testing.T) {
	n := 0
	for _, rc := range allRecordedCases(t) {
		code := rc.in.Response.Status.Code
		if code < 200 || code >= 300 || rc.in.Response.Body.String == "" {
			continue
		}
		u, _ := url.Parse(rc.in.Request.URI)
		if _, skip := notMapped[u.Host]; skip {
			continue
		}
		t.Run(rc.key, func(t *testing.T) {
			r, m, q, err := findRoute(rc.in)
			if err != nil {
				t.Fatal(err)
			}
			var body any
			if rc.in.Request.Body != nil && *rc.in.Request.Body != "" {
				_ = json.Unmarshal([]byte(*rc.in.Request.Body), &body)
			}
			c, _ := replayClient(t, rc.in)
			got, err := r.call(context.Background(), c, m, q, body)
			if err != nil {
				t.Fatalf("%s: %v", r.name, err)
			}
			if got == nil {
				return // a write whose answer the call does not return
			}
			var whole any
			if err := json.Unmarshal([]byte(rc.in.Response.Body.String), &whole); err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(jsonAt(t, whole, r.at))
			v1, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if ok, diff := sameJSON(want, v1); !ok {
				t.Errorf("%s: json.Marshal of the result differs from the recording (recording first): %s", r.name, diff)
			}
			v2, err := jsonv2.Marshal(got)
			if err != nil {
				t.Fatalf("json/v2: %v", err)
			}
			if ok, diff := sameJSON(want, v2); !ok {
				t.Errorf("%s: json/v2 Marshal of the result differs from the recording: %s", r.name, diff)
			}
			n++
		})
	}
	if n < 50 {
		t.Errorf("only %d recorded bodies round-tripped", n)
	}
	t.Logf("%d recorded 2xx bodies round-trip", n)
}

// resultTypes are the result types no recording reaches (answers of
// calls PSN's recordings lack), beside those the routes return.
var resultTypes = []reflect.Type{
	reflect.TypeFor[RecentlyPlayedGame](),
	reflect.TypeFor[PurchasedGame](),
	reflect.TypeFor[UniversalSearchResponse](),
	reflect.TypeFor[TitleTrophiesPage](),
	reflect.TypeFor[UserTrophiesPage](),
	reflect.TypeFor[Concept](),
}

// TestEveryResultTypeIsLossless walks every struct type reachable from
// the calls' results and requires each to hold a wireState and to have
// the codec's methods for both JSON packages, so a type added later
// cannot silently drop what PSN sends.
func TestEveryResultTypeIsLossless(t *testing.T) {
	c, _ := funcServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	roots := append([]reflect.Type{}, resultTypes...)
	for _, rc := range allRecordedCases(t) {
		r, m, q, err := findRoute(rc.in)
		if err != nil || rc.in.Response.Status.Code >= 300 {
			continue
		}
		var body any
		if rc.in.Request.Body != nil && *rc.in.Request.Body != "" {
			_ = json.Unmarshal([]byte(*rc.in.Request.Body), &body)
		}
		if got, _ := r.call(context.Background(), c, m, q, body); got != nil {
			roots = append(roots, reflect.TypeOf(got))
		}
	}
	seen := map[reflect.Type]bool{}
	var walk func(tp reflect.Type)
	walk = func(tp reflect.Type) {
		for tp.Kind() == reflect.Pointer || tp.Kind() == reflect.Slice || tp.Kind() == reflect.Map {
			tp = tp.Elem()
		}
		if tp.Kind() != reflect.Struct || seen[tp] || tp == timeType || tp == unixMilliType {
			return
		}
		seen[tp] = true
		if tp == reflect.TypeFor[Page]() {
			return // flattened into the pages that embed it
		}
		if _, ok := tp.FieldByName("wire"); !ok {
			t.Errorf("%s holds no wireState: it would drop what its fields do not name", tp)
		}
		p := reflect.PointerTo(tp)
		for _, iface := range []reflect.Type{
			reflect.TypeFor[jsonv2.UnmarshalerFrom](), reflect.TypeFor[jsonv2.MarshalerTo](),
			reflect.TypeFor[json.Unmarshaler](), reflect.TypeFor[json.Marshaler](),
		} {
			if !p.Implements(iface) {
				t.Errorf("%s does not implement %s", tp, iface)
			}
		}
		if tp.Implements(reflect.TypeFor[json.Marshaler]()) {
			tableFor(tp) // panics on a type the codec cannot hold
		}
		for i := range tp.NumField() {
			if f := tp.Field(i); f.IsExported() {
				walk(f.Type)
			}
		}
	}
	for _, r := range roots {
		walk(r)
	}
	if len(seen) < 60 {
		t.Errorf("walked only %d types", len(seen))
	}
}

// roundTrip decodes in as a T the way the client does and encodes it with
// encoding/json.
func roundTrip[T any](t *testing.T, in string) (T, []byte) {
	t.Helper()
	var v T
	if err := decodeLikeClient([]byte(in), &v); err != nil {
		t.Fatalf("decode: %v", err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return v, out
}

func requireSameJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	if ok, diff := sameJSON([]byte(want), got); !ok {
		t.Errorf("encoded %s\nwant        %s\n%s", got, want, diff)
	}
}

// TestUnknownMembersSurvive: fields PSN adds tomorrow, at the top, inside
// array items and inside nested objects, come back on encoding, and the
// in-game status text of a presence is a named field.
func TestUnknownMembersSurvive(t *testing.T) {
	presence := `{"basicPresence":{"availability":"availableToPlay","primaryPlatformInfo":{"onlineStatus":"online","platform":"PS5","newPlatformFlag":true},` +
		`"gameTitleInfoList":[{"npTitleId":"PPSA01234_00","titleName":"Rust","format":"PS5","launchPlatform":"PS5","gameStatus":"Surviving on the server: EU Main",` +
		`"conceptIconUrl":"https://x/y.png","partySize":{"now":3,"max":8},"tags":["a",null,1.5]}],"futureField":[{"deep":{"deeper":[1,2,{"k":false}]}}]}}`
	c, _ := funcServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, presence) })
	p, err := c.Users.Presence(context.Background(), "me")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.GameTitleInfoList[0].GameStatus; got != "Surviving on the server: EU Main" {
		t.Errorf("GameStatus = %q", got)
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var whole map[string]json.RawMessage
	_ = json.Unmarshal([]byte(presence), &whole)
	requireSameJSON(t, string(whole["basicPresence"]), out)

	// A page of trophy titles with a new member in each title, in a nested
	// count object and beside the paging members.
	page := `{"trophyTitles":[{"npServiceName":"trophy2","npCommunicationId":"NPWR1_00","trophyTitleName":"A","trophyTitleIconUrl":"u","trophyTitlePlatform":"PS5",` +
		`"hasTrophyGroups":false,"definedTrophies":{"bronze":1,"silver":0,"gold":0,"platinum":0,"diamond":0},"progress":0,` +
		`"earnedTrophies":{"bronze":0,"silver":0,"gold":0,"platinum":0},"hiddenFlag":false,"lastUpdatedDateTime":"2024-01-02T03:04:05Z","trophyTitleSortKey":7}],` +
		`"totalItemCount":1,"cursor":{"next":null}}`
	_, out = roundTrip[TrophyTitlesPage](t, page)
	requireSameJSON(t, page, out)
}

// TestZeroValuesAndNullsAsSent: false, 0, "" and null come back as PSN sent
// them, absent members stay absent, and a field set after decoding is
// encoded with its new value.
func TestZeroValuesAndNullsAsSent(t *testing.T) {
	earned := `{"trophyId":0,"trophyHidden":false,"earned":false,"trophyEarnedRate":"0.0","trophyRare":0,"trophyType":"bronze","trophyDetail":""}`
	tr, out := roundTrip[Trophy](t, earned)
	requireSameJSON(t, earned, out)
	for _, absent := range []string{"progressRate", "progress", "trophyName", "earnedDateTime"} {
		if bytes.Contains(out, []byte(`"`+absent+`"`)) {
			t.Errorf("%s appeared in %s", absent, out)
		}
	}
	tr.Earned, tr.EarnedDateTime, tr.ProgressRate = true, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), 40
	out, _ = json.Marshal(tr)
	requireSameJSON(t, `{"trophyId":0,"trophyHidden":false,"earned":true,"trophyEarnedRate":"0.0","trophyRare":0,"trophyType":"bronze","trophyDetail":"",`+
		`"earnedDateTime":"2025-01-02T03:04:05Z","progressRate":40}`, out)

	nulls := `{"__typename":"Player","id":"1","firstName":null,"relationshipState":null,"avatarUrl":null,"media":null,"isPsPlus":false,"onlineIdHighlighted":[]}`
	_, out = roundTrip[SearchResult](t, nulls)
	requireSameJSON(t, nulls, out)

	// A whole result sent as null stays null, in a list too.
	_, out = roundTrip[TrophyTitlesPage](t, `{"trophyTitles":[null,{}],"totalItemCount":0}`)
	requireSameJSON(t, `{"trophyTitles":[null,{}],"totalItemCount":0}`, out)
}

// TestNonCanonicalTextsSurvive: a time with an offset, a duration PSN
// spells its own way and a bare-number timestamp come back as sent while
// the field holds the decoded value, and in canonical form once changed.
func TestNonCanonicalTextsSurvive(t *testing.T) {
	in := `{"titleId":"CUSA1_00","playDuration":"PT1H0M5S","firstPlayedDateTime":"2020-01-02T12:04:05.100+09:00","lastPlayedDateTime":"2020-01-02T03:04:05.000Z"}`
	p, out := roundTrip[PlayedTitle](t, in)
	if !bytes.Contains(out, []byte(`"PT1H0M5S"`)) || !bytes.Contains(out, []byte(`"2020-01-02T12:04:05.100+09:00"`)) || !bytes.Contains(out, []byte(`"2020-01-02T03:04:05.000Z"`)) {
		t.Errorf("texts changed: %s", out)
	}
	p.PlayDuration += time.Second
	p.FirstPlayedDateTime = p.FirstPlayedDateTime.Add(time.Hour).UTC()
	out, _ = json.Marshal(p)
	if !bytes.Contains(out, []byte(`"playDuration":"PT1H6S"`)) || !bytes.Contains(out, []byte(`"firstPlayedDateTime":"2020-01-02T04:04:05.1Z"`)) {
		t.Errorf("changed values not encoded: %s", out)
	}

	msg := `{"messageUid":"m","createdTimestamp":1747367044076,"sender":{"accountId":"1","onlineId":"x"}}`
	m, out := roundTrip[Message](t, msg)
	requireSameJSON(t, msg, out)
	if m.CreatedTimestamp.UnixMilli() != 1747367044076 {
		t.Errorf("timestamp = %v", m.CreatedTimestamp)
	}
}

// TestBuiltValuesEncodeByTheirTags: a value built in code (not decoded)
// encodes as its field tags say, as before lossless results.
func TestBuiltValuesEncodeByTheirTags(t *testing.T) {
	out, err := json.Marshal(TrophyTitle{NpCommunicationID: "NPWR1_00"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"hiddenFlag":false`, `"progress":0`, `"trophyTitleName":""`, `"definedTrophies":{"bronze":0,"silver":0,"gold":0,"platinum":0}`} {
		if !bytes.Contains(out, []byte(k)) {
			t.Errorf("%s missing from %s", k, out)
		}
	}
	for _, k := range []string{`trophySetVersion`, `lastUpdatedDateTime`, `rarestTrophies`} {
		if bytes.Contains(out, []byte(k)) {
			t.Errorf("%s (omitempty/omitzero) in %s", k, out)
		}
	}
}

// TestDecodeErrorsAreTyped: a wrong JSON kind or a number that does not
// fit names the field and is an ErrUnexpectedResponse from the client.
func TestDecodeErrorsAreTyped(t *testing.T) {
	for _, in := range []string{
		`{"trophyTitles":[{"progress":"x"}]}`,
		`{"trophyTitles":[{"progress":1.5}]}`,
		`{"trophyTitles":[{"hiddenFlag":1}]}`,
		`{"trophyTitles":[{"lastUpdatedDateTime":"yesterday"}]}`,
		`{"trophyTitles":{"a":1}}`,
		`{"trophyTitles":[{"definedTrophies":[]}]}`,
		`{"totalItemCount":99999999999999999999}`,
	} {
		var p TrophyTitlesPage
		err := decodeLikeClient([]byte(in), &p)
		if err == nil {
			t.Errorf("%s decoded", in)
			continue
		}
		var re *ResponseError
		if !errors.As(err, &re) || !strings.Contains(re.Problem, "/") {
			t.Errorf("%s: %v does not name where", in, err)
		}
	}
}

// TestV2StreamsResults: the v2 API encodes and decodes results through a
// jsontext stream too (the MarshalJSONTo/UnmarshalJSONFrom methods).
func TestV2StreamsResults(t *testing.T) {
	in := `{"accountId":"1","trophyLevel":5,"trophyPoint":90,"trophyLevelBasePoint":0,"trophyLevelNextPoint":100,"progress":90,"tier":1,` +
		`"earnedTrophies":{"bronze":3,"silver":0,"gold":0,"platinum":0},"nextTier":{"at":100}}`
	var s TrophySummary
	if err := jsonv2.UnmarshalDecode(jsontext.NewDecoder(strings.NewReader(in)), &s); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := jsonv2.MarshalEncode(jsontext.NewEncoder(&b), &s); err != nil {
		t.Fatal(err)
	}
	requireSameJSON(t, in, b.Bytes())
}

// TestConcurrentDecodesAgree: goroutines decoding objects whose members
// come in different orders (the tables' learned order is shared) all get
// the right values.
func TestConcurrentDecodesAgree(t *testing.T) {
	orders := []string{
		`{"bronze":1,"silver":2,"gold":3,"platinum":4}`,
		`{"platinum":4,"gold":3,"silver":2,"bronze":1}`,
		`{"gold":3,"bronze":1,"platinum":4,"silver":2,"extra":5}`,
	}
	done := make(chan error)
	for g := range 6 {
		go func() {
			for i := range 300 {
				in := orders[(g+i)%len(orders)]
				var c TrophyCounts
				if err := decodeLikeClient([]byte(in), &c); err != nil {
					done <- err
					return
				}
				if c.Bronze != 1 || c.Silver != 2 || c.Gold != 3 || c.Platinum != 4 {
					done <- fmt.Errorf("%s decoded as %+v", in, c)
					return
				}
			}
			done <- nil
		}()
	}
	for range 6 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestDecodeAgainIntoTheSameValue: decoding into a value that already holds
// a decoded result merges as encoding/json does, and the newer text of a
// non-canonical value wins.
func TestDecodeAgainIntoTheSameValue(t *testing.T) {
	var p PlayedTitle
	for _, in := range []string{`{"playDuration":"PT1H0M","x":1}`, `{"playDuration":"PT2H0M","y":2}`} {
		if err := json.Unmarshal([]byte(in), &p); err != nil {
			t.Fatal(err)
		}
	}
	out, _ := json.Marshal(p)
	requireSameJSON(t, `{"playDuration":"PT2H0M","x":1,"y":2}`, out)
}
