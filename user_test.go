package psn

import (
	"context"
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
