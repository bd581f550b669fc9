package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/argon2"
)

// testKeyB64 is base64 of 32 bytes 0x00..0x1f.
var testKeyB64 = base64.StdEncoding.EncodeToString(seq32())

func seq32() []byte {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func TestKeyFileCreatedAndReread(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg", "psn")
	path := filepath.Join(dir, "key")
	src := KeyFile(path)
	k1, err := src.key(nil)
	if err != nil {
		t.Fatalf("first use: %v", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 || st.Size() != 32 {
		t.Fatalf("key file mode %v size %d, want 0600 and 32", st.Mode().Perm(), st.Size())
	}
	dst, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if dst.Mode().Perm() != 0o700 {
		t.Fatalf("key dir mode %v, want 0700", dst.Mode().Perm())
	}
	onDisk, _ := os.ReadFile(path)
	if !bytes.Equal(onDisk, k1[:]) {
		t.Fatal("key differs from the file's bytes")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("key dir holds %d entries, want only the key (temporary file left behind?)", len(entries))
	}

	// A second source (another process) reads the same key, and the ring
	// sealed by the first opens with it.
	r := newTestRing(t)
	blob, err := r.Marshal(src)
	if err != nil {
		t.Fatal(err)
	}
	again := KeyFile(path)
	if _, err := OpenRing(blob, again); err != nil {
		t.Fatalf("OpenRing with the re-read key file: %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(after, onDisk) {
		t.Fatal("re-reading the key file changed it")
	}
}

func TestKeyFileConcurrentCreationAgrees(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	var wg sync.WaitGroup
	keys := make([]*[keyLen]byte, 8)
	errs := make([]error, len(keys))
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = KeyFile(path).key(nil) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil {
			t.Fatalf("creator %d: %v", i, errs[i])
		}
		if *keys[i] != *keys[0] {
			t.Fatalf("creator %d got another key than creator 0", i)
		}
	}
}

func TestKeyFileRejected(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // beat the umask
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, path, wantIn string
	}{
		{"group readable", write("g", seq32(), 0o640), "chmod 600"},
		{"world readable", write("w", seq32(), 0o604), "chmod 600"},
		{"group writable", write("gw", seq32(), 0o620), "chmod 600"},
		{"short", write("short", seq32()[:31], 0o600), "exactly 32"},
		{"long", write("long", append(seq32(), '\n'), 0o600), "exactly 32"},
		{"base64 text", write("b64", []byte(testKeyB64), 0o600), "base64 key material is a key"},
		{"empty", write("empty", nil, 0o600), "exactly 32"},
		{"directory", dir, "regular file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadFile(c.path)
			_, err := KeyFile(c.path).key(nil)
			if !errors.Is(err, ErrKeyFile) {
				t.Fatalf("err = %v, want ErrKeyFile", err)
			}
			var kfe *KeyFileError
			if !errors.As(err, &kfe) || kfe.Path != c.path || kfe.Fix == "" {
				t.Fatalf("err = %#v, want a *KeyFileError for %s with a fix", err, c.path)
			}
			if !strings.Contains(err.Error(), c.wantIn) {
				t.Fatalf("error %q does not mention %q", err, c.wantIn)
			}
			if after, _ := os.ReadFile(c.path); !bytes.Equal(before, after) {
				t.Fatal("a rejected key file was modified")
			}
			if len(before) > 8 && strings.Contains(err.Error(), string(before[:8])) {
				t.Fatal("error holds key file content")
			}
		})
	}
}

func TestKeyBase64(t *testing.T) {
	raw := seq32()
	for _, s := range []string{
		base64.StdEncoding.EncodeToString(raw),
		base64.RawURLEncoding.EncodeToString(raw),
		" " + base64.StdEncoding.EncodeToString(raw) + "\n",
	} {
		k, err := KeyBase64(s).key(nil)
		if err != nil || !bytes.Equal(k[:], raw) {
			t.Fatalf("KeyBase64(%q) = %x, %v", s, k, err)
		}
	}
	for _, s := range []string{
		"not base64 at all!",
		base64.StdEncoding.EncodeToString(raw[:31]),
		base64.StdEncoding.EncodeToString(append(raw, 1)),
		"",
	} {
		_, err := KeyBase64(s).key(nil)
		if !errors.Is(err, ErrBadKey) {
			t.Fatalf("KeyBase64(%q) err = %v, want ErrBadKey", s, err)
		}
		if s != "" && strings.Contains(err.Error(), s) {
			t.Fatalf("error %q holds the key material", err)
		}
	}
}

func TestResolveKEKOrder(t *testing.T) {
	keyFilePath := filepath.Join(t.TempDir(), "explicit.key")
	full := map[string]string{
		"PSN_KEY":        testKeyB64,
		"PSN_KEY_FILE":   keyFilePath,
		"PSN_PASSPHRASE": "correct horse",
	}
	cases := []struct {
		unset []string
		want  string
	}{
		{nil, "env PSN_KEY"},
		{[]string{"PSN_KEY"}, "keyfile(" + keyFilePath + ")"},
		{[]string{"PSN_KEY", "PSN_KEY_FILE"}, "passphrase (env PSN_PASSPHRASE)"},
	}
	for _, c := range cases {
		env := make(map[string]string)
		for k, v := range full {
			env[k] = v
		}
		for _, k := range c.unset {
			env[k] = "" // set but empty counts as unset
		}
		cfg := t.TempDir()
		src, err := ResolveKEK(func(k string) string { return env[k] }, cfg)
		if err != nil {
			t.Fatalf("unset %v: %v", c.unset, err)
		}
		if src.String() != c.want {
			t.Fatalf("unset %v: source %q, want %q", c.unset, src, c.want)
		}
		if _, err := os.Stat(filepath.Join(cfg, "key")); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("unset %v: the default key file was created although %s was used", c.unset, src)
		}
	}
	if _, err := os.Stat(keyFilePath); err != nil {
		t.Fatalf("PSN_KEY_FILE was not created on use: %v", err)
	}

	// Nothing set: the default key file in the config dir, created 0600.
	cfg := filepath.Join(t.TempDir(), "psn")
	src, err := ResolveKEK(func(string) string { return "" }, cfg)
	if err != nil {
		t.Fatal(err)
	}
	def := filepath.Join(cfg, "key")
	if src.String() != "keyfile("+def+")" {
		t.Fatalf("default source %q", src)
	}
	st, err := os.Stat(def)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("default key file: %v, %v", st, err)
	}
	if _, err := ResolveKEK(func(string) string { return "" }, ""); !errors.Is(err, ErrKeyFile) {
		t.Fatalf("no config dir: err = %v, want ErrKeyFile", err)
	}
}

