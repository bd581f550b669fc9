package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/sync/singleflight"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
)

// argonWait bounds how long a key check waits for an argon2id slot
// (APIKeys.sem) before it gives up with ErrAPIKeyBusy.
const argonWait = 5 * time.Second

// apiKeysMeta is the store meta key holding the vault API keys' hashes.
const apiKeysMeta = "apikeys"

// APIKeyPrefix starts every vault API key, so that a key found in a log or
// a repository is recognisable (and secret scanners can match it).
const APIKeyPrefix = "psnv_"

// Argon2id parameters of API key hashes. A key is 256 random bits, so the
// hash needs no passphrase-grade cost: these are OWASP's minimum for
// argon2id (m=19 MiB, t=2, p=1), which keeps a verification in the low
// milliseconds. Verified keys are remembered in memory (as a SHA-256
// digest), so the cost is paid once per key and process.
const (
	apiKeyTime    = 2
	apiKeyMemory  = 19 * 1024 // KiB
	apiKeyThreads = 1
	apiKeyHashLen = 32
)

// Errors of the API key registry, matched with errors.Is.
var (
	// ErrAPIKeyBusy: a key not yet verified could not be checked now: too
	// many argon2id checks were waiting (answered 503; try again).
	ErrAPIKeyBusy = errors.New("vault: too many API key checks at once; try again")
	// ErrAPIKeyInvalid: the presented key is malformed, unknown or revoked.
	ErrAPIKeyInvalid = errors.New("vault: invalid API key")
	// ErrAPIKeyExists: Create with a name already in use.
	ErrAPIKeyExists = errors.New("vault: an API key with that name exists")
	// ErrAPIKeyNotFound: Revoke of a name that has no key.
	ErrAPIKeyNotFound = errors.New("vault: no API key with that name")
	// ErrAPIKeyName: a name that is empty, too long or not [A-Za-z0-9._-].
	ErrAPIKeyName = errors.New("vault: API key names are 1-64 letters, digits, '.', '_' or '-'")
)

// APIKeyInfo is what may be shown about an API key: never the key, never
// its hash.
type APIKeyInfo struct {
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	// Scope is what the key may do (admin for a key stored without one).
	Scope APIKeyScope `json:"scope"`
}

// apiKeyRecord is one stored key: its public id and the argon2id hash of
// the whole key, with the salt and parameters used.
type apiKeyRecord struct {
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Salt    []byte    `json:"salt"`
	Hash    []byte    `json:"hash"`
	Time    uint32    `json:"t"`
	Memory  uint32    `json:"m"`
	Threads uint8     `json:"p"`
	// Scope is absent from keys made before scopes existed: those are
	// admin keys.
	Scope *APIKeyScope `json:"scope,omitempty"`

	// badScope is set by load when Scope is unusable: the key is refused.
	badScope bool
}

// info is what may be shown of r.
func (r apiKeyRecord) info() APIKeyInfo {
	i := APIKeyInfo{Name: r.Name, ID: r.ID, Created: r.Created, Scope: AdminScope()}
	if r.Scope != nil {
		i.Scope = *r.Scope
	}
	return i
}

type apiKeyFile struct {
	Keys []apiKeyRecord `json:"keys"`
}

// validAPIKeyName reports whether name is 1-64 of [A-Za-z0-9._-]. A loop,
// not a regexp: package-level regexps compile at every psn start, vault
// or not.
func validAPIKeyName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for _, c := range []byte(name) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// APIKeys is the registry of vault API keys kept in a store's meta value
// apiKeysMeta (changed with a compare-and-swap, so two processes cannot
// lose each other's keys). It is safe for concurrent use.
type APIKeys struct {
	st  store.Store
	now func() time.Time

	// sem bounds concurrent argon2id computations (19 MiB each), and
	// argonWait how long a check waits for a slot.
	sem       chan struct{}
	argonWait time.Duration

	mu       sync.Mutex
	verified map[[32]byte]verifiedKey // SHA-256 of a presented key → its record

	// The stored keys as last read, for Verify; see APIKeyRecheck.
	fmu      sync.Mutex
	file     apiKeyFile
	loadedAt time.Time // zero: read again
	gen      uint64    // grows with every forget
	sf       singleflight.Group
}

