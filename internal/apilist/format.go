package apilist

import (
	"fmt"
	"go/types"
	"iter"
	"slices"
	"strconv"
	"strings"
)

// listLines returns the listing lines of one package, unsorted.
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
		if alias, ok := obj.Type().(*types.Alias); ok {
			name += w.typeParams(alias.TypeParams(), true)
		}
		w.emit("type %s = %s", name, w.typ(types.Unalias(obj.Type())))
		return
	}
	named, ok := obj.Type().(*types.Named)
	if !ok {
		return
	}
	decl := name + w.typeParams(named.TypeParams(), true)
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
	// The method set of *T holds that of T: a method is listed with the
	// receiver of the smallest method set that has it.
	recv := name + w.typeParams(named.TypeParams(), false)
	value := types.NewMethodSet(named)
	for sel := range types.NewMethodSet(types.NewPointer(named)).Methods() {
		m := sel.Obj().(*types.Func)
		ptr := "*"
		if value.Lookup(m.Pkg(), m.Name()) != nil {
			ptr = ""
		}
		if m.Exported() {
			w.emit("method (%s%s) %s%s", ptr, recv, m.Name(), w.signature(m.Signature(), false))
		}
	}
}

// typeParams spells a type parameter list, with the constraints when
// constraints is set ("[K comparable, V any]") and without ("[K, V]").
func (w *writer) typeParams(list *types.TypeParamList, constraints bool) string {
	if list.Len() == 0 {
		return ""
	}
	return "[" + join(list.TypeParams(), ", ", func(tp *types.TypeParam) string {
		if constraints {
			return tp.Obj().Name() + " " + w.typ(tp.Constraint())
		}
		return tp.Obj().Name()
	}) + "]"
}

// join spells each element of seq with spell and joins them with sep.
func join[T any](seq iter.Seq[T], sep string, spell func(T) string) string {
	var parts []string
	for x := range seq {
		parts = append(parts, spell(x))
	}
	return strings.Join(parts, sep)
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
			f, s := t.Field(i), w.typ(t.Field(i).Type())
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
		return join(t.Terms(), " | ", func(term *types.Term) string {
			if term.Tilde() {
				return "~" + w.typ(term.Type())
			}
			return w.typ(term.Type())
		})
	case *types.TypeParam:
		return t.Obj().Name()
	case interface { // *types.Named or *types.Alias
		Obj() *types.TypeName
		TypeArgs() *types.TypeList
	}:
		name := t.Obj().Name()
		if pkg := t.Obj().Pkg(); pkg != nil && pkg != w.pkg {
			name = pkg.Name() + "." + name
		}
		if t.TypeArgs().Len() > 0 {
			name += "[" + join(t.TypeArgs().Types(), ", ", w.typ) + "]"
		}
		return name
	}
	return types.TypeString(t, func(p *types.Package) string { return p.Name() })
}

// signature spells a signature after the func keyword or method name:
// type parameters (when withTypeParams), parameter types, result types.
func (w *writer) signature(sig *types.Signature, withTypeParams bool) string {
	s := ""
	if withTypeParams {
		s = w.typeParams(sig.TypeParams(), true)
	}
	var params []string
	for i := range sig.Params().Len() {
		t := sig.Params().At(i).Type()
		if elem, ok := t.(*types.Slice); ok && sig.Variadic() && i == sig.Params().Len()-1 {
			params = append(params, "..."+w.typ(elem.Elem()))
		} else {
			params = append(params, w.typ(t))
		}
	}
	s += "(" + strings.Join(params, ", ") + ")"
	results := join(sig.Results().Variables(), ", ", func(v *types.Var) string { return w.typ(v.Type()) })
	switch sig.Results().Len() {
	case 0:
		return s
	case 1:
		return s + " " + results
	}
	return s + " (" + results + ")"
}
