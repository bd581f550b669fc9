package seal

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzOpen feeds arbitrary envelopes to Open. It must never panic, must fail
// with one of the package's errors and no plaintext, and may only succeed for
// an envelope this test sealed itself.
func FuzzOpen(f *testing.F) {
	r := ringFromKeys(f, fixedKey(7), fixedKey(9))
	ad := AD{Purpose: "psn-token", Account: "alice", Field: "refresh"}
	valid := map[string][]byte{}
	for i, pt := range []string{"", "x", "a refresh token of some length ......................"} {
		s := sealFixedNonce(f, r, ad, []byte(pt), byte(i))
		if got, err := r.Open(ad, s); err != nil || !bytes.Equal(got, []byte(pt)) {
			f.Fatalf("seed %d does not open: %v", i, err)
		}
		valid[string(s)] = []byte(pt)
		f.Add(s)
		f.Add(s[:len(s)-1])
		f.Add(append(bytes.Clone(s), 0))
	}
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add(make([]byte, minEnvelope))
	f.Add(append([]byte{1, 0, 0, 0, 2}, make([]byte, 60)...)) // the second key's id

	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = KeyIDOf(data)
		pt, err := r.Open(ad, data)
		if err == nil {
			want, ok := valid[string(data)]
			if !ok {
				t.Fatalf("opened an envelope this test never sealed: %x", data)
			}
			if !bytes.Equal(pt, want) {
				t.Fatalf("Open = %q, want %q", pt, want)
			}
			return
		}
		if pt != nil {
			t.Fatalf("Open returned plaintext %q with error %v", pt, err)
		}
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTampered) && !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}

// FuzzOpenRing feeds arbitrary blobs to OpenRing with a raw key and with a
// passphrase. It must never panic, must fail with ErrMalformed or ErrWrongKey
// (or ErrBadKey), and may only open a blob this test made.
func FuzzOpenRing(f *testing.F) {
	raw := ringFromKeys(f, fixedKey(1), fixedKey(2), fixedKey(3))
	keyed := KeyBase64(testKeyB64)
	pass := cheapPassphrase("fuzz", nil, nil)
	// Fixed salt and nonce, so the seed blobs are the same in every fuzz worker.
	params := &kdfParams{time: kdfTime, memory: kdfMemory, threads: kdfThreads, salt: bytes.Repeat([]byte{5}, 16)}
	valid := map[string]bool{}
	for _, blob := range [][]byte{marshalFixedNonce(f, raw, keyed, nil), marshalFixedNonce(f, raw, pass, params)} {
		valid[string(blob)] = true
		f.Add(blob)
		f.Add(blob[:len(blob)/2])
	}
	f.Add([]byte("PSNR"))
	f.Add([]byte("PSNR\x01\x01"))
	f.Add([]byte("PSNR\x01\x02\x00\x00\x00\x03\x00\x01\x00\x00\x04\x10"))

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kek := range []KEKSource{keyed, pass} {
			r, err := OpenRing(data, kek)
			if err == nil {
				if !valid[string(data)] {
					t.Fatalf("opened a ring blob this test never made: %x", data)
				}
				if r.Primary() != 1 || len(r.KeyIDs()) != 3 {
					t.Fatalf("opened ring: primary %d, keys %v", r.Primary(), r.KeyIDs())
				}
				continue
			}
			if r != nil {
				t.Fatalf("OpenRing returned a ring with error %v", err)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrWrongKey) && !errors.Is(err, ErrBadKey) {
				t.Fatalf("unexpected error kind: %v", err)
			}
		}
	})
}
