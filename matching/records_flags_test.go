package matching

import (
	"reflect"
	"testing"
)

// TestSpaceFlagsRoundTrip sets each yes/no field of Space alone and checks
// that the engine's flags carry it to the field of the same name in
// SpaceView, and to no other: a yes/no field added to Space and not to
// spaceFlags, setSpaceFlags or SpaceView fails here.
func TestSpaceFlagsRoundTrip(t *testing.T) {
	st, vt := reflect.TypeFor[Space](), reflect.TypeFor[SpaceView]()
	n := 0
	for i := range st.NumField() {
		f := st.Field(i)
		if f.Type.Kind() != reflect.Bool {
			continue
		}
		n++
		t.Run(f.Name, func(t *testing.T) {
			var s Space
			reflect.ValueOf(&s).Elem().Field(i).SetBool(true)
			flags := spaceFlags(&s)
			if flags == 0 {
				t.Fatalf("spaceFlags: %s sets no flag", f.Name)
			}
			var v SpaceView
			setSpaceFlags(&v, flags)
			vv := reflect.ValueOf(v)
			if _, ok := vt.FieldByName(f.Name); !ok {
				t.Fatalf("SpaceView has no field %s", f.Name)
			}
			for j := range vt.NumField() {
				g := vt.Field(j)
				if g.Type.Kind() != reflect.Bool {
					continue
				}
				if got, want := vv.Field(j).Bool(), g.Name == f.Name; got != want {
					t.Errorf("SpaceView.%s: got %v, want %v", g.Name, got, want)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("Space has no yes/no field")
	}
}
