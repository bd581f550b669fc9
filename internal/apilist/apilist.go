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
// files do not count. Packages are listed for linux/amd64 without cgo and
// without a go.work file, so the listing is the same on every machine.
//
// The listing is built from source with go/parser and go/types after one
// `go list -deps` (package metadata only: nothing is compiled, nothing
// depends on the build cache). The public packages are type-checked whole,
// without function bodies. Of the packages they import, only the
// declarations that a listed declaration needs, directly or through others,
// are parsed and type-checked: a cheap scan of each file's top-level lines,
// as gofmt lays them out, says which files to parse. When that pruning
// leaves a package that does not type-check (the scan missed a
// declaration, or an initializer calls a method nothing else needs), the
// missing methods are added or the package is loaded whole, so pruning
// makes Generate slower, not wrong. The one thing the scan could miss
// without a type error is a method, written where gofmt would not put it,
// of a dependency's type that a listed type embeds; over Go's own source
// and a module cache holding every dependency of this repository (18,090
// files) it misses none.
package apilist

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Generate returns the listing of the public packages of the Go module in
// dir: sorted, distinct lines, each ending in a newline. It runs the go
// command found in PATH.
func Generate(ctx context.Context, dir string) ([]byte, error) {
	return generate(ctx, dir, false)
}

