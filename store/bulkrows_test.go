package store_test

import (
	"reflect"
	"slices"
	"testing"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// TestBulkColumnsExist holds each gorm row to its table: every column the
// row maps (read by the bulk readers or skipped by their plan) is in the
// table, and every column of the table is in the row.
func TestBulkColumnsExist(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cols, err := db.BulkColumns(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"organisations", "offers", "needs", "venues", "spaces"} {
			row, have := cols[table][0], cols[table][1]
			if len(row) == 0 || len(have) == 0 {
				t.Errorf("%s: the row maps %v, the table has %v", table, row, have)
			}
			for _, c := range row {
				if !slices.Contains(have, c) {
					t.Errorf("%s: the row maps column %s, which the table lacks (a migration is missing)", table, c)
				}
			}
			for _, c := range have {
				if !slices.Contains(row, c) {
					t.Errorf("%s: the table has column %s, which the row does not map", table, c)
				}
			}
		}
	})
}

// setEvery sets every bool in v (a struct, walked into nested structs) to
// on, and every zero number to a distinct non-zero one, so that a field a
// read path drops shows.
func setEvery(v reflect.Value, on bool) {
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Bool:
			f.SetBool(on)
		case reflect.Int, reflect.Int64:
			if f.Int() == 0 {
				f.SetInt(int64(10 + i))
			}
		case reflect.Float64:
			if f.Float() == 0 {
				f.SetFloat(float64(10+i) + 0.25)
			}
		case reflect.Struct:
			if f.Type().PkgPath() == "commonground/matching" {
				setEvery(f, on)
			}
		}
	}
}

// TestEveryFieldReadAlike writes venues and spaces with every yes/no
// field set, and then with every one clear, and checks that the
// single-record reads, Snapshot and ChangesSince each return every field
// as written: a field that one of rows.go's converters or a bulk reader
// drops fails here without this test naming it.
func TestEveryFieldReadAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		org := newOrg("Every Field", 52.2, 0.12)
		createOrg(t, db, &org, "")
		since := revision(t, db)
		var venues []matching.Venue
		var spaces []matching.Space
		for _, on := range []bool{true, false} {
			v := newVenue(org.ID, "Hall", 52.2, 0.12)
			setEvery(reflect.ValueOf(&v).Elem(), on)
			createVenue(t, db, &v)
			s := newSpace(v.ID, "Room")
			setEvery(reflect.ValueOf(&s).Elem(), on)
			s.Surface, s.RiggingPoints = "", []matching.RiggingPoint{}
			if on { // Outdoor is set: a surface, and rigging to read back
				s.Surface = matching.SurfaceTarmac
				s.RiggingPoints = []matching.RiggingPoint{{RatedLoadKg: 750.5}, {RatedLoadKg: 1200}}
			}
			createSpace(t, db, &s)
			got, err := db.GetVenue(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			venues = append(venues, *got)
			gs, err := db.GetSpace(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			spaces = append(spaces, *gs)
			checkVenue(t, got, &v)
			checkSpace(t, gs, &s)
			if gs.Surface != s.Surface || !reflect.DeepEqual(gs.RiggingPoints, s.RiggingPoints) {
				t.Errorf("GetSpace: surface %q, rigging %v; want %q, %v", gs.Surface, gs.RiggingPoints, s.Surface, s.RiggingPoints)
			}
			// Fields checkSpace does not list, as written.
			want, have := reflect.ValueOf(s), reflect.ValueOf(*gs)
			for i := range want.NumField() {
				switch want.Field(i).Kind() {
				case reflect.Bool, reflect.Int, reflect.Float64:
					if w, g := want.Field(i).Interface(), have.Field(i).Interface(); w != g {
						t.Errorf("GetSpace %s: got %v, want %v", want.Type().Field(i).Name, g, w)
					}
				}
			}
			if w, g := v.Accessibility, got.Accessibility; w != g {
				t.Errorf("GetVenue Accessibility: got %+v, want %+v", g, w)
			}
		}

		sink, _ := snapshot(t, db)
		cs, err := db.ChangesSince(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		for _, read := range []struct {
			name   string
			venues []matching.Venue
			spaces []matching.Space
		}{{"Snapshot", sink.venues, sink.spaces}, {"ChangesSince", cs.Venues, cs.Spaces}} {
			for _, want := range venues {
				i := slices.IndexFunc(read.venues, func(v matching.Venue) bool { return v.ID == want.ID })
				if i < 0 {
					t.Errorf("%s: no venue %s", read.name, want.ID)
				} else if !reflect.DeepEqual(read.venues[i], want) {
					t.Errorf("%s venue:\n got %+v\nwant %+v", read.name, read.venues[i], want)
				}
			}
			for _, want := range spaces {
				i := slices.IndexFunc(read.spaces, func(s matching.Space) bool { return s.ID == want.ID })
				if i < 0 {
					t.Errorf("%s: no space %s", read.name, want.ID)
				} else if !reflect.DeepEqual(read.spaces[i], want) {
					t.Errorf("%s space:\n got %+v\nwant %+v", read.name, read.spaces[i], want)
				}
			}
		}
	})
}
