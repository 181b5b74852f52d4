package api

import (
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
)

// locationIn is a coordinate in a request body; pointers tell a missing
// coordinate from 0. Place names a place instead: the handler turns it
// into its coordinate (placeLocation) before point reads it.
type locationIn struct {
	Lat   *float64 `json:"lat"`
	Lon   *float64 `json:"lon"`
	Place *string  `json:"place"`
}

// point validates a location, recording errors under field.
func (l *locationIn) point(ve *matching.ValidationError, field string) orb.Point {
	if l == nil {
		ve.Add(field, "is required ({\"lat\": …, \"lon\": …})")
		return orb.Point{}
	}
	if l.Lat == nil {
		ve.Add(field+".lat", "is required")
	}
	if l.Lon == nil {
		ve.Add(field+".lon", "is required")
	}
	if l.Lat == nil || l.Lon == nil {
		return orb.Point{}
	}
	p, err := geo.NewPoint(*l.Lat, *l.Lon)
	if err != nil {
		ce := err.(*geo.CoordinateError)
		ve.Add(field+"."+ce.Field, "%s", ce.Message)
	}
	return p
}

// Location is a coordinate in a response body.
type Location struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

func toLocation(p orb.Point) Location { return Location{Lat: p.Lat(), Lon: p.Lon()} }

// km rounds a distance in metres to kilometres with metre precision.
func km(m float64) float64 { return math.Round(m) / 1000 }

// rfc3339 is the API's time format.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// parseTime reads an RFC 3339 time, recording an error under field.
func parseTime(ve *matching.ValidationError, field, s string) time.Time {
	if s == "" {
		ve.Add(field, "is required (RFC 3339, e.g. 2027-01-05T18:00:00Z)")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		ve.Add(field, "must be an RFC 3339 time such as 2027-01-05T18:00:00Z, got %q", clip(s))
		return time.Time{}
	}
	if t.Year() < 1900 || t.Year() > 2200 {
		ve.Add(field, "must be between the years 1900 and 2200")
	}
	return t
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func fieldf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