// generate is Generate; whole loads every package whole, without pruning.
func generate(ctx context.Context, dir string, whole bool) ([]byte, error) {
	listed, err := goList(ctx, dir)
	if err != nil {
		return nil, err
	}
	l := &loader{
		fset:  token.NewFileSet(),
		pkgs:  make(map[string]*pkgState, len(listed)),
		stubs: make(map[string]*types.Package),
	}
	var public []string
	for _, p := range listed {
		l.pkgs[p.ImportPath] = &pkgState{listedPackage: p, whole: whole}
		if !p.DepOnly && isPublic(p) {
			public = append(public, p.ImportPath)
		}
	}
	if len(public) == 0 {
		return nil, fmt.Errorf("apilist: no public package in %s", dir)
	}
	for _, path := range public {
		l.pkgs[path].whole = true
	}
	var pkgs []*types.Package
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pkgs, err = l.load(public)
		if err == nil {
			break
		}
		var cerr *checkError
		if !errors.As(err, &cerr) {
			return nil, err
		}
		if hints := slices.DeleteFunc(cerr.hints, func(n need) bool { return slices.Contains(l.extra, n) }); len(hints) > 0 {
			l.extra = append(l.extra, hints...)
			continue
		}
		// Pruning went wrong somewhere: load the failing package whole,
		// or, when it already was, every package whole; then start again.
		if p := l.pkgs[cerr.path]; !p.whole {
			p.whole = true
		} else if !l.allWhole() {
			for _, p := range l.pkgs {
				p.whole = true
			}
		} else {
			return nil, err
		}
	}
	var lines []string
	for _, pkg := range pkgs {
		lines = append(lines, listLines(pkg)...)
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	var b bytes.Buffer
	for _, s := range lines {
		b.WriteString(s)
		b.WriteByte('\n')
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
	Dir        string
	GoFiles    []string
	ImportMap  map[string]string
	DepOnly    bool
	Module     *struct{ GoVersion string }
	Error      *struct{ Err string }
}

func isPublic(p *listedPackage) bool {
	if p.Name == "main" {
		return false
	}
	return !slices.Contains(strings.Split(p.ImportPath, "/"), "internal")
}

// goList lists the module's packages and everything they import.
func goList(ctx context.Context, dir string) ([]*listedPackage, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps",
		"-json=ImportPath,Name,Dir,GoFiles,ImportMap,DepOnly,Module,Error", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("apilist: go list in %s: %w: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	var pkgs []*listedPackage
	dec := json.NewDecoder(&stdout)
	for {
		p := new(listedPackage)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("apilist: reading go list output: %w", err)
		}
		if p.Error != nil {
			return nil, fmt.Errorf("apilist: package %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// checkError is a package that did not type-check. Hints name the types
// whose methods a declaration called where pruning left them out.
type checkError struct {
	path  string
	errs  []error
	hints []need
}

// missingMethods returns, for each error at the selector of a method that
// is missing (a package-level initializer such as
// template.New("x").Funcs(…) calls methods of a type that no signature
// needs), the type whose methods are needed.
func missingMethods(files []*ast.File, info *types.Info, errs []error) []need {
	at := make(map[token.Pos]bool)
	for _, err := range errs {
		if terr, ok := err.(types.Error); ok {
			at[terr.Pos] = true
		}
	}
	var hints []need
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || !at[sel.Sel.Pos()] {
				return true
			}
			t := info.Types[sel.X].Type
			if ptr, ok := types.Unalias(t).(*types.Pointer); ok {
				t = ptr.Elem()
			}
			if named, ok := types.Unalias(t).(*types.Named); ok && named.Obj().Pkg() != nil {
				obj := named.Obj()
				hints = append(hints, need{path: obj.Pkg().Path(), name: obj.Name(), methods: true})
			}
			return true
		})
	}
	return hints
}

func (e *checkError) Error() string {
	return fmt.Sprintf("apilist: type-checking %s: %v", e.path, errors.Join(e.errs...))
}

// A loader type-checks packages from source. Parsed files and the scan of
// each package's top-level lines survive from one load to the next.
type loader struct {
	fset  *token.FileSet
	pkgs  map[string]*pkgState
	stubs map[string]*types.Package
	extra []need // needs that type errors revealed
}

// pkgState is one listed package and what a load needs of it.
type pkgState struct {
	*listedPackage
	whole bool // load every declaration, not only the needed ones

	scanned bool
	files   []*fileState // as GoFiles
	names   map[string][]int
	methods map[string][]int // by receiver base type name; "" when unknown

	// Per load.
	needed        map[string]bool
	methodsNeeded map[string]bool
	kept          map[ast.Node]bool
	imports       map[string]bool // import paths, as written, that kept declarations use
	typed         *types.Package
}

type fileState struct {
	src   []byte // until parsed
	ast   *ast.File
	err   error
	local map[string]string // import name → import path as written
	dots  []string          // import paths imported with "."
}

func (l *loader) allWhole() bool {
	for _, p := range l.pkgs {
		if !p.whole {
			return false
		}
	}
	return true
}

// load finds the declarations that the public packages need and
// type-checks them.
func (l *loader) load(public []string) ([]*types.Package, error) {
	for _, p := range l.pkgs {
		p.needed, p.methodsNeeded, p.kept, p.imports, p.typed = nil, nil, nil, nil, nil
	}
	work := slices.Clone(l.extra)
	for _, path := range public {
		var err error
		if work, err = l.need(work, need{path: path}); err != nil {
			return nil, err
		}
	}
	for len(work) > 0 {
		n := work[len(work)-1]
		work = work[:len(work)-1]
		var err error
		if work, err = l.need(work, n); err != nil {
			return nil, err
		}
	}
	var pkgs []*types.Package
	for _, path := range public {
		pkg, err := l.check(path)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, pkg)
	}
	return pkgs, nil
}

// need is a package-level name that a kept declaration refers to, or, with
// methods, a type whose exported methods are needed because it is embedded
// in a listed type. An empty name stands for the whole package.
type need struct {
	path, name string
	methods    bool
}

// need keeps the declarations that n asks for (every declaration when the
// package is loaded whole) and returns work extended by what they refer to.
func (l *loader) need(work []need, n need) ([]need, error) {
	p := l.pkgs[n.path]
	if p == nil {
		return nil, fmt.Errorf("apilist: package %s is not in go list's output", n.path)
	}
	if p.needed == nil {
		p.needed = make(map[string]bool)
		p.methodsNeeded = make(map[string]bool)
		p.kept = make(map[ast.Node]bool)
		p.imports = make(map[string]bool)
		if p.whole {
			n = need{path: n.path} // the first need of a whole package keeps everything
		}
	} else if p.whole || !n.methods && p.needed[n.name] || n.methods && p.methodsNeeded[n.name] {
		return work, nil
	}
	if err := l.scan(p); err != nil {
		return nil, err
	}
	name := n.name
	var files []int
	switch {
	case name == "":
		files = make([]int, len(p.files))
		for i := range files {
			files[i] = i
		}
	case n.methods:
		p.methodsNeeded[name] = true
		work = append(work, need{path: n.path, name: name})
		files = append(append(slices.Clone(p.names[name]), p.methods[name]...), p.methods[""]...)
	default:
		files = p.names[name]
	}
	if !n.methods {
		p.needed[name] = true
	}
	slices.Sort(files)
	files = slices.Compact(files)
	found := name == "" || n.methods
	for _, i := range files {
		f, err := l.parse(p, i)
		if err != nil {
			return nil, err
		}
		for _, d := range f.ast.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				switch {
				case name == "":
				case n.methods && d.Recv != nil && d.Name.IsExported() && recvBase(d.Recv) == name:
				case !n.methods && d.Recv == nil && d.Name.Name == name:
					found = true
				default:
					continue
				}
				p.kept[d] = true
				work = l.refs(work, p, f, d)
			case *ast.GenDecl:
				if d.Tok == token.IMPORT {
					continue
				}
				for _, spec := range d.Specs {
					if name != "" && !declares(spec, name) {
						continue
					}
					if ts, ok := spec.(*ast.TypeSpec); ok && (n.methods || name == "") {
						work = embedded(work, p, f, ts)
					}
					if n.methods {
						continue
					}
					found = true
					if d.Tok == token.CONST {
						// Keep a const group whole: a spec may take
						// its type and value from the ones before it.
						p.kept[d] = true
						for _, s := range d.Specs {
							for _, id := range s.(*ast.ValueSpec).Names {
								p.needed[id.Name] = true
							}
						}
						work = l.refs(work, p, f, d)
						break
					}
					p.kept[spec] = true
					work = l.refs(work, p, f, spec)
				}
			}
		}
	}
	if !found {
		// The scan of top-level lines missed a declaration: load
		// the package whole.
		p.whole, p.needed = true, nil
		return l.need(work, need{path: n.path})
	}
	return work, nil
}

