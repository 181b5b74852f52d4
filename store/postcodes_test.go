package store_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

func postcode(name string, lat, lon float64) geo.Place {
	return geo.Place{Name: name, Kind: geo.KindPostcode, Point: geo.MustPoint(lat, lon)}
}

func TestImportPostcodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		res, err := db.ImportPostcodes(ctx, []geo.Place{
			postcode("CB7 4DL", 52.0, 0.0), postcode("CB7 5AA", 52.34, 0.34), postcode("PE19 1AA", 52.23, -0.27),
			postcode("CB7 4DL", 52.40, 0.26), // the last point counts
		})
		if err != nil || res != (store.PostcodeImport{Postcodes: 3, Districts: 2}) {
			t.Fatalf("ImportPostcodes = %+v, %v; want 3 postcodes in 2 districts", res, err)
		}
		got, err := db.Postcode(ctx, "CB7 4DL")
		if err != nil || got != postcode("CB7 4DL", 52.40, 0.26) {
			t.Errorf("Postcode(CB7 4DL) = %+v, %v", got, err)
		}
		if _, err := db.Postcode(ctx, "CB7 9ZZ"); !errors.Is(err, matching.ErrNotFound) {
			t.Errorf("Postcode(CB7 9ZZ): got %v, want not found", err)
		}
		d, err := db.PostcodeDistrict(ctx, "CB7")
		if err != nil || d.Kind != geo.KindPostcodeDistrict || !near(geo.Lat(d.Point), 52.37) || !near(geo.Lon(d.Point), 0.30) {
			t.Errorf("PostcodeDistrict(CB7) = %+v, %v; want the mean 52.37, 0.30", d, err)
		}
		if _, err := db.PostcodeDistrict(ctx, "CB8"); !errors.Is(err, matching.ErrNotFound) {
			t.Errorf("PostcodeDistrict(CB8): got %v, want not found", err)
		}

		// Importing again replaces a point and moves its district's mean.
		if _, err := db.ImportPostcodes(ctx, []geo.Place{postcode("CB7 5AA", 52.30, 0.30)}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Postcode(ctx, "CB7 5AA"); got != postcode("CB7 5AA", 52.30, 0.30) {
			t.Errorf("after re-import got %+v", got)
		}
		if d, _ := db.PostcodeDistrict(ctx, "CB7"); !near(geo.Lat(d.Point), 52.35) || !near(geo.Lon(d.Point), 0.28) {
			t.Errorf("after re-import CB7 at %v, want the mean 52.35, 0.28", d.Point)
		}
		if n, err := db.CountPostcodes(ctx); err != nil || n != 3 {
			t.Errorf("CountPostcodes = %d, %v; want 3", n, err)
		}

		// A name not written as a postcode writes nothing.
		_, err = db.ImportPostcodes(ctx, []geo.Place{postcode("CB1 1AA", 52.2, 0.1), postcode("cb74dl", 52.4, 0.2)})
		if !errors.Is(err, matching.ErrInvalid) {
			t.Errorf("lower-case postcode: got %v, want invalid", err)
		}
		if n, _ := db.CountPostcodes(ctx); n != 3 {
			t.Errorf("after a refused import %d postcodes, want 3", n)
		}
	})
}

// TestSearchPostcodesOracle imports random postcodes over several
// transactions and checks each prefix search against a scan of them.
func TestSearchPostcodesOracle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := rand.New(rand.NewPCG(7, 7))
		var all []geo.Place
		seen := map[string]bool{}
		for len(all) < 45000 {
			name := fmt.Sprintf("%c%c%d %d%c%c", 'A'+r.IntN(3), 'A'+r.IntN(3), 1+r.IntN(12), r.IntN(10), 'A'+r.IntN(26), 'A'+r.IntN(26))
			if !seen[name] {
				seen[name] = true
				all = append(all, postcode(name, 50+r.Float64()*5, -3+r.Float64()*4))
			}
		}
		// A large import, so under WithoutTimeout as its documentation and
		// the import command ask (the race detector on a busy machine took
		// a district query past the default timeout).
		res, err := db.ImportPostcodes(store.WithoutTimeout(t.Context()), all)
		if err != nil || res.Postcodes != len(all) {
			t.Fatalf("ImportPostcodes = %+v, %v", res, err)
		}
		sorted := map[string]bool{}
		for _, p := range all {
			sorted[p.Name] = true
		}
		for _, prefix := range []string{"AB1", "AB1 ", "AB10 ", "CC12 9", "BA3 4Q", "ZZ", "A"} {
			got, err := db.SearchPostcodes(t.Context(), prefix, 20)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for name := range sorted {
				if len(name) >= len(prefix) && name[:len(prefix)] == prefix {
					want = append(want, name)
				}
			}
			slices.Sort(want)
			if len(want) > 20 {
				want = want[:20]
			}
			if len(got) != len(want) {
				t.Fatalf("SearchPostcodes(%q): %d results, want %d", prefix, len(got), len(want))
			}
			for i := range got {
				if got[i].Name != want[i] {
					t.Errorf("SearchPostcodes(%q)[%d] = %s, want %s", prefix, i, got[i].Name, want[i])
				}
			}
		}
		for _, p := range all[:50] {
			d, err := db.PostcodeDistrict(t.Context(), geo.PostcodeDistrict(p.Name))
			if err != nil {
				t.Fatal(err)
			}
			var lat float64
			var n int
			for _, q := range all {
				if geo.PostcodeDistrict(q.Name) == d.Name {
					lat += geo.Lat(q.Point)
					n++
				}
			}
			if math.Abs(geo.Lat(d.Point)-lat/float64(n)) > 1e-6 {
				t.Errorf("%s at lat %v, want the mean %v", d.Name, geo.Lat(d.Point), lat/float64(n))
			}
		}
	})
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// BenchmarkPostcode looks postcodes up one at a time, as place= does, in
// a table of 100,000.
func BenchmarkPostcode(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			r := rand.New(rand.NewPCG(1, 1))
			var all []geo.Place
			seen := map[string]bool{}
			for len(all) < 100000 {
				name := fmt.Sprintf("%c%c%d %d%c%c", 'A'+r.IntN(26), 'A'+r.IntN(26), 1+r.IntN(20), r.IntN(10), 'A'+r.IntN(26), 'A'+r.IntN(26))
				if !seen[name] {
					seen[name] = true
					all = append(all, postcode(name, 50+r.Float64()*5, -3+r.Float64()*4))
				}
			}
			if _, err := db.ImportPostcodes(store.WithoutTimeout(b.Context()), all); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := db.Postcode(b.Context(), all[(i*7919)%len(all)].Name); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
