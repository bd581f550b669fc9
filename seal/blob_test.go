package seal

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestMarshalOpenRingRoundTrip(t *testing.T) {
	sources := map[string]KEKSource{
		"base64":     KeyBase64(testKeyB64),
		"keyfile":    KeyFile(t.TempDir() + "/key"),
		"passphrase": cheapPassphrase("pw", nil, nil),
	}
	for name, kek := range sources {
		t.Run(name, func(t *testing.T) {
			r := newTestRing(t)
			old := mustSeal(t, r, adAlice, []byte("old"))
			if _, err := r.Rotate(); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Rotate(); err != nil {
				t.Fatal(err)
			}
			cur := mustSeal(t, r, adAlice, []byte("cur"))
			blob, err := r.Marshal(kek)
			if err != nil {
				t.Fatal(err)
			}
			got, err := OpenRing(blob, kek)
			if err != nil {
				t.Fatal(err)
			}
			if got.Primary() != r.Primary() || !slices.Equal(got.KeyIDs(), r.KeyIDs()) {
				t.Fatalf("opened ring primary %d keys %v, want %d %v", got.Primary(), got.KeyIDs(), r.Primary(), r.KeyIDs())
			}
			for want, s := range map[string][]byte{"old": old, "cur": cur} {
				if pt, err := got.Open(adAlice, s); err != nil || string(pt) != want {
					t.Fatalf("opened ring: Open = %q, %v; want %q", pt, err, want)
				}
			}
			s := mustSeal(t, got, adAlice, []byte("next"))
			if pt, err := r.Open(adAlice, s); err != nil || string(pt) != "next" {
				t.Fatalf("original ring opening the opened ring's envelope: %q, %v", pt, err)
			}
		})
	}
}

func TestOpenRingWrongKey(t *testing.T) {
	r := newTestRing(t)
	rawBlob, err := r.Marshal(KeyBase64(testKeyB64))
	if err != nil {
		t.Fatal(err)
	}
	ppBlob, err := r.Marshal(cheapPassphrase("right", nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		blob []byte
		kek  KEKSource
	}{
		{"other raw key", rawBlob, KeyBase64(strings.Repeat("A", 42) + "E")},
		{"other key file", rawBlob, KeyFile(t.TempDir() + "/key")},
		{"passphrase for a keyed ring", rawBlob, cheapPassphrase("right", nil, nil)},
		{"other passphrase", ppBlob, cheapPassphrase("wrong", nil, nil)},
		{"key for a passphrase ring", ppBlob, KeyBase64(testKeyB64)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := OpenRing(c.blob, c.kek)
			if !errors.Is(err, ErrWrongKey) || got != nil {
				t.Fatalf("OpenRing = %v, %v; want nil, ErrWrongKey", got, err)
			}
			if !strings.Contains(err.Error(), "wrong key: the ring was sealed with another key") {
				t.Fatalf("error %q does not say what to check", err)
			}
		})
	}
}

func TestOpenRingDamagedBlob(t *testing.T) {
	r := newTestRing(t)
	if _, err := r.Rotate(); err != nil {
		t.Fatal(err)
	}
	for name, kek := range map[string]KEKSource{
		"raw":        KeyBase64(testKeyB64),
		"passphrase": cheapPassphrase("pw", nil, nil),
	} {
		t.Run(name, func(t *testing.T) {
			blob, err := r.Marshal(kek)
			if err != nil {
				t.Fatal(err)
			}
			for i := range len(blob) * 8 {
				bad := slices.Clone(blob)
				bad[i/8] ^= 1 << (i % 8)
				got, err := OpenRing(bad, kek)
				if got != nil || !(errors.Is(err, ErrMalformed) || errors.Is(err, ErrWrongKey)) {
					t.Fatalf("bit %d flipped: OpenRing = %v, %v; want nil and ErrMalformed or ErrWrongKey", i, got, err)
				}
			}
			for n := range len(blob) {
				got, err := OpenRing(blob[:n], kek)
				if got != nil || !(errors.Is(err, ErrMalformed) || errors.Is(err, ErrWrongKey)) {
					t.Fatalf("truncated to %d: OpenRing = %v, %v", n, got, err)
				}
			}
		})
	}
}

func TestOpenRingRejectsHostileKDFParams(t *testing.T) {
	var runs int
	pp := cheapPassphrase("pw", nil, nil)
	pp.derive = func(pass, salt []byte, time, memory uint32, threads uint8) []byte {
		runs++
		return make([]byte, 32)
	}
	for _, p := range []kdfParams{
		{time: 3, memory: 1 << 30, threads: 4, salt: make([]byte, 16)}, // 1 TiB
		{time: 1 << 20, memory: 64 * 1024, threads: 4, salt: make([]byte, 16)},
		{time: 3, memory: 64 * 1024, threads: 0, salt: make([]byte, 16)},
		{time: 3, memory: 64 * 1024, threads: 4, salt: make([]byte, 4)},
	} {
		blob := appendBlobHeader(nil, &p)
		blob = append(blob, make([]byte, nonceLen+tagLen+64)...)
		if _, err := OpenRing(blob, pp); !errors.Is(err, ErrMalformed) {
			t.Errorf("params %+v: err = %v, want ErrMalformed", p, err)
		}
	}
	if runs != 0 {
		t.Fatalf("KDF ran %d times on hostile parameters", runs)
	}
}

func TestMarshalKeepsSaltAcrossSources(t *testing.T) {
	r := newTestRing(t)
	pp := cheapPassphrase("pw", nil, nil)
	blob1, err := r.Marshal(pp)
	if err != nil {
		t.Fatal(err)
	}
	// A keyed marshal in between does not drop the ring's salt.
	if _, err := r.Marshal(KeyBase64(testKeyB64)); err != nil {
		t.Fatal(err)
	}
	blob2, err := r.Marshal(pp)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(blobParams(t, blob1).salt, blobParams(t, blob2).salt) {
		t.Fatal("salt changed between marshals of one ring")
	}
}

func TestNilKEK(t *testing.T) {
	r := newTestRing(t)
	if _, err := r.Marshal(nil); err == nil {
		t.Fatal("Marshal(nil) succeeded")
	}
	if _, err := OpenRing([]byte("PSNR"), nil); err == nil {
		t.Fatal("OpenRing(nil) succeeded")
	}
}
