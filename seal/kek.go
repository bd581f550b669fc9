package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// KEKSource supplies the key-encryption key that seals a [Ring]: a key file
// ([KeyFile]), base64 key material ([KeyBase64]) or a passphrase
// ([Passphrase]); [ResolveKEK] picks one from the environment. String says
// which kind of source it is (e.g. "keyfile(/home/a/.config/psn/key)",
// "env PSN_KEY", "passphrase") and never shows the key. A KEKSource is safe
// for concurrent use. The interface is closed: only this package implements it.
type KEKSource interface {
	fmt.Stringer

	// usesKDF reports whether the key is derived from a passphrase with
	// argon2id, which needs a salt and parameters stored with the ring.
	usesKDF() bool
	// freshKDF returns the parameters to derive with, and a new random
	// salt, for a ring that has none yet. Only called when usesKDF.
	freshKDF() (*kdfParams, error)
	// key returns the 32-byte key-encryption key; p is nil unless usesKDF.
	key(p *kdfParams) (*[keyLen]byte, error)
}

// kdfParams are the argon2id parameters and salt stored with a ring.
type kdfParams struct {
	time    uint32 // passes
	memory  uint32 // KiB
	threads uint8
	salt    []byte
}

// RFC 9106 §4, second recommended option: argon2id, t=3, m=64 MiB, p=4, 128-bit salt.
const (
	kdfTime    = 3
	kdfMemory  = 64 * 1024 // KiB
	kdfThreads = 4
	kdfSaltLen = 16
)

// Bounds accepted when reading a ring blob, so a damaged or hostile blob cannot
// make OpenRing allocate unbounded memory or spin for minutes.
const (
	maxKDFTime    = 16
	maxKDFMemory  = 1 << 20 // KiB: 1 GiB
	maxKDFThreads = 64
	minSaltLen    = 16
	maxSaltLen    = 64
)

func (p *kdfParams) validate() error {
	switch {
	case p.time < 1 || p.time > maxKDFTime:
		return fmt.Errorf("argon2id time %d outside [1, %d]", p.time, maxKDFTime)
	case p.threads < 1 || p.threads > maxKDFThreads:
		return fmt.Errorf("argon2id threads %d outside [1, %d]", p.threads, maxKDFThreads)
	case p.memory < 8*uint32(p.threads) || p.memory > maxKDFMemory:
		return fmt.Errorf("argon2id memory %d KiB outside [%d, %d]", p.memory, 8*uint32(p.threads), maxKDFMemory)
	case len(p.salt) < minSaltLen || len(p.salt) > maxSaltLen:
		return fmt.Errorf("argon2id salt of %d bytes outside [%d, %d]", len(p.salt), minSaltLen, maxSaltLen)
	}
	return nil
}

// cacheKey identifies a derivation: parameters and salt.
func (p *kdfParams) cacheKey() string {
	b := make([]byte, 0, 9+len(p.salt))
	b = binary.BigEndian.AppendUint32(b, p.time)
	b = binary.BigEndian.AppendUint32(b, p.memory)
	b = append(b, p.threads)
	b = append(b, p.salt...)
	return string(b)
}

func (p *kdfParams) clone() *kdfParams {
	c := *p
	c.salt = bytes.Clone(p.salt)
	return &c
}

// ---- key file ----

// KeyFile returns a source that reads the KEK from path: exactly 32 random
// bytes. On first use, if the file does not exist, it is created with 32 fresh
// random bytes and mode 0600 (missing directories are created 0700); creation
// is atomic, so two processes starting at once agree on one key. A file of
// another length, that is not a regular file, or that group or others may
// access is refused with a [*KeyFileError] (matching [ErrKeyFile]) that says
// what to do. The key is read once and cached in the source.
func KeyFile(path string) KEKSource {
	return &keyFile{path: path}
}

type keyFile struct {
	path string
	// existing: never create the file (see ExistingKeyFile).
	existing bool
	mu       sync.Mutex
	k        *[keyLen]byte
}

func (f *keyFile) usesKDF() bool { return false }
func (f *keyFile) freshKDF() (*kdfParams, error) {
	return nil, errors.New("seal: a key file needs no KDF")
}

func (f *keyFile) key(*kdfParams) (*[keyLen]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.k != nil {
		return f.k, nil
	}
	load := loadOrCreateKeyFile
	if f.existing {
		load = loadExistingKeyFile
	}
	k, err := load(f.path)
	if err != nil {
		return nil, err
	}
	f.k = k
	return k, nil
}

