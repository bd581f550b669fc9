// Package hidden is internal: not listed, but its promoted methods are.
package hidden

// Inner is embedded in tiny.Client.
type Inner struct{}

// Flush is promoted to tiny.Client.
func (Inner) Flush() error { return nil }
