package psn

// Fuzz targets for every parser of PSN's data answers: truncated, wrongly
// typed or hostile input must give an error (ErrUnexpectedResponse on the
// client's decode path), never a panic or a hang.

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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