func loadOrCreateKeyFile(path string) (*[keyLen]byte, error) {
	if path == "" {
		return nil, &KeyFileError{Path: `""`, Problem: "no path given", Fix: "give a key file path or a config directory"}
	}
	k, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := createKeyFile(path); err != nil {
		return nil, err
	}
	return readKeyFile(path)
}

// readKeyFile reads and checks an existing key file.
func readKeyFile(path string) (*[keyLen]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err) // the caller handles fs.ErrNotExist
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, &KeyFileError{Path: path, Problem: "not a regular file (" + st.Mode().Type().String() + ")",
			Fix: "a key file must hold exactly 32 random bytes"}
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, &KeyFileError{Path: path, Problem: fmt.Sprintf("mode %04o lets group or others access it", perm),
			Fix: "restrict it with: chmod 600 " + path}
	}
	// Read one byte more than a key, so a longer file is noticed without
	// reading all of a large one.
	var buf [keyLen + 1]byte
	n, err := io.ReadFull(fh, buf[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	if n != keyLen {
		size := fmt.Sprintf("%d bytes", st.Size())
		return nil, &KeyFileError{Path: path, Problem: "holds " + size + ", want exactly 32 raw bytes (not text or base64)",
			Fix: "restore the original key file (base64 key material is a key, not a key file); delete it only if no ring was sealed with it"}
	}
	k := new([keyLen]byte)
	copy(k[:], buf[:keyLen])
	clear(buf[:])
	return k, nil
}

// createKeyFile writes 32 random bytes to a temporary file next to path and
// hard-links it into place, which fails if path already exists: a concurrent
// creator's key is never overwritten and a reader never sees a partial file.
func createKeyFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("seal: creating key directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".key-*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("seal: creating key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	var raw [keyLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		tmp.Close()
		return fmt.Errorf("seal: reading random key: %w", err)
	}
	_, err = tmp.Write(raw[:])
	clear(raw[:])
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("seal: writing key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("seal: installing key file: %w", err)
	}
	if d, err := os.Open(dir); err == nil { // make the new name durable
		_ = d.Sync()
		d.Close()
	}
	return nil
}

func (f *keyFile) String() string   { return "keyfile(" + f.path + ")" }
func (f *keyFile) GoString() string { return fmt.Sprintf("seal.KeyFile(%q)", f.path) }
func (f *keyFile) Format(s fmt.State, verb rune) {
	formatRedacted(s, verb, f.String(), f.GoString())
}
func (f *keyFile) LogValue() slog.Value { return slog.StringValue(f.String()) }

// ---- base64 key ----

// KeyBase64 returns a source holding a KEK given as base64 (standard with
// padding, or raw URL-safe; surrounding white space is ignored) of exactly 32
// bytes — the form PSN_KEY takes. Invalid input is reported, without the
// value, by the first use of the source, wrapping [ErrBadKey]. Generate a
// value with: head -c 32 /dev/urandom | base64
func KeyBase64(b64 string) KEKSource {
	return newKeyBase64(b64, "base64 key")
}

func newKeyBase64(b64, label string) *keyBase64 {
	s := &keyBase64{label: label}
	b64 = strings.TrimSpace(b64)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding, base64.RawStdEncoding, base64.URLEncoding} {
		if raw, err = enc.DecodeString(b64); err == nil {
			break
		}
	}
	switch {
	case err != nil:
		s.err = fmt.Errorf("%w: %s is not base64 (standard or raw URL-safe)", ErrBadKey, label)
	case len(raw) != keyLen:
		s.err = fmt.Errorf("%w: %s decodes to %d bytes, want exactly 32 (make one with: head -c 32 /dev/urandom | base64)", ErrBadKey, label, len(raw))
	default:
		s.k = new([keyLen]byte)
		copy(s.k[:], raw)
	}
	clear(raw)
	return s
}

type keyBase64 struct {
	label string
	k     *[keyLen]byte
	err   error
}

func (s *keyBase64) usesKDF() bool { return false }
func (s *keyBase64) freshKDF() (*kdfParams, error) {
	return nil, errors.New("seal: a raw key needs no KDF")
}
func (s *keyBase64) key(*kdfParams) (*[keyLen]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	return s.k, nil
}

func (s *keyBase64) String() string   { return s.label }
func (s *keyBase64) GoString() string { return "seal.KeyBase64(" + redacted + ")" }
func (s *keyBase64) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, s.String(), s.GoString())
}
func (s *keyBase64) LogValue() slog.Value { return slog.StringValue(s.String()) }

// ---- passphrase ----

