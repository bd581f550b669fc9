package seal

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestExistingKeyFileNeverCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	path := filepath.Join(dir, "key")
	_, err := ExistingKeyFile(path).key(nil)
	if !errors.Is(err, ErrNoKey) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing key file: %v; want ErrNoKey and fs.ErrNotExist", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ExistingKeyFile created %s (stat: %v)", dir, err)
	}
	// Once KeyFile has made it, ExistingKeyFile reads the same key.
	want, err := KeyFile(path).key(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ExistingKeyFile(path).key(nil)
	if err != nil || *got != *want {
		t.Fatalf("ExistingKeyFile on an existing file: %v, same key %v", err, got != nil && *got == *want)
	}
	// The other checks still apply.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ExistingKeyFile(path).key(nil); !errors.Is(err, ErrKeyFile) {
		t.Errorf("mode 0644: %v; want ErrKeyFile", err)
	}
}

func TestResolveExistingKEKCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if _, err := ResolveExistingKEK(getenv, dir); !errors.Is(err, ErrNoKey) {
		t.Errorf("default key file missing: %v; want ErrNoKey", err)
	}
	other := filepath.Join(t.TempDir(), "other", "key")
	env[EnvKeyFile] = other
	if _, err := ResolveExistingKEK(getenv, dir); !errors.Is(err, ErrNoKey) {
		t.Errorf("PSN_KEY_FILE missing: %v; want ErrNoKey", err)
	}
	for _, p := range []string{dir, filepath.Dir(other)} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ResolveExistingKEK created %s (stat: %v)", p, err)
		}
	}
	// Key material that is no file works as with ResolveKEK.
	env[EnvKey] = testKeyB64
	if src, err := ResolveExistingKEK(getenv, dir); err != nil || src.String() != "env "+EnvKey {
		t.Errorf("PSN_KEY: %v, %v", src, err)
	}
	env[EnvKey] = "not base64!"
	if _, err := ResolveExistingKEK(getenv, dir); !errors.Is(err, ErrBadKey) {
		t.Errorf("bad PSN_KEY: %v; want ErrBadKey", err)
	}
	// ResolveKEK, for the commands that create, still makes the default file.
	delete(env, EnvKey)
	delete(env, EnvKeyFile)
	if _, err := ResolveKEK(getenv, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := ResolveExistingKEK(getenv, dir); err != nil {
		t.Errorf("after ResolveKEK created it: %v", err)
	}
}
