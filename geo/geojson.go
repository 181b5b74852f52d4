package geo

import (
	"github.com/paulmach/orb"
)

// Feature is one located thing to render as a GeoJSON Point feature.
// Properties is any value that marshals to a JSON object: a struct is
// faster to encode than a map.
type Feature struct {
	// ID is the feature's top-level id (RFC 7946 §3.2); empty: none.
	ID         string
	Point      orb.Point
	Properties any
}

// Collection is an RFC 7946 FeatureCollection of points, with the
// next_cursor member the API's pages carry. It is encoded with plain
// struct tags (no per-feature MarshalJSON), which keeps large pages cheap.
type Collection struct {
	Type       string         `json:"type"`
	Features   []FeatureJSON  `json:"features"`
	NextCursor *string        `json:"next_cursor"`
	Extra      map[string]any `json:"-"`
}

// FeatureJSON is the encoded shape of one feature.
type FeatureJSON struct {
	Type       string    `json:"type"`
	ID         string    `json:"id,omitempty"`
	Geometry   PointJSON `json:"geometry"`
	Properties any       `json:"properties"`
}

// PointJSON is a GeoJSON Point: coordinates are [lon, lat].
type PointJSON struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// FeatureCollection renders features as a FeatureCollection with the
// given next cursor (nil at the end).
func FeatureCollection(features []Feature, next *string) Collection {
	fc := Collection{Type: "FeatureCollection", Features: make([]FeatureJSON, len(features)), NextCursor: next}
	for i, f := range features {
		fc.Features[i] = FeatureJSON{Type: "Feature", ID: f.ID,
			Geometry:   PointJSON{Type: "Point", Coordinates: [2]float64{f.Point[0], f.Point[1]}},
			Properties: f.Properties}
	}
	return fc
}
