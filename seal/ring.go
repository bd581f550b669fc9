package seal

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	envelopeVersion = 1
	keyLen          = chacha20poly1305.KeySize    // 32
	nonceLen        = chacha20poly1305.NonceSizeX // 24
	tagLen          = chacha20poly1305.Overhead   // 16
	headerLen       = 1 + 4                       // version ‖ key id
	minEnvelope     = headerLen + nonceLen + tagLen
	maxKeys         = 1<<16 - 1 // the ring blob counts keys in 2 bytes

	// adDomain starts every envelope's associated data, so envelopes can never
	// be confused with any other use of the same keys.
	adDomain = "psnkit/seal/envelope/v1\x00"

	redacted = "[REDACTED]"
)

// AD is the associated data an envelope is bound to. Open must be given the
// same AD that Seal was; otherwise it fails with [ErrTampered]. None of the
// fields is secret (they may appear in error strings).
type AD struct {
	Purpose string // what the secret is, e.g. "psn-token" or "npsso"
	Account string // whose secret it is, e.g. "alice"
	Field   string // which secret of the account, e.g. "access" or "refresh"
}

// appendAD appends the bytes the AEAD authenticates: the domain, the envelope
// header, and each AD field prefixed by its 4-byte big-endian length.
func appendAD(dst []byte, header []byte, ad AD) []byte {
	dst = append(dst, adDomain...)
	dst = append(dst, header...)
	for _, s := range [...]string{ad.Purpose, ad.Account, ad.Field} {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
		dst = append(dst, s...)
	}
	return dst
}

// dataKey is one data key of a ring. It is only ever held by pointer, so a
// reflective print of a ring's internals shows addresses, never key bytes.
type dataKey struct {
	raw  [keyLen]byte
	aead cipher.AEAD
}

func newDataKey(raw []byte) (*dataKey, error) {
	k := &dataKey{}
	copy(k.raw[:], raw)
	aead, err := chacha20poly1305.NewX(k.raw[:])
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	k.aead = aead
	return k, nil
}

func randomDataKey() (*dataKey, error) {
	var raw [keyLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("seal: reading random key: %w", err)
	}
	return newDataKey(raw[:])
}

// String returns "[REDACTED]".
func (k *dataKey) String() string { return redacted }

// GoString returns "[REDACTED]".
func (k *dataKey) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (k *dataKey) Format(f fmt.State, verb rune) { formatRedacted(f, verb, redacted, redacted) }

// LogValue returns "[REDACTED]".
func (k *dataKey) LogValue() slog.Value { return slog.StringValue(redacted) }

// Ring holds the data keys that seal secrets, one of them primary. A Ring is
// safe for concurrent use. Create one with [NewRing] or [OpenRing]; the zero
// Ring has no keys and refuses to seal. Printing a Ring (fmt, slog) shows its
// primary key id and key count, never key material.
type Ring struct {
	mu      sync.RWMutex
	primary uint32
	keys    map[uint32]*dataKey
	// kdf holds the passphrase salt and parameters the ring was opened or
	// last marshalled with, so Marshal keeps them and the KDF need not run
	// again. Nil until a passphrase has been used.
	kdf *kdfParams
}

// NewRing returns a ring with one fresh random primary key.
func NewRing() (*Ring, error) {
	r := &Ring{}
	if _, err := r.Rotate(); err != nil {
		return nil, err
	}
	return r, nil
}

// Seal encrypts plaintext with the primary key and binds it to ad. The result
// is version ‖ key id ‖ nonce ‖ ciphertext ‖ tag; see the package doc.
func (r *Ring) Seal(ad AD, plaintext []byte) ([]byte, error) {
	r.mu.RLock()
	id := r.primary
	k := r.keys[id]
	r.mu.RUnlock()
	if k == nil {
		return nil, fmt.Errorf("%w: the ring has no primary key (create it with NewRing or OpenRing)", ErrUnknownKey)
	}

	out := make([]byte, headerLen+nonceLen, headerLen+nonceLen+len(plaintext)+tagLen)
	out[0] = envelopeVersion
	binary.BigEndian.PutUint32(out[1:headerLen], id)
	nonce := out[headerLen : headerLen+nonceLen]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: reading random nonce: %w", err)
	}
	var buf [128]byte
	adBytes := appendAD(buf[:0], out[:headerLen], ad)
	return k.aead.Seal(out, nonce, plaintext, adBytes), nil
}

