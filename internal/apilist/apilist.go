// Package apilist lists the exported API of a module's public packages, one
// sorted line per exported name, in the manner of the Go distribution's
// api/*.txt files:
//
//	pkg example.com/m, func New(...Option) *Client
//	pkg example.com/m, method (*Client) Get(context.Context, string) ([]byte, error)
//	pkg example.com/m, type Client struct
//	pkg example.com/m, type Client struct, Timeout time.Duration
//	pkg example.com/m, type Doer interface { Do }
//	pkg example.com/m, type Doer interface, Do(*http.Request) (*http.Response, error)
//	pkg example.com/m, const Version = "1.0"
//	pkg example.com/m, const Version untyped string
//	pkg example.com/m, var ErrClosed error
//
// The repository checks in the listing of its own packages (api/psnkit.txt),
// and a test compares it with the code, so every change to the public
// surface is a visible diff (see docs/architecture.md).
//
// A public package is one of the module's own packages (what `go list ./...`
// names) that is neither a command nor below an internal directory. Test
// files do not count. Packages are listed for linux/amd64 (cgo as the go
// command defaults, so the build cache of go build and go test serves it), with
// GOFLAGS=-mod=readonly and without a go.work file, so the listing is the
// same on every machine.
//
// The types come from the compiler: one `go list -export -deps` compiles the
// packages through the build cache and names each one's export data file,
// and go/importer reads the public packages from those files, with
// everything they refer to in other packages (such as methods promoted from
// an embedded type of a dependency).
package apilist

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/importer"
	"go/token"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// Generate returns the listing of the public packages of the Go module in
// dir: sorted, distinct lines, each ending in a newline. It runs the go
// command found in PATH, which compiles the module's packages (or finds
// them in the build cache).
func Generate(ctx context.Context, dir string) ([]byte, error) {
	listed, err := goList(ctx, dir)
	if err != nil {
		return nil, err
	}
	exports := make(map[string]string, len(listed))
	var public []string
	for _, p := range listed {
		exports[p.ImportPath] = p.Export
		if !p.DepOnly && isPublic(p) {
			public = append(public, p.ImportPath)
		}
	}
	if len(public) == 0 {
		return nil, fmt.Errorf("apilist: no public package in %s", dir)
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		file := exports[path]
		if file == "" {
			return nil, fmt.Errorf("apilist: no export data for package %s", path)
		}
		return os.Open(file)
	})
	var lines []string
	for _, path := range public {
		pkg, err := imp.Import(path)
		if err != nil {
			return nil, fmt.Errorf("apilist: reading export data of %s: %w", path, err)
		}
		lines = append(lines, listLines(pkg)...)
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	var b bytes.Buffer
	for _, s := range lines {
		b.WriteString(s + "\n")
	}
	return b.Bytes(), nil
}

// Diff compares two listings line by line, ignoring order: added holds the
// lines only in next, removed the lines only in prev, both sorted.
func Diff(prev, next []byte) (added, removed []string) {
	in := func(b []byte) map[string]bool {
		m := make(map[string]bool)
		for s := range strings.Lines(string(b)) {
			if s = strings.TrimRight(s, "\r\n"); s != "" {
				m[s] = true
			}
		}
		return m
	}
	p, n := in(prev), in(next)
	for s := range n {
		if !p[s] {
			added = append(added, s)
		}
	}
	for s := range p {
		if !n[s] {
			removed = append(removed, s)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	return added, removed
}

// FormatDiff renders added and removed lines as a diff a reviewer reads:
// "+ line" for each added line, then "- line" for each removed one.
func FormatDiff(added, removed []string) string {
	var b strings.Builder
	for _, s := range added {
		b.WriteString("+ " + s + "\n")
	}
	for _, s := range removed {
		b.WriteString("- " + s + "\n")
	}
	return b.String()
}

// listedPackage is the part of `go list -json` that Generate reads.
type listedPackage struct {
	ImportPath string
	Name       string
	Export     string // the export data file
	DepOnly    bool
	Error      *struct{ Err string }
}

func isPublic(p *listedPackage) bool {
	if p.Name == "main" {
		return false
	}
	return !slices.Contains(strings.Split(p.ImportPath, "/"), "internal")
}

// goList compiles the module's packages and everything they import, and
// lists them with their export data files. GOFLAGS is pinned too, so that
// a -tags or -mod in the caller's environment does not change the listing.
func goList(ctx context.Context, dir string) ([]*listedPackage, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-export", "-deps",
		"-json=ImportPath,Name,Export,DepOnly,Error", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "GOWORK=off", "GOFLAGS=-mod=readonly")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("apilist: go list in %s: %w: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	var pkgs []*listedPackage
	for dec := json.NewDecoder(&stdout); dec.More(); {
		p := new(listedPackage)
		if err := dec.Decode(p); err != nil {
			return nil, fmt.Errorf("apilist: reading go list output: %w", err)
		}
		if p.Error != nil {
			return nil, fmt.Errorf("apilist: package %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}