// APIKeyRecheck is how long Verify trusts the API keys it last read from
// the store before it reads them again (one small meta read per process and
// period, whatever the request rate). A key revoked by any process sharing
// the store stops working in every other one within APIKeyRecheck plus
// that read: under 2 s. A revocation made through the same APIKeys takes
// effect at once.
const APIKeyRecheck = time.Second

// current returns the stored keys, read at most APIKeyRecheck ago; one
// caller reads them again when they are older, the others wait for it.
func (k *APIKeys) current(ctx context.Context) (apiKeyFile, error) {
	k.fmu.Lock()
	if !k.loadedAt.IsZero() && k.now().Sub(k.loadedAt) < APIKeyRecheck {
		f := k.file
		k.fmu.Unlock()
		return f, nil
	}
	k.fmu.Unlock()
	// The read is shared by every caller waiting for it, so it does not
	// end with the request that started it (a client that hung up); each
	// caller stops waiting when its own context ends.
	ch := k.sf.DoChan("load", func() (any, error) {
		k.fmu.Lock()
		gen := k.gen
		k.fmu.Unlock()
		at := k.now()
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), requestWait)
		defer cancel()
		f, _, err := k.load(lctx)
		if err != nil {
			return apiKeyFile{}, err
		}
		k.fmu.Lock()
		defer k.fmu.Unlock()
		if gen == k.gen { // else changed through k meanwhile: read again next time
			k.file, k.loadedAt = f, at
		}
		return f, nil
	})
	var res singleflight.Result
	select {
	case res = <-ch:
	case <-ctx.Done():
		return apiKeyFile{}, ctx.Err()
	}
	if res.Err != nil {
		return apiKeyFile{}, res.Err
	}
	return res.Val.(apiKeyFile), nil
}

// forget makes the next Verify read the keys again (after a change made
// through k).
func (k *APIKeys) forget() {
	k.fmu.Lock()
	k.loadedAt = time.Time{}
	k.gen++
	k.fmu.Unlock()
}

type verifiedKey struct {
	id   string
	hash []byte // the stored hash it matched: a re-created key does not match
}

// NewAPIKeys returns the API key registry of st.
func NewAPIKeys(st store.Store) *APIKeys {
	return &APIKeys{st: st, now: time.Now, sem: make(chan struct{}, 2), argonWait: argonWait, verified: map[[32]byte]verifiedKey{}}
}

func (k *APIKeys) load(ctx context.Context) (apiKeyFile, []byte, error) {
	blob, err := k.st.GetMeta(ctx, apiKeysMeta)
	if errors.Is(err, store.ErrNotFound) {
		return apiKeyFile{}, nil, nil
	}
	if err != nil {
		return apiKeyFile{}, nil, fmt.Errorf("vault: reading the API keys: %w", err)
	}
	var f apiKeyFile
	if err := json.Unmarshal(blob, &f); err != nil {
		return apiKeyFile{}, nil, fmt.Errorf("vault: API keys: %w", store.ErrCorrupt)
	}
	for i := range f.Keys {
		if sc := f.Keys[i].Scope; sc != nil {
			if err := sc.normalize(); err != nil {
				f.Keys[i].badScope = true
			}
		}
	}
	return f, blob, nil
}

// change applies f to the stored keys and saves them with a
// compare-and-swap, re-reading on a conflict.
func (k *APIKeys) change(ctx context.Context, f func(*apiKeyFile) error) error {
	for range 5 {
		cur, blob, err := k.load(ctx)
		if err != nil {
			return err
		}
		if err := f(&cur); err != nil {
			return err
		}
		nb, err := json.Marshal(cur)
		if err != nil {
			return err
		}
		err = k.st.SwapMeta(ctx, apiKeysMeta, blob, nb)
		k.forget()
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("vault: saving the API keys: %w", err)
		}
		return nil
	}
	return errors.New("vault: the API keys kept changing while they were saved")
}

