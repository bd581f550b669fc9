package psn

// Lossless results. Every result type holds a wireState beside its named
// fields and decodes and encodes itself through one table-driven codec
// built on github.com/go-json-experiment/json (the encoding/json/v2 API):
//
//   - the wireState records which named fields PSN sent and which it sent as
//     null, so an encoded result gives back "earned": false, "trophyRare": 0
//     and "" exactly as PSN sent them, and leaves out what PSN left out;
//   - members no field names (a field PSN adds tomorrow) are kept verbatim
//     and written back after the named ones;
//   - a value whose text differs from the field type's canonical encoding
//     ("2024-01-02T03:04:05+00:00" for a time.Time, "PT1H0M" for a
//     duration) is kept verbatim and written back as long as the field
//     still holds the value it decoded to.
//
// A value that was never decoded (built in code) encodes as its field tags
// say. A decoded value encodes what PSN sent plus every field that was set
// to a non-zero value since.
//
// The codec reads leaf fields (strings, booleans, integers, floats, times)
// straight from the token stream and hands everything else (lists, maps,
// nested results) to the v2 package, which calls back into the codec for
// nested results: one pass over the input, no reflection per value.

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	stdjson "encoding/json"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// wireState is what a decoded result remembers of its wire form.
type wireState struct {
	// present has bit i set when PSN sent field i, plus the flags below.
	present uint64
	// nulls has bit i set when PSN sent field i as null.
	nulls uint64
	// rest holds what most results never need.
	rest *wireRest
}

const (
	// wireDecoded marks a value that was decoded: it then encodes what
	// PSN sent rather than what its tags say.
	wireDecoded = 1 << 63
	// wireNull marks a value that was decoded from a JSON null.
	wireNull = 1 << 62
	// maxWireFields is how many named fields one result may have.
	maxWireFields = 62
)

// wireRest holds unnamed members and verbatim values.
type wireRest struct {
	// unknown is a JSON object of the members no field names, in the
	// order PSN sent them; nil when there are none.
	unknown []byte
	// verbatim are the original texts of values whose canonical encoding
	// differs, by field index.
	verbatim []verbatimValue
}

type verbatimValue struct {
	field int
	raw   []byte
}

func (w *wireState) more() *wireRest {
	if w.rest == nil {
		w.rest = new(wireRest)
	}
	return w.rest
}

func (w *wireState) verbatim(field int) []byte {
	if w.rest == nil {
		return nil
	}
	for _, v := range w.rest.verbatim {
		if v.field == field {
			return v.raw
		}
	}
	return nil
}

// wireKind says how the codec reads and writes a field.
type wireKind uint8

const (
	kindOther       wireKind = iota // through the v2 package
	kindString                      // string
	kindBool                        // bool
	kindInt                         // int, int64, int32
	kindFloat                       // float64
	kindTime                        // time.Time, RFC 3339
	kindISODuration                 // time.Duration as ISO 8601 (tag option format:iso8601)
	kindUnixMilli                   // UnixMilli
	kindResult                      // a nested result struct: its own table, directly
)

// wireField is one named field of a result type.
type wireField struct {
	name string
	off  uintptr
	typ  reflect.Type
	kind wireKind
	bits int  // integer size
	omit bool // omitempty or omitzero: left out when zero in values built in code
	bit  uint64
	// ptr is a *T of the field's type in an interface, whose data word
	// ptrAt replaces: reflect.NewAt costs a type lookup per call.
	ptr any
	// sub is the table of a nested result (kindResult).
	sub *wireTable
}

// eface is the layout of an empty interface.
type eface struct{ typ, data unsafe.Pointer }

// ptrAt returns a pointer to the field at p as an any (a *T).
func (f *wireField) ptrAt(p unsafe.Pointer) any {
	e := *(*eface)(unsafe.Pointer(&f.ptr))
	e.data = p
	return *(*any)(unsafe.Pointer(&e))
}

// wireTable describes a result type to the codec.
type wireTable struct {
	typ    reflect.Type
	fields []wireField
	byName map[string]int
	// wireOff is where the type's wireState lies.
	wireOff uintptr
	// next[i+1] is the field that followed field i in the last object
	// decoded (next[0]: the first field); -1 when unknown. A hint only:
	// goroutines may overwrite each other's.
	next []atomic.Int32
}

