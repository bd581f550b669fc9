package seal

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	blobMagic   = "PSNR"
	blobVersion = 1
	kdfRaw      = 1 // the KEK is the source's 32 bytes
	kdfArgon2id = 2 // the KEK is argon2id(passphrase, salt, params)

	payloadVersion = 1
	payloadEntry   = 4 + keyLen // key id ‖ key

	// blobAD separates ring blobs from envelopes (which use adDomain).
	blobAD = "psnkit/seal/ring/v1\x00"
)

// Marshal seals the ring with the key-encryption key from kek, for storage.
// With a [Passphrase] source, the salt and argon2id parameters are stored in
// the blob; a ring that was opened or marshalled with a passphrase keeps its
// salt, so the source's cached key is reused and the KDF does not run again.
// The blob layout is in the package doc.
func (r *Ring) Marshal(kek KEKSource) ([]byte, error) {
	if kek == nil {
		return nil, errors.New("seal: Marshal: nil KEKSource")
	}
	r.mu.RLock()
	payload, err := r.payloadLocked()
	params := r.kdf
	r.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	defer clear(payload)

	if kek.usesKDF() {
		if params == nil {
			fresh, err := kek.freshKDF()
			if err != nil {
				return nil, err
			}
			r.mu.Lock()
			if r.kdf == nil { // another Marshal may have set it meanwhile
				r.kdf = fresh
			}
			params = r.kdf
			r.mu.Unlock()
		}
		params = params.clone()
	} else {
		params = nil
	}
	k, err := kek.key(params)
	if err != nil {
		return nil, err
	}

	blob := appendBlobHeader(make([]byte, 0, 64+len(payload)+nonceLen+tagLen), params)
	headerEnd := len(blob)
	blob = blob[:headerEnd+nonceLen]
	nonce := blob[headerEnd:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: reading random nonce: %w", err)
	}
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	ad := append([]byte(blobAD), blob[:headerEnd]...)
	return aead.Seal(blob, nonce, payload, ad), nil
}

// payloadLocked encodes the ring: version ‖ primary ‖ count ‖ count × (id ‖ key).
func (r *Ring) payloadLocked() ([]byte, error) {
	if len(r.keys) == 0 || r.keys[r.primary] == nil {
		return nil, fmt.Errorf("%w: cannot marshal a ring without a primary key", ErrUnknownKey)
	}
	ids := make([]uint32, 0, len(r.keys))
	for id := range r.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids) // deterministic layout
	b := make([]byte, 0, 7+payloadEntry*len(ids))
	b = append(b, payloadVersion)
	b = binary.BigEndian.AppendUint32(b, r.primary)
	b = binary.BigEndian.AppendUint16(b, uint16(len(ids)))
	for _, id := range ids {
		b = binary.BigEndian.AppendUint32(b, id)
		b = append(b, r.keys[id].raw[:]...)
	}
	return b, nil
}

func appendBlobHeader(b []byte, p *kdfParams) []byte {
	b = append(b, blobMagic...)
	b = append(b, blobVersion)
	if p == nil {
		return append(b, kdfRaw)
	}
	b = append(b, kdfArgon2id)
	b = binary.BigEndian.AppendUint32(b, p.time)
	b = binary.BigEndian.AppendUint32(b, p.memory)
	b = append(b, p.threads, byte(len(p.salt)))
	return append(b, p.salt...)
}

