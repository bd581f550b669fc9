package psn

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

func TestUnixMilliRoundTrip(t *testing.T) {
	var v struct {
		At UnixMilli `json:"at"`
	}
	if err := json.Unmarshal([]byte(`{"at":"1747367044076"}`), &v); err != nil {
		t.Fatal(err)
	}
	if want := time.UnixMilli(1747367044076); !v.At.Equal(want) {
		t.Errorf("decoded %v, want %v", v.At, want)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"at":"1747367044076"}` {
		t.Errorf("marshalled %s", out)
	}
	if err := json.Unmarshal([]byte(`{"at":"yesterday"}`), &v); err == nil {
		t.Error("bad timestamp accepted")
	}
	if err := json.Unmarshal([]byte(`{"at":null}`), &v); err != nil || !v.At.IsZero() {
		t.Errorf("null: %v %v", v.At, err)
	}
}

func TestGroupDetailsRecorded(t *testing.T) {
	in := interaction(t, "test_group__get_group_information", 1)
	c, _ := replayClient(t, in)
	g, err := c.Groups.Get(context.Background(), "~1CACE0CDC2C96B5B.25C4C5406FD6D50E")
	if err != nil {
		t.Fatal(err)
	}
	if g.MainThread.LatestMessage == nil || g.MainThread.LatestMessage.Body != "Hello World!" || g.JoinedTimestamp.IsZero() || len(g.Members) != 2 {
		t.Errorf("group = %+v", g)
	}
}

func TestListAllStopsAtAShortPage(t *testing.T) {
	// The groups list always names a nextOffset, even on its last page.
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("offset") {
		case "0":
			writeJSON(w, 200, `{"groups":[{"groupId":"a","groupType":1,"members":[]},{"groupId":"b","groupType":0,"members":[]}],"previousOffset":0,"nextOffset":2}`)
		default:
			writeJSON(w, 200, `{"groups":[{"groupId":"c","groupType":1,"members":[]}],"previousOffset":0,"nextOffset":3}`)
		}
	})
	var ids []string
	for g, err := range c.Groups.ListAll(context.Background(), &GroupsOptions{ListOptions: ListOptions{Limit: 2}}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, g.GroupID)
	}
	if len(ids) != 3 || len(srv.requests()) != 2 {
		t.Errorf("groups %v after %d requests", ids, len(srv.requests()))
	}
	if q := srv.requests()[0].Query; q.Get("includeFields") != "members" || q.Get("limit") != "2" {
		t.Errorf("query %v", q)
	}
}

func TestGroupWritesAreNotRetried(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) }, WithRetry(RetryPolicy{MaxAttempts: 4}))
	if _, err := c.Groups.Send(context.Background(), "g", "hi"); err == nil {
		t.Fatal("no error")
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("a message was sent %d times", n)
	}
}

func TestMessagesLimitFromOptions(t *testing.T) {
	c, srv := funcServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"messages":[],"previous":"","next":"","reachedEndOfPage":true,"messageCount":0}`)
	})
	ctx := context.Background()
	if _, err := c.Groups.Messages(ctx, "g1", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Groups.Messages(ctx, "g1", &MessagesOptions{ListOptions: ListOptions{Limit: 5, Offset: 7}}); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if got := reqs[0].Query.Get("limit"); got != "20" {
		t.Errorf("nil options: limit=%q, want 20", got)
	}
	if got := reqs[1].Query.Get("limit"); got != "5" {
		t.Errorf("Limit 5: limit=%q, want 5", got)
	}
	if reqs[1].Query.Has("offset") {
		t.Errorf("offset sent: %v", reqs[1].Query)
	}
}