// embedded returns work extended by the methods that a type declaration
// gets from other types: those of the fields a struct type embeds, and
// those of the type an alias names or a defined type is made from (which
// covers the fields its struct embeds; its own methods are kept as well,
// needlessly but harmlessly).
func embedded(work []need, p *pkgState, f *fileState, ts *ast.TypeSpec) []need {
	from := []ast.Expr{ts.Type}
	if st, ok := ts.Type.(*ast.StructType); ok {
		from = nil
		for _, field := range st.Fields.List {
			if len(field.Names) == 0 {
				from = append(from, field.Type)
			}
		}
	}
	for _, t := range from {
	strip:
		for {
			switch x := t.(type) {
			case *ast.StarExpr:
				t = x.X
			case *ast.ParenExpr:
				t = x.X
			case *ast.IndexExpr:
				t = x.X
			case *ast.IndexListExpr:
				t = x.X
			default:
				break strip
			}
		}
		switch x := t.(type) {
		case *ast.Ident:
			if _, ok := p.names[x.Name]; ok && !p.whole {
				work = append(work, need{path: p.ImportPath, name: x.Name, methods: true})
			}
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok {
				if imp, ok := f.local[id.Name]; ok {
					work = append(work, need{path: resolve(p, imp), name: x.Sel.Name, methods: true})
				}
			}
		}
	}
	return work
}

// declares reports whether a const, var or type spec declares name.
func declares(spec ast.Spec, name string) bool {
	switch s := spec.(type) {
	case *ast.TypeSpec:
		return s.Name.Name == name
	case *ast.ValueSpec:
		for _, id := range s.Names {
			if id.Name == name {
				return true
			}
		}
	}
	return false
}

