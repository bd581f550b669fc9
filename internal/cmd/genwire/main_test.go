package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCheckedInFileIsGenerated: wire_methods.go is exactly what genwire
// writes from the package's current types, so a result type added or
// removed without "go generate" fails here.
func TestCheckedInFileIsGenerated(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	want, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, outName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not genwire's output: run go generate in the repository root", outName)
	}
}

// TestWireTypes: only struct types with the field "wire wireState" are
// listed, in file-name then declaration order; test files and the output
// file are not read.
func TestWireTypes(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b.go":      "package psn\ntype B struct{ X int; wire wireState }\ntype NoWire struct{ wire int }\n",
		"a.go":      "package psn\ntype A2 struct{ wire wireState }\ntype A1 struct{ Y string; wire wireState }\ntype Named struct{ other wireState }\n",
		"a_test.go": "package psn\ntype T struct{ wire wireState }\n",
		outName:     "package psn\ntype Gen struct{ wire wireState }\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := wireTypes(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"A2", "A1", "B"}; !slices.Equal(got, want) {
		t.Fatalf("wireTypes = %v, want %v", got, want)
	}
	if _, err := generate(t.TempDir()); err == nil {
		t.Fatal("generate of a directory without wire types: no error")
	}
}
