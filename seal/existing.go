package seal

import (
	"errors"
	"fmt"
	"io/fs"
)

// ErrNoKey means a key file that a reader asked for does not exist. The
// readers ([ExistingKeyFile], [ResolveExistingKEK]) create nothing, so for
// the psn tools' default key file it means that no ring was ever sealed
// with it here. It wraps [fs.ErrNotExist].
var ErrNoKey = errors.New("seal: no key file")

// ExistingKeyFile is [KeyFile] for code that only reads: it never creates
// the file. A missing file is [ErrNoKey]; every other check of [KeyFile]
// (length, regular file, mode) applies.
func ExistingKeyFile(path string) KEKSource {
	return &keyFile{path: path, existing: true}
}

// ResolveExistingKEK is [ResolveKEK] for commands that only read: the key
// file it picks (PSN_KEY_FILE's, else the default one in configDir) must
// exist — a missing one is [ErrNoKey] and is not created.
func ResolveExistingKEK(getenv func(string) string, configDir string) (KEKSource, error) {
	return resolveKEK(getenv, configDir, ExistingKeyFile)
}

// loadExistingKeyFile reads the key file at path without creating it.
func loadExistingKeyFile(path string) (*[keyLen]byte, error) {
	if path == "" {
		return nil, &KeyFileError{Path: `""`, Problem: "no path given", Fix: "give a key file path or a config directory"}
	}
	k, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w %s: %w", ErrNoKey, path, fs.ErrNotExist)
	}
	return k, err
}
