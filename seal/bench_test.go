package seal

import (
	"bytes"
	"testing"
)

// BenchmarkSealOpen seals and opens a ~1 KB token (goal: ≤ 5 µs per op).
func BenchmarkSealOpen(b *testing.B) {
	r, err := NewRing()
	if err != nil {
		b.Fatal(err)
	}
	token := bytes.Repeat([]byte("t"), 1024)
	ad := AD{Purpose: "psn-token", Account: "alice", Field: "access"}
	b.SetBytes(int64(len(token)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := r.Seal(ad, token)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Open(ad, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPassphraseKDF measures one argon2id derivation with the RFC 9106
// second profile (t=3, m=64 MiB, p=4): the cost paid once per process.
func BenchmarkPassphraseKDF(b *testing.B) {
	p := &kdfParams{time: kdfTime, memory: kdfMemory, threads: kdfThreads, salt: bytes.Repeat([]byte{1}, kdfSaltLen)}
	b.ReportAllocs()
	for b.Loop() {
		src := newPassphrase([]byte("correct horse battery staple"), "passphrase")
		if _, err := src.key(p); err != nil {
			b.Fatal(err)
		}
	}
}
