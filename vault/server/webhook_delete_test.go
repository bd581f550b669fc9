package server

import (
	"context"
	"errors"
	"testing"

	"github.com/psnkit/psn/store/sqlite"
)

// racedDelete is a SQLite store whose Delete first lets another replica
// run a delivery pass (its poll coming due between the outbox write and
// the delete), then deletes, or fails without deleting when fail is set.
type racedDelete struct {
	*sqlite.Store
	other *Service
	fail  bool
}

func (d racedDelete) Delete(ctx context.Context, name string) error {
	if _, err := d.other.DeliverEvents(ctx); err != nil {
		return err
	}
	if d.fail {
		return errors.New("test: the delete failed")
	}
	return d.Store.Delete(ctx, name)
}

// TestWebhookDeletedNotSentBeforeTheDelete: another replica's delivery
// pass that runs while a delete is under way sends no account_deleted:
// not for a delete that then fails (it is withdrawn), nor before one that
// then succeeds (it is sent after, once, promptly).
func TestWebhookDeletedNotSentBeforeTheDelete(t *testing.T) {
	rcv := newReceiver(t)
	o := hooked(envOptions{}, rcv.srv.URL)
	e := newSvcEnv(t, o)
	e.add("alice", 0, false)
	deliverAll(t, e.svc)
	deleted := func() (n int) {
		for _, h := range rcv.all() {
			if h.event == EventAccountDeleted {
				n++
			}
		}
		return n
	}

	failing := e.newService(racedDelete{e.st.(*sqlite.Store), e.svc, true}, e.keys, o)
	if err := failing.DeleteAccount(t.Context(), "alice"); err == nil {
		t.Fatal("DeleteAccount succeeded on a store whose Delete fails")
	}
	deliverAll(t, e.svc)
	if n := deleted(); n != 0 {
		t.Fatalf("account_deleted sent %d times for a delete that failed", n)
	}

	ok := e.newService(racedDelete{e.st.(*sqlite.Store), e.svc, false}, e.keys, o)
	if err := ok.DeleteAccount(t.Context(), "alice"); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, e.svc) // no clock advance: sent at once after the delete
	if n := deleted(); n != 1 {
		t.Fatalf("account_deleted sent %d times for one delete, want 1", n)
	}
}
