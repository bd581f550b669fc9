package psn

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// recordedBody returns the largest 2xx body of a recording whose URI holds
// part.
func recordedBody(b *testing.B, name, part string) []byte {
	var best string
	for _, in := range dataInteractions(b, name) {
		if strings.Contains(in.Request.URI, part) && in.Response.Status.Code == 200 && len(in.Response.Body.String) > len(best) {
			best = in.Response.Body.String
		}
	}
	if best == "" {
		b.Fatalf("%s: no body for %s", name, part)
	}
	return []byte(best)
}

func benchDecode[T any](b *testing.B, body []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var out T
		if err := decodeLikeClient(body, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeContextSearch decodes the largest recorded payload: a
// GraphQL game search (about 86 KB).
func BenchmarkDecodeContextSearch(b *testing.B) {
	benchDecode[struct {
		Data struct {
			UniversalContextSearch ContextSearchResult `json:"universalContextSearch"`
		} `json:"data"`
	}](b, recordedBody(b, "test_search__get_game_content_id", "graphql"))
}

// BenchmarkDecodePlayedTitlesPage decodes a recorded gamelist page of 10
// titles with concepts and media (about 54 KB).
func BenchmarkDecodePlayedTitlesPage(b *testing.B) {
	benchDecode[PlayedTitlesPage](b, recordedBody(b, "test_user__title_stats_with_jump", "gamelist"))
}

// BenchmarkDecodeTrophyTitlesPage decodes a recorded trophyTitles page of
// 50 titles (about 35 KB).
func BenchmarkDecodeTrophyTitlesPage(b *testing.B) {
	benchDecode[TrophyTitlesPage](b, recordedBody(b, "test_user__trophy_titles_pagination_test", "trophyTitles"))
}

// BenchmarkDecodeConcepts decodes a recorded catalog answer (about 24 KB).
func BenchmarkDecodeConcepts(b *testing.B) {
	benchDecode[[]Concept](b, recordedBody(b, "test_game_title__get_title_details", "catalog"))
}

// BenchmarkTitlesCall is one Trophies.Titles call of 50 titles through a
// local server: the client's whole per-call cost (request, token, limiter
// off, body read, decode).
func BenchmarkTitlesCall(b *testing.B) {
	body := recordedBody(b, "test_user__trophy_titles_pagination_test", "trophyTitles")
	c, _ := funcServer(b, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, string(body)) })
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := c.Trophies.Titles(ctx, "me", &TitlesOptions{ListOptions: ListOptions{Limit: 50}}); err != nil {
			b.Fatal(err)
		}
	}
}
