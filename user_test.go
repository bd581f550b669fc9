package psn

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestAccountIDRecorded(t *testing.T) {
	in := interaction(t, "test_client__account_id", 0)
	c, srv := replayClient(t, in)
	id, err := c.Users.AccountID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id != "2721516955383551246" {
		t.Errorf("AccountID = %q", id)
	}
	assertSameRequest(t, srv.requests()[0], in)
}

func TestAccountIDMissingIsAnError(t *testing.T) {
	c, _ := funcServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	if _, err := c.Users.AccountID(context.Background()); !errors.Is(err, ErrUnexpectedResponse) {
		t.Errorf("err = %v", err)
	}
}

func TestRegionFromNpID(t *testing.T) {
	for npID, want := range map[string]string{
		"VmF1bHRUZWMtQ29AYjcudXM=": "US", // recorded: VaultTec-Co@b7.us
		"bmFtZUBjNi5qcA==":         "JP", // name@c6.jp
		"bmFtZUBjNi5qcA":           "JP", // padding dropped
		"YS5iQGM2LmdiLmRl":         "DE", // a.b@c6.gb.de: the last dot wins
	} {
		got, err := RegionFromNpID(npID)
		if err != nil || got != want {
			t.Errorf("RegionFromNpID(%q) = %q, %v; want %q", npID, got, err, want)
		}
	}
	for _, bad := range []string{"", "!!!", "bmFtZQ==" /* name */, "bmFtZUBjNnVz" /* name@c6us */, "bmFtZUBjNi51c2E=" /* .usa */, "bmFtZS54eUBob3N0" /* name.xy@host */, "bmFtZUBjNi4xMg==" /* .12 */} {
		if got, err := RegionFromNpID(bad); !errors.Is(err, ErrNoRegion) {
			t.Errorf("RegionFromNpID(%q) = %q, %v; want ErrNoRegion", bad, got, err)
		}
	}
}

func TestRegionRecorded(t *testing.T) {
	in := interaction(t, "test_client__get_region", 2)
	c, srv := replayClient(t, in)
	got, err := c.Users.Region(context.Background(), "VaultTec-Co")
	if err != nil {
		t.Fatal(err)
	}
	if got != "US" {
		t.Errorf("region = %q", got)
	}
	assertSameRequest(t, srv.requests()[0], in)
}

func TestLookupFormerOnlineID(t *testing.T) {
	in := interaction(t, "test_user__prev_online_id", 0)
	c, _ := replayClient(t, in)
	p, err := c.Users.ProfileByOnlineID(context.Background(), "EvangelionKills", &LegacyProfileOptions{Fields: LookupFields})
	if err != nil {
		t.Fatal(err)
	}
	if p.AccountID != "6074310610488045645" || p.CurrentOnlineID != "kerksten" {
		t.Errorf("lookup = %+v", p)
	}
}

func TestResolveAccountIDFormerOnlineID(t *testing.T) {
	in := interaction(t, "test_user__prev_online_id", 0)
	c, srv := replayClient(t, in)
	id, err := c.Users.ResolveAccountID(context.Background(), "EvangelionKills")
	if err != nil {
		t.Fatal(err)
	}
	if id != "6074310610488045645" {
		t.Errorf("ResolveAccountID = %q", id)
	}
	assertSameRequest(t, srv.requests()[0], in)
}

func TestPresencesBatchRequest(t *testing.T) {
	in := interaction(t, "test_client__get_presences", 4)
	c, srv := replayClient(t, in)
	ids := []string{"5361973517281706660", "940512162723934331", "4273405838384737823"}
	got, err := c.Users.Presences(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	r := srv.requests()[0]
	if r.Path != "/api/userProfile/v2/internal/users/basicPresences" || r.Query.Get("accountIds") != strings.Join(ids, ",") {
		t.Errorf("request %s ?%v", r.Path, r.Query)
	}
	if len(got) != 3 || got[1].GameTitleInfoList[0].NpTitleID != "PPSA01649_00" || got[0].PrimaryPlatformInfo.LastOnlineDate.IsZero() {
		t.Errorf("presences = %+v", got)
	}
}

func TestFriendsAllWalksPages(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("offset") {
		case "":
			writeJSON(w, 200, `{"friends":["1","2"],"nextOffset":2,"previousOffset":0,"totalItemCount":3}`)
		case "2":
			writeJSON(w, 200, `{"friends":["3"],"previousOffset":0,"totalItemCount":3}`)
		default:
			writeJSON(w, 500, `{}`)
		}
	})
	var got []string
	for id, err := range c.Users.FriendsAll(context.Background(), "me", &FriendsOptions{ListOptions: ListOptions{Limit: 2}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if !slices.Equal(got, []string{"1", "2", "3"}) || len(srv.requests()) != 2 {
		t.Errorf("friends %v after %d requests", got, len(srv.requests()))
	}
	if l := srv.requests()[0].Query.Get("limit"); l != "2" {
		t.Errorf("limit = %s", l)
	}
}

func TestFriendsForbiddenRecorded(t *testing.T) {
	in := interaction(t, "test_user__get_friends_forbidden", 0)
	c, _ := replayClient(t, in)
	_, err := c.Users.Friends(context.Background(), "5007681186655854753", &FriendsOptions{ListOptions: ListOptions{Limit: 1000}})
	var api *APIError
	if !errors.Is(err, ErrForbidden) || !errors.As(err, &api) || api.Code == 0 || api.ReferenceID == "" {
		t.Errorf("err = %#v", err)
	}
}
