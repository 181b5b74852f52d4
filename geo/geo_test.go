package geo

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func TestNewPoint(t *testing.T) {
	tests := []struct {
		lat, lon  float64
		wantField string
	}{
		{52.2053, 0.1218, ""},
		{-90, -180, ""},
		{90, 180, ""},
		{90.0001, 0, "lat"},
		{-91, 0, "lat"},
		{0, 180.5, "lon"},
		{0, -181, "lon"},
		{math.NaN(), 0, "lat"},
		{0, math.Inf(1), "lon"},
	}
	for _, tt := range tests {
		p, err := NewPoint(tt.lat, tt.lon)
		if tt.wantField == "" {
			if err != nil {
				t.Errorf("NewPoint(%v, %v): got error %v, want none", tt.lat, tt.lon, err)
			} else if p[0] != tt.lon || p[1] != tt.lat {
				t.Errorf("NewPoint(%v, %v) = %v, want [lon lat] = [%v %v]", tt.lat, tt.lon, p, tt.lon, tt.lat)
			}
			continue
		}
		var ce *CoordinateError
		if !errors.As(err, &ce) || ce.Field != tt.wantField || !errors.Is(err, ErrInvalidCoordinate) {
			t.Errorf("NewPoint(%v, %v): got %v, want a CoordinateError on %s", tt.lat, tt.lon, err, tt.wantField)
		}
	}
}

func TestDistance(t *testing.T) {
	cambridge := MustPoint(52.2053, 0.1218)
	ely := MustPoint(52.3990, 0.2620)
	// Cambridge to Ely is about 23.4 km as the crow flies.
	if got := DistanceKm(cambridge, ely); math.Abs(got-23.4) > 0.5 {
		t.Errorf("Cambridge–Ely: got %.2f km, want about 23.4", got)
	}
	if got := DistanceM(ely, cambridge) - DistanceM(cambridge, ely); got != 0 {
		t.Errorf("distance not symmetric: differs by %v m", got)
	}
}

// TestBoundAroundHoldsEveryPointInRadius checks, on random centres and
// points, that no point within the radius falls outside the box: a box
// that is too small would silently drop results.
func TestBoundAroundHoldsEveryPointInRadius(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		centre := MustPoint(rng.Float64()*170-85, rng.Float64()*360-180)
		radius := rng.Float64() * 200000
		b := BoundAround(centre, radius)
		// A point at a random bearing, at a random distance within the radius.
		p := pointAt(centre, rng.Float64()*360, rng.Float64()*radius)
		if DistanceM(centre, p) <= radius && !b.Contains(p) {
			t.Fatalf("centre %v radius %.0f m: point %v at %.0f m is outside box %v", centre, radius, p, DistanceM(centre, p), b)
		}
	}
}

func pointAt(from orb.Point, bearingDeg, distM float64) orb.Point {
	lat1, lon1 := from[1]*math.Pi/180, from[0]*math.Pi/180
	brg, d := bearingDeg*math.Pi/180, distM/EarthRadiusM
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(brg))
	lon2 := lon1 + math.Atan2(math.Sin(brg)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	lon := math.Mod(lon2*180/math.Pi+540, 360) - 180
	return orb.Point{lon, lat2 * 180 / math.Pi}
}

func TestNearestPagesWalkEverythingOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	centre := MustPoint(52.2, 0.12)
	pts := make([]orb.Point, 500)
	ids := make([]string, len(pts))
	for i := range pts {
		pts[i] = pointAt(centre, rng.Float64()*360, rng.Float64()*20000)
		ids[i] = string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	// Two points at exactly the same place: ties break by ID.
	pts[1] = pts[0]
	at := func(i int) (orb.Point, string) { return pts[i], ids[i] }
	const radius = 15000
	want := 0
	for _, p := range pts {
		if DistanceM(centre, p) <= radius {
			want++
		}
	}
	seen := map[int]bool{}
	var after *Ranked
	var last Ranked
	for pages := 0; ; pages++ {
		page, more := Nearest(centre, radius, len(pts), at, after, 37)
		for _, r := range page {
			if seen[r.Index] {
				t.Fatalf("item %d returned twice", r.Index)
			}
			seen[r.Index] = true
			if len(seen) > 1 && r.Less(last) {
				t.Fatalf("item %s (%.1f m) ranked after %s (%.1f m)", r.ID, r.DistanceM, last.ID, last.DistanceM)
			}
			if r.DistanceM > radius {
				t.Fatalf("item at %.0f m is outside the radius", r.DistanceM)
			}
			last = r
		}
		if !more {
			break
		}
		after = &page[len(page)-1]
		if pages > 100 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != want {
		t.Fatalf("got %d items over all pages, want %d", len(seen), want)
	}
}

func FuzzNewPoint(f *testing.F) {
	f.Add(52.2053, 0.1218)
	f.Add(90.0, -180.0)
	f.Add(math.NaN(), 1.0)
	f.Fuzz(func(t *testing.T, lat, lon float64) {
		p, err := NewPoint(lat, lon)
		valid := lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
		if valid != (err == nil) {
			t.Fatalf("NewPoint(%v, %v): err %v, want valid=%v", lat, lon, err, valid)
		}
		if err == nil && (p.Lat() != lat || p.Lon() != lon) {
			t.Fatalf("NewPoint(%v, %v) = %v", lat, lon, p)
		}
	})
}

func TestRulerMatchesDistanceM(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20000; i++ {
		centre := MustPoint(rng.Float64()*170-85, rng.Float64()*360-180)
		limit := rng.Float64() * 100000
		r := NewRuler(centre, limit)
		p := pointAt(centre, rng.Float64()*360, rng.Float64()*limit*1.5)
		want := DistanceM(centre, p)
		got, ok := r.Within(p)
		if ok != (want <= limit) {
			t.Fatalf("centre %v limit %.3f: Within(%v) = %v, but the distance is %.6f", centre, limit, p, ok, want)
		}
		if ok && got != want {
			t.Fatalf("Within(%v) = %v m, DistanceM = %v m: must be identical", p, got, want)
		}
	}
}

// TestRulerNearNeverLies checks the flat approximation's claims against
// true distances, right up to the boundaries.
func TestRulerNearNeverLies(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	unsure := 0
	const n = 100000
	for i := 0; i < n; i++ {
		centre := MustPoint(rng.Float64()*150-75, rng.Float64()*360-180)
		outer := rng.Float64()*200000 + 10
		inner := outer * rng.Float64()
		r := NewRuler(centre, outer)
		p := pointAt(centre, rng.Float64()*360, rng.Float64()*outer*1.3)
		d := DistanceM(centre, p)
		switch got := r.Near(p, inner, outer); got {
		case 0:
			if d <= outer {
				t.Fatalf("Near says beyond %.1f but the distance is %.3f (centre %v)", outer, d, centre)
			}
		case 1:
			if d > inner {
				t.Fatalf("Near says within %.1f but the distance is %.3f (centre %v)", inner, d, centre)
			}
		case 2:
			if d <= inner || d > outer {
				t.Fatalf("Near says between %.1f and %.1f but the distance is %.3f (centre %v)", inner, outer, d, centre)
			}
		default:
			unsure++
		}
	}
	if unsure > n/4 {
		t.Errorf("Near was unsure %d times in %d: the approximation is not pulling its weight", unsure, n)
	}
}

// TestRulerFlatBound checks Flat's claim: within the ruler's limit the
// flat distance is within its margin of the true one.
func TestRulerFlatBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	used := 0
	for range 100000 {
		centre := MustPoint(rng.Float64()*170-85, rng.Float64()*360-180)
		limit := rng.Float64()*100000 + 10
		r := NewRuler(centre, limit)
		p := pointAt(centre, rng.Float64()*360, rng.Float64()*limit)
		flat, m := r.Flat(p)
		if m == 0 {
			continue
		}
		used++
		if f2, m2 := r.Flat2(p); math.Sqrt(f2) != flat || m2 != m {
			t.Fatalf("Flat2(%v) = %v, %v: not the square of Flat's %v, %v", p, f2, m2, flat, m)
		}
		if d := DistanceM(centre, p); flat < d*(1-m) || flat > d*(1+m) {
			t.Fatalf("Flat(%v) from %v = %.3f m, true %.3f m: outside the margin %.5f", p, centre, flat, d, m)
		}
	}
	if used < 50000 {
		t.Errorf("the flat approximation was usable in only %d of 100000 cases", used)
	}
}

