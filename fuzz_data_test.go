package psn

// Fuzz targets for every parser of PSN's data answers: truncated, wrongly
// typed or hostile input must give an error (ErrUnexpectedResponse on the
// client's decode path), never a panic or a hang.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
)

// decodeLikeClient runs body through the client's own 2xx decode path.
func decodeLikeClient(body []byte, out any) error {
	u, _ := url.Parse("https://m.np.playstation.com/api/x")
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: &http.Request{Method: "GET", URL: u}}
	return decodeJSON(resp, body, out)
}

// maxSeed bounds seed sizes: the fuzzing engine minimizes every new
// interesting input, which on inputs of several kilobytes takes longer
// than a short -fuzztime; the first kilobyte of a recorded answer already
// holds the shape of its items.
const maxSeed = 1024

// seedRecorded adds the 2xx bodies of the recorded requests whose path
// contains pathPart, plus a truncated copy of each.
func seedRecorded(f *testing.F, name, pathPart string) {
	for _, in := range dataInteractions(f, name) {
		if !strings.Contains(in.Request.URI, pathPart) || in.Response.Status.Code != 200 {
			continue
		}
		b := []byte(in.Response.Body.String)
		if len(b) > maxSeed {
			b = b[:maxSeed]
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	for _, s := range []string{``, `{}`, `[]`, `null`, `{"a":`, `<html>`, `{"trophyTitles":"x"}`, `{"titles":[{"playDuration":5}]}`, `{"nextOffset":"1"}`} {
		f.Add([]byte(s))
	}
}

// fuzzDecode is the body of every FuzzDecode target.
func fuzzDecode[T any](t *testing.T, body []byte) {
	var out T
	err := decodeLikeClient(body, &out)
	if err != nil && !errors.Is(err, ErrUnexpectedResponse) {
		t.Fatalf("decode error %v is not ErrUnexpectedResponse", err)
	}
	if _, lossless := any(&out).(jsonv2.MarshalerTo); err == nil && lossless {
		fuzzSameAgain(t, body, &out)
	}
	// A prefix cut inside the value is never accepted as a whole answer.
	whole := strings.TrimSpace(string(body))
	if err == nil && len(whole) > 2 && (strings.HasSuffix(whole, "}") || strings.HasSuffix(whole, "]")) {
		var again T
		if decodeLikeClient([]byte(whole[:len(whole)-1]), &again) == nil {
			t.Fatalf("truncated body accepted: %q", whole[:len(whole)-1])
		}
	}
}

func FuzzDecodeTrophyTitlesPage(f *testing.F) {
	seedRecorded(f, "test_user__trophy_titles", "/trophyTitles")
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecode[TrophyTitlesPage](t, body) })
}

