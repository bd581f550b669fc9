// Package sub is a second public package of the fixture.
package sub

// Size is a named type used by the root package.
type Size int64

// Base is embedded in tiny.Client; its methods are promoted.
type Base struct {
	ID int
}

// Describe is promoted to tiny.Client.
func (b Base) Describe() string { return "base" }

// Reset is promoted to *tiny.Client only.
func (b *Base) Reset() {}
