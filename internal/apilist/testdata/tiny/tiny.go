// Package tiny is a fixture of internal/apilist: one of each kind of
// exported declaration, whose listing the tests assert exactly.
package tiny

import (
	"context"
	"io"
	"strings"
	"time"

	"example.com/tiny/internal/hidden"
	"example.com/tiny/sub"
)

// Version is an untyped constant.
const Version = "1.0"

// Level is a named integer with typed constants.
type Level int

// Levels.
const (
	Low Level = iota
	High
)

// MaxSize is a typed constant of another package's type.
const MaxSize sub.Size = 1 << 10

// ErrClosed is a variable.
var ErrClosed = io.ErrClosedPipe

// Default is a variable whose type comes from a method chain, which the
// generator must type-check to know.
var Default = strings.NewReplacer("a", "b").Replace("abc")

// Client is a struct with exported and unexported fields.
type Client struct {
	sub.Base
	hidden.Inner
	Timeout time.Duration
	Tags    map[string][]string
	Meta    struct {
		ID string `json:"id"`
	}
	name string
}

// New is a variadic function.
func New(name string, opts ...func(*Client)) *Client { return &Client{name: name} }

// Get has a pointer receiver.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) { return nil, nil }

// Name has a value receiver.
func (c Client) Name() string { return c.name }

func (c *Client) internal() {}

// Doer is an interface that embeds another.
type Doer interface {
	io.Closer
	Do(context.Context, <-chan int) (n int, err error)
	secret()
}

// Number is a constraint.
type Number interface {
	~int | ~float64
}

// Sum is generic.
func Sum[T Number](xs ...T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}

// Pair is a generic type.
type Pair[K comparable, V any] struct {
	Key K
	Val V
}

// Swap is a method of a generic type.
func (p Pair[K, V]) Swap() Pair[K, V] { return p }

// Handler is a function type.
type Handler func(ctx context.Context, in chan<- string) error

// Reader is an alias.
type Reader = io.Reader

// Buffer is an array type.
type Buffer [4]byte

type unexported struct{}

// Exported method of an unexported type: not listed.
func (unexported) Visible() {}

// ViaAlias embeds an alias.
type ViaAlias struct{ hidden.Alias }

// ViaDefined embeds a defined type made from a struct.
type ViaDefined struct{ *hidden.Defined }
