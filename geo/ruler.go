package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Ruler measures haversine distances from one centre to many points, with
// the centre's cosine computed once and points beyond a limit rejected
// before the arc tangent. Its distances are bit for bit those of
// DistanceM(centre, p).
type Ruler struct {
	centre  orb.Point
	cosLat  float64
	maxHalf float64 // the haversine "a" at the limit, a cheap first test
	limitM  float64
	// slope turns a point's latitude offset in degrees into the change of
	// the cosine from the centre's latitude to the pair's mid-latitude,
	// to first order (flat2).
	slope float64
	// margin bounds the relative error of Flat and Near, boxMargin that
	// of FlatRange (0: not usable).
	margin, boxMargin float64
}

// NewRuler returns a ruler from centre that reports points up to limitM
// metres away.
func NewRuler(centre orb.Point, limitM float64) Ruler {
	s := math.Sin(math.Min(limitM/EarthRadiusM, math.Pi) / 2)
	lat := deg2rad(centre[1])
	r := Ruler{centre: centre, cosLat: math.Cos(lat), maxHalf: s * s, limitM: limitM,
		slope: math.Sin(lat) * math.Pi / 360, boxMargin: flatMargin(centre[1], limitM)}
	if r.boxMargin > 0 {
		r.margin = midMargin(centre[1], limitM)
	}
	return r
}

func deg2rad(d float64) float64 { return d * math.Pi / 180.0 }

// Within returns the distance to p in metres and whether it is within the
// ruler's limit.
func (r Ruler) Within(p orb.Point) (float64, bool) {
	// The same operations, in the same order, as orb's DistanceHaversine
	// with p1 = centre and p2 = p.
	dLat := deg2rad(r.centre[1] - p[1])
	dLon := deg2rad(r.centre[0] - p[0])
	dLat2Sin := math.Sin(dLat / 2)
	dLon2Sin := math.Sin(dLon / 2)
	a := dLat2Sin*dLat2Sin + math.Cos(deg2rad(p[1]))*r.cosLat*dLon2Sin*dLon2Sin
	if a > r.maxHalf*(1+1e-9) {
		return 0, false
	}
	d := 2.0 * orb.EarthRadius * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
	return d, d <= r.limitM
}

// Near classifies p against two radii, inner ≤ outer, by a flat-earth
// approximation that needs no trigonometry: 1 when p is surely within
// inner, 2 when surely beyond inner but within outer, 0 when surely beyond
// outer, and -1 when it is too close to a boundary to say (then measure
// with Within). It is exact in what it claims: the approximation's error
// bound is part of each test.
func (r Ruler) Near(p orb.Point, inner, outer float64) int {
	if r.margin <= 0 {
		return -1
	}
	d2 := r.flat2(p)
	lo, hi := 1-r.margin, 1+r.margin
	switch {
	case d2 > outer*outer*hi*hi:
		return 0
	case d2 < inner*inner*lo*lo:
		return 1
	case d2 > inner*inner*hi*hi && d2 < outer*outer*lo*lo:
		return 2
	}
	return -1
}

// Flat returns the flat-earth approximation of the distance to p in
// metres, with no trigonometry, and the relative bound m of its error: the
// true distance d satisfies d(1-m) ≤ Flat(p) ≤ d(1+m) (as Near relies
// on). m is 0 where the approximation is not usable; then measure with
// Within.
func (r Ruler) Flat(p orb.Point) (float64, float64) {
	if r.margin <= 0 {
		return 0, 0
	}
	return math.Sqrt(r.flat2(p)), r.margin
}

// Flat2 is the square of Flat(p)'s distance, with Flat's margin (0: not
// usable). Comparing squares saves a square root per point.
func (r Ruler) Flat2(p orb.Point) (float64, float64) {
	return r.flat2(p), r.margin
}