// Create makes a new admin API key called name (CreateScoped with
// AdminScope).
func (k *APIKeys) Create(ctx context.Context, name string) (psn.Secret, APIKeyInfo, error) {
	return k.CreateScoped(ctx, name, AdminScope())
}

// CreateScoped makes a new API key called name with scope and stores only
// its argon2id hash. The key itself is returned once: it cannot be read
// back. A scope that is not AdminScope or a valid AccountsScope is
// ErrAPIKeyScope.
func (k *APIKeys) CreateScoped(ctx context.Context, name string, scope APIKeyScope) (psn.Secret, APIKeyInfo, error) {
	if !validAPIKeyName(name) {
		return "", APIKeyInfo{}, ErrAPIKeyName
	}
	if err := scope.normalize(); err != nil {
		return "", APIKeyInfo{}, err
	}
	var idb [8]byte
	var secret [32]byte
	var salt [16]byte
	for _, b := range [][]byte{idb[:], secret[:], salt[:]} {
		if _, err := rand.Read(b); err != nil {
			return "", APIKeyInfo{}, err
		}
	}
	id := hex.EncodeToString(idb[:])
	key := APIKeyPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(secret[:])
	rec := apiKeyRecord{
		Name: name, ID: id, Created: k.now().UTC().Truncate(time.Second), Salt: salt[:],
		Time: apiKeyTime, Memory: apiKeyMemory, Threads: apiKeyThreads, Scope: &scope,
	}
	rec.Hash = argon2.IDKey([]byte(key), rec.Salt, rec.Time, rec.Memory, rec.Threads, apiKeyHashLen)
	err := k.change(ctx, func(f *apiKeyFile) error {
		for _, r := range f.Keys {
			if r.Name == name {
				return fmt.Errorf("%w: %q", ErrAPIKeyExists, name)
			}
		}
		f.Keys = append(f.Keys, rec)
		return nil
	})
	if err != nil {
		return "", APIKeyInfo{}, err
	}
	return psn.Secret(key), rec.info(), nil
}