var (
	wireTables   sync.Map // reflect.Type → *wireTable; immutable once built
	wireType     = reflect.TypeFor[wireState]()
	timeTyp      = reflect.TypeFor[time.Time]()
	durationTyp  = reflect.TypeFor[time.Duration]()
	unixMilliTyp = reflect.TypeFor[UnixMilli]()
)

// tableFor returns the table of the result type t, building it once.
func tableFor(t reflect.Type) *wireTable {
	if v, ok := wireTables.Load(t); ok {
		return v.(*wireTable)
	}
	tab := buildTable(t, map[reflect.Type]bool{})
	v, _ := wireTables.LoadOrStore(t, tab)
	return v.(*wireTable)
}

// buildTable lists t's JSON fields, flattening embedded structs without a
// tag (Page) the way encoding/json does. It panics on a type the codec
// cannot hold, which the package's tests reach for every result type.
func buildTable(t reflect.Type, building map[reflect.Type]bool) *wireTable {
	tab := &wireTable{typ: t, byName: map[string]int{}}
	building[t] = true
	defer delete(building, t)
	hasWire := false
	var walk func(t reflect.Type, off uintptr)
	walk = func(t reflect.Type, off uintptr) {
		for i := range t.NumField() {
			sf := t.Field(i)
			if sf.Type == wireType {
				if off == 0 {
					hasWire, tab.wireOff = true, sf.Offset
				}
				continue
			}
			tag := sf.Tag.Get("json")
			if sf.Anonymous && tag == "" && sf.Type.Kind() == reflect.Struct {
				walk(sf.Type, off+sf.Offset)
				continue
			}
			if !sf.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = sf.Name
			}
			f := wireField{name: name, off: off + sf.Offset, typ: sf.Type, omit: hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero"), ptr: reflect.New(sf.Type).Interface()}
			switch {
			case sf.Type == timeTyp:
				f.kind = kindTime
			case sf.Type == unixMilliTyp:
				f.kind = kindUnixMilli
			case sf.Type == durationTyp && hasOpt(opts, "format:iso8601"):
				f.kind = kindISODuration
			case sf.Type.Kind() == reflect.String:
				f.kind = kindString
			case sf.Type.Kind() == reflect.Bool:
				f.kind = kindBool
			case sf.Type.Kind() == reflect.Int || sf.Type.Kind() == reflect.Int64 || sf.Type.Kind() == reflect.Int32:
				f.kind, f.bits = kindInt, sf.Type.Bits()
			case sf.Type.Kind() == reflect.Float64:
				f.kind = kindFloat
			case isResult(sf.Type) && !building[sf.Type]:
				f.kind, f.sub = kindResult, buildTable(sf.Type, building)
			default:
				f.kind = kindOther
			}
			if _, dup := tab.byName[name]; dup {
				panic(fmt.Sprintf("psn: %s: two fields named %q", t, name))
			}
			f.bit = 1 << len(tab.fields)
			tab.byName[name] = len(tab.fields)
			tab.fields = append(tab.fields, f)
		}
	}
	walk(t, 0)
	if !hasWire {
		panic(fmt.Sprintf("psn: %s has no wireState field", t))
	}
	if len(tab.fields) > maxWireFields {
		panic(fmt.Sprintf("psn: %s has %d fields, more than %d", t, len(tab.fields), maxWireFields))
	}
	tab.next = make([]atomic.Int32, len(tab.fields)+1)
	for i := range tab.next {
		tab.next[i].Store(-1)
	}
	return tab
}

// isResult reports whether t is a result struct (it holds a wireState).
func isResult(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		if t.Field(i).Type == wireType {
			return true
		}
	}
	return false
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// errWireType is the cause of a decode error where PSN sent a value of the
// wrong JSON kind for a field.
var errWireType = errors.New("wrong JSON type")

