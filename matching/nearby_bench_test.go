package matching_test

import (
	"flag"
	"fmt"
	"testing"

	"commonground/matching"
)

// BenchmarkNearby asks for the 50 spaces nearest the densest sampled venue
// location, within 10 km, at 5,000, 100,000 and 1,000,000 spaces: what
// GET /v1/nearby?kind=spaces&radius_km=10 asks of the read model, without
// the HTTP and GeoJSON around it. It shares the cached models (and the
// fixed seed) of BenchmarkMatchVenues; the million is built only when a
// benchmark run asks for it without -short.
func BenchmarkNearby(b *testing.B) {
	for _, n := range []int{5_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("spaces=%d", n), func(b *testing.B) {
			if n >= 1_000_000 && (testing.Short() || flag.Lookup("test.bench").Value.String() == "") {
				b.Skip("a million spaces: run with -bench and without -short")
			}
			m := loadBenchModel(b, n)
			// Every space within the radius, to report how many the query
			// ranks to keep 50.
			all, _ := m.e.NearbySpaces(matching.NearbyQuery{Centre: m.near, RadiusM: 10_000})
			q := matching.NearbyQuery{Centre: m.near, RadiusM: 10_000, Limit: 50}
			b.ReportAllocs()
			b.ResetTimer()
			var got []matching.NearbySpace
			for b.Loop() {
				got, _ = m.e.NearbySpaces(q)
			}
			if want := min(50, len(all)); len(got) != want {
				b.Fatalf("got %d spaces, want %d", len(got), want)
			}
			b.ReportMetric(float64(len(all)), "spaces_in_10km")
			b.ReportMetric(float64(len(got)), "returned")
		})
	}
}

// BenchmarkNearbyFree asks for the 50 nearest spaces within 10 km of the
// densest sampled venue location at 100,000 spaces (the cached model of
// BenchmarkMatchVenues, fixed seed), without a window, with a Tuesday
// evening window, and with the window and every other filter: what the
// free_from/free_until options of GET /v1/nearby cost the read model.
func BenchmarkNearbyFree(b *testing.B) {
	win := matching.Session{Start: localTime(2027, 1, 19, 18, 0), End: localTime(2027, 1, 19, 20, 0)}
	for _, c := range []struct {
		name string
		q    matching.NearbyQuery
	}{
		{"no_window", matching.NearbyQuery{}},
		{"window", matching.NearbyQuery{Free: &win}},
		{"window_and_filters", matching.NearbyQuery{Free: &win, Activity: "aerial", MinCapacity: 20, MinStars: 3}},
	} {
		b.Run(c.name, func(b *testing.B) {
			m := loadBenchModel(b, 100_000)
			q := c.q
			q.Centre, q.RadiusM = m.near, 10_000
			all, _ := m.e.NearbySpaces(q)
			q.Limit = 50
			b.ReportAllocs()
			b.ResetTimer()
			var got []matching.NearbySpace
			for b.Loop() {
				got, _ = m.e.NearbySpaces(q)
			}
			if want := min(50, len(all)); len(got) != want {
				b.Fatalf("got %d spaces, want %d", len(got), want)
			}
			b.ReportMetric(float64(len(all)), "matching_in_10km")
		})
	}
}
