package seal

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

var adAlice = AD{Purpose: "psn-token", Account: "alice", Field: "refresh"}

func newTestRing(t *testing.T) *Ring {
	t.Helper()
	r, err := NewRing()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustSeal(t *testing.T, r *Ring, ad AD, pt []byte) []byte {
	t.Helper()
	s, err := r.Seal(ad, pt)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return s
}

func TestSealOpenRoundTrip(t *testing.T) {
	r := newTestRing(t)
	for _, pt := range [][]byte{nil, {}, []byte("x"), bytes.Repeat([]byte("token."), 1000)} {
		s := mustSeal(t, r, adAlice, pt)
		if want := 1 + 4 + 24 + len(pt) + 16; len(s) != want {
			t.Errorf("envelope of a %d-byte plaintext is %d bytes, want %d", len(pt), len(s), want)
		}
		if s[0] != 1 {
			t.Errorf("version byte = %d, want 1", s[0])
		}
		if got := be32(s[1:5]); got != r.Primary() {
			t.Errorf("key id in envelope = %d, want primary %d", got, r.Primary())
		}
		got, err := r.Open(adAlice, s)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("Open = %q, want %q", got, pt)
		}
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	r := newTestRing(t)
	a := mustSeal(t, r, adAlice, []byte("same"))
	b := mustSeal(t, r, adAlice, []byte("same"))
	if bytes.Equal(a[5:29], b[5:29]) {
		t.Fatal("two seals used the same nonce")
	}
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical")
	}
}

func TestOpenRejectsOtherAD(t *testing.T) {
	r := newTestRing(t)
	s := mustSeal(t, r, adAlice, []byte("refresh-token-value"))
	others := []AD{
		{Purpose: "npsso", Account: "alice", Field: "refresh"},
		{Purpose: "psn-token", Account: "bob", Field: "refresh"},
		{Purpose: "psn-token", Account: "alice", Field: "access"},
		{Purpose: "psn-token", Account: "alice", Field: ""},
		{Purpose: "psn-token", Account: "alicerefresh", Field: ""},
		{Purpose: "psn-token", Account: "alic", Field: "erefresh"},
		{Purpose: "psn-tokenalice", Account: "", Field: "refresh"},
		{},
	}
	for _, ad := range others {
		pt, err := r.Open(ad, s)
		if !errors.Is(err, ErrTampered) {
			t.Errorf("Open with %+v: err = %v, want ErrTampered", ad, err)
		}
		if pt != nil {
			t.Errorf("Open with %+v returned plaintext %q alongside an error", ad, pt)
		}
	}
}

// The length prefixes keep field boundaries: "a|bc" and "ab|c" differ.
func TestADFieldBoundaries(t *testing.T) {
	r := newTestRing(t)
	pairs := [][2]AD{
		{{Purpose: "p", Account: "a", Field: "bc"}, {Purpose: "p", Account: "ab", Field: "c"}},
		{{Purpose: "pa", Account: "", Field: "x"}, {Purpose: "p", Account: "a", Field: "x"}},
		{{Purpose: "p", Account: "a\x00\x00\x00\x01b", Field: ""}, {Purpose: "p", Account: "a", Field: "b"}},
	}
	for _, p := range pairs {
		s := mustSeal(t, r, p[0], []byte("v"))
		if _, err := r.Open(p[1], s); !errors.Is(err, ErrTampered) {
			t.Errorf("sealed for %+v, opened for %+v: err = %v, want ErrTampered", p[0], p[1], err)
		}
		if _, err := r.Open(p[0], s); err != nil {
			t.Errorf("sealed and opened for %+v: %v", p[0], err)
		}
	}
}

func TestEveryBitFlipFails(t *testing.T) {
	r := newTestRing(t)
	s := mustSeal(t, r, adAlice, []byte("a short refresh token"))
	for i := range len(s) * 8 {
		bad := slices.Clone(s)
		bad[i/8] ^= 1 << (i % 8)
		pt, err := r.Open(adAlice, bad)
		if err == nil || pt != nil {
			t.Fatalf("bit %d flipped: Open = %q, %v; want nil and an error", i, pt, err)
		}
		var want error
		switch {
		case i/8 == 0:
			want = ErrMalformed // version byte
		case i/8 < 5:
			want = ErrUnknownKey // key id: the ring holds a single key
		default:
			want = ErrTampered
		}
		if !errors.Is(err, want) {
			t.Fatalf("bit %d flipped: err = %v, want %v", i, err, want)
		}
	}
}

func TestTruncationsFail(t *testing.T) {
	r := newTestRing(t)
	s := mustSeal(t, r, adAlice, []byte("a short refresh token"))
	for n := range len(s) {
		pt, err := r.Open(adAlice, s[:n])
		want := ErrTampered
		if n < minEnvelope {
			want = ErrMalformed
		}
		if !errors.Is(err, want) || pt != nil {
			t.Fatalf("truncated to %d bytes: Open = %q, %v; want nil, %v", n, pt, err, want)
		}
	}
	if _, err := r.Open(adAlice, append(slices.Clone(s), 0)); !errors.Is(err, ErrTampered) {
		t.Fatalf("one byte appended: err = %v, want ErrTampered", err)
	}
}

