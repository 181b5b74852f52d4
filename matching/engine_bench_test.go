package matching_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"commonground/matching"
	"commonground/seed"
)

// benchModel is an engine loaded from seed.Generate, built once per scale
// and kept for every benchmark that uses it.
type benchModel struct {
	e *matching.Engine
	// heapPerSpace is the live heap the engine holds per space.
	heapPerSpace float64
	// near is the densest of a few generated venues: the benchmark asks
	// where the data is.
	near     orb.Point
	inRadius int // spaces within 15 km of near
	// typical is the sampled place of median density, and typicalIn the
	// spaces within 15 km of it.
	typical   orb.Point
	typicalIn int
}

var benchModels = map[int]*benchModel{}

// processCPU is the CPU time the process has used, user and system, in
// nanoseconds. On a machine shared with other work a benchmark's time per
// operation counts the time it waited for a core; its CPU time per
// operation (cpu-ns/op) does not. It includes the garbage collector's
// work and any other goroutine's, so it is an upper bound of the
// operation's own.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func loadBenchModel(b *testing.B, spaces int) *benchModel {
	if m := benchModels[spaces]; m != nil {
		return m
	}
	b.Helper()
	before := liveHeap()
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	// A fixed-seed sample of venue locations, taken while loading.
	r := rand.New(rand.NewPCG(7, 7))
	var sample []orb.Point
	venues := 0
	err := seed.Generate(seed.ScaleOptions{Seed: 1, Spaces: spaces}, func(ds *seed.Dataset) error {
		for i := range ds.Organisations {
			if err := l.Organisation(&ds.Organisations[i]); err != nil {
				return err
			}
		}
		for i := range ds.Venues {
			if err := l.Venue(&ds.Venues[i]); err != nil {
				return err
			}
			venues++
			if len(sample) < 16 {
				sample = append(sample, ds.Venues[i].Location)
			} else if j := r.IntN(venues); j < len(sample) {
				sample[j] = ds.Venues[i].Location
			}
		}
		for i := range ds.Spaces {
			if err := l.Space(&ds.Spaces[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	l.Commit(1)
	m := &benchModel{e: e}
	m.heapPerSpace = float64(liveHeap()-before) / float64(spaces)

	// The densest sampled place: most spaces within 15 km.
	monday := time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC)
	type density struct {
		p orb.Point
		n int
	}
	var densities []density
	for _, p := range sample {
		res, err := e.MatchVenues(&matching.VenueRequest{Near: p, RadiusKm: 15, GroupSize: 1, Activity: "yoga", Limit: 1,
			Sessions: []matching.Session{{Start: monday, End: monday.Add(time.Hour)}}})
		if err != nil {
			b.Fatal(err)
		}
		n := res.TotalMatches
		for k, x := range res.Excluded {
			if k != matching.ExcludedTooFar {
				n += x
			}
		}
		if n > m.inRadius {
			m.near, m.inRadius = p, n
		}
		densities = append(densities, density{p, n})
	}
	sort.Slice(densities, func(i, j int) bool { return densities[i].n < densities[j].n })
	mid := densities[len(densities)/2]
	m.typical, m.typicalIn = mid.p, mid.n
	benchModels[spaces] = m
	return m
}

// BenchmarkMatchVenues matches a weekly class — 24 contemporary dancers,
// ten Tuesday evenings, within 15 km of the densest and of the median of
// sixteen sampled places — at
// 5,000, 100,000 and 1,000,000 spaces. The million is built only when a
// benchmark run asks for it without -short (it takes a few seconds and a
// few hundred megabytes).
func BenchmarkMatchVenues(b *testing.B) { benchMatchVenues(b, false, 1) }

// BenchmarkMatchVenuesUncounted is BenchmarkMatchVenues with
// SkipExcluded: the best 20, with nothing counted.
func BenchmarkMatchVenuesUncounted(b *testing.B) { benchMatchVenues(b, true, 1) }

// BenchmarkMatchVenuesUncountedPage3 asks, without the count, for the
// third page of 20 (the cursor of the second page's last match).
func BenchmarkMatchVenuesUncountedPage3(b *testing.B) { benchMatchVenues(b, true, 3) }

// benchNow is when the benchmarks' requests are made, as the API makes
// every request at its time: five weeks before the first session, so the
// last (day 98) lies within every room's booking horizon (at least 180
// days in the seeded data) and the answer is that of a request without
// a horizon.
var benchNow = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// BenchmarkMatchVenuesPastHorizon asks, counted and not, at a Now 169 days
// before the first session, so that the last sessions (to day 232) lie
// past the 180-day horizon of the seeded schools' rooms: the sets of the
// sessions past each horizon are built and read.
func BenchmarkMatchVenuesPastHorizon(b *testing.B) {
	defer func(now time.Time) { benchNow = now }(benchNow)
	benchNow = time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)
	b.Run("counted", func(b *testing.B) { benchMatchVenues(b, false, 1) })
	b.Run("uncounted", func(b *testing.B) { benchMatchVenues(b, true, 1) })
}

func benchMatchVenues(b *testing.B, skipExcluded bool, page int) {
	sessions := mustExpand(matching.Weekly{Day: "tue", Start: 18 * 60, End: 20 * 60,
		From: time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC), Count: 10, Timezone: "Europe/London"})
	for _, n := range []int{5_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("spaces=%d", n), func(b *testing.B) {
			if n >= 1_000_000 && (testing.Short() || flag.Lookup("test.bench").Value.String() == "") {
				b.Skip("a million spaces: run with -bench and without -short")
			}
			m := loadBenchModel(b, n)
			for _, place := range []struct {
				name string
				at   orb.Point
				in   int
			}{{"densest", m.near, m.inRadius}, {"median", m.typical, m.typicalIn}} {
				b.Run("place="+place.name, func(b *testing.B) {
					req := &matching.VenueRequest{Near: place.at, RadiusKm: 15, GroupSize: 24, Activity: "contemporary",
						Sessions: sessions, RequireAllSessions: true, Limit: 20, SkipExcluded: skipExcluded, Now: benchNow}
					for range page - 1 {
						res, err := m.e.MatchVenues(req)
						if err != nil {
							b.Fatal(err)
						}
						if res.Next == nil {
							b.Skipf("no page after %d matches", len(res.Matches))
						}
						req.After = res.Next
					}
					b.ReportAllocs()
					b.ResetTimer()
					var res *matching.VenueResult
					cpu0 := processCPU()
					for b.Loop() {
						var err error
						if res, err = m.e.MatchVenues(req); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
					b.ReportMetric(m.heapPerSpace, "heapB/space")
					b.ReportMetric(float64(place.in), "spaces_in_15km")
					if !skipExcluded {
						b.ReportMetric(float64(res.TotalMatches), "matches")
					}
				})
			}
		})
	}
}