// TestRulerFlatBoundSweep holds Flat to its margin on a grid of centres,
// bearings and distances, up to the largest limits the engine uses (three
// times the largest match radius), where the approximation is furthest
// from the sphere; FlatRange's margin too, for the points it bounds.
func TestRulerFlatBoundSweep(t *testing.T) {
	worst := 0.0 // the largest error seen, as a share of the margin
	for _, limit := range []float64{1000, 15000, 45000, 150000, 600000} {
		for lat := -89.0; lat <= 89; lat += 0.5 {
			centre := orb.Point{12.3, lat}
			r := NewRuler(centre, limit)
			if r.Margin() == 0 {
				continue
			}
			if _, _, mb := r.FlatRange(orb.Bound{Min: centre, Max: centre}); mb < r.Margin() {
				t.Fatalf("lat %.1f limit %.0f: FlatRange's margin %.5f is below Flat's %.5f", lat, limit, mb, r.Margin())
			}
			for brg := 0.0; brg < 360; brg += 3 {
				for _, f := range []float64{1, 0.999, 0.7, 0.3, 0.01} {
					p := pointAt(centre, brg, limit*f)
					d := DistanceM(centre, p)
					flat, m := r.Flat(p)
					err := math.Abs(flat-d) / d
					if err > m {
						t.Fatalf("lat %.1f limit %.0f bearing %.0f at %.3f of the limit: Flat = %.3f m, true %.3f m, error %.6f over the margin %.6f",
							lat, limit, brg, f, flat, d, err, m)
					}
					worst = max(worst, err/m)
				}
			}
		}
	}
	t.Logf("largest error: %.2f of the margin", worst)
}

func TestGridFillMatchesInsert(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pts := make([]orb.Point, 5000)
	for i := range pts {
		pts[i] = orb.Point{rng.Float64()*4 - 2, 51 + rng.Float64()*3}
	}
	filled, inserted := NewGrid(0.05), NewGrid(0.05)
	slices.SortFunc(pts, func(a, b orb.Point) int { return cmp.Compare(filled.CellOrder(a), filled.CellOrder(b)) })
	filled.Fill(len(pts), func(i int32) orb.Point { return pts[i] })
	for i, p := range pts {
		inserted.Insert(int32(i), p)
	}
	box := orb.Bound{Min: orb.Point{-1, 52}, Max: orb.Point{0.5, 53}}
	collect := func(g *Grid) []int32 {
		var out []int32
		g.Each(box, func(h int32) bool { out = append(out, h); return true })
		slices.Sort(out)
		return out
	}
	if a, b := collect(filled), collect(inserted); !slices.Equal(a, b) || len(a) == 0 {
		t.Fatalf("Fill finds %d handles, Insert %d: want the same, and some", len(a), len(b))
	}
	// Cells filled as windows of one array must not spill into each other.
	filled.Insert(int32(len(pts)), pts[0])
	filled.Remove(0, pts[0])
	if filled.Len() != len(pts) {
		t.Fatalf("after an insert and a removal: %d handles, want %d", filled.Len(), len(pts))
	}
	var seen []int32
	filled.Each(orb.Bound{Min: orb.Point{-3, 50}, Max: orb.Point{3, 55}}, func(h int32) bool { seen = append(seen, h); return true })
	slices.Sort(seen)
	want := make([]int32, len(pts))
	for i := range want {
		want[i] = int32(i + 1)
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("handles after insert and removal are not 1..%d", len(pts))
	}
}
