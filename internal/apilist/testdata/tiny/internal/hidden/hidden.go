// Package hidden is internal: not listed, but its promoted methods are.
package hidden

// Inner is embedded in tiny.Client.
type Inner struct{}

// Flush is promoted to tiny.Client.
func (Inner) Flush() error { return nil }

// Alias names a struct whose embedded field has a method.
type Alias = deep

type deep struct{ Deeper }

// Deeper has a method promoted through Alias.
type Deeper struct{}

// Ping is promoted to tiny.ViaAlias.
func (Deeper) Ping() {}

// Defined is made from a struct whose embedded field has a method.
type Defined other

type other struct{ *Deepest }

// Deepest has a method promoted through Defined.
type Deepest struct{}

// Pong is promoted to tiny.ViaDefined.
func (*Deepest) Pong() {}