// parseBlobHeader returns the KDF parameters (nil for a raw key) and the
// length of the header.
func parseBlobHeader(blob []byte) (*kdfParams, int, error) {
	const fixed = len(blobMagic) + 2
	if len(blob) < fixed {
		return nil, 0, fmt.Errorf("%w: ring blob of %d bytes is truncated", ErrMalformed, len(blob))
	}
	if string(blob[:len(blobMagic)]) != blobMagic {
		return nil, 0, fmt.Errorf("%w: not a sealed ring (bad magic)", ErrMalformed)
	}
	if v := blob[len(blobMagic)]; v != blobVersion {
		return nil, 0, fmt.Errorf("%w: ring blob version %d, want %d", ErrMalformed, v, blobVersion)
	}
	switch kind := blob[fixed-1]; kind {
	case kdfRaw:
		return nil, fixed, nil
	case kdfArgon2id:
		const params = fixed + 4 + 4 + 1 + 1
		if len(blob) < params {
			return nil, 0, fmt.Errorf("%w: ring blob of %d bytes is truncated", ErrMalformed, len(blob))
		}
		p := &kdfParams{
			time:    binary.BigEndian.Uint32(blob[fixed:]),
			memory:  binary.BigEndian.Uint32(blob[fixed+4:]),
			threads: blob[fixed+8],
		}
		end := params + int(blob[fixed+9])
		if len(blob) < end {
			return nil, 0, fmt.Errorf("%w: ring blob of %d bytes is truncated", ErrMalformed, len(blob))
		}
		p.salt = append([]byte(nil), blob[params:end]...)
		if err := p.validate(); err != nil {
			return nil, 0, fmt.Errorf("%w: %s", ErrMalformed, err)
		}
		return p, end, nil
	default:
		return nil, 0, fmt.Errorf("%w: unknown ring KDF %d", ErrMalformed, kind)
	}
}

// OpenRing opens a ring sealed by [Ring.Marshal]. It fails with [ErrWrongKey]
// when kek is not the key the ring was sealed with (including a passphrase
// given for a ring sealed with a key, or the reverse), and with
// [ErrMalformed] for a truncated or unknown blob. A passphrase is derived once
// per source and salt; the returned ring remembers the salt for Marshal.
func OpenRing(blob []byte, kek KEKSource) (*Ring, error) {
	if kek == nil {
		return nil, errors.New("seal: OpenRing: nil KEKSource")
	}
	params, headerEnd, err := parseBlobHeader(blob)
	if err != nil {
		return nil, err
	}
	if len(blob) < headerEnd+nonceLen+tagLen {
		return nil, fmt.Errorf("%w: ring blob of %d bytes is truncated", ErrMalformed, len(blob))
	}
	switch {
	case params != nil && !kek.usesKDF():
		return nil, fmt.Errorf("%w (the ring was sealed with a passphrase, PSN_PASSPHRASE, but the key came from %s)", ErrWrongKey, kek)
	case params == nil && kek.usesKDF():
		return nil, fmt.Errorf("%w (the ring was sealed with a key, PSN_KEY or PSN_KEY_FILE, but the key came from %s)", ErrWrongKey, kek)
	}
	k, err := kek.key(params)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	ad := append([]byte(blobAD), blob[:headerEnd]...)
	payload, err := aead.Open(nil, blob[headerEnd:headerEnd+nonceLen], blob[headerEnd+nonceLen:], ad)
	if err != nil {
		return nil, fmt.Errorf("%w (key from %s)", ErrWrongKey, kek)
	}
	defer clear(payload)
	r, err := parsePayload(payload)
	if err != nil {
		return nil, err
	}
	r.kdf = params
	return r, nil
}

func parsePayload(b []byte) (*Ring, error) {
	if len(b) < 7 || b[0] != payloadVersion {
		return nil, fmt.Errorf("%w: ring contents have an unknown layout", ErrMalformed)
	}
	primary := binary.BigEndian.Uint32(b[1:])
	n := int(binary.BigEndian.Uint16(b[5:]))
	if n == 0 || len(b) != 7+n*payloadEntry {
		return nil, fmt.Errorf("%w: ring contents have a bad length", ErrMalformed)
	}
	r := &Ring{primary: primary, keys: make(map[uint32]*dataKey, n)}
	for e := b[7:]; len(e) > 0; e = e[payloadEntry:] {
		id := binary.BigEndian.Uint32(e)
		if id == 0 || r.keys[id] != nil {
			return nil, fmt.Errorf("%w: ring contents have a zero or repeated key id", ErrMalformed)
		}
		k, err := newDataKey(e[4:payloadEntry])
		if err != nil {
			return nil, err
		}
		r.keys[id] = k
	}
	if r.keys[primary] == nil {
		return nil, fmt.Errorf("%w: ring's primary key %d is missing", ErrMalformed, primary)
	}
	return r, nil
}
