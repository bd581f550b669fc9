package vault

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/psntest"
	"github.com/psnkit/psn/seal"
	"github.com/psnkit/psn/store"
	"github.com/psnkit/psn/store/sqlite"
)

// newSQLite opens a store in a fresh file and returns it with the file's
// path.
func newSQLite(t *testing.T) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "psn.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func newKEK(t *testing.T) seal.KEKSource {
	t.Helper()
	var k [32]byte
	_, _ = rand.Read(k[:])
	return seal.KeyBase64(base64.StdEncoding.EncodeToString(k[:]))
}

func newKeys(t *testing.T, st store.Store) *Keys {
	t.Helper()
	k, err := LoadKeys(context.Background(), st, newKEK(t))
	if err != nil {
		t.Fatalf("LoadKeys: %v", err)
	}
	return k
}

// testToken returns a token whose secrets are long, distinct and easy to
// find in raw bytes; tag makes them differ between tokens.
func testToken(tag string, now time.Time) *psn.Token {
	return &psn.Token{
		AccessToken:   psn.Secret("ACCESS-" + tag + "-" + strings.Repeat("a", 40)),
		RefreshToken:  psn.Secret("REFRESH-" + tag + "-" + strings.Repeat("r", 40)),
		IDToken:       psn.Secret("IDTOKEN-" + tag + "-" + strings.Repeat("i", 40)),
		TokenType:     "bearer",
		Scope:         "psn:mobile.v2.core psn:clientapp",
		IssuedAt:      now.Truncate(time.Microsecond),
		Expiry:        now.Add(time.Hour).Truncate(time.Microsecond),
		RefreshExpiry: now.Add(60 * 24 * time.Hour).Truncate(time.Microsecond),
	}
}

const testNPSSO = psn.Secret("NPSSO-secret-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN")

func sameToken(t *testing.T, got, want *psn.Token) {
	t.Helper()
	if got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken || got.IDToken != want.IDToken {
		t.Error("secrets differ after the round trip")
	}
	if got.TokenType != want.TokenType || got.Scope != want.Scope {
		t.Errorf("type/scope = %q/%q, want %q/%q", got.TokenType, got.Scope, want.TokenType, want.Scope)
	}
	if !got.IssuedAt.Equal(want.IssuedAt) || !got.Expiry.Equal(want.Expiry) || !got.RefreshExpiry.Equal(want.RefreshExpiry) {
		t.Errorf("instants = %v/%v/%v, want %v/%v/%v", got.IssuedAt, got.Expiry, got.RefreshExpiry, want.IssuedAt, want.Expiry, want.RefreshExpiry)
	}
}

// rawFiles returns the bytes of the SQLite file and its WAL/SHM companions.
func rawFiles(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestAccountStoreRoundTripNeverStoresPlaintext(t *testing.T) {
	ctx := context.Background()
	st, path := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "alice", "owner-1")

	if _, err := a.Load(ctx); !errors.Is(err, psn.ErrNoToken) {
		t.Fatalf("Load of a missing account = %v, want psn.ErrNoToken", err)
	}
	tok := testToken("one", time.Now())
	v, err := a.Save(ctx, psn.TokenState{Token: tok, NPSSO: testNPSSO}, 0)
	if err != nil || v != 1 {
		t.Fatalf("Save(create) = %d, %v; want 1, nil", v, err)
	}
	got, err := a.Load(ctx)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Version != 1 || got.NPSSO != testNPSSO {
		t.Errorf("Load: version %d, NPSSO kept %v; want 1, the NPSSO", got.Version, got.NPSSO == testNPSSO)
	}
	sameToken(t, got.Token, tok)

	// A second token (no NPSSO this time) replaces the first.
	tok2 := testToken("two", time.Now())
	if v, err = a.Save(ctx, psn.TokenState{Token: tok2}, 1); err != nil || v != 2 {
		t.Fatalf("Save(update) = %d, %v; want 2, nil", v, err)
	}
	got, _ = a.Load(ctx)
	sameToken(t, got.Token, tok2)
	if got.NPSSO != "" {
		t.Error("NPSSO still stored after a save without one")
	}
	rec, _ := st.Get(ctx, "alice")
	if rec.KeyID != keys.Ring.Primary() || !rec.AccessExpiry.Equal(tok2.Expiry) || !rec.NextRefresh.Before(tok2.Expiry) {
		t.Errorf("record columns: key %08x expiry %v next %v", rec.KeyID, rec.AccessExpiry, rec.NextRefresh)
	}

	raw := rawFiles(t, path)
	if len(raw) == 0 {
		t.Fatal("no bytes in the SQLite files")
	}
	if !bytes.Contains(raw, []byte("alice")) {
		t.Fatal("the scan does not see the account name: it would not see secrets either")
	}
	for _, s := range []psn.Secret{tok.AccessToken, tok.RefreshToken, tok.IDToken, tok2.AccessToken, tok2.RefreshToken, tok2.IDToken, testNPSSO} {
		if bytes.Contains(raw, []byte(s.Reveal())) {
			t.Errorf("a plaintext secret (%.12s…) is in the SQLite files", s.Reveal())
		}
	}
}