// wireDecodeOptions are the options the client decodes PSN's answers
// with. Repeated names in an object are allowed (the last one wins, as in
// encoding/json v1) because checking every object costs time; inside the
// raw values a result keeps as they were sent (members no field names,
// json.RawMessage fields) they are an error, since such a value could not
// be encoded again.
var wireDecodeOptions = json.JoinOptions(
	jsontext.AllowDuplicateNames(true),
	json.WithUnmarshalers(json.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *stdjson.RawMessage) error {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if err := checkRawNames(raw); err != nil {
			return err
		}
		*v = append((*v)[:0], raw...)
		return nil
	})),
)

// checkRawNames fails when a raw JSON value holds an object with a
// repeated name.
func checkRawNames(raw []byte) error {
	if len(raw) == 0 || raw[0] != '{' && raw[0] != '[' {
		return nil
	}
	return jsontext.NewDecoder(bytes.NewReader(raw)).SkipValue()
}

// wireCodec is a result type's codec: its table, built on first use.
// Each result type has one, a package variable that only ever caches the
// type's immutable table and spare values to encode from; wire_methods.go,
// which genwire writes, declares them with the types' methods.
//
//go:generate go run ./internal/cmd/genwire
type wireCodec[T any] struct {
	tab atomic.Pointer[wireTable]
	// spare holds cleared *T that encodeValue copies values into.
	spare sync.Pool
}

func (c *wireCodec[T]) table() *wireTable {
	if t := c.tab.Load(); t != nil {
		return t
	}
	t := tableFor(reflect.TypeFor[T]())
	c.tab.Store(t)
	return t
}

// decode is UnmarshalJSONFrom for every result type.
func (c *wireCodec[T]) decode(dec *jsontext.Decoder, v *T, w *wireState) error {
	return c.table().decode(dec, unsafe.Pointer(v), w)
}

// encodeValue is MarshalJSONTo for every result type. MarshalJSONTo has a
// value receiver, and the table encodes through a pointer that escapes (to
// the v2 package, for lists and maps): encoding from the receiver's
// address would move every value encoded to the heap, one copy per call
// (352 bytes a title in psn titles --all -o json). The value is copied
// into a spare *T instead, cleared and kept for the next call; nothing
// keeps the pointer once encode returns.
func (c *wireCodec[T]) encodeValue(enc *jsontext.Encoder, v T) error {
	p, _ := c.spare.Get().(*T)
	if p == nil {
		p = new(T)
	}
	*p = v
	tab := c.table()
	err := tab.encode(enc, unsafe.Pointer(p), (*wireState)(unsafe.Add(unsafe.Pointer(p), tab.wireOff)))
	var zero T
	*p = zero
	c.spare.Put(p)
	return err
}

// unmarshalV1 is UnmarshalJSON (encoding/json v1) for every result type.
func unmarshalV1[T any](b []byte, v *T) error {
	return json.Unmarshal(b, v, wireDecodeOptions)
}

// marshalV1 is MarshalJSON (encoding/json v1) for every result type. Map
// keys come out sorted, as encoding/json sorts them.
func marshalV1[T any](v *T) ([]byte, error) {
	return json.Marshal(v, json.Deterministic(true))
}

