package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/psnkit/psn"
	"github.com/psnkit/psn/store"
)

// fingerprintLen is the length of a token fingerprint: 16 hex digits.
const fingerprintLen = 16

// ErrBadFingerprint is the error of a "rejected" value that is not
// fingerprintLen lowercase hex digits.
var ErrBadFingerprint = errors.New("vault: rejected must be 16 lowercase hex digits (the start of the SHA-256 of the rejected access token)")

// TokenFingerprint returns the first 16 hex digits of the SHA-256 of an
// access token: what a client sends as ?rejected= to say "not this one"
// without putting the token itself in a URL.
func TokenFingerprint(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return hex.EncodeToString(sum[:])[:fingerprintLen]
}

// validFingerprint reports whether s has the shape of a TokenFingerprint.
func validFingerprint(s string) bool {
	if len(s) != fingerprintLen {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// tokenReplacing is Token for a client that PSN refused the token whose
// TokenFingerprint is rejected: if that token is still the account's
// current one it is invalidated and replaced (one refresh, however many
// callers ask at once); a token already replaced is not refreshed again.
// It never returns the rejected token: when no other token can be had it
// fails with ErrNoFreshToken.
func (s *Service) tokenReplacing(ctx context.Context, name, rejected string) (*psn.Token, error) {
	if !validFingerprint(rejected) {
		return nil, ErrBadFingerprint
	}
	tok, err := s.Token(ctx, name)
	if err != nil || TokenFingerprint(tok.AccessToken.Reveal()) != rejected {
		return tok, err
	}
	src, err := s.source(ctx, name)
	if err != nil {
		return nil, err
	}
	src.Invalidate(ctx, tok)
	next, err := src.Token(ctx)
	if err != nil {
		if errors.Is(err, psn.ErrNoToken) {
			s.retire(name)
			return nil, fmt.Errorf("vault: account %q: %w", name, store.ErrNotFound)
		}
		return nil, err
	}
	if next.AccessToken == tok.AccessToken {
		return nil, ErrNoFreshToken
	}
	return next, nil
}
