package api

import (
	"context"
	"errors"
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
// q, exact matches first, then names starting with q, then names holding it;
// a postcode ("cb74dl", "CB7 4DL") finds that postcode, a postcode district
// ("CB7") that district and then its postcodes, and the start of a
// postcode ("CB7 4") the postcodes that start so.
func (h *handler) listPlaces(c *gin.Context) {
	q := c.Request.URL.Query()
	p := newQueryParser(q, "q", "limit")
	text := checkPlaceQuery(p.ve, "q", q.Get("q"))
	limit := p.int("limit", DefaultPlacesLimit, 1, MaxPlacesLimit)
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	found, err := h.placesFor(c).search(text, limit)
	if err != nil {
		fail(c, err)
		return
	}
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
		ve.Add(field, "is required (a place name or postcode, e.g. %s=Ely)", field)
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
// problem under field when name is not a place places knows. When the
// postcodes cannot be read it records nothing: places.failed says why.
func resolvePlace(ve *matching.ValidationError, places *placeFinder, field, name string) (orb.Point, bool) {
	if checkPlaceQuery(ve, field, name) == "" {
		return orb.Point{}, false
	}
	pl, ok := places.lookup(name)
	if !ok {
		if places.failed(nil) == nil {
			ve.Add(field, "unknown place %q (GET /v1/places?q=… lists the places known)", clip(name))
		}
		return orb.Point{}, false
	}
	return pl.Point, true
}

// positionIn is a point in a request body: a latitude and longitude, or the
// name of a place or a postcode instead.
type positionIn struct {
	Lat   *float64 `json:"lat"`
	Lon   *float64 `json:"lon"`
	Place *string  `json:"place"`
}

// point validates a near, resolving a place through places and recording
// errors under field.
func (n *positionIn) point(ve *matching.ValidationError, places *placeFinder, field string) orb.Point {
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

// PostcodeStore finds imported postcodes (see store.ImportPostcodes).
// Postcodes and districts are written as geo.NormalisePostcode and
// geo.NormalisePostcodeDistrict write them; a postcode or district never
// imported is an error wrapping matching.ErrNotFound.
type PostcodeStore interface {
	Postcode(ctx context.Context, postcode string) (geo.Place, error)
	PostcodeDistrict(ctx context.Context, district string) (geo.Place, error)
	SearchPostcodes(ctx context.Context, prefix string, limit int) ([]geo.Place, error)
}

// placeFinder finds places for one request: names and the districts of
// the gazetteer from the index in memory, postcodes (and the districts
// of imported postcodes) from the store. Only a name shaped like a
// postcode or a district asks the store.
type placeFinder struct {
	ctx       context.Context
	index     *geo.Places
	postcodes PostcodeStore // nil: none
	err       error         // the first failure to read the postcodes
}

// placesFor is the place finder of the request c.
func (h *handler) placesFor(c *gin.Context) *placeFinder {
	f := &placeFinder{ctx: c.Request.Context(), index: h.placeIndex}
	if h.store != nil {
		f.postcodes = h.store
	}
	return f
}

// failed returns the failure to read the postcodes, if there was one, and
// err otherwise: a request whose place could not be looked up answers
// that, not the problems of its other fields.
func (f *placeFinder) failed(err error) error {
	if f != nil && f.err != nil {
		return f.err
	}
	return err
}

// lookup finds the place called name: a postcode, a postcode district
// (imported, else the gazetteer's) or a place of the gazetteer. false
// when there is none, or the store failed (see failed).
func (f *placeFinder) lookup(name string) (geo.Place, bool) {
	if f == nil {
		return geo.Place{}, false
	}
	if pc, ok := geo.NormalisePostcode(name); ok {
		return f.fromStore(func(ps PostcodeStore) (geo.Place, error) { return ps.Postcode(f.ctx, pc) })
	}
	if d, ok := geo.NormalisePostcodeDistrict(name); ok {
		if p, ok := f.fromStore(func(ps PostcodeStore) (geo.Place, error) { return ps.PostcodeDistrict(f.ctx, d) }); ok || f.err != nil {
			return p, ok
		}
	}
	return f.index.Lookup(name)
}

// fromStore asks the postcodes one thing; false when it is not there or
// the store failed (f.err).
func (f *placeFinder) fromStore(get func(PostcodeStore) (geo.Place, error)) (geo.Place, bool) {
	if f.postcodes == nil || f.err != nil {
		return geo.Place{}, false
	}
	p, err := get(f.postcodes)
	switch {
	case errors.Is(err, matching.ErrNotFound):
		return geo.Place{}, false
	case err != nil:
		f.err = err
		return geo.Place{}, false
	}
	return p, true
}

// search finds up to limit places for text (see listPlaces).
func (f *placeFinder) search(text string, limit int) ([]geo.Place, error) {
	if pc, ok := geo.NormalisePostcode(text); ok {
		p, found := f.lookup(pc)
		if !found {
			return []geo.Place{}, f.err
		}
		return []geo.Place{p}, nil
	}
	if prefix, ok := postcodeStart(text); ok {
		return f.startingWith(prefix, limit)
	}
	if district, ok := geo.NormalisePostcodeDistrict(text); ok {
		var out []geo.Place
		if d, found := f.lookup(district); found {
			out = append(out, d)
		}
		if f.err != nil {
			return nil, f.err
		}
		more, err := f.startingWith(district+" ", limit-len(out))
		return append(out, more...), err
	}
	return f.index.Search(text, limit), nil
}

func (f *placeFinder) startingWith(prefix string, limit int) ([]geo.Place, error) {
	if f.postcodes == nil || limit <= 0 {
		return []geo.Place{}, nil
	}
	return f.postcodes.SearchPostcodes(f.ctx, prefix, limit)
}

// postcodeStart reads the start of a postcode that goes past its district:
// a district, a space, then a digit and at most one letter ("cb7 4",
// "CB7 4D"). It returns it upper case with one space.
func postcodeStart(s string) (string, bool) {
	out, in, ok := strings.Cut(strings.TrimSpace(s), " ")
	in = strings.ToUpper(strings.TrimSpace(in))
	d, isDistrict := geo.NormalisePostcodeDistrict(out)
	if !ok || !isDistrict || len(in) == 0 || len(in) > 2 || in[0] < '0' || in[0] > '9' ||
		(len(in) == 2 && (in[1] < 'A' || in[1] > 'Z')) {
		return "", false
	}
	return d + " " + in, true
}

// placeLocation turns a location sent as {"place": …} into the place's
// coordinate, before the store's transaction reads it; a 400 names
// field.place when the place is unknown or comes with lat or lon.
func (h *handler) placeLocation(c *gin.Context, l *locationIn, field string) error {
	if l == nil || l.Place == nil {
		return nil
	}
	ve := &matching.ValidationError{}
	if l.Lat != nil || l.Lon != nil {
		ve.Add(field+".place", "give either place or lat and lon, not both")
		return ve.Err()
	}
	places := h.placesFor(c)
	pt, ok := resolvePlace(ve, places, field+".place", *l.Place)
	if err := places.failed(ve.Err()); err != nil {
		return err
	}
	if ok {
		lat, lon := geo.Lat(pt), geo.Lon(pt)
		l.Lat, l.Lon, l.Place = &lat, &lon, nil
	}
	return nil
}