// List returns the keys' names, ids and creation times, by name.
func (k *APIKeys) List(ctx context.Context) ([]APIKeyInfo, error) {
	f, _, err := k.load(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]APIKeyInfo, 0, len(f.Keys))
	for _, r := range f.Keys {
		out = append(out, r.info())
	}
	slices.SortFunc(out, func(a, b APIKeyInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Revoke deletes the key called name; requests made with it fail from
// then on, in every process sharing the store.
func (k *APIKeys) Revoke(ctx context.Context, name string) error {
	return k.change(ctx, func(f *apiKeyFile) error {
		i := slices.IndexFunc(f.Keys, func(r apiKeyRecord) bool { return r.Name == name })
		if i < 0 {
			return ErrAPIKeyNotFound // the name is not repeated: it might be a mistyped secret
		}
		f.Keys = slices.Delete(f.Keys, i, i+1)
		return nil
	})
}

// SetScope changes the scope of the key called name and returns its info;
// every process sharing the store applies it within APIKeyRecheck (this
// one at once), as for a revocation.
func (k *APIKeys) SetScope(ctx context.Context, name string, scope APIKeyScope) (APIKeyInfo, error) {
	if err := scope.normalize(); err != nil {
		return APIKeyInfo{}, err
	}
	var info APIKeyInfo
	err := k.change(ctx, func(f *apiKeyFile) error {
		i := slices.IndexFunc(f.Keys, func(r apiKeyRecord) bool { return r.Name == name })
		if i < 0 {
			return ErrAPIKeyNotFound
		}
		f.Keys[i].Scope = &scope
		info = f.Keys[i].info()
		return nil
	})
	return info, err
}

// ParseAPIKey splits a presented key into its public id; it returns
// ErrAPIKeyInvalid for anything that is not psnv_<16 hex>_<43 base64url>.
func ParseAPIKey(key string) (id string, err error) {
	rest, ok := strings.CutPrefix(key, APIKeyPrefix)
	if !ok {
		return "", ErrAPIKeyInvalid
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 16 || len(secret) != 43 {
		return "", ErrAPIKeyInvalid
	}
	if _, err := hex.DecodeString(id); err != nil || strings.ToLower(id) != id {
		return "", ErrAPIKeyInvalid
	}
	if b, err := base64.RawURLEncoding.Strict().DecodeString(secret); err != nil || len(b) != 32 {
		return "", ErrAPIKeyInvalid
	}
	return id, nil
}

// Verify checks a presented key against the stored hashes and returns the
// key's public info (its scope included), or ErrAPIKeyInvalid. The stored hashes are read at
// most every APIKeyRecheck, so a revocation by another process takes
// effect within 2 s; a key already verified is recognised by its SHA-256
// digest, so argon2id runs once per key and process. The comparison is
// constant-time; a key is looked up by its public id, so an unknown key
// costs no hashing at all.
func (k *APIKeys) Verify(ctx context.Context, key string) (APIKeyInfo, error) {
	return k.verify(ctx, key, nil)
}

// verify is Verify with a gate: when the key is not one already verified
// (the costly argon2id run is due), gate is called first, and its error,
// if any, is returned instead of running it. The HTTP handlers gate by the
// failed tries of the caller's address, so that guesses against a known
// key id cannot keep the cores busy with argon2id.
func (k *APIKeys) verify(ctx context.Context, key string, gate func() error) (APIKeyInfo, error) {
	id, err := ParseAPIKey(key)
	if err != nil {
		return APIKeyInfo{}, err
	}
	f, err := k.current(ctx)
	if err != nil {
		return APIKeyInfo{}, err
	}
	i := slices.IndexFunc(f.Keys, func(r apiKeyRecord) bool { return r.ID == id })
	if i < 0 {
		return APIKeyInfo{}, ErrAPIKeyInvalid
	}
	rec := f.Keys[i]
	if rec.Time == 0 || rec.Time > 16 || rec.Memory > 1<<18 || rec.Threads == 0 || len(rec.Hash) < 16 || len(rec.Hash) > 64 {
		return APIKeyInfo{}, fmt.Errorf("vault: API key %q: unusable hash parameters: %w", rec.Name, store.ErrCorrupt)
	}
	if rec.badScope {
		return APIKeyInfo{}, fmt.Errorf("vault: API key %q: unusable scope: %w", rec.Name, store.ErrCorrupt)
	}
	info := rec.info()
	digest := sha256.Sum256([]byte(key))
	k.mu.Lock()
	v, ok := k.verified[digest]
	k.mu.Unlock()
	if ok && v.id == rec.ID && bytes.Equal(v.hash, rec.Hash) {
		return info, nil
	}
	if gate != nil {
		if err := gate(); err != nil {
			return APIKeyInfo{}, err
		}
	}
	wait := time.NewTimer(k.argonWait)
	defer wait.Stop()
	select {
	case k.sem <- struct{}{}:
	case <-ctx.Done():
		return APIKeyInfo{}, ctx.Err()
	case <-wait.C:
		return APIKeyInfo{}, ErrAPIKeyBusy
	}
	got := argon2.IDKey([]byte(key), rec.Salt, rec.Time, rec.Memory, rec.Threads, uint32(len(rec.Hash)))
	<-k.sem
	if subtle.ConstantTimeCompare(got, rec.Hash) != 1 {
		return APIKeyInfo{}, ErrAPIKeyInvalid
	}
	k.mu.Lock()
	if len(k.verified) >= 1024 {
		clear(k.verified) // a bound, not a cache policy: keys are few
	}
	k.verified[digest] = verifiedKey{id: rec.ID, hash: rec.Hash}
	k.mu.Unlock()
	return info, nil
}