// decode reads an object into the value at base, whose wireState is w.
func (tab *wireTable) decode(dec *jsontext.Decoder, base unsafe.Pointer, w *wireState) error {
	switch dec.PeekKind() {
	case 'n':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		w.present |= wireDecoded | wireNull
		return nil
	case '{':
	default:
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		return fmt.Errorf("%w: %s where an object (%s) is expected", errWireType, v.Kind(), tab.typ.Name())
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	w.present = (w.present | wireDecoded) &^ wireNull
	var unknown []byte
	if w.rest != nil {
		unknown = w.rest.unknown
	}
	var unq []byte
	var unknownNames []string
	prev := -1 // the field named last
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return err
		}
		key := name[1 : len(name)-1]
		i, ok := tab.lookup(prev, key)
		if !ok && bytes.IndexByte(key, '\\') >= 0 {
			if unq, err = jsontext.AppendUnquote(unq[:0], name); err != nil {
				return err
			}
			key = unq
			i, ok = tab.lookup(prev, key)
		}
		if !ok {
			// A repeated name replaces the earlier member, as a
			// repeated named field does (encoding/json keeps the last).
			k := string(key)
			if slices.Contains(unknownNames, k) {
				unknown = removeMember(unknown, k)
			} else {
				unknownNames = append(unknownNames, k)
			}
			if len(unknown) == 0 {
				unknown = append(unknown, '{')
			} else {
				unknown = append(unknown[:len(unknown)-1], ',')
			}
			unknown = append(append(unknown, name...), ':')
			val, err := dec.ReadValue()
			if err != nil {
				return err
			}
			if err := checkRawNames(val); err != nil {
				return fmt.Errorf("%w: %s member %q: %w", errWireType, tab.typ.Name(), k, err)
			}
			unknown = append(append(unknown, val...), '}')
			continue
		}
		prev = i
		f := &tab.fields[i]
		p := unsafe.Add(base, f.off)
		if w.present&f.bit != 0 && (f.kind == kindOther || f.kind == kindResult) {
			// A repeated name replaces the earlier value (as in
			// encoding/json), rather than merging into it.
			reflect.NewAt(f.typ, p).Elem().SetZero()
		}
		w.present |= f.bit
		w.nulls &^= f.bit
		if dec.PeekKind() == 'n' {
			if _, err := dec.ReadToken(); err != nil {
				return err
			}
			w.nulls |= f.bit
			reflect.NewAt(f.typ, p).Elem().SetZero()
			continue
		}
		if err := tab.decodeField(dec, w, i, f, p); err != nil {
			return err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	if unknown != nil {
		w.more().unknown = unknown
	}
	return nil
}

// lookup finds the field named key. PSN sends an object's members in the
// same order every time, so it first tries the field that followed prev
// the last time (any goroutine's), and learns the order from the map
// lookups it falls back to.
func (tab *wireTable) lookup(prev int, key []byte) (int, bool) {
	hint := &tab.next[prev+1]
	if h := int(hint.Load()); h >= 0 && tab.fields[h].name == string(key) {
		return h, true
	}
	i, ok := tab.byName[string(key)]
	if ok {
		hint.Store(int32(i))
	}
	return i, ok
}

// removeMember returns the JSON object obj without its member name.
func removeMember(obj []byte, name string) []byte {
	dec := jsontext.NewDecoder(bytes.NewReader(obj), jsontext.AllowDuplicateNames(true))
	out := []byte{'{'}
	if _, err := dec.ReadToken(); err != nil {
		return obj
	}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return obj
		}
		k := tok.String()
		v, err := dec.ReadValue()
		if err != nil {
			return obj
		}
		if k == name {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out, _ = jsontext.AppendQuote(out, k)
		out = append(append(out, ':'), v...)
	}
	if len(out) == 1 {
		return nil
	}
	return append(out, '}')
}

// decodeField reads one non-null value into field i.
func (tab *wireTable) decodeField(dec *jsontext.Decoder, w *wireState, i int, f *wireField, p unsafe.Pointer) error {
	wrong := func(k jsontext.Kind) error {
		return fmt.Errorf("%w: %s.%s: %s where %s is expected", errWireType, tab.typ.Name(), f.name, k, f.typ)
	}
	switch f.kind {
	case kindString:
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if tok.Kind() != '"' {
			return wrong(tok.Kind())
		}
		*(*string)(p) = tok.String()
	case kindBool:
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if k := tok.Kind(); k != 't' && k != 'f' {
			return wrong(k)
		}
		*(*bool)(p) = tok.Bool()
	case kindInt:
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if raw.Kind() != '0' {
			return wrong(raw.Kind())
		}
		n, err := strconv.ParseInt(unsafeString(raw), 10, f.bits)
		if err != nil {
			return fmt.Errorf("%w: %s.%s: number %s is not a %s", errWireType, tab.typ.Name(), f.name, raw, f.typ)
		}
		switch {
		case f.typ.Kind() == reflect.Int:
			*(*int)(p) = int(n)
		case f.bits == 32:
			*(*int32)(p) = int32(n)
		default:
			*(*int64)(p) = n
		}
	case kindFloat:
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if raw.Kind() != '0' {
			return wrong(raw.Kind())
		}
		x, err := strconv.ParseFloat(unsafeString(raw), 64)
		if err != nil {
			return fmt.Errorf("%w: %s.%s: number %s is not a float64", errWireType, tab.typ.Name(), f.name, raw)
		}
		*(*float64)(p) = x
	case kindTime, kindISODuration, kindUnixMilli:
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		canon, err := decodeScalar(f, raw, p)
		if err != nil {
			return fmt.Errorf("%w: %s.%s: %w", errWireType, tab.typ.Name(), f.name, err)
		}
		if w.rest != nil { // decoding again into the same value
			w.rest.verbatim = slices.DeleteFunc(w.rest.verbatim, func(v verbatimValue) bool { return v.field == i })
		}
		if !canon {
			r := w.more()
			r.verbatim = append(r.verbatim, verbatimValue{field: i, raw: bytes.Clone(raw)})
		}
	case kindResult:
		return f.sub.decode(dec, p, (*wireState)(unsafe.Add(p, f.sub.wireOff)))
	default:
		return json.UnmarshalDecode(dec, f.ptrAt(p))
	}
	return nil
}

