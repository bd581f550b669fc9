package psntest

import (
	"fmt"
	"hash/fnv"
)

// rng is a small deterministic generator (splitmix64). It is used instead of
// math/rand so that the simulated world stays the same across Go releases:
// the same seed must give the same users and data forever.
type rng struct{ s uint64 }

// newRNG returns a generator derived from seed and a path of labels, so that
// every item of the world has its own independent stream: adding a user or a
// title never changes the data of another.
func newRNG(seed int64, labels ...any) *rng {
	h := fnv.New64a()
	fmt.Fprint(h, seed)
	for _, l := range labels {
		h.Write([]byte{0})
		fmt.Fprint(h, l)
	}
	r := &rng{s: h.Sum64()}
	r.next() // mix once so that close labels diverge
	return r
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n); n must be > 0.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

func (r *rng) pick(xs []string) string { return xs[r.intn(len(xs))] }

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// alnum returns n characters of [A-Za-z0-9].
func (r *rng) alnum(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.intn(len(alnum))]
	}
	return string(b)
}

// hex returns n lowercase hexadecimal characters.
func (r *rng) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.intn(16)]
	}
	return string(b)
}

// uuid returns a version-4-shaped UUID.
func (r *rng) uuid() string {
	h := r.hex(32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}
