// Package geo holds Common Ground's geometry: validated points, true
// distances on the Earth's surface and bounding boxes for radius searches.
// It wraps github.com/paulmach/orb and knows nothing of HTTP or databases.
package geo

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// EarthRadiusM is the mean Earth radius orb uses for haversine distances.
const EarthRadiusM = orb.EarthRadius

// ErrInvalidCoordinate is wrapped by every error NewPoint returns.
var ErrInvalidCoordinate = errors.New("invalid coordinate")

// CoordinateError says which coordinate of a point is out of range.
type CoordinateError struct {
	Field   string // "lat" or "lon"
	Message string
}

func (e *CoordinateError) Error() string { return e.Field + " " + e.Message }

// Unwrap lets errors.Is match ErrInvalidCoordinate.
func (e *CoordinateError) Unwrap() error { return ErrInvalidCoordinate }

// NewPoint builds an orb.Point ([lon, lat]) from a latitude and longitude in
// degrees. It is the only way points enter the domain: it returns a
// *CoordinateError when either value is not finite or out of range.
func NewPoint(lat, lon float64) (orb.Point, error) {
	if math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90 {
		return orb.Point{}, &CoordinateError{Field: "lat", Message: "must be between -90 and 90"}
	}
	if math.IsNaN(lon) || math.IsInf(lon, 0) || lon < -180 || lon > 180 {
		return orb.Point{}, &CoordinateError{Field: "lon", Message: "must be between -180 and 180"}
	}
	return orb.Point{lon, lat}, nil
}

// MustPoint is NewPoint for coordinates known to be valid (tests, the
// gazetteer); it panics otherwise.
func MustPoint(lat, lon float64) orb.Point {
	p, err := NewPoint(lat, lon)
	if err != nil {
		panic(fmt.Sprintf("geo.MustPoint(%v, %v): %v", lat, lon, err))
	}
	return p
}

// Lat returns a point's latitude.
func Lat(p orb.Point) float64 { return p[1] }

// Lon returns a point's longitude.
func Lon(p orb.Point) float64 { return p[0] }

// DistanceM is the great-circle (haversine) distance between two points in metres.
func DistanceM(a, b orb.Point) float64 { return orbgeo.DistanceHaversine(a, b) }

// DistanceKm is DistanceM in kilometres.
func DistanceKm(a, b orb.Point) float64 { return DistanceM(a, b) / 1000 }

// BoundAround returns a latitude/longitude box that contains every point
// within radiusM metres of centre. The box is conservative: it may hold
// points further away, so callers re-check candidates with DistanceM. Near
// the poles or across the antimeridian the box widens to the full range of
// longitudes.
func BoundAround(centre orb.Point, radiusM float64) orb.Bound {
	if radiusM < 0 {
		radiusM = 0
	}
	dLat := radiusM / EarthRadiusM * 180 / math.Pi
	minLat := math.Max(-90, Lat(centre)-dLat)
	maxLat := math.Min(90, Lat(centre)+dLat)
	// The widest longitude span is at the latitude furthest from the equator.
	far := math.Max(math.Abs(minLat), math.Abs(maxLat))
	cos := math.Cos(far * math.Pi / 180)
	if cos < 1e-9 || maxLat >= 90 || minLat <= -90 {
		return orb.Bound{Min: orb.Point{-180, minLat}, Max: orb.Point{180, maxLat}}
	}
	// Pad by 0.1% so rounding never drops a point right on the circle.
	dLon := radiusM / (EarthRadiusM * cos) * 180 / math.Pi * 1.001
	if dLon >= 180 {
		return orb.Bound{Min: orb.Point{-180, minLat}, Max: orb.Point{180, maxLat}}
	}
	minLon, maxLon := Lon(centre)-dLon, Lon(centre)+dLon
	if minLon < -180 || maxLon > 180 {
		// Crossing the antimeridian: keep it simple and search all longitudes.
		return orb.Bound{Min: orb.Point{-180, minLat}, Max: orb.Point{180, maxLat}}
	}
	return orb.Bound{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}
}