// decodeScalar reads a time, duration or UnixMilli from raw into p and
// reports whether encoding it again gives raw back.
func decodeScalar(f *wireField, raw jsontext.Value, p unsafe.Pointer) (canonical bool, err error) {
	var scratch [64]byte
	s, quoted, err := rawString(raw)
	if err != nil {
		return false, err
	}
	switch f.kind {
	case kindTime:
		if !quoted {
			return false, fmt.Errorf("%s where an RFC 3339 string is expected", raw.Kind())
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return false, errors.New("not an RFC 3339 time")
		}
		*(*time.Time)(p) = t
		return string(appendTime(scratch[:0], t)) == string(raw), nil
	case kindISODuration:
		if !quoted {
			return false, fmt.Errorf("%s where an ISO 8601 duration is expected", raw.Kind())
		}
		d := time.Duration(0)
		if s != "" {
			if d, err = ParseISODuration(s); err != nil {
				return false, err
			}
		}
		*(*time.Duration)(p) = d
		return s != "" && FormatISODuration(d) == s && raw[0] == '"' && len(raw) == len(s)+2, nil
	default: // kindUnixMilli
		u := (*UnixMilli)(p)
		if err := u.UnmarshalJSON(raw); err != nil {
			return false, err
		}
		b, _ := u.MarshalJSON()
		return string(b) == string(raw), nil
	}
}

// rawString returns the text of a JSON string (unquoted) or of a number.
func rawString(raw jsontext.Value) (s string, quoted bool, err error) {
	switch raw.Kind() {
	case '"':
		b := raw[1 : len(raw)-1]
		if bytes.IndexByte(b, '\\') >= 0 {
			if b, err = jsontext.AppendUnquote(nil, raw); err != nil {
				return "", false, err
			}
		}
		return string(b), true, nil
	case '0':
		return string(raw), false, nil
	}
	return "", false, fmt.Errorf("%s where a string is expected", raw.Kind())
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// unsafeString views b as a string for a parse that does not keep it.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// encode writes the value at base, whose wireState is w.
func (tab *wireTable) encode(enc *jsontext.Encoder, base unsafe.Pointer, w *wireState) error {
	decoded := w.present&wireDecoded != 0
	if decoded && w.present&wireNull != 0 && tab.isZero(base) {
		return enc.WriteToken(jsontext.Null)
	}
	if err := enc.WriteToken(jsontext.BeginObject); err != nil {
		return err
	}
	for i := range tab.fields {
		f := &tab.fields[i]
		p := unsafe.Add(base, f.off)
		zero := f.isZero(p)
		if zero && (decoded && w.present&f.bit == 0 || !decoded && f.omit) {
			continue
		}
		if err := enc.WriteToken(jsontext.String(f.name)); err != nil {
			return err
		}
		if zero && decoded && w.nulls&f.bit != 0 {
			if err := enc.WriteToken(jsontext.Null); err != nil {
				return err
			}
			continue
		}
		if raw := w.verbatim(i); raw != nil && f.holds(raw, p) {
			if err := enc.WriteValue(raw); err != nil {
				return err
			}
			continue
		}
		if err := f.encode(enc, p); err != nil {
			return err
		}
	}
	if w.rest != nil && w.rest.unknown != nil {
		if err := writeMembers(enc, w.rest.unknown); err != nil {
			return err
		}
	}
	return enc.WriteToken(jsontext.EndObject)
}

// writeMembers writes the members of the JSON object obj into the object
// enc is writing.
func writeMembers(enc *jsontext.Encoder, obj []byte) error {
	dec := jsontext.NewDecoder(bytes.NewReader(obj), jsontext.AllowDuplicateNames(true))
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if err := enc.WriteValue(v); err != nil {
			return err
		}
	}
	return nil
}

