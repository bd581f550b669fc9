package apilist

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite api/psnkit.txt from the code")

// listing is the checked-in listing of the module's public API.
const listing = "../../api/psnkit.txt"

// TestListingMatchesCode fails when the exported API differs from the
// checked-in listing, and shows how.
func TestListingMatchesCode(t *testing.T) {
	root := filepath.Join("..", "..")
	touchPackageDirs(t, root)
	got, err := Generate(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(listing), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(listing, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(listing)
	if err != nil {
		t.Fatalf("%v\nrun: go test ./internal/apilist -update", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	added, removed := Diff(want, got)
	if len(added) == 0 && len(removed) == 0 {
		t.Fatal("api/psnkit.txt holds the code's lines, but not sorted one per line as the generator writes them; run: go test ./internal/apilist -update")
	}
	t.Errorf("the exported API differs from api/psnkit.txt (+ in the code only, - in the listing only):\n%s"+
		"If the change is meant, run: go test ./internal/apilist -update, and have the diff of api/psnkit.txt reviewed.",
		FormatDiff(added, removed))
}

// touchPackageDirs lists every directory of the module, so that go test's
// result cache, which notes what a test opens, sees a package added or a
// file changed: the sources are read by go list, not by the test process.
func touchPackageDirs(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tinyListing pins the format: every kind of declaration in
// testdata/tiny, spelled as the listing spells it.
const tinyListing = `pkg example.com/tiny, const High = 1
pkg example.com/tiny, const High Level
pkg example.com/tiny, const Low = 0
pkg example.com/tiny, const Low Level
pkg example.com/tiny, const MaxSize = 1024
pkg example.com/tiny, const MaxSize sub.Size
pkg example.com/tiny, const Version = "1.0"
pkg example.com/tiny, const Version untyped string
pkg example.com/tiny, func New(string, ...func(*Client)) *Client
pkg example.com/tiny, func Sum[T Number](...T) T
pkg example.com/tiny, method (*Client) Get(context.Context, string) ([]byte, error)
pkg example.com/tiny, method (*Client) Reset()
pkg example.com/tiny, method (Client) Describe() string
pkg example.com/tiny, method (Client) Flush() error
pkg example.com/tiny, method (Client) Name() string
pkg example.com/tiny, method (Pair[K, V]) Swap() Pair[K, V]
pkg example.com/tiny, method (ViaAlias) Ping()
pkg example.com/tiny, method (ViaDefined) Pong()
pkg example.com/tiny, type Buffer [4]byte
pkg example.com/tiny, type Client struct
pkg example.com/tiny, type Client struct, Meta struct{ ID string ` + "`json:\"id\"`" + ` }
pkg example.com/tiny, type Client struct, Tags map[string][]string
pkg example.com/tiny, type Client struct, Timeout time.Duration
pkg example.com/tiny, type Client struct, embedded hidden.Inner
pkg example.com/tiny, type Client struct, embedded sub.Base
pkg example.com/tiny, type Doer interface { Close, Do, unexported methods }
pkg example.com/tiny, type Doer interface, Close() error
pkg example.com/tiny, type Doer interface, Do(context.Context, <-chan int) (int, error)
pkg example.com/tiny, type Handler func(context.Context, chan<- string) error
pkg example.com/tiny, type Level int
pkg example.com/tiny, type Number interface{ ~int | ~float64 }
pkg example.com/tiny, type Pair[K comparable, V any] struct
pkg example.com/tiny, type Pair[K comparable, V any] struct, Key K
pkg example.com/tiny, type Pair[K comparable, V any] struct, Val V
pkg example.com/tiny, type Reader = io.Reader
pkg example.com/tiny, type ViaAlias struct
pkg example.com/tiny, type ViaAlias struct, embedded hidden.Alias
pkg example.com/tiny, type ViaDefined struct
pkg example.com/tiny, type ViaDefined struct, embedded *hidden.Defined
pkg example.com/tiny, var Default string
pkg example.com/tiny, var ErrClosed error
pkg example.com/tiny/sub, method (*Base) Reset()
pkg example.com/tiny/sub, method (Base) Describe() string
pkg example.com/tiny/sub, type Base struct
pkg example.com/tiny/sub, type Base struct, ID int
pkg example.com/tiny/sub, type Size int64
`

func TestFormat(t *testing.T) {
	got, err := Generate(t.Context(), filepath.Join("testdata", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != tinyListing {
		added, removed := Diff([]byte(tinyListing), got)
		t.Errorf("listing of testdata/tiny:\n%s\nwant:\n%s\ndiff (+ got only, - want only):\n%s", got, tinyListing, FormatDiff(added, removed))
	}
}

// TestDiffShowsChanges changes a copy of testdata/tiny: an exported func
// added and one removed show up as exactly those lines.
func TestDiffShowsChanges(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "tiny"))); err != nil {
		t.Fatal(err)
	}
	before, err := Generate(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "tiny.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	old := "// New is a variadic function.\nfunc New(name string, opts ...func(*Client)) *Client { return &Client{name: name} }\n"
	if !bytes.Contains(src, []byte(old)) {
		t.Fatal("testdata/tiny/tiny.go no longer declares New as this test expects")
	}
	src = bytes.Replace(src, []byte(old), nil, 1)
	src = append(src, "\n// Added is new.\nfunc Added(ctx context.Context, n int) (Level, error) { return 0, nil }\n"...)
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	after, err := Generate(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	added, removed := Diff(before, after)
	wantAdded := []string{"pkg example.com/tiny, func Added(context.Context, int) (Level, error)"}
	wantRemoved := []string{"pkg example.com/tiny, func New(string, ...func(*Client)) *Client"}
	if !slices.Equal(added, wantAdded) || !slices.Equal(removed, wantRemoved) {
		t.Errorf("diff:\n%swant:\n%s", FormatDiff(added, removed), FormatDiff(wantAdded, wantRemoved))
	}
	if got, want := FormatDiff(added, removed), "+ "+wantAdded[0]+"\n- "+wantRemoved[0]+"\n"; got != want {
		t.Errorf("FormatDiff = %q, want %q", got, want)
	}
}

func TestGenerateErrors(t *testing.T) {
	t.Run("no module", func(t *testing.T) {
		if _, err := Generate(t.Context(), t.TempDir()); err == nil {
			t.Error("Generate in a directory without a module: no error")
		}
	})
	t.Run("type error", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/bad\n\ngo 1.26\n")
		writeFile(t, filepath.Join(dir, "bad.go"), "package bad\n\n// F returns an undefined type.\nfunc F() Missing { return nil }\n")
		_, err := Generate(t.Context(), dir)
		if err == nil || !strings.Contains(err.Error(), "Missing") {
			t.Errorf("Generate of a package that does not type-check: err = %v, want one naming Missing", err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := Generate(ctx, filepath.Join("testdata", "tiny")); err == nil {
			t.Error("Generate with a canceled context: no error")
		}
	})
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
