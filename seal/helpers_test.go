package seal

import (
	"encoding/binary"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// ringFromKeys builds a ring with fixed keys, for reproducible fuzz corpora.
// keys[0] is the primary; ids are 1, 2, ….
func ringFromKeys(t testing.TB, keys ...[keyLen]byte) *Ring {
	t.Helper()
	r := &Ring{keys: make(map[uint32]*dataKey)}
	for i, raw := range keys {
		k, err := newDataKey(raw[:])
		if err != nil {
			t.Fatal(err)
		}
		r.keys[uint32(i+1)] = k
	}
	r.primary = 1
	return r
}

// fixedKey returns a key whose bytes are all b.
func fixedKey(b byte) (k [keyLen]byte) {
	for i := range k {
		k[i] = b
	}
	return k
}

// cheapPassphrase returns a passphrase source whose KDF is a fast argon2id
// (t=1, 64 KiB, 1 thread, whatever the blob says) and that counts its runs in
// *runs. Parameters handed to the KDF are recorded in *last.
func cheapPassphrase(p string, runs *atomic.Int32, last *kdfParams) *passphrase {
	s := newPassphrase([]byte(p), "passphrase")
	s.derive = func(pass, salt []byte, time, memory uint32, threads uint8) []byte {
		if runs != nil {
			runs.Add(1)
		}
		if last != nil {
			*last = kdfParams{time: time, memory: memory, threads: threads, salt: append([]byte(nil), salt...)}
		}
		return argon2.IDKey(pass, salt, 1, 64, 1, keyLen)
	}
	return s
}

// blobParams parses the KDF parameters from a ring blob's header.
func blobParams(t *testing.T, blob []byte) *kdfParams {
	t.Helper()
	p, _, err := parseBlobHeader(blob)
	if err != nil {
		t.Fatalf("parseBlobHeader: %v", err)
	}
	return p
}

func be32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }

// sealFixedNonce builds the envelope Seal would, but with a given nonce, so
// fuzz seeds are identical in every fuzz worker process.
func sealFixedNonce(t testing.TB, r *Ring, ad AD, pt []byte, nonceByte byte) []byte {
	t.Helper()
	id := r.Primary()
	out := []byte{envelopeVersion}
	out = binary.BigEndian.AppendUint32(out, id)
	nonce := make([]byte, nonceLen)
	for i := range nonce {
		nonce[i] = nonceByte
	}
	out = append(out, nonce...)
	return r.keys[id].aead.Seal(out, nonce, pt, appendAD(nil, out[:headerLen], ad))
}

// marshalFixedNonce builds the blob Marshal would, with a zero nonce, for
// reproducible fuzz seeds. params nil means a raw key.
func marshalFixedNonce(t testing.TB, r *Ring, kek KEKSource, params *kdfParams) []byte {
	t.Helper()
	payload, err := r.payloadLocked()
	if err != nil {
		t.Fatal(err)
	}
	k, err := kek.key(params)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		t.Fatal(err)
	}
	blob := appendBlobHeader(nil, params)
	ad := append([]byte(blobAD), blob...)
	nonce := make([]byte, nonceLen)
	blob = append(blob, nonce...)
	return aead.Seal(blob, nonce, payload, ad)
}
