// Package seal encrypts secrets at rest: PSN access and refresh tokens, NPSSOs
// and anything else a store must hold but never see in plaintext.
//
// # Envelope
//
// [Ring.Seal] returns one self-describing byte string:
//
//	version (1 byte, = 1) ‖ key id (4 bytes, big-endian) ‖ nonce (24 bytes) ‖ ciphertext ‖ tag (16 bytes)
//
// The cipher is XChaCha20-Poly1305 with a fresh random 24-byte nonce per call,
// so nonces never need to be coordinated between processes. An envelope is 45
// bytes longer than its plaintext. [KeyIDOf] reads the key id without opening
// the envelope, so a sweep can find rows sealed with an old key.
//
// # Associated data
//
// Every envelope is bound to an [AD]: a purpose ("psn-token"), an account
// ("alice") and a field ("refresh"). The associated data the AEAD authenticates
// is a fixed domain string, the envelope header (version and key id), then
// each of Purpose, Account and Field preceded by its length as a 4-byte
// big-endian number, so {"a|bc"} and {"ab|c"} can never collide. A ciphertext
// copied to another account, another field or another purpose fails to open
// with [ErrTampered], exactly like a flipped bit does. Open never returns
// plaintext that did not authenticate.
//
// # Key ring and rotation
//
// A [Ring] holds data keys, each named by a random non-zero 32-bit id, one of
// them primary. Seal always uses the primary key; Open uses whichever key the
// envelope names. Rotation is:
//
//  1. [Ring.Rotate] adds a key and makes it primary; save the ring with [Ring.Marshal].
//  2. Old envelopes still open. Re-seal rows lazily (on refresh) and with a
//     sweep that looks for rows whose [KeyIDOf] is not [Ring.Primary].
//  3. When no row uses an old key, [Ring.Retire] removes it and the ring is
//     saved again. An envelope that names a retired key fails with [ErrUnknownKey].
//
// Key ids are random rather than sequential so that two rings rotated
// independently (a mistake, but a possible one) are unlikely to reuse an id for
// different key material.
//
// # The sealed ring and the key-encryption key
//
// [Ring.Marshal] seals the ring itself with a key-encryption key (KEK) and
// [OpenRing] opens it. The blob is
//
//	"PSNR" ‖ version (1) ‖ kdf (1: raw key, 2: argon2id)
//	  [‖ time (4) ‖ memory KiB (4) ‖ threads (1) ‖ salt length (1) ‖ salt]   (argon2id only)
//	  ‖ nonce (24) ‖ XChaCha20-Poly1305(ring) with everything before the nonce as associated data
//
// so the KDF salt and parameters travel with the ring and cannot be altered.
// The KEK comes from a [KEKSource]:
//
//   - [KeyFile]: a file of exactly 32 random bytes, created 0600 (in a 0700
//     directory) on first use; a file of another length, or one that group or
//     others may access, is refused with [ErrKeyFile].
//   - [KeyBase64]: 32 bytes in base64, as PSN_KEY holds them.
//   - [Passphrase]: argon2id with the RFC 9106 second recommended profile
//     (t=3, m=64 MiB, p=4) and a 16-byte random salt. The derivation runs once
//     per source and salt and is cached inside the source, never once per token;
//     re-marshalling a ring keeps its salt, so it does not run again.
//
// [ResolveKEK] picks the source the way the psn command does: PSN_KEY, then
// PSN_KEY_FILE, then PSN_PASSPHRASE, else the key file "key" in the config
// directory. [ResolveExistingKEK] is the same for code that only reads: it
// creates no key file ([ExistingKeyFile]) and reports a missing one as
// [ErrNoKey]. A KEK that does not open the ring gives [ErrWrongKey].
//
// # Redaction
//
// Every type that holds key material prints itself as "[REDACTED]" or as the
// kind of its source ("keyfile(/path)", "env PSN_KEY", "passphrase") through
// String, GoString, Format and slog's LogValue, so a stray log line cannot leak
// a key. Error strings never contain key material or plaintext.
package seal
