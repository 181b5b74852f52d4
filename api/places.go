package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
)

// Limits of GET /v1/places.
const (
	DefaultPlacesLimit = 10
	MaxPlacesLimit     = 50
	MaxPlaceQueryRunes = 100
)

// PlaceOut is the API shape of a place.
type PlaceOut struct {
	Name   string  `json:"name"`
	Kind   string  `json:"kind"`
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	County string  `json:"county"`
}

// PlacesPage is the body of GET /v1/places.
type PlacesPage struct {
	Items []PlaceOut `json:"items"`
}

func toPlaceOut(p geo.Place) PlaceOut {
	return PlaceOut{Name: p.Name, Kind: string(p.Kind), Lat: geo.Lat(p.Point), Lon: geo.Lon(p.Point), County: p.County}
}

// listPlaces serves GET /v1/places?q=&limit=: the places whose names match
// q, exact matches first, then names starting with q, then names holding it.
func (h *handler) listPlaces(c *gin.Context) {
	q := c.Request.URL.Query()
	p := newQueryParser(q, "q", "limit")
	text := checkPlaceQuery(p.ve, "q", q.Get("q"))
	limit := p.int("limit", DefaultPlacesLimit, 1, MaxPlacesLimit)
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	found := h.placeIndex.Search(text, limit)
	out := PlacesPage{Items: make([]PlaceOut, len(found))}
	for i, pl := range found {
		out.Items[i] = toPlaceOut(pl)
	}
	c.JSON(http.StatusOK, out)
}

// checkPlaceQuery checks a place name given as field: required, UTF-8, at
// most MaxPlaceQueryRunes characters, no NUL. It returns "" after recording
// a problem.
func checkPlaceQuery(ve *matching.ValidationError, field, s string) string {
	switch {
	case strings.ContainsRune(s, 0):
		// newQueryParser has said so; bodies say so in decodeJSON.
		return ""
	case strings.TrimSpace(s) == "":
		ve.Add(field, "is required (a place name, e.g. %s=Ely)", field)
	case !utf8.ValidString(s):
		ve.Add(field, "must be UTF-8 text")
	case utf8.RuneCountInString(s) > MaxPlaceQueryRunes:
		ve.Add(field, "must be at most %d characters", MaxPlaceQueryRunes)
	default:
		return s
	}
	return ""
}

// resolvePlace finds the point of the place named name, recording a
// problem under field when name is not a place the index knows.
func resolvePlace(ve *matching.ValidationError, places *geo.Places, field, name string) (orb.Point, bool) {
	if checkPlaceQuery(ve, field, name) == "" {
		return orb.Point{}, false
	}
	pl, ok := places.Lookup(name)
	if !ok {
		ve.Add(field, "unknown place %q (GET /v1/places?q=… lists the places known)", clip(name))
		return orb.Point{}, false
	}
	return pl.Point, true
}

// positionIn is a point in a request body: a latitude and longitude, or the
// name of a place instead.
type positionIn struct {
	Lat   *float64 `json:"lat"`
	Lon   *float64 `json:"lon"`
	Place *string  `json:"place"`
}

// point validates a near, resolving a place through places and recording
// errors under field.
func (n *positionIn) point(ve *matching.ValidationError, places *geo.Places, field string) orb.Point {
	if n == nil || n.Place == nil {
		var l *locationIn
		if n != nil {
			l = &locationIn{Lat: n.Lat, Lon: n.Lon}
		}
		if l == nil {
			ve.Add(field, "is required ({\"lat\": …, \"lon\": …} or {\"place\": …})")
			return orb.Point{}
		}
		return l.point(ve, field)
	}
	if n.Lat != nil || n.Lon != nil {
		ve.Add(field+".place", "give either place or lat and lon, not both")
		return orb.Point{}
	}
	pt, _ := resolvePlace(ve, places, field+".place", *n.Place)
	return pt
}