// Open authenticates and decrypts an envelope made by [Ring.Seal] with the
// same ad. It fails with [ErrMalformed] (truncated, unknown version),
// [ErrUnknownKey] (the ring lacks the envelope's key) or [ErrTampered]
// (altered, or bound to another purpose, account or field). On error the
// plaintext is always nil.
func (r *Ring) Open(ad AD, sealed []byte) ([]byte, error) {
	id, err := KeyIDOf(sealed)
	if err != nil {
		return nil, err
	}
	r.mu.RLock()
	k := r.keys[id]
	r.mu.RUnlock()
	if k == nil {
		return nil, fmt.Errorf("%w (key %d; %s)", ErrUnknownKey, id, describeAD(ad))
	}
	var buf [128]byte
	adBytes := appendAD(buf[:0], sealed[:headerLen], ad)
	pt, err := k.aead.Open(nil, sealed[headerLen:headerLen+nonceLen], sealed[headerLen+nonceLen:], adBytes)
	if err != nil {
		return nil, fmt.Errorf("%w (key %d; %s)", ErrTampered, id, describeAD(ad))
	}
	return pt, nil
}

func describeAD(ad AD) string {
	return fmt.Sprintf("purpose %q, account %q, field %q", ad.Purpose, ad.Account, ad.Field)
}

// KeyIDOf returns the id of the key that sealed an envelope, without opening
// it. It fails with [ErrMalformed] when sealed is too short to be an envelope
// or has an unknown version.
func KeyIDOf(sealed []byte) (uint32, error) {
	if len(sealed) < minEnvelope {
		return 0, fmt.Errorf("%w: envelope is %d bytes, shorter than the minimum %d", ErrMalformed, len(sealed), minEnvelope)
	}
	if sealed[0] != envelopeVersion {
		return 0, fmt.Errorf("%w: envelope version %d, want %d", ErrMalformed, sealed[0], envelopeVersion)
	}
	return binary.BigEndian.Uint32(sealed[1:headerLen]), nil
}

// Primary returns the id of the key [Ring.Seal] uses, or 0 for an empty ring.
func (r *Ring) Primary() uint32 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.primary
}

// KeyIDs returns the ids of every key in the ring, in ascending order.
func (r *Ring) KeyIDs() []uint32 {
	r.mu.RLock()
	ids := make([]uint32, 0, len(r.keys))
	for id := range r.keys {
		ids = append(ids, id)
	}
	r.mu.RUnlock()
	slices.Sort(ids)
	return ids
}

// Rotate adds a fresh random key to the ring and makes it primary. Envelopes
// sealed with older keys still open. Save the ring afterwards with
// [Ring.Marshal].
func (r *Ring) Rotate() (newID uint32, err error) {
	k, err := randomDataKey()
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.keys) >= maxKeys {
		return 0, fmt.Errorf("seal: the ring already holds %d keys; retire unused keys first", len(r.keys))
	}
	for newID == 0 || r.keys[newID] != nil {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return 0, fmt.Errorf("seal: reading random key id: %w", err)
		}
		newID = binary.BigEndian.Uint32(b[:])
	}
	if r.keys == nil {
		r.keys = make(map[uint32]*dataKey)
	}
	r.keys[newID] = k
	r.primary = newID
	return newID, nil
}

// Retire removes a key that is not primary. The caller must first make sure
// no stored envelope still uses it (see [KeyIDOf]): envelopes sealed with a
// retired key fail to open with [ErrUnknownKey]. Retiring the primary key
// fails with [ErrPrimaryKey], an absent key with [ErrUnknownKey].
func (r *Ring) Retire(id uint32) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id == r.primary && id != 0 {
		return fmt.Errorf("%w (key %d)", ErrPrimaryKey, id)
	}
	if r.keys[id] == nil {
		return fmt.Errorf("%w (key %d)", ErrUnknownKey, id)
	}
	delete(r.keys, id)
	return nil
}

// String describes the ring without key material, e.g.
// "seal.Ring{primary:3735928559 keys:2 [REDACTED]}".
func (r *Ring) String() string {
	if r == nil {
		return "seal.Ring(nil)"
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return fmt.Sprintf("seal.Ring{primary:%d keys:%d %s}", r.primary, len(r.keys), redacted)
}

// GoString is the same as String: key material is never printed.
func (r *Ring) GoString() string { return r.String() }

// Format prints [Ring.String] for every verb, so %v, %+v, %#v, %s and %x
// never show key material.
func (r *Ring) Format(f fmt.State, verb rune) { s := r.String(); formatRedacted(f, verb, s, s) }

// LogValue logs the ring as [Ring.String].
func (r *Ring) LogValue() slog.Value { return slog.StringValue(r.String()) }

// formatRedacted implements fmt.Formatter for types holding secrets: %#v
// prints gostr, %q a quoted s, and every other verb prints s.
func formatRedacted(f fmt.State, verb rune, s, gostr string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, gostr)
	case verb == 'q':
		_, _ = fmt.Fprintf(f, "%q", s)
	default:
		_, _ = io.WriteString(f, s)
	}
}
