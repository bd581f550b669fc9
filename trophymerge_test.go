package psn_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
)

// simAPI logs the simulator's first user in and returns a data client.
func simAPI(t *testing.T, seed int64) (*psntest.Server, *psn.Client) {
	t.Helper()
	srv, c, tok := login(t, psntest.Config{Seed: seed})
	return srv, c.WithTokenSource(psn.NewRefreshingSource(c, psn.NewMemoryTokenStore(tok, "")))
}

func countTrophies(c psn.TrophyCounts) int { return c.Bronze + c.Silver + c.Gold + c.Platinum }

func TestTitleTrophiesWithEarnedAgainstSim(t *testing.T) {
	srv, api := simAPI(t, 1)
	ctx := context.Background()
	own := map[string]psn.TrophyTitle{}
	for tt, err := range api.Trophies.TitlesAll(ctx, "me", nil) {
		if err != nil {
			t.Fatal(err)
		}
		own[tt.NpCommunicationID] = tt
	}
	var played psn.TrophyTitle
	for _, tt := range own {
		if countTrophies(tt.EarnedTrophies) > 0 && countTrophies(tt.EarnedTrophies) < countTrophies(tt.DefinedTrophies) {
			played = tt
			break
		}
	}
	if played.NpCommunicationID == "" {
		t.Fatal("the simulator's user has no partly earned title")
	}
	got, err := api.Trophies.TitleTrophiesWithEarned(ctx, "me", played.NpCommunicationID, psn.TrophyGroupAll, &psn.TrophiesOptions{Platform: played.TrophyTitlePlatform})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != countTrophies(played.DefinedTrophies) {
		t.Fatalf("%d merged trophies, the title defines %d", len(got), countTrophies(played.DefinedTrophies))
	}
	earned := 0
	for _, m := range got {
		if !m.HasEarnedState || m.TrophyName == "" || m.TrophyType == "" {
			t.Fatalf("trophy %d: earned state %v, name %q, type %q: want both halves", m.TrophyID, m.HasEarnedState, m.TrophyName, m.TrophyType)
		}
		if m.Earned {
			earned++
		}
	}
	if earned != countTrophies(played.EarnedTrophies) {
		t.Errorf("%d earned in the merge, the title says %d", earned, countTrophies(played.EarnedTrophies))
	}
	// The JSON is the Trophy's: definition and earned state together,
	// "earned": false kept, HasEarnedState not in it.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"trophyName":`, `"earned":false`, `"earned":true`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	if strings.Contains(string(b), "HasEarnedState") {
		t.Error("JSON holds HasEarnedState")
	}

	// A title the account never played: the definitions, no earned state.
	var other string
	for _, u := range srv.Sim.Users()[1:] {
		for tt, err := range api.Trophies.TitlesAll(ctx, u.AccountID, nil) {
			if err != nil {
				t.Fatal(err)
			}
			if _, mine := own[tt.NpCommunicationID]; !mine {
				other = tt.NpCommunicationID
				break
			}
		}
		if other != "" {
			break
		}
	}
	if other == "" {
		t.Fatal("no title only another user played")
	}
	defs, err := api.Trophies.TitleTrophiesWithEarned(ctx, "me", other, psn.TrophyGroupAll, nil)
	if err != nil {
		t.Fatalf("unplayed title: %v", err)
	}
	if len(defs) == 0 {
		t.Fatal("unplayed title: no definitions")
	}
	for _, m := range defs {
		if m.HasEarnedState || m.Earned || m.TrophyName == "" {
			t.Fatalf("unplayed title, trophy %d: %+v", m.TrophyID, m)
		}
	}

	// Bad ids fail before any request.
	if _, err := api.Trophies.TitleTrophiesWithEarned(ctx, "", other, "", nil); !errors.Is(err, psn.ErrInvalidID) {
		t.Errorf("empty account: %v, want ErrInvalidID", err)
	}
	if _, err := api.Trophies.TitleTrophiesWithEarned(ctx, "me", " ", "", nil); !errors.Is(err, psn.ErrInvalidID) {
		t.Errorf("empty title: %v, want ErrInvalidID", err)
	}
}

func TestMergeTrophiesOrderAndInputs(t *testing.T) {
	defs := []psn.Trophy{
		{TrophyID: 0, TrophyType: "platinum", TrophyName: "All", TrophyGroupID: "default"},
		{TrophyID: 1, TrophyType: "bronze", TrophyName: "One", TrophyGroupID: "default"},
		{TrophyID: 2, TrophyType: "gold", TrophyName: "Two", TrophyGroupID: "001"},
	}
	earned := []psn.Trophy{
		{TrophyID: 2, TrophyType: "gold", Earned: true, TrophyEarnedRate: "3.1"},
		{TrophyID: 0, TrophyType: "platinum", TrophyName: "Name from the earned answer"},
		{TrophyID: 9, TrophyType: "silver", Earned: true},
	}
	got := psn.MergeTrophies(defs, earned)
	type row struct {
		id     int
		name   string
		group  string
		earned bool
		state  bool
	}
	want := []row{
		{0, "Name from the earned answer", "default", false, true},
		{1, "One", "default", false, false},
		{2, "Two", "001", true, true},
		{9, "", "", true, true},
	}
	if len(got) != len(want) {
		t.Fatalf("%d merged, want %d", len(got), len(want))
	}
	for i, w := range want {
		m := got[i]
		if g := (row{m.TrophyID, m.TrophyName, m.TrophyGroupID, m.Earned, m.HasEarnedState}); g != w {
			t.Errorf("merged[%d] = %+v, want %+v", i, g, w)
		}
	}
	if got[2].TrophyEarnedRate != "3.1" {
		t.Errorf("earned state lost: rate %q", got[2].TrophyEarnedRate)
	}
	if earned[0].TrophyName != "" || earned[0].TrophyGroupID != "" {
		t.Error("MergeTrophies changed its input")
	}
	if n := len(psn.MergeTrophies(nil, nil)); n != 0 {
		t.Errorf("empty merge has %d items", n)
	}
}

func TestResolveAccountIDAgainstSim(t *testing.T) {
	srv, api := simAPI(t, 2)
	ctx := context.Background()
	users := srv.Sim.Users()
	for who, want := range map[string]string{
		"me":                 users[0].AccountID,
		users[1].OnlineID:    users[1].AccountID,
		users[2].AccountID:   users[2].AccountID,
		"123456789012345678": "123456789012345678", // an id is taken as it is
	} {
		got, err := api.Users.ResolveAccountID(ctx, who)
		if err != nil || got != want {
			t.Errorf("ResolveAccountID(%q) = %q, %v; want %q", who, got, err, want)
		}
	}
	if _, err := api.Users.ResolveAccountID(ctx, "NoSuchPlayer42"); !errors.Is(err, psn.ErrNotFound) {
		t.Errorf("unknown online id: %v, want ErrNotFound", err)
	}
	if _, err := api.Users.ResolveAccountID(ctx, "  "); !errors.Is(err, psn.ErrInvalidID) {
		t.Errorf("blank: %v, want ErrInvalidID", err)
	}
}