func TestResolveKEKChecksEagerly(t *testing.T) {
	env := map[string]string{"PSN_KEY": "c2hvcnQ="} // "short"
	_, err := ResolveKEK(func(k string) string { return env[k] }, t.TempDir())
	if !errors.Is(err, ErrBadKey) || strings.Contains(err.Error(), "c2hvcnQ") || !strings.Contains(err.Error(), "PSN_KEY") {
		t.Fatalf("bad PSN_KEY: err = %v, want ErrBadKey naming PSN_KEY without its value", err)
	}
	p := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(p, seq32(), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(p, 0o644)
	env = map[string]string{"PSN_KEY_FILE": p}
	if _, err := ResolveKEK(func(k string) string { return env[k] }, t.TempDir()); !errors.Is(err, ErrKeyFile) {
		t.Fatalf("0644 PSN_KEY_FILE: err = %v, want ErrKeyFile", err)
	}
}

func TestPassphraseKDFRunsOncePerSalt(t *testing.T) {
	var runs atomic.Int32
	pp := cheapPassphrase("correct horse battery staple", &runs, nil)
	r := newTestRing(t)
	blob1, err := r.Marshal(pp)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		opened, err := OpenRing(blob1, pp)
		if err != nil {
			t.Fatal(err)
		}
		blob2, err := opened.Marshal(pp)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(blobParams(t, blob2).salt, blobParams(t, blob1).salt) {
			t.Fatal("Marshal of a ring opened with a passphrase changed its salt")
		}
		for range 5 {
			s := mustSeal(t, opened, adAlice, []byte("token"))
			if _, err := opened.Open(adAlice, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := r.Marshal(pp); err != nil {
		t.Fatal(err)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("KDF ran %d times, want 1", n)
	}

	// Another source value (another process) derives once too, even when
	// many goroutines open the ring at the same moment.
	var runs2 atomic.Int32
	pp2 := cheapPassphrase("correct horse battery staple", &runs2, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := OpenRing(blob1, pp2); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := runs2.Load(); n != 1 {
		t.Fatalf("concurrent opens: KDF ran %d times, want 1", n)
	}

	// A new ring gets a new salt: one more derivation.
	if _, err := newTestRing(t).Marshal(pp); err != nil {
		t.Fatal(err)
	}
	if n := runs.Load(); n != 2 {
		t.Fatalf("after a second ring: KDF ran %d times, want 2", n)
	}
}

func TestPassphraseParamsRFC9106(t *testing.T) {
	var last kdfParams
	pp := cheapPassphrase("pw", nil, &last)
	blob, err := newTestRing(t).Marshal(pp)
	if err != nil {
		t.Fatal(err)
	}
	p := blobParams(t, blob)
	if p == nil || p.time != 3 || p.memory != 64*1024 || p.threads != 4 || len(p.salt) != 16 {
		t.Fatalf("stored KDF params %+v, want t=3 m=65536 KiB p=4 and a 16-byte salt", p)
	}
	if last.time != 3 || last.memory != 64*1024 || last.threads != 4 || !bytes.Equal(last.salt, p.salt) {
		t.Fatalf("KDF called with %+v, want the stored params and salt", last)
	}
	if bytes.Equal(p.salt, make([]byte, 16)) {
		t.Fatal("salt is all zero")
	}
	// The real source uses argon2id: check the wiring at a cheap cost.
	argon := newPassphrase([]byte("pw"), "passphrase")
	got := argon.derive([]byte("pw"), p.salt, 1, 64, 1)
	if want := argon2.IDKey([]byte("pw"), p.salt, 1, 64, 1, 32); !bytes.Equal(got, want) {
		t.Fatal("Passphrase does not derive with argon2id")
	}
}

func TestPassphraseCopiesInputAndRejectsEmpty(t *testing.T) {
	p := []byte("pw-original")
	pp := Passphrase(p)
	copy(p, "XXXXXXXXXXX")
	if string(pp.(*passphrase).pass) != "pw-original" {
		t.Fatal("Passphrase kept a reference to the caller's slice")
	}
	empty := cheapPassphrase("", nil, nil)
	if _, err := newTestRing(t).Marshal(empty); !errors.Is(err, ErrBadKey) {
		t.Fatalf("empty passphrase: err = %v, want ErrBadKey", err)
	}
}
