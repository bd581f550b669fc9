package work

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/psnkit/psn"
)

// TestPlainTypesMirrorPSN: the floor decodes the same fields as psnkit —
// every exported field of the psn type has a twin with the same name, tag
// and type (or the twin's plain type), and no JSON methods.
func TestPlainTypesMirrorPSN(t *testing.T) {
	twins := map[reflect.Type]reflect.Type{
		reflect.TypeFor[psn.TrophyTitlesPage](): reflect.TypeFor[PlainTitlesPage](),
		reflect.TypeFor[psn.TrophyTitle]():      reflect.TypeFor[PlainTitle](),
		reflect.TypeFor[psn.TrophyCounts]():     reflect.TypeFor[PlainCounts](),
		reflect.TypeFor[psn.Trophy]():           reflect.TypeFor[PlainTrophy](),
	}
	same := func(a, b reflect.Type) bool {
		for a.Kind() == reflect.Slice && b.Kind() == reflect.Slice {
			a, b = a.Elem(), b.Elem()
		}
		return a == b || twins[a] == b
	}
	for ps, plain := range twins {
		if reflect.PointerTo(plain).Implements(reflect.TypeFor[json.Unmarshaler]()) {
			t.Errorf("%s has JSON methods", plain)
		}
		var want, got []reflect.StructField
		for _, f := range reflect.VisibleFields(ps) {
			if f.IsExported() {
				want = append(want, f)
			}
		}
		for _, f := range reflect.VisibleFields(plain) {
			if f.IsExported() {
				got = append(got, f)
			}
		}
		if len(want) != len(got) {
			t.Errorf("%s has %d fields, %s %d", plain, len(got), ps, len(want))
			continue
		}
		for i := range want {
			if want[i].Name != got[i].Name || want[i].Tag != got[i].Tag || !same(want[i].Type, got[i].Type) {
				t.Errorf("%s.%s %s `%s` ≠ %s.%s %s `%s`", plain, got[i].Name, got[i].Type, got[i].Tag, ps, want[i].Name, want[i].Type, want[i].Tag)
			}
		}
	}
	var s Sum
	s.AddPlain(&PlainTitlesPage{TrophyTitles: []PlainTitle{{NpCommunicationID: "NPWR00001_00", Progress: 50, EarnedTrophies: PlainCounts{Bronze: 3, Silver: 2, Gold: 1}}}})
	if got := s.String(1); got != "calls=1 titles=1 checksum=68" {
		t.Errorf("AddPlain: %s", got)
	}
}