// recvBase returns the name of a method receiver's base type.
func recvBase(recv *ast.FieldList) string {
	if recv == nil || len(recv.List) != 1 {
		return ""
	}
	t := recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// refs returns work extended by the package-level names that n refers to
// outside function bodies, and records the imports it uses.
func (l *loader) refs(work []need, p *pkgState, f *fileState, n ast.Node) []need {
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Recv != nil {
				ast.Inspect(n.Recv, visit)
			}
			ast.Inspect(n.Type, visit)
			return false
		case *ast.FuncLit:
			ast.Inspect(n.Type, visit)
			return false
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok {
				if imp, ok := f.local[id.Name]; ok {
					p.imports[imp] = true
					work = append(work, need{path: resolve(p, imp), name: n.Sel.Name})
					return false
				}
			}
			ast.Inspect(n.X, visit)
			return false
		case *ast.Ident:
			if !p.whole {
				if _, ok := p.names[n.Name]; ok {
					work = append(work, need{path: p.ImportPath, name: n.Name})
				}
			}
			for _, imp := range f.dots {
				work = append(work, need{path: resolve(p, imp)})
			}
		}
		return true
	}
	ast.Inspect(n, visit)
	for _, imp := range f.dots {
		p.imports[imp] = true
	}
	return work
}

func resolve(p *pkgState, imp string) string {
	if r, ok := p.ImportMap[imp]; ok {
		return r
	}
	return imp
}

// parse parses the package's i'th file once.
func (l *loader) parse(p *pkgState, i int) (*fileState, error) {
	f := p.files[i]
	if f.ast != nil || f.err != nil {
		return f, f.err
	}
	name := filepath.Join(p.Dir, p.GoFiles[i])
	file, err := parser.ParseFile(l.fset, name, f.src, parser.SkipObjectResolution)
	f.src = nil
	if err != nil {
		f.err = fmt.Errorf("apilist: %w", err)
		return f, f.err
	}
	f.ast = file
	f.local = make(map[string]string)
	for _, spec := range file.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		switch {
		case spec.Name == nil:
			if m := l.pkgs[resolve(p, path)]; m != nil {
				f.local[m.Name] = path
			}
		case spec.Name.Name == ".":
			f.dots = append(f.dots, path)
		case spec.Name.Name != "_":
			f.local[spec.Name.Name] = path
		}
	}
	return f, nil
}

// scan reads the package's files once and notes which file declares
// which name (see scanFile).
func (l *loader) scan(p *pkgState) error {
	if p.scanned {
		return nil
	}
	p.scanned = true
	p.names = make(map[string][]int)
	p.methods = make(map[string][]int)
	p.files = make([]*fileState, len(p.GoFiles))
	for i, name := range p.GoFiles {
		src, err := os.ReadFile(filepath.Join(p.Dir, name))
		if err != nil {
			return fmt.Errorf("apilist: %w", err)
		}
		p.files[i] = &fileState{src: src}
		names, methods := scanFile(src)
		for _, n := range names {
			p.names[n] = append(p.names[n], i)
		}
		for _, m := range methods {
			p.methods[m] = append(p.methods[m], i)
		}
	}
	return nil
}

// scanFile returns, from a Go file's top-level lines as gofmt lays them
// out, the names the file declares and the base type names of the methods
// it declares ("" for a method whose receiver the line does not make
// clear). It reads no further than line starts, so it is cheap, and it may
// note a name no declaration has (a line inside a raw string, say): that
// only costs a parse. A declaration it misses makes the loader load the
// package whole.
func scanFile(src []byte) (names, methods []string) {
	group := ""
	for line := range strings.Lines(string(src)) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case group != "" && strings.HasPrefix(line, ")"):
			group = ""
		case group != "" && strings.HasPrefix(line, "\t") && len(line) > 1 && isIdentStart(line[1]):
			if group != "import" {
				names = append(names, leadingIdents(line[1:])...)
			}
		case strings.HasPrefix(line, "func ") || strings.HasPrefix(line, "func\t"):
			rest := strings.TrimLeft(line[len("func"):], " \t")
			if strings.HasPrefix(rest, "(") {
				methods = append(methods, scanRecvBase(rest))
			} else if ids := leadingIdents(rest); len(ids) > 0 {
				names = append(names, ids[0])
			}
		default:
			for _, kw := range []string{"type", "var", "const", "import"} {
				rest, ok := strings.CutPrefix(line, kw)
				if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t' && rest[0] != '(') {
					continue
				}
				rest = strings.TrimLeft(rest, " \t")
				if strings.HasPrefix(rest, "(") {
					group = kw
				} else if kw != "import" {
					names = append(names, leadingIdents(rest)...)
				}
				break
			}
		}
	}
	return names, methods
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }

// leadingIdents returns the comma-separated identifiers that start s.
func leadingIdents(s string) []string {
	var ids []string
	for {
		n := 0
		for n < len(s) && isIdentChar(s[n]) {
			n++
		}
		if n == 0 || !isIdentStart(s[0]) {
			return ids
		}
		if s[:n] != "_" {
			ids = append(ids, s[:n])
		}
		s = strings.TrimLeft(s[n:], " \t")
		if !strings.HasPrefix(s, ",") {
			return ids
		}
		s = strings.TrimLeft(s[1:], " \t")
	}
}

// scanRecvBase returns the base type name of a receiver written
// "(r *T[K]) …", or "" when the line does not say.
func scanRecvBase(s string) string {
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return ""
	}
	recv, _, _ := strings.Cut(s[1:end], "[")
	fields := strings.Fields(recv)
	if len(fields) == 0 || len(fields) > 2 {
		return ""
	}
	t := strings.TrimLeft(fields[len(fields)-1], "*")
	if ids := leadingIdents(t); len(ids) == 1 && ids[0] == t {
		return t
	}
	return ""
}

// check type-checks the kept declarations of the package at path.
func (l *loader) check(path string) (*types.Package, error) {
	p := l.pkgs[path]
	if p == nil {
		return nil, fmt.Errorf("apilist: package %s is not in go list's output", path)
	}
	if p.typed != nil {
		return p.typed, nil
	}
	var files []*ast.File
	for _, f := range p.files {
		if f.ast == nil {
			continue
		}
		if p.whole {
			files = append(files, f.ast)
			continue
		}
		pruned := *f.ast
		pruned.Decls = nil
		for _, d := range f.ast.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if p.kept[d] {
					pruned.Decls = append(pruned.Decls, d)
				}
			case *ast.GenDecl:
				if d.Tok == token.IMPORT || p.kept[d] {
					pruned.Decls = append(pruned.Decls, d)
					continue
				}
				g := *d
				g.Specs = nil
				for _, s := range d.Specs {
					if p.kept[s] {
						g.Specs = append(g.Specs, s)
					}
				}
				if len(g.Specs) > 0 {
					pruned.Decls = append(pruned.Decls, &g)
				}
			}
		}
		files = append(files, &pruned)
	}
	var errs []error
	var importErr error
	conf := types.Config{
		IgnoreFuncBodies: true,
		Sizes:            types.SizesFor("gc", "amd64"),
		Importer: importerFunc(func(imp string) (*types.Package, error) {
			if imp == "unsafe" {
				return types.Unsafe, nil
			}
			if p.imports[imp] {
				pkg, err := l.check(resolve(p, imp))
				if err != nil && importErr == nil {
					importErr = err
				}
				return pkg, err
			}
			return l.stub(resolve(p, imp))
		}),
		Error: func(err error) {
			if len(errs) < 10 {
				errs = append(errs, err)
			}
		},
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	info := &types.Info{Types: make(map[ast.Expr]types.TypeAndValue)}
	pkg, _ := conf.Check(path, l.fset, files, info)
	if importErr != nil {
		return nil, importErr
	}
	if len(errs) > 0 {
		return nil, &checkError{path: path, errs: errs, hints: missingMethods(files, info, errs)}
	}
	p.typed = pkg
	return pkg, nil
}