func (f *wireField) encode(enc *jsontext.Encoder, p unsafe.Pointer) error {
	switch f.kind {
	case kindString:
		return enc.WriteToken(jsontext.String(*(*string)(p)))
	case kindBool:
		return enc.WriteToken(jsontext.Bool(*(*bool)(p)))
	case kindInt:
		return enc.WriteToken(jsontext.Int(f.int(p)))
	case kindFloat:
		return enc.WriteToken(jsontext.Float(*(*float64)(p)))
	case kindTime:
		var scratch [64]byte
		return enc.WriteValue(appendTime(scratch[:0], *(*time.Time)(p)))
	case kindISODuration:
		return enc.WriteToken(jsontext.String(FormatISODuration(*(*time.Duration)(p))))
	case kindUnixMilli:
		b, err := (*UnixMilli)(p).MarshalJSON()
		if err != nil {
			return err
		}
		return enc.WriteValue(b)
	case kindResult:
		return f.sub.encode(enc, p, (*wireState)(unsafe.Add(p, f.sub.wireOff)))
	}
	return json.MarshalEncode(enc, f.ptrAt(p))
}

func (f *wireField) int(p unsafe.Pointer) int64 {
	switch {
	case f.typ.Kind() == reflect.Int:
		return int64(*(*int)(p))
	case f.bits == 32:
		return int64(*(*int32)(p))
	}
	return *(*int64)(p)
}

func (f *wireField) isZero(p unsafe.Pointer) bool {
	switch f.kind {
	case kindString:
		return *(*string)(p) == ""
	case kindBool:
		return !*(*bool)(p)
	case kindInt:
		return f.int(p) == 0
	case kindFloat:
		return *(*float64)(p) == 0
	case kindTime:
		return (*time.Time)(p).IsZero()
	case kindISODuration:
		return *(*time.Duration)(p) == 0
	case kindUnixMilli:
		return (*UnixMilli)(p).IsZero()
	}
	v := reflect.NewAt(f.typ, p).Elem()
	if f.omit && (v.Kind() == reflect.Slice || v.Kind() == reflect.Map) {
		return v.Len() == 0 // omitempty leaves out [] and {} as well as null
	}
	return v.IsZero()
}

// holds reports whether the field at p still holds the value raw decodes
// to, so that raw may be written in its place.
func (f *wireField) holds(raw []byte, p unsafe.Pointer) bool {
	switch f.kind {
	case kindTime:
		var t time.Time
		if _, err := decodeScalar(f, raw, unsafe.Pointer(&t)); err == nil {
			now := *(*time.Time)(p)
			return t.Equal(now) && t.Location().String() == now.Location().String()
		}
	case kindISODuration:
		var d time.Duration
		if _, err := decodeScalar(f, raw, unsafe.Pointer(&d)); err == nil {
			return d == *(*time.Duration)(p)
		}
	case kindUnixMilli:
		var u UnixMilli
		if _, err := decodeScalar(f, raw, unsafe.Pointer(&u)); err == nil {
			return u.Equal((*UnixMilli)(p).Time)
		}
	}
	return false
}

// isZero reports whether every named field of the value at base is zero.
func (tab *wireTable) isZero(base unsafe.Pointer) bool {
	for i := range tab.fields {
		if !tab.fields[i].isZero(unsafe.Add(base, tab.fields[i].off)) {
			return false
		}
	}
	return true
}
