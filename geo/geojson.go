package geo

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Feature is one located thing to render as a GeoJSON Point feature.
type Feature struct {
	Point      orb.Point
	Properties map[string]any
}

// FeatureCollection renders features as an RFC 7946 FeatureCollection
// ([lon, lat] coordinates) with extra top-level members such as next_cursor.
func FeatureCollection(features []Feature, extra map[string]any) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, len(features))
	for _, f := range features {
		gf := geojson.NewFeature(f.Point)
		gf.Properties = geojson.Properties(f.Properties)
		fc.Append(gf)
	}
	if len(extra) > 0 {
		fc.ExtraMembers = geojson.Properties(extra)
	}
	return fc
}
