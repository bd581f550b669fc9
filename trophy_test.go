package psn

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTrophySummaryRecorded(t *testing.T) {
	in := interaction(t, "test_user__trophy_summary", 1)
	c, srv := replayClient(t, in)
	got, err := c.Trophies.Summary(context.Background(), "8520698476712646544")
	if err != nil {
		t.Fatal(err)
	}
	assertSameRequest(t, srv.requests()[0], in)
	if got.AccountID != "8520698476712646544" || got.TrophyLevel == 0 || got.Tier != TierForLevel(got.TrophyLevel) {
		t.Errorf("summary = %+v", got)
	}
}

func TestTierForLevel(t *testing.T) {
	for level, want := range map[int]int{0: 1, 1: 1, 99: 1, 100: 2, 199: 2, 299: 3, 300: 4, 599: 6, 600: 7, 799: 8, 800: 9, 998: 9, 999: 10, 1200: 10} {
		if got := TierForLevel(level); got != want {
			t.Errorf("TierForLevel(%d) = %d, want %d", level, got, want)
		}
	}
}

func TestSummaryComputesMissingTier(t *testing.T) {
	in := interaction(t, "test_user__trophy_summary", 1)
	in.Response.Body.String = `{"accountId":"1","trophyLevel":432,"progress":5,"earnedTrophies":{"bronze":1,"silver":0,"gold":0,"platinum":0}}`
	c, _ := replayClient(t, in)
	got, err := c.Trophies.Summary(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Tier != 5 {
		t.Errorf("tier = %d, want 5 for level 432", got.Tier)
	}
}

func TestTrophyTitlesRecorded(t *testing.T) {
	in := interaction(t, "test_user__trophy_titles", 1)
	c, srv := replayClient(t, in)
	page, err := c.Trophies.Titles(context.Background(), "6515971742264256071", &TitlesOptions{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	assertSameRequest(t, srv.requests()[0], in)
	if len(page.TrophyTitles) != 50 || page.NextOffset == nil || *page.NextOffset != 50 || page.TotalItemCount == 0 {
		t.Fatalf("page: %d titles, next %v, total %d", len(page.TrophyTitles), page.NextOffset, page.TotalItemCount)
	}
	first := page.TrophyTitles[0]
	if first.NpCommunicationID != "NPWR29738_00" || first.ServiceName() != "trophy2" || first.LastUpdatedDateTime.IsZero() {
		t.Errorf("first title = %+v", first)
	}
	if want := time.Date(2025, 3, 17, 12, 47, 47, 0, time.UTC); !first.LastUpdatedDateTime.Equal(want) {
		t.Errorf("lastUpdatedDateTime = %v, want %v", first.LastUpdatedDateTime, want)
	}
}

func TestTitlesAllWalksRecordedPages(t *testing.T) {
	name := "test_user__trophy_titles_pagination_test"
	script := dataInteractions(t, name)[1:] // [0] is the profile lookup
	c, srv := replayClient(t, script...)
	n := 0
	for title, err := range c.Trophies.TitlesAll(context.Background(), "93330175277685226", &TitlesOptions{Limit: 50}) {
		if err != nil {
			t.Fatalf("after %d titles: %v", n, err)
		}
		if title.NpCommunicationID == "" {
			t.Fatalf("title %d has no npCommunicationId", n)
		}
		n++
	}
	reqs := srv.requests()
	if len(reqs) != len(script) {
		t.Fatalf("made %d requests, want %d", len(reqs), len(script))
	}
	for i, r := range reqs {
		assertSameRequest(t, r, script[i])
	}
	if n < 2050 {
		t.Errorf("yielded %d titles", n)
	}
}

func TestTitlesAllStopsWhenConsumerBreaks(t *testing.T) {
	name := "test_user__trophy_titles_pagination_test"
	c, srv := replayClient(t, dataInteractions(t, name)[1:4]...)
	n := 0
	for _, err := range c.Trophies.TitlesAll(context.Background(), "93330175277685226", &TitlesOptions{Limit: 50}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 60 {
			break
		}
	}
	if got := len(srv.requests()); got != 2 {
		t.Errorf("requests after break at item 60 = %d, want 2", got)
	}
}

func TestTitlesAllDefaultPageSize(t *testing.T) {
	in := interaction(t, "test_client__trophy_titles", 0)
	c, srv := replayClient(t, in)
	for _, err := range c.Trophies.TitlesAll(context.Background(), "me", nil) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.requests()[0].Query.Get("limit"); got != "800" {
		t.Errorf("limit = %s, want 800", got)
	}
}

func TestEmptyAccountIDSendsNothing(t *testing.T) {
	c, srv := replayClient(t)
	if _, err := c.Trophies.Summary(context.Background(), ""); !errors.Is(err, ErrInvalidID) {
		t.Errorf("Summary(\"\") err = %v, want ErrInvalidID", err)
	}
	if _, err := c.Trophies.Titles(context.Background(), " ", nil); !errors.Is(err, ErrInvalidID) {
		t.Errorf("Titles(\" \") err = %v, want ErrInvalidID", err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