func FuzzDecodeUserTrophiesPage(f *testing.F) {
	seedRecorded(f, "test_user__trophies_pagination_test", "/users/")
	f.Add([]byte(`{"trophies":[{"trophyId":1,"progress":"3","progressRate":30,"progressedDateTime":"2024-01-02T03:04:05Z"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecode[UserTrophiesPage](t, body) })
}

func FuzzDecodeTitleTrophiesPage(f *testing.F) {
	seedRecorded(f, "test_game_title__trophies", "/npCommunicationIds/")
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecode[TitleTrophiesPage](t, body) })
}

func FuzzDecodePlayedTitlesPage(f *testing.F) {
	seedRecorded(f, "test_user__title_stats_with_jump", "/gamelist/")
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecode[PlayedTitlesPage](t, body) })
}

func FuzzDecodeConcepts(f *testing.F) {
	seedRecorded(f, "test_game_title__get_title_details", "/catalog/")
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecode[[]Concept](t, body) })
}

func FuzzDecodeContextSearch(f *testing.F) {
	seedRecorded(f, "test_search__get_user_id", "/graphql/")
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzDecode[struct {
			Data struct {
				UniversalContextSearch ContextSearchResult `json:"universalContextSearch"`
			} `json:"data"`
		}](t, body)
	})
}

func FuzzDecodeGroupDetails(f *testing.F) {
	seedRecorded(f, "test_group__get_group_information", "/groups/")
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecode[GroupDetails](t, body) })
}

func FuzzDecodeLegacyProfile(f *testing.F) {
	seedRecorded(f, "test_client__get_profile_legacy", "/profile2")
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecode[legacyProfileResponse](t, body) })
}

func FuzzParseISODuration(f *testing.F) {
	for _, s := range []string{"PT228H56M33S", "PT1M9S", "PT0S", "P1DT2H", "P2W", "PT0.5S", "-PT5M", "PT", "P1Y", "PT1,5S", "PT99999999999999999999H", "PT1.S", "PT.5S"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseISODuration(s)
		if err != nil {
			if !errors.Is(err, ErrBadDuration) {
				t.Fatalf("error %v is not ErrBadDuration", err)
			}
			return
		}
		if !strings.Contains(s, "P") {
			t.Fatalf("accepted %q without P", s)
		}
		back, err := ParseISODuration(FormatISODuration(d))
		if err != nil || back != d {
			t.Fatalf("%q → %v → %q → %v, %v", s, d, FormatISODuration(d), back, err)
		}
	})
}

func FuzzRegionFromNpID(f *testing.F) {
	f.Add("VmF1bHRUZWMtQ29AYjcudXM=", "name", "us")
	f.Add("", "", "")
	f.Add("!!!", "a.b", "JP")
	f.Add("bmFtZUBjNi5qcA", "x@y", "q")
	f.Fuzz(func(t *testing.T, npID, name, cc string) {
		region, err := RegionFromNpID(npID)
		if err != nil {
			if !errors.Is(err, ErrNoRegion) {
				t.Fatalf("error %v is not ErrNoRegion", err)
			}
		} else if len(region) != 2 || strings.ToUpper(region) != region || !utf8.ValidString(region) {
			t.Fatalf("region %q from %q", region, npID)
		}
		// A well-formed npId always yields its country.
		if len(cc) == 2 && isASCIILetter(cc[0]) && isASCIILetter(cc[1]) && !strings.ContainsAny(name, "@") {
			enc := base64.StdEncoding.EncodeToString([]byte(name + "@c6." + cc))
			if got, err := RegionFromNpID(enc); err != nil || got != strings.ToUpper(cc) {
				t.Fatalf("RegionFromNpID(%q@c6.%q) = %q, %v", name, cc, got, err)
			}
		}
	})
}

// FuzzPaginate drives the page walker with arbitrary nextOffset and total
// sequences: it must end, never fetch an offset twice, and report loops.
func FuzzPaginate(f *testing.F) {
	f.Add([]byte{2, 2, 2, 4, 3, 0})
	f.Add([]byte{1, 0, 1})
	f.Add([]byte{0, 5, 9})
	f.Add([]byte{3, 3, 3, 3, 3, 3, 3, 3, 3})
	f.Fuzz(func(t *testing.T, script []byte) {
		// Each page reads three bytes: items, next (0: none), total.
		fetches := map[int]bool{}
		step := 0
		fetch := func(_ context.Context, offset int) ([]byte, Page, error) {
			if fetches[offset] {
				t.Fatalf("offset %d fetched twice", offset)
			}
			fetches[offset] = true
			if 3*step+2 >= len(script) {
				return nil, Page{}, nil
			}
			items, next, total := int(script[3*step]), int(script[3*step+1]), int(script[3*step+2])
			step++
			p := Page{TotalItemCount: total}
			if next != 0 {
				n := offset + next - 128 // may go backwards
				p.NextOffset = &n
			}
			return make([]byte, items), p, nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n := 0
		for _, err := range paginate(ctx, "x", 0, fetch) {
			if err != nil && !errors.Is(err, ErrPageLoop) {
				t.Fatalf("err = %v", err)
			}
			if n++; n > 255*len(script)+1 {
				t.Fatal("walker does not end")
			}
		}
		if step > len(script)/3+1 {
			t.Fatalf("%d fetches for %d scripted pages", step, len(script)/3)
		}
	})
}

// fuzzSameAgain requires a decoded result to encode back to the JSON it
// was decoded from (key order and number spelling aside), with
// encoding/json and with the v2 API.
func fuzzSameAgain(t *testing.T, body []byte, v any) {
	t.Helper()
	v1, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	if ok, diff := sameJSON(body, v1); !ok {
		t.Fatalf("round trip through %T changed the JSON: %s\nin:  %s\nout: %s", v, diff, body, v1)
	}
	// A plain []T that decoded from null is nil, which v2 writes as []
	// unless told otherwise; results themselves remember a null.
	v2, err := jsonv2.Marshal(v, jsonv2.FormatNilSliceAsNull(true))
	if err != nil {
		t.Fatalf("json/v2: %v", err)
	}
	if ok, diff := sameJSON(body, v2); !ok {
		t.Fatalf("v2 round trip through %T changed the JSON: %s\nin:  %s\nout: %s", v, diff, body, v2)
	}
}

// roundTripTypes are the result types FuzzRoundTrip decodes into, picked
// by the input's first byte.
var roundTripTypes = []func() any{
	func() any { return new(TrophySummary) }, func() any { return new(TrophyTitlesPage) }, func() any { return new(Trophy) },
	func() any { return new(TitleTrophiesPage) }, func() any { return new(UserTrophiesPage) }, func() any { return new(TitleTrophyGroups) },
	func() any { return new(UserTrophyGroups) }, func() any { return new(TitleTrophyTitles) }, func() any { return new(Profile) },
	func() any { return new(LegacyProfile) }, func() any { return new(FriendsPage) }, func() any { return new(BasicPresence) },
	func() any { return new(AccountDevices) }, func() any { return new(PlayedTitlesPage) }, func() any { return new(EntitlementsPage) },
	func() any { return new(Concept) }, func() any { return new(ContextSearchResult) }, func() any { return new(SearchDomainResult) },
	func() any { return new(GroupDetails) }, func() any { return new(Conversation) }, func() any { return new(RecentlyPlayedGame) },
	func() any { return new(PurchasedGame) }, func() any { return new(UniversalSearchResponse) }, func() any { return new([]Concept) },
	func() any { return new([]BasicPresence) }, func() any { return new(FriendRequestsPage) }, func() any { return new(GroupsPage) },
}

// FuzzRoundTrip decodes arbitrary JSON into one of the result types (the
// first byte picks it); whatever decodes must encode back to the same JSON:
// unnamed members, zero values, nulls and texts included.
func FuzzRoundTrip(f *testing.F) {
	for i, s := range []string{
		`{"trophyTitles":[{"npCommunicationId":"NPWR1_00","hiddenFlag":false,"progress":0,"x":{"y":[1,null]}}],"nextOffset":null,"totalItemCount":0}`,
		`{"trophyId":1,"earned":false,"trophyRare":0,"earnedDateTime":"2024-01-02T03:04:05+01:00","new":[{}]}`,
		`{"titles":[{"playDuration":"PT0S","concept":{"media":null}}],"previousOffset":3}`,
		`{"trophyTitles":[null],"trophyTitles":[{}]}`,
		`{"definedTrophies":{"bronze":1},"definedTrophies":{"silver":2}}`,
		`null`, `{}`, `{"\u0074rophyId":5}`,
	} {
		f.Add(append([]byte{byte(i)}, s...))
	}
	for _, name := range []string{"test_user__trophy_titles", "test_client__get_presences", "test_game_title__get_title_details", "test_group__get_group_information"} {
		for _, in := range dataInteractions(f, name) {
			if in.Response.Status.Code == 200 {
				b := []byte(in.Response.Body.String)
				f.Add(append([]byte{byte(len(b))}, b[:min(len(b), maxSeed)]...))
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		v := roundTripTypes[int(in[0])%len(roundTripTypes)]()
		body := in[1:]
		if err := decodeLikeClient(body, v); err != nil {
			if !errors.Is(err, ErrUnexpectedResponse) {
				t.Fatalf("decode error %v is not ErrUnexpectedResponse", err)
			}
			return
		}
		fuzzSameAgain(t, body, v)
	})
}

// decodeJSON decodes a 2xx body into out the way the package's calls do.
func decodeJSON(resp *http.Response, data []byte, out any) error {
	return decodeJSONWith(resp, data, out, decodeV2)
}