func TestAccountStoreSealsBoundToAccountAndField(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	for _, name := range []string{"alice", "bob"} {
		if _, err := NewAccountStore(st, keys.Ring, name, "o").Save(ctx, psn.TokenState{Token: testToken(name, time.Now()), NPSSO: testNPSSO}, 0); err != nil {
			t.Fatal(err)
		}
	}
	alice, _ := st.Get(ctx, "alice")
	bob, _ := st.Get(ctx, "bob")
	// bob's refresh token moved into alice's record must not open.
	moved := alice
	moved.SealedRefresh = bob.SealedRefresh
	if _, _, err := OpenRecord(keys.Ring, moved); !errors.Is(err, seal.ErrTampered) {
		t.Errorf("another account's ciphertext: %v, want seal.ErrTampered", err)
	}
	// alice's NPSSO moved into her refresh-token field must not open.
	swapped := alice
	swapped.SealedRefresh = alice.SealedNPSSO
	if _, _, err := OpenRecord(keys.Ring, swapped); !errors.Is(err, seal.ErrTampered) {
		t.Errorf("another field's ciphertext: %v, want seal.ErrTampered", err)
	}
}

func TestAccountStoreCompareAndSwap(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	b := NewAccountStore(st, keys.Ring, "acct", "proc-b")
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Save(ctx, psn.TokenState{Token: testToken("again", time.Now())}, 0); !errors.Is(err, psn.ErrVersionConflict) {
		t.Errorf("creating an existing account = %v, want psn.ErrVersionConflict", err)
	}
	// Both read version 1; a wins, b's write is refused and discarded.
	sa, _ := a.Load(ctx)
	sb, _ := b.Load(ctx)
	winner := testToken("a", time.Now())
	if _, err := a.Save(ctx, psn.TokenState{Token: winner}, sa.Version); err != nil {
		t.Fatalf("a.Save: %v", err)
	}
	if _, err := b.Save(ctx, psn.TokenState{Token: testToken("b", time.Now())}, sb.Version); !errors.Is(err, psn.ErrVersionConflict) {
		t.Fatalf("b.Save on a stale version = %v, want psn.ErrVersionConflict", err)
	}
	got, _ := b.Load(ctx)
	if got.Version != 2 || got.Token.AccessToken != winner.AccessToken {
		t.Errorf("stored: version %d, winner's token %v; want 2, true", got.Version, got.Token.AccessToken == winner.AccessToken)
	}
	if _, err := b.Save(ctx, psn.TokenState{Token: testToken("b", time.Now())}, 7); !errors.Is(err, psn.ErrVersionConflict) {
		t.Errorf("Save on a version never stored = %v, want psn.ErrVersionConflict", err)
	}
}