// stub returns an empty, complete stand-in for a package that is imported
// only for use in what is not type-checked: function bodies and
// declarations nothing listed needs.
func (l *loader) stub(path string) (*types.Package, error) {
	p := l.pkgs[path]
	if p == nil {
		return nil, fmt.Errorf("apilist: package %s is not in go list's output", path)
	}
	if pkg := l.stubs[path]; pkg != nil {
		return pkg, nil
	}
	pkg := types.NewPackage(path, p.Name)
	pkg.MarkComplete()
	l.stubs[path] = pkg
	return pkg, nil
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// listLines returns the listing lines of one type-checked package, unsorted.
func listLines(pkg *types.Package) []string {
	w := &writer{pkg: pkg}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Const:
			w.emit("const %s %s", name, w.typ(obj.Type()))
			w.emit("const %s = %s", name, obj.Val().ExactString())
		case *types.Var:
			w.emit("var %s %s", name, w.typ(obj.Type()))
		case *types.Func:
			w.emit("func %s%s", name, w.signature(obj.Signature(), true))
		case *types.TypeName:
			w.typeName(obj)
		}
	}
	return w.lines
}

// writer renders declarations the way the listing spells them: other
// packages qualified by name, parameter names left out.
type writer struct {
	pkg   *types.Package
	lines []string
}

func (w *writer) emit(format string, args ...any) {
	w.lines = append(w.lines, "pkg "+w.pkg.Path()+", "+fmt.Sprintf(format, args...))
}

func (w *writer) typeName(obj *types.TypeName) {
	name := obj.Name()
	if obj.IsAlias() {
		alias, _ := obj.Type().(*types.Alias)
		if alias != nil && alias.TypeParams().Len() > 0 {
			name += w.typeParams(alias.TypeParams())
		}
		w.emit("type %s = %s", name, w.typ(types.Unalias(obj.Type())))
		return
	}
	named, ok := obj.Type().(*types.Named)
	if !ok {
		return
	}
	decl := name + w.typeParams(named.TypeParams())
	switch u := named.Underlying().(type) {
	case *types.Struct:
		w.emit("type %s struct", decl)
		for f := range u.Fields() {
			switch {
			case f.Embedded() && f.Exported():
				w.emit("type %s struct, embedded %s", decl, w.typ(f.Type()))
			case f.Exported():
				w.emit("type %s struct, %s %s", decl, f.Name(), w.typ(f.Type()))
			}
		}
	case *types.Interface:
		if !u.IsMethodSet() {
			w.emit("type %s %s", decl, w.typ(u))
			return
		}
		var names []string
		unexported := false
		for m := range u.Methods() {
			if !m.Exported() {
				unexported = true
				continue
			}
			names = append(names, m.Name())
			w.emit("type %s interface, %s%s", decl, m.Name(), w.signature(m.Signature(), false))
		}
		slices.Sort(names)
		if unexported {
			names = append(names, "unexported methods")
		}
		w.emit("type %s interface { %s }", decl, strings.Join(names, ", "))
		return // an interface's methods are listed above
	default:
		w.emit("type %s %s", decl, w.typ(u))
	}
	recv := name + w.typeArgNames(named.TypeParams())
	emitted := make(map[string]bool)
	for _, t := range []types.Type{named, types.NewPointer(named)} {
		ptr := ""
		if _, ok := t.(*types.Pointer); ok {
			ptr = "*"
		}
		ms := types.NewMethodSet(t)
		for sel := range ms.Methods() {
			m := sel.Obj().(*types.Func)
			if !m.Exported() || emitted[m.Name()] {
				continue
			}
			emitted[m.Name()] = true
			w.emit("method (%s%s) %s%s", ptr, recv, m.Name(), w.signature(m.Signature(), false))
		}
	}
}