func TestKeyIDOf(t *testing.T) {
	r := newTestRing(t)
	s := mustSeal(t, r, adAlice, []byte("x"))
	if id, err := KeyIDOf(s); err != nil || id != r.Primary() {
		t.Fatalf("KeyIDOf = %d, %v; want %d", id, err, r.Primary())
	}
	if _, err := KeyIDOf(s[:minEnvelope-1]); !errors.Is(err, ErrMalformed) {
		t.Errorf("KeyIDOf(truncated) err = %v, want ErrMalformed", err)
	}
	bad := slices.Clone(s)
	bad[0] = 2
	if _, err := KeyIDOf(bad); !errors.Is(err, ErrMalformed) {
		t.Errorf("KeyIDOf(version 2) err = %v, want ErrMalformed", err)
	}
}

func TestRotateAndRetire(t *testing.T) {
	r := newTestRing(t)
	first := r.Primary()
	old := mustSeal(t, r, adAlice, []byte("old"))

	second, err := r.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if second == first || second == 0 {
		t.Fatalf("Rotate returned id %d (first was %d)", second, first)
	}
	if r.Primary() != second {
		t.Fatalf("Primary = %d after Rotate, want %d", r.Primary(), second)
	}
	if got, want := r.KeyIDs(), []uint32{min(first, second), max(first, second)}; !slices.Equal(got, want) {
		t.Fatalf("KeyIDs = %v, want %v", got, want)
	}
	if pt, err := r.Open(adAlice, old); err != nil || string(pt) != "old" {
		t.Fatalf("old envelope after rotation: %q, %v", pt, err)
	}
	fresh := mustSeal(t, r, adAlice, []byte("new"))
	if id, _ := KeyIDOf(fresh); id != second {
		t.Fatalf("new envelope uses key %d, want new primary %d", id, second)
	}

	if err := r.Retire(second); !errors.Is(err, ErrPrimaryKey) {
		t.Fatalf("Retire(primary) err = %v, want ErrPrimaryKey", err)
	}
	if err := r.Retire(first); err != nil {
		t.Fatalf("Retire(old): %v", err)
	}
	if got := r.KeyIDs(); !slices.Equal(got, []uint32{second}) {
		t.Fatalf("KeyIDs after Retire = %v, want [%d]", got, second)
	}
	if pt, err := r.Open(adAlice, old); !errors.Is(err, ErrUnknownKey) || pt != nil {
		t.Fatalf("envelope of retired key: %q, %v; want ErrUnknownKey", pt, err)
	}
	if err := r.Retire(first); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Retire twice err = %v, want ErrUnknownKey", err)
	}
	if pt, err := r.Open(adAlice, fresh); err != nil || string(pt) != "new" {
		t.Fatalf("new envelope after retire: %q, %v", pt, err)
	}
}

func TestOtherRingCannotOpen(t *testing.T) {
	a, b := newTestRing(t), newTestRing(t)
	s := mustSeal(t, a, adAlice, []byte("x"))
	if _, err := b.Open(adAlice, s); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("other ring: err = %v, want ErrUnknownKey", err)
	}
	// Same key id, other key material: authentication fails.
	c := ringFromKeys(t, fixedKey(1))
	d := ringFromKeys(t, fixedKey(2))
	s = mustSeal(t, c, adAlice, []byte("x"))
	if _, err := d.Open(adAlice, s); !errors.Is(err, ErrTampered) {
		t.Fatalf("same id, other key: err = %v, want ErrTampered", err)
	}
}

func TestZeroRing(t *testing.T) {
	var r Ring
	if _, err := r.Seal(adAlice, []byte("x")); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("zero Ring Seal err = %v, want ErrUnknownKey", err)
	}
	if r.Primary() != 0 || len(r.KeyIDs()) != 0 {
		t.Fatalf("zero Ring: Primary %d, KeyIDs %v", r.Primary(), r.KeyIDs())
	}
	if _, err := r.Marshal(KeyBase64(testKeyB64)); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("zero Ring Marshal err = %v, want ErrUnknownKey", err)
	}
	if _, err := r.Rotate(); err != nil {
		t.Fatalf("zero Ring Rotate: %v", err)
	}
	s := mustSeal(t, &r, adAlice, []byte("x"))
	if _, err := r.Open(adAlice, s); err != nil {
		t.Fatal(err)
	}
}

func TestErrorsHoldNoPlaintext(t *testing.T) {
	r := newTestRing(t)
	secret := []byte("SECRET-REFRESH-TOKEN")
	s := mustSeal(t, r, adAlice, secret)
	s[len(s)-1] ^= 1
	_, err := r.Open(adAlice, s)
	if err == nil || bytes.Contains([]byte(err.Error()), secret) {
		t.Fatalf("error %v", err)
	}
}

// Seal and Open run concurrently with Rotate and Marshal; run with -race.
func TestRingConcurrentUse(t *testing.T) {
	r := newTestRing(t)
	kek := KeyBase64(testKeyB64)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 4 {
		wg.Go(func() {
			ad := AD{Purpose: "psn-token", Account: fmt.Sprint("user", g), Field: "access"}
			for i := range 200 {
				pt := fmt.Appendf(nil, "token-%d-%d", g, i)
				s, err := r.Seal(ad, pt)
				if err == nil {
					var got []byte
					got, err = r.Open(ad, s)
					if err == nil && !bytes.Equal(got, pt) {
						err = fmt.Errorf("got %q, want %q", got, pt)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if _, err := r.Rotate(); err != nil {
				errs <- err
				return
			}
			if _, err := r.Marshal(kek); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(r.KeyIDs()); n != 21 {
		t.Fatalf("ring holds %d keys, want 21", n)
	}
}
