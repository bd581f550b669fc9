package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// OutboxEvent is one message waiting in a store's outbox (see Outbox): a
// webhook delivery, say. Its Payload is sent as it is; a store never looks
// inside it. Nothing secret belongs in it.
type OutboxEvent struct {
	// ID names the row; it is unique among the rows not yet pruned, so an
	// Enqueue of an ID already present (pending, delivered or given up)
	// adds nothing. Callers derive it from what happened, so that raising
	// the same event twice (two replicas, a retry after a crash) is one row.
	ID string
	// Kind is the event's name ("login_required"), for logs and metrics.
	Kind string
	// Target is where the row goes (a webhook URL).
	Target string
	// Payload is the body to send.
	Payload []byte
	// Attempts counts failed delivery attempts (RetryEvent).
	Attempts int
	// NextAttempt is when the row is due (the caller's clock, like
	// ClaimDue's due instant); zero is due at once.
	NextAttempt time.Time
	// LastError is why the last attempt failed (never a secret).
	LastError string
	// CreatedAt is set by the store on Enqueue.
	CreatedAt time.Time
	// DoneAt is when the row was finished (FinishEvent); zero while it
	// is pending.
	DoneAt time.Time
	// LeaseOwner and LeaseExpiry describe the claim on a pending row, judged
	// by the store's clock like the records' leases.
	LeaseOwner  string
	LeaseExpiry time.Time
}

// Outbox is implemented by stores that keep an outbox beside the records:
// events that must reach someone at least once, across restarts, sent by
// one process at a time. Every backend of psnkit implements it (detect it
// with a type assertion, like Pager).
//
// A row is pending until FinishEvent; then it stays, finished, until
// PruneEvents removes it, so that its ID keeps deduplicating Enqueue.
type Outbox interface {
	// Enqueue adds ev as a pending row (ID, Kind, Target, Payload,
	// NextAttempt; Attempts 0, no lease; the store sets CreatedAt) unless
	// a row with ev.ID exists; added reports whether it was added.
	Enqueue(ctx context.Context, ev OutboxEvent) (added bool, err error)
	// ClaimEvents leases, atomically, up to limit pending rows whose
	// NextAttempt is not after due and whose lease is absent or expired by
	// the store's clock, oldest NextAttempt first. Claimed rows get
	// LeaseOwner=owner and LeaseExpiry=the store's now+leaseTTL.
	ClaimEvents(ctx context.Context, due time.Time, limit int, owner string, leaseTTL time.Duration) ([]OutboxEvent, error)
	// RetryEvent records a failed attempt of the row owner holds: Attempts
	// grows by one, NextAttempt becomes next, LastError lastError, and the
	// lease is dropped. ErrLeaseLost when owner does not hold the row's
	// lease (it lapsed and was claimed again, or the row is finished);
	// ErrNotFound when there is no such row.
	RetryEvent(ctx context.Context, id, owner string, next time.Time, lastError string) error
	// ReleaseEvent hands back a row owner holds without an attempt (it
	// was not sent: the sender is stopping, or an earlier row to the same
	// target just failed): NextAttempt becomes next and the lease is
	// dropped; Attempts and LastError do not change. Errors as RetryEvent.
	ReleaseEvent(ctx context.Context, id, owner string, next time.Time) error
	// FinishEvent ends the row: delivered (lastError empty) or given up
	// (lastError says why). DoneAt becomes the store's now and the lease
	// is dropped; the row is never claimed again. Finishing a finished row
	// changes nothing. ErrNotFound when there is no such row.
	FinishEvent(ctx context.Context, id, lastError string) error
	// PruneEvents removes the finished rows whose DoneAt is before before
	// and returns how many.
	PruneEvents(ctx context.Context, before time.Time) (int, error)
	// PendingEvents counts the pending rows (the outbox's depth).
	PendingEvents(ctx context.Context) (int, error)
	// GetEvent returns one row, pending or finished, or ErrNotFound.
	GetEvent(ctx context.Context, id string) (OutboxEvent, error)
}

// MaxEventPayload is the largest Payload an outbox row holds.
const MaxEventPayload = 64 << 10

// ErrBadEvent: an OutboxEvent Enqueue cannot store (no ID or Target, a
// payload over MaxEventPayload).
var ErrBadEvent = errors.New("store: bad outbox event")

// CheckEvent returns an error wrapping ErrBadEvent when ev cannot be
// enqueued.
func CheckEvent(ev OutboxEvent) error {
	switch {
	case ev.ID == "" || len(ev.ID) > 200:
		return fmt.Errorf("%w: the ID must be 1..200 bytes", ErrBadEvent)
	case ev.Target == "":
		return fmt.Errorf("%w: no target", ErrBadEvent)
	case len(ev.Payload) > MaxEventPayload:
		return fmt.Errorf("%w: payload of %d bytes is over %d", ErrBadEvent, len(ev.Payload), MaxEventPayload)
	}
	return nil
}