// Passphrase returns a source that derives the KEK from a passphrase with
// argon2id, RFC 9106's second recommended profile: t=3, m=64 MiB, p=4, a
// 16-byte random salt. The salt and parameters are stored in the ring blob.
// The derivation is costly (a good fraction of a second) and runs once per
// source and salt: the derived key is cached inside the returned source, so
// keep and reuse one source per process. p is copied; an empty passphrase is
// refused on first use with [ErrBadKey].
func Passphrase(p []byte) KEKSource {
	return newPassphrase(p, "passphrase")
}

func newPassphrase(p []byte, label string) *passphrase {
	return &passphrase{
		label:  label,
		pass:   bytes.Clone(p),
		params: kdfParams{time: kdfTime, memory: kdfMemory, threads: kdfThreads},
		derive: argon2id,
	}
}

func argon2id(pass, salt []byte, time, memory uint32, threads uint8) []byte {
	return argon2.IDKey(pass, salt, time, memory, threads, keyLen)
}

type passphrase struct {
	label  string
	pass   []byte
	params kdfParams // for new rings; salt unused
	// derive is argon2id; tests swap it to count runs or to be cheap.
	derive func(pass, salt []byte, time, memory uint32, threads uint8) []byte

	mu    sync.Mutex // held across a derivation, so concurrent users derive once
	cache map[string]*[keyLen]byte
}

func (s *passphrase) usesKDF() bool { return true }

func (s *passphrase) freshKDF() (*kdfParams, error) {
	p := s.params
	p.salt = make([]byte, kdfSaltLen)
	if _, err := rand.Read(p.salt); err != nil {
		return nil, fmt.Errorf("seal: reading random salt: %w", err)
	}
	return &p, nil
}

func (s *passphrase) key(p *kdfParams) (*[keyLen]byte, error) {
	if len(s.pass) == 0 {
		return nil, fmt.Errorf("%w: %s is empty", ErrBadKey, s.label)
	}
	if p == nil {
		return nil, errors.New("seal: a passphrase needs KDF parameters")
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrMalformed, err)
	}
	ck := p.cacheKey()
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.cache[ck]; k != nil {
		return k, nil
	}
	raw := s.derive(s.pass, p.salt, p.time, p.memory, p.threads)
	if len(raw) != keyLen {
		return nil, fmt.Errorf("seal: KDF returned %d bytes, want %d", len(raw), keyLen)
	}
	k := new([keyLen]byte)
	copy(k[:], raw)
	clear(raw)
	if s.cache == nil {
		s.cache = make(map[string]*[keyLen]byte)
	}
	s.cache[ck] = k
	return k, nil
}

func (s *passphrase) String() string   { return s.label }
func (s *passphrase) GoString() string { return "seal.Passphrase(" + redacted + ")" }
func (s *passphrase) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, s.String(), s.GoString())
}
func (s *passphrase) LogValue() slog.Value { return slog.StringValue(s.String()) }

// ---- resolution ----

// Environment variables read by [ResolveKEK].
const (
	EnvKey        = "PSN_KEY"        // base64 of 32 bytes
	EnvKeyFile    = "PSN_KEY_FILE"   // path of a 32-byte key file
	EnvPassphrase = "PSN_PASSPHRASE" // passphrase for argon2id
)

// ResolveKEK picks the key-encryption key source the psn tools use; the first
// non-empty one wins: PSN_KEY ([KeyBase64]), PSN_KEY_FILE ([KeyFile]),
// PSN_PASSPHRASE ([Passphrase]), else the key file "key" in configDir, created
// 0600 if missing. getenv is usually [os.Getenv]. Key material and key files
// are checked now, so a bad PSN_KEY or key file fails here rather than later;
// a passphrase is only derived when a ring is opened or sealed.
func ResolveKEK(getenv func(string) string, configDir string) (KEKSource, error) {
	return resolveKEK(getenv, configDir, KeyFile)
}

func resolveKEK(getenv func(string) string, configDir string, keyFile func(string) KEKSource) (KEKSource, error) {
	var src KEKSource
	switch {
	case getenv(EnvKey) != "":
		src = newKeyBase64(getenv(EnvKey), "env "+EnvKey)
	case getenv(EnvKeyFile) != "":
		src = keyFile(getenv(EnvKeyFile))
	case getenv(EnvPassphrase) != "":
		return newPassphrase([]byte(getenv(EnvPassphrase)), "passphrase (env "+EnvPassphrase+")"), nil
	default:
		if configDir == "" {
			return nil, &KeyFileError{Path: `""`, Problem: "no config directory to hold the default key file",
				Fix: "give a key, a key file or a passphrase"}
		}
		src = keyFile(filepath.Join(configDir, "key"))
	}
	if _, err := src.key(nil); err != nil {
		return nil, err
	}
	return src, nil
}