// flat2 is the square of the flat-earth distance to p: degrees scaled to
// metres, longitude by the cosine of the mid-latitude of the centre and
// p, taken to first order from the centre's (cos(φ0 + Δ/2) ≈ cos φ0 −
// sin φ0·Δ/2), so there is still no trigonometry per point.
func (r Ruler) flat2(p orb.Point) float64 {
	dLat := p[1] - r.centre[1]
	dy := dLat * metresPerDegree
	dLon := p[0] - r.centre[0]
	if dLon > 180 {
		dLon -= 360
	} else if dLon < -180 {
		dLon += 360
	}
	dx := dLon * metresPerDegree * (r.cosLat - r.slope*dLat)
	return dx*dx + dy*dy
}

// FlatRange returns the flat-earth distances from the centre to the
// nearest and the farthest points of the latitude/longitude box b, and
// the margin as Flat does (0: not usable). The flat metric is Euclidean in
// scaled degrees, so the nearest point is the centre clamped into b and
// the farthest a corner. b must not wrap the antimeridian.
func (r Ruler) FlatRange(b orb.Bound) (near, far, margin float64) {
	if r.margin <= 0 {
		return 0, 0, 0
	}
	cx, cy := r.centre[0], r.centre[1]
	nx, ny := math.Max(b.Min[0], math.Min(cx, b.Max[0])), math.Max(b.Min[1], math.Min(cy, b.Max[1]))
	fx := math.Max(math.Abs(b.Min[0]-cx), math.Abs(b.Max[0]-cx))
	fy := math.Max(math.Abs(b.Min[1]-cy), math.Abs(b.Max[1]-cy))
	kx := metresPerDegree * r.cosLat
	dx, dy := (nx-cx)*kx, (ny-cy)*metresPerDegree
	near = math.Sqrt(dx*dx + dy*dy)
	dx, dy = fx*kx, fy*metresPerDegree
	far = math.Sqrt(dx*dx + dy*dy)
	return near, far, r.boxMargin
}

// Margin is the relative error bound of Flat and Near around this ruler's
// centre, up to its limit (0: they are not usable here). FlatRange has a
// bound of its own, which it returns.
func (r Ruler) Margin() float64 { return r.margin }

// metresPerDegree is one degree of arc on the sphere orb measures on.
const metresPerDegree = EarthRadiusM * math.Pi / 180

// midMargin bounds the relative error of flat2 within limitM of a centre
// at latitude lat, where flatMargin allows an approximation at all. With
// the mid-latitude cosine the error is of second order in the angle δ
// the limit subtends: the flat model against the sphere's haversine
// differs by about (Δλ·cos φ)²/8 relative, where the longitude offset Δλ is
// at most δ/cos φ at the poleward edge, and the first-order cosine is off
// by at most δ²/8 ÷ cos φ. (δ/cos φ)²/4 + δ² covers both with room, and
// 1e-4 more covers rounding and the terms left out (the tests find the
// error below a fifth of the margin). TestRulerFlatBound
// and TestRulerFlatBoundSweep hold Flat to it.
func midMargin(lat, limitM float64) float64 {
	delta := limitM / EarthRadiusM
	c := math.Cos(math.Abs(lat)*math.Pi/180 + delta)
	return (delta/c)*(delta/c)/4 + delta*delta + 1e-4
}

// flatMargin bounds the relative error of a flat approximation that
// scales longitude by the centre's cosine (FlatRange) within limitM of a
// centre at latitude lat: the cosine of the latitude changes
// by at most tan(|lat| + Δ)·Δ over Δ radians of latitude, plus a little for
// the curvature the flat model ignores. It returns 0 (do not approximate)
// where that is more than 5%.
func flatMargin(lat, limitM float64) float64 {
	delta := limitM / EarthRadiusM
	worst := math.Abs(lat)*math.Pi/180 + delta
	if worst >= math.Pi/2*0.95 {
		return 0
	}
	m := math.Tan(worst)*delta*1.1 + delta*delta + 1e-3
	if m > 0.05 {
		return 0
	}
	return m
}
