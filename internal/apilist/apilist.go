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
	"errors"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
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
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-mod=readonly")
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
