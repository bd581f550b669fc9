package storetest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/psnkit/psn/seal"
)

var secretCases = []testCase{
	{"NoPlaintextInRawBytes", func(t *testing.T, h Harness) {
		if h.Raw == nil {
			t.Skip("Harness.Raw is nil: cannot scan this backend's bytes")
		}
		ring, err := seal.NewRing()
		if err != nil {
			t.Fatalf("seal.NewRing: %v", err)
		}
		s := h.New(t)
		ctx := t.Context()

		type secret struct {
			what  string // "alice/access", never the value itself
			value []byte
		}
		var secrets []secret
		newSecret := func(what string) []byte {
			v := []byte("PLAINTEXT-" + what + "-" + rand.Text())
			secrets = append(secrets, secret{what, v})
			return v
		}
		sealRec := func(account, gen string) (access, refresh, npsso []byte) {
			access, refresh, npsso = newSecret(account+"/access"+gen), newSecret(account+"/refresh"+gen), newSecret(account+"/npsso"+gen)
			rec := sample(account)
			rec.KeyID = ring.Primary()
			var err error
			if rec.SealedAccess, err = ring.Seal(seal.AD{Purpose: "psn-token", Account: account, Field: "access"}, access); err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if rec.SealedRefresh, err = ring.Seal(seal.AD{Purpose: "psn-token", Account: account, Field: "refresh"}, refresh); err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if rec.SealedNPSSO, err = ring.Seal(seal.AD{Purpose: "npsso", Account: account, Field: "npsso"}, npsso); err != nil {
				t.Fatalf("Seal: %v", err)
			}
			cur, err := s.Get(ctx, account)
			if err != nil {
				put(t, s, rec)
				return
			}
			if _, err := s.CompareAndSwap(ctx, account, cur.Version, rec); err != nil {
				t.Fatalf("CompareAndSwap: %v", err)
			}
			return
		}
		for _, a := range []string{"alice", "bob", "carol"} {
			sealRec(a, "")
		}
		// Overwrite one (old versions may linger in logs and free pages) and
		// delete another: neither the old nor the deleted secrets may show.
		access, _, _ := sealRec("alice", "-v2")
		if err := s.Delete(ctx, "carol"); err != nil {
			t.Fatalf("Delete: %v", err)
		}

		// The sealed values still open: the store kept them exactly.
		got := get(t, s, "alice")
		if pt, err := ring.Open(seal.AD{Purpose: "psn-token", Account: "alice", Field: "access"}, got.SealedAccess); err != nil || !bytes.Equal(pt, access) {
			t.Errorf("the stored access token of alice does not open to what was sealed (err %v)", err)
		}

		raw := h.Raw(t, s)
		if !bytes.Contains(raw, []byte(sample("bob").OnlineID)) {
			t.Fatalf("Raw (%d bytes) does not contain bob's OnlineID, a non-secret field: Raw must return the bytes the backend stores, or this scan proves nothing", len(raw))
		}
		for _, sec := range secrets {
			for _, form := range []struct{ name, text string }{
				{"plaintext", string(sec.value)},
				{"base64", base64.StdEncoding.EncodeToString(sec.value)},
				{"base64url", base64.RawURLEncoding.EncodeToString(sec.value)},
				{"hex", hex.EncodeToString(sec.value)},
			} {
				if i := bytes.Index(raw, []byte(form.text)); i >= 0 {
					t.Errorf("the %s secret %s appears in the backend's raw bytes at offset %d", form.name, sec.what, i)
				}
			}
		}
	}},
}