func TestAccountStoreLease(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	b := NewAccountStore(st, keys.Ring, "acct", "proc-b")
	if _, err := a.Lease(ctx, time.Minute); !errors.Is(err, store.ErrNotFound) || !errors.Is(err, psn.ErrNoToken) {
		t.Errorf("Lease on a missing account = %v, want store.ErrNotFound and psn.ErrNoToken", err)
	}
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	release, err := a.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatalf("a.Lease: %v", err)
	}
	if _, err := b.Lease(ctx, time.Minute); !errors.Is(err, psn.ErrLeaseHeld) {
		t.Fatalf("b.Lease while a holds it = %v, want psn.ErrLeaseHeld", err)
	}
	held, _ := st.Get(ctx, "acct")
	// The version decides what is written, not the lease: b's write lands
	// (a login, say) and a's lease stays; a's save at the version it read
	// is then refused.
	if _, err := b.Save(ctx, psn.TokenState{Token: testToken("b", time.Now())}, 1); err != nil {
		t.Fatalf("b.Save at the stored version under a's lease: %v", err)
	}
	if rec, _ := st.Get(ctx, "acct"); rec.LeaseOwner != "proc-a" || rec.Fence != held.Fence {
		t.Errorf("after b's save the lease is %q fence %d, want a's (fence %d)", rec.LeaseOwner, rec.Fence, held.Fence)
	}
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("a", time.Now())}, 1); !errors.Is(err, psn.ErrVersionConflict) {
		t.Fatalf("a.Save at a replaced version = %v, want psn.ErrVersionConflict", err)
	}
	// a's save at the current version drops its lease in the same write.
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("a", time.Now())}, 2); err != nil {
		t.Fatalf("a.Save under its own lease: %v", err)
	}
	if rec, _ := st.Get(ctx, "acct"); rec.LeaseOwner != "" || rec.Version != 3 {
		t.Errorf("after a's save: lease %q, version %d; want no lease (save-and-release), version 3", rec.LeaseOwner, rec.Version)
	}
	release(ctx)
	rb, err := b.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatalf("b.Lease after a released = %v", err)
	}
	rb(ctx)
	if rec, _ := st.Get(ctx, "acct"); rec.LeaseOwner != "" {
		t.Errorf("after b's release the lease is %q", rec.LeaseOwner)
	}
}

// The holder renews its lease while it works: a lease much shorter than the
// work stays with it.
func TestAccountStoreLeaseIsRenewedWhileHeld(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	b := NewAccountStore(st, keys.Ring, "acct", "proc-b")
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	const ttl = 60 * time.Millisecond
	release, err := a.Lease(ctx, ttl)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := st.Get(ctx, "acct")
	// Wait until the store shows a renewal: an expiry later than the first.
	for {
		time.Sleep(ttl / 4)
		if rec, _ := st.Get(ctx, "acct"); rec.LeaseExpiry.After(first.LeaseExpiry) {
			break
		}
	}
	if _, err := b.Lease(ctx, time.Minute); !errors.Is(err, psn.ErrLeaseHeld) {
		t.Fatalf("b.Lease while a renews = %v, want psn.ErrLeaseHeld", err)
	}
	release(ctx)
	if _, err := b.Lease(ctx, time.Minute); err != nil {
		t.Fatalf("b.Lease after a released: %v", err)
	}
}

