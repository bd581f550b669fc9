// Package recorded loads the vcrpy recordings of real PSN traffic kept in
// testdata/psn-recorded at the repository root (see its README.md and
// LICENSE.md), for the decode, protocol and simulator-shape tests of several
// packages.
package recorded

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Cassette is one recording file.
type Cassette struct {
	Interactions []Interaction `json:"interactions"`
}

// Headers are recorded headers; vcrpy stores a redacted one as a bare
// string, which Headers reads as a one-element list.
type Headers map[string][]string

// UnmarshalJSON accepts both a list and a bare string per header.
func (h *Headers) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*h = Headers{}
	for k, v := range raw {
		var list []string
		if json.Unmarshal(v, &list) != nil {
			var one string
			if err := json.Unmarshal(v, &one); err != nil {
				return err
			}
			list = []string{one}
		}
		(*h)[k] = list
	}
	return nil
}

// Get returns the first value of key, or "".
func (h Headers) Get(key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Interaction is one recorded request and its response.
type Interaction struct {
	Request struct {
		Method  string  `json:"method"`
		URI     string  `json:"uri"`
		Body    *string `json:"body"`
		Headers Headers `json:"headers"`
	} `json:"request"`
	Response struct {
		Status struct {
			Code int `json:"code"`
		} `json:"status"`
		Headers Headers `json:"headers"`
		Body    struct {
			String string `json:"string"`
		} `json:"body"`
	} `json:"response"`
}

// Dir returns the recordings directory. A missing directory fails the
// test: skipping would let decode tests pass without decoding anything.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "testdata", "psn-recorded")
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("recordings not found at %s (they are part of the repository): %v", p, err)
	}
	return p
}

// Load reads one recording by file name, with or without ".json".
func Load(tb testing.TB, name string) *Cassette {
	tb.Helper()
	if !strings.HasSuffix(name, ".json") {
		name += ".json"
	}
	b, err := os.ReadFile(filepath.Join(Dir(tb), name))
	if err != nil {
		tb.Fatal(err)
	}
	var c Cassette
	if err := json.Unmarshal(b, &c); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return &c
}