func (w *writer) typeParams(list *types.TypeParamList) string {
	if list.Len() == 0 {
		return ""
	}
	var parts []string
	for tp := range list.TypeParams() {
		parts = append(parts, tp.Obj().Name()+" "+w.typ(tp.Constraint()))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (w *writer) typeArgNames(list *types.TypeParamList) string {
	if list.Len() == 0 {
		return ""
	}
	var parts []string
	for tp := range list.TypeParams() {
		parts = append(parts, tp.Obj().Name())
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (w *writer) qualified(obj types.Object) string {
	if obj.Pkg() == nil || obj.Pkg() == w.pkg {
		return obj.Name()
	}
	return obj.Pkg().Name() + "." + obj.Name()
}

func (w *writer) typeList(list *types.TypeList) string {
	if list.Len() == 0 {
		return ""
	}
	var parts []string
	for t := range list.Types() {
		parts = append(parts, w.typ(t))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// typ spells a type without parameter names.
func (w *writer) typ(t types.Type) string {
	switch t := t.(type) {
	case *types.Basic:
		return t.Name()
	case *types.Pointer:
		return "*" + w.typ(t.Elem())
	case *types.Slice:
		return "[]" + w.typ(t.Elem())
	case *types.Array:
		return "[" + strconv.FormatInt(t.Len(), 10) + "]" + w.typ(t.Elem())
	case *types.Map:
		return "map[" + w.typ(t.Key()) + "]" + w.typ(t.Elem())
	case *types.Chan:
		elem := w.typ(t.Elem())
		switch t.Dir() {
		case types.SendOnly:
			return "chan<- " + elem
		case types.RecvOnly:
			return "<-chan " + elem
		}
		if c, ok := t.Elem().(*types.Chan); ok && c.Dir() == types.RecvOnly {
			elem = "(" + elem + ")"
		}
		return "chan " + elem
	case *types.Signature:
		return "func" + w.signature(t, true)
	case *types.Struct:
		var parts []string
		for i := range t.NumFields() {
			f := t.Field(i)
			s := w.typ(f.Type())
			if !f.Embedded() {
				s = f.Name() + " " + s
			}
			if tag := t.Tag(i); strconv.CanBackquote(tag) && tag != "" {
				s += " `" + tag + "`"
			} else if tag != "" {
				s += " " + strconv.Quote(tag)
			}
			parts = append(parts, s)
		}
		if len(parts) == 0 {
			return "struct{}"
		}
		return "struct{ " + strings.Join(parts, "; ") + " }"
	case *types.Interface:
		var parts []string
		for e := range t.EmbeddedTypes() {
			parts = append(parts, w.typ(e))
		}
		for m := range t.ExplicitMethods() {
			parts = append(parts, m.Name()+w.signature(m.Signature(), false))
		}
		if len(parts) == 0 {
			return "interface{}"
		}
		return "interface{ " + strings.Join(parts, "; ") + " }"
	case *types.Union:
		var parts []string
		for term := range t.Terms() {
			s := w.typ(term.Type())
			if term.Tilde() {
				s = "~" + s
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " | ")
	case *types.Named:
		return w.qualified(t.Obj()) + w.typeList(t.TypeArgs())
	case *types.Alias:
		return w.qualified(t.Obj()) + w.typeList(t.TypeArgs())
	case *types.TypeParam:
		return t.Obj().Name()
	}
	return types.TypeString(t, func(p *types.Package) string { return p.Name() })
}

// signature spells a signature after the func keyword or method name:
// type parameters (when withTypeParams), parameter types, result types.
func (w *writer) signature(sig *types.Signature, withTypeParams bool) string {
	var b strings.Builder
	if withTypeParams {
		b.WriteString(w.typeParams(sig.TypeParams()))
	}
	b.WriteByte('(')
	params := sig.Params()
	for i := range params.Len() {
		if i > 0 {
			b.WriteString(", ")
		}
		t := params.At(i).Type()
		if sig.Variadic() && i == params.Len()-1 {
			if s, ok := t.(*types.Slice); ok {
				b.WriteString("..." + w.typ(s.Elem()))
				continue
			}
		}
		b.WriteString(w.typ(t))
	}
	b.WriteByte(')')
	results := sig.Results()
	switch results.Len() {
	case 0:
	case 1:
		b.WriteString(" " + w.typ(results.At(0).Type()))
	default:
		b.WriteString(" (")
		for i := range results.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(w.typ(results.At(i).Type()))
		}
		b.WriteByte(')')
	}
	return b.String()
}