// A process whose lease lapsed while it waited on PSN (and was taken over)
// still saves the token PSN gave it when the stored refresh token is the
// one it spent: it is the only valid one. The new holder's own save from
// the same spent token is then refused.
func TestAccountStoreSaveAfterLeaseTakenOverKeepsTheSpentToken(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	a := NewAccountStore(st, keys.Ring, "acct", "proc-a")
	b := NewAccountStore(st, keys.Ring, "acct", "proc-b")
	if _, err := a.Save(ctx, psn.TokenState{Token: testToken("v1", time.Now())}, 0); err != nil {
		t.Fatal(err)
	}
	// a's grant, as a paused process leaves it: not renewed.
	if _, err := st.Claim(ctx, "acct", "proc-a", 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	releaseB, err := b.Lease(ctx, time.Minute)
	if err != nil {
		t.Fatalf("b taking over the lapsed lease: %v", err)
	}
	defer releaseB(ctx)
	lateA := testToken("late-a", time.Now())
	if _, err := a.Save(ctx, psn.TokenState{Token: lateA}, 1); err != nil {
		t.Fatalf("a.Save of the token it got for the stored refresh token: %v", err)
	}
	got, _ := a.Load(ctx)
	if got.Version != 2 || got.Token.AccessToken != lateA.AccessToken {
		t.Fatalf("a's token was not written (version %d)", got.Version)
	}
	if rec, _ := st.Get(ctx, "acct"); rec.LeaseOwner != "proc-b" {
		t.Errorf("a's save dropped b's lease (owner now %q)", rec.LeaseOwner)
	}
	if _, err := b.Save(ctx, psn.TokenState{Token: testToken("b", time.Now())}, 1); !errors.Is(err, psn.ErrVersionConflict) {
		t.Fatalf("b.Save from the spent version = %v, want psn.ErrVersionConflict", err)
	}
}

func TestLoadKeysCreatesOnceThenOpens(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	if _, err := st.GetMeta(ctx, RingMeta); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("fresh store has a ring: %v", err)
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	key := base64.StdEncoding.EncodeToString(raw[:])
	first, err := LoadKeys(ctx, st, seal.KeyBase64(key))
	if err != nil {
		t.Fatalf("first LoadKeys: %v", err)
	}
	blob, err := st.GetMeta(ctx, RingMeta)
	if err != nil || len(blob) == 0 {
		t.Fatalf("ring not stored on first use: %v", err)
	}
	if bytes.Contains(blob, raw[:]) {
		t.Error("the stored ring holds the KEK")
	}
	second, err := LoadKeys(ctx, st, seal.KeyBase64(key))
	if err != nil {
		t.Fatalf("second LoadKeys with the same KEK: %v", err)
	}
	if second.Ring.Primary() != first.Ring.Primary() || !slices.Equal(sorted(second.Ring.KeyIDs()), sorted(first.Ring.KeyIDs())) {
		t.Errorf("second load: primary %08x keys %v; first: %08x %v", second.Ring.Primary(), second.Ring.KeyIDs(), first.Ring.Primary(), first.Ring.KeyIDs())
	}
	ad := seal.AD{Purpose: Purpose, Account: "x", Field: FieldAccess}
	sealed, err := first.Ring.Seal(ad, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := second.Ring.Open(ad, sealed); err != nil || string(pt) != "hello" {
		t.Errorf("the reopened ring does not open what the first sealed: %v", err)
	}

	_, err = LoadKeys(ctx, st, newKEK(t))
	if !errors.Is(err, seal.ErrWrongKey) {
		t.Fatalf("LoadKeys with another KEK = %v, want seal.ErrWrongKey", err)
	}
	if after, _ := st.GetMeta(ctx, RingMeta); !bytes.Equal(after, blob) {
		t.Error("a wrong KEK changed the stored ring")
	}
}

func sorted(ids []uint32) []uint32 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

func keyOf(t *testing.T, st store.Store, account string) uint32 {
	t.Helper()
	rec, err := st.Get(context.Background(), account)
	if err != nil {
		t.Fatal(err)
	}
	ids := recordKeyIDs(rec)
	if len(ids) != 1 || ids[0] != rec.KeyID {
		t.Fatalf("%s: fields sealed with keys %x, record says %08x", account, ids, rec.KeyID)
	}
	return rec.KeyID
}

func TestRotateResealRetire(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	kek := newKEK(t)
	keys, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	old := keys.Ring.Primary()
	toks := map[string]*psn.Token{}
	for _, name := range []string{"a", "b", "c"} {
		toks[name] = testToken(name, time.Now())
		if _, err := NewAccountStore(st, keys.Ring, name, "o").Save(ctx, psn.TokenState{Token: toks[name], NPSSO: testNPSSO}, 0); err != nil {
			t.Fatal(err)
		}
	}

	newID, err := keys.Rotate(ctx)
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if newID == old || keys.Ring.Primary() != newID {
		t.Fatalf("Rotate: new %08x, primary %08x, old %08x", newID, keys.Ring.Primary(), old)
	}
	if other, err := LoadKeys(ctx, st, kek); err != nil || other.Ring.Primary() != newID {
		t.Fatalf("the rotated ring was not saved: %v", err)
	}
	// A new write seals with the new key; the others keep the old one.
	toks["a"] = testToken("a2", time.Now())
	if _, err := NewAccountStore(st, keys.Ring, "a", "o").Save(ctx, psn.TokenState{Token: toks["a"], NPSSO: testNPSSO}, 1); err != nil {
		t.Fatal(err)
	}
	if got := keyOf(t, st, "a"); got != newID {
		t.Errorf("a written after rotation with key %08x, want %08x", got, newID)
	}
	if got := keyOf(t, st, "b"); got != old {
		t.Errorf("b changed key without a write: %08x", got)
	}
	use, err := keys.Usage(ctx)
	if err != nil || use[old] != 2 || use[newID] != 1 {
		t.Errorf("Usage = %v, %v; want %08x:2 %08x:1", use, err, old, newID)
	}

	if err := keys.Retire(ctx, old); !errors.Is(err, ErrKeyInUse) {
		t.Fatalf("Retire of a key in use = %v, want ErrKeyInUse", err)
	}
	if !slices.Contains(keys.Ring.KeyIDs(), old) {
		t.Fatal("a refused Retire removed the key anyway")
	}

	n, err := keys.Reseal(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Reseal = %d, %v; want 2 records", n, err)
	}
	for name, tok := range toks {
		if got := keyOf(t, st, name); got != newID {
			t.Errorf("%s after Reseal uses key %08x, want %08x", name, got, newID)
		}
		got, err := NewAccountStore(st, keys.Ring, name, "o").Load(ctx)
		if err != nil {
			t.Fatalf("%s after Reseal: %v", name, err)
		}
		sameToken(t, got.Token, tok)
		if got.NPSSO != testNPSSO {
			t.Errorf("%s lost its NPSSO in Reseal", name)
		}
	}
	if n, err := keys.Reseal(ctx); err != nil || n != 0 {
		t.Errorf("second Reseal = %d, %v; want nothing to do", n, err)
	}

	if err := keys.Retire(ctx, old); err != nil {
		t.Fatalf("Retire after Reseal: %v", err)
	}
	reloaded, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	if ids := reloaded.Ring.KeyIDs(); !slices.Equal(ids, []uint32{newID}) {
		t.Errorf("stored ring after Retire holds %x, want only %08x", ids, newID)
	}
	if _, err := NewAccountStore(st, reloaded.Ring, "b", "o").Load(ctx); err != nil {
		t.Errorf("b unreadable after its old key was retired: %v", err)
	}
}

func TestRetirePrimaryRefused(t *testing.T) {
	st, _ := newSQLite(t)
	keys := newKeys(t, st)
	if err := keys.Retire(context.Background(), keys.Ring.Primary()); !errors.Is(err, seal.ErrPrimaryKey) {
		t.Errorf("Retire of the (unused) primary key = %v, want seal.ErrPrimaryKey", err)
	}
	if len(keys.Ring.KeyIDs()) != 1 {
		t.Error("the refused Retire changed the ring")
	}
}

// Two handles on one ring: the second's change, made on a stale copy,
// must not overwrite the first's.
func TestKeysSaveIsCompareAndSwap(t *testing.T) {
	ctx := context.Background()
	st, _ := newSQLite(t)
	kek := newKEK(t)
	k1, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	id1, err := k1.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := k2.Changed(ctx); err != nil || !changed {
		t.Errorf("k2.Changed after k1 rotated = %v, %v; want true", changed, err)
	}
	stalePrimary, staleIDs := k2.Ring.Primary(), sorted(k2.Ring.KeyIDs())
	if _, err := k2.Rotate(ctx); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("rotating a stale ring = %v, want store.ErrConflict", err)
	}
	// The failed rotation left k2's ring as stored: whatever k2 seals
	// next, every process can open.
	if k2.Ring.Primary() != stalePrimary || !slices.Equal(sorted(k2.Ring.KeyIDs()), staleIDs) {
		t.Errorf("after the refused rotation k2 holds primary %08x keys %x; want %08x %x (the stored ring)", k2.Ring.Primary(), k2.Ring.KeyIDs(), stalePrimary, staleIDs)
	}
	fresh, err := LoadKeys(ctx, st, kek)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Ring.Primary() != id1 {
		t.Errorf("stored primary %08x, want k1's %08x", fresh.Ring.Primary(), id1)
	}
	ad := seal.AD{Purpose: Purpose, Account: "x", Field: FieldRefresh}
	sealed, err := k2.Ring.Seal(ad, []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Ring.Open(ad, sealed); err != nil {
		t.Errorf("what the stale handle seals does not open with the stored ring: %v", err)
	}
	// A refused Retire leaves the ring alone too.
	if err := k2.Retire(ctx, stalePrimary); err == nil {
		t.Fatal("Retire of the primary key succeeded")
	}
	if k2.Ring.Primary() != stalePrimary || len(k2.Ring.KeyIDs()) != len(staleIDs) {
		t.Error("a refused Retire changed k2's ring")
	}
}

func TestHealthOf(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	rejected := func(r store.Record, refresh, npsso bool) store.Record {
		if refresh {
			r.RefreshRejectedAt = now.Add(-10 * time.Minute)
		}
		if npsso {
			r.NPSSORejectedAt = now.Add(-5 * time.Minute)
		}
		return r
	}
	lastErr := func(r store.Record, msg string) store.Record { r.LastError = msg; return r }
	sealed := []byte{1}
	const week = 7 * 24 * time.Hour
	rec := func(access, refresh time.Duration, hasRefresh, npsso bool) store.Record {
		r := store.Record{Account: "acct", AccessExpiry: now.Add(access), RefreshExpiry: now.Add(refresh)}
		if hasRefresh {
			r.SealedRefresh = sealed
		}
		if npsso {
			r.SealedNPSSO = sealed
		}
		return r
	}
	cases := []struct {
		name    string
		rec     store.Record
		access  AccessState
		refresh RefreshState
		state   State
	}{
		{"fresh", rec(time.Hour, 30*24*time.Hour, true, false), AccessFresh, RefreshOK, "ok"},
		{"refresh-ahead", rec(10*time.Minute, 30*24*time.Hour, true, false), AccessRefreshAhead, RefreshOK, "ok"},
		{"advisory edge", rec(DefaultAdvisory, 30*24*time.Hour, true, false), AccessRefreshAhead, RefreshOK, "ok"},
		{"must-refresh", rec(30*time.Second, 30*24*time.Hour, true, false), AccessMustRefresh, RefreshOK, "ok"},
		{"access expired, refresh ok", rec(-time.Minute, 30*24*time.Hour, true, false), AccessExpired, RefreshOK, "ok"},
		{"refresh expiring", rec(time.Hour, 6*24*time.Hour, true, false), AccessFresh, RefreshExpiring, "expiring"},
		{"refresh expiring at the edge", rec(time.Hour, week, true, true), AccessFresh, RefreshExpiring, "expiring"},
		{"refresh dead, access expired, no NPSSO", rec(-time.Hour, -time.Minute, true, false), AccessExpired, RefreshDead, StateLoginRequired},
		{"no refresh token, access expired", rec(-time.Hour, time.Hour, false, false), AccessExpired, RefreshDead, StateLoginRequired},
		{"refresh dead, NPSSO kept", rec(-time.Hour, -time.Minute, true, true), AccessExpired, RefreshDead, "npsso-fallback"},
		// A human must log in even while the access token lasts a little longer.
		{"refresh dead, access still valid", rec(30*time.Minute, -time.Minute, true, false), AccessFresh, RefreshDead, StateLoginRequired},
		{"refresh dead, access valid, NPSSO kept", rec(30*time.Minute, -time.Minute, true, true), AccessFresh, RefreshDead, "npsso-fallback"},
		// Evidence: PSN rejected a refresh token whose expiry is far away.
		{"refresh rejected, no NPSSO", rejected(rec(time.Hour, 30*24*time.Hour, true, false), true, false), AccessFresh, RefreshDead, StateLoginRequired},
		{"refresh rejected, NPSSO kept", rejected(rec(time.Hour, 30*24*time.Hour, true, true), true, false), AccessFresh, RefreshDead, StateNPSSOFallback},
		{"refresh and NPSSO rejected", rejected(rec(time.Hour, 30*24*time.Hour, true, true), true, true), AccessFresh, RefreshDead, StateLoginRequired},
		{"only the NPSSO rejected", rejected(rec(time.Hour, 30*24*time.Hour, true, true), false, true), AccessFresh, RefreshOK, StateOK},
		{"legacy login-required last error", lastErr(rec(time.Hour, 30*24*time.Hour, true, false), psn.ErrLoginRequired.Error()+": the refresh token stopped working"), AccessFresh, RefreshOK, StateLoginRequired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := HealthOf(c.rec, now, week)
			if h.Access != c.access || h.Refresh != c.refresh || h.State != c.state {
				t.Errorf("HealthOf = access %q refresh %q state %q; want %q %q %q", h.Access, h.Refresh, h.State, c.access, c.refresh, c.state)
			}
			if h.NPSSOKept != (len(c.rec.SealedNPSSO) > 0) || h.Account != "acct" || !h.AccessExpiry.Equal(c.rec.AccessExpiry) {
				t.Errorf("HealthOf copied the record wrongly: %+v", h)
			}
			// A login-required account rejected by PSN says when it is tried again.
			if last := max(c.rec.RefreshRejectedAt.UnixNano(), c.rec.NPSSORejectedAt.UnixNano()); h.State == StateLoginRequired && !c.rec.RefreshRejectedAt.IsZero() {
				if want := time.Unix(0, last).Add(psn.RejectedRetry); !h.RetryAt.Equal(want) {
					t.Errorf("RetryAt = %v, want %v", h.RetryAt, want)
				}
			}
			if (h.State == StateLoginRequired) != (h.LoginRequired() != nil) {
				t.Errorf("LoginRequired() = %v for state %q", h.LoginRequired(), h.State)
			}
		})
	}
}

func TestLoginStoresAndReplacesTheAccount(t *testing.T) {
	ctx := context.Background()
	srv := psntest.NewServer(psntest.Config{Users: 1})
	defer srv.Close()
	user := srv.Sim.Users()[0]
	npsso, err := psn.ParseNPSSO(user.NPSSO)
	if err != nil {
		t.Fatal(err)
	}
	st, path := newSQLite(t)
	keys := newKeys(t, st)
	c := psn.NewClient(psn.WithEndpoint(srv.URL), psn.WithLimiter(nil))

	rec, err := Login(ctx, c, st, keys.Ring, "me", npsso, true)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if rec.Version != 1 || rec.AccountID != user.AccountID || len(rec.SealedNPSSO) == 0 {
		t.Errorf("first login: version %d, account id %q (want %q), NPSSO kept %v", rec.Version, rec.AccountID, user.AccountID, len(rec.SealedNPSSO) > 0)
	}
	first, err := NewAccountStore(st, keys.Ring, "me", "o").Load(ctx)
	if err != nil || first.NPSSO != npsso {
		t.Fatalf("Load after login: %v (NPSSO kept: %v)", err, first.NPSSO == npsso)
	}

	rec, err = Login(ctx, c, st, keys.Ring, "me", npsso, false)
	if err != nil {
		t.Fatalf("second Login: %v", err)
	}
	if rec.Version != 2 || len(rec.SealedNPSSO) != 0 {
		t.Errorf("second login without --keep-npsso: version %d, NPSSO kept %v; want 2, false", rec.Version, len(rec.SealedNPSSO) > 0)
	}
	second, _ := NewAccountStore(st, keys.Ring, "me", "o").Load(ctx)
	if second.Token.AccessToken == first.Token.AccessToken {
		t.Error("second login kept the first access token")
	}
	if bytes.Contains(rawFiles(t, path), []byte(npsso.Reveal())) {
		t.Error("the NPSSO is in the SQLite files in plaintext")
	}
	if _, err := Login(ctx, c, st, keys.Ring, "", npsso, false); err == nil {
		t.Error("Login with an empty account name succeeded")
	}
}
