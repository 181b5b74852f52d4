package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
)

// Query limits shared by lists and nearby.
const (
	DefaultLimit    = 50
	MaxLimit        = 500
	DefaultRadiusKm = 10
	MaxRadiusKm     = 1000
)

// cursor is where a page ends. It is opaque to clients (base64url JSON)
// and bound to the query that made it, so it cannot be replayed against
// another query.
type cursor struct {
	Query     string   `json:"q"`
	ID        string   `json:"i"`
	DistanceM *float64 `json:"d,omitempty"`
	// Score is where a ranking by score ends (venue matches).
	Score *float64 `json:"s,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor this service issued: false for anything
// else.
func decodeCursor(s string) (*cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err != nil || len(b) > 512 || json.Unmarshal(b, &c) != nil || c.ID == "" || !validID(c.ID) ||
		(c.DistanceM != nil && *c.DistanceM < 0) {
		return nil, false
	}
	return &c, true
}

// queryKey identifies a query by its parameters other than cursor and
// limit, so a cursor is only accepted by the query it came from.
func queryKey(path string, q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "cursor" && k != "limit" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	h := sha256.New()
	h.Write([]byte(path))
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
		for _, v := range q[k] {
			h.Write([]byte{1})
			h.Write([]byte(v))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// queryParser reads URL query parameters, collecting every problem.
type queryParser struct {
	q  url.Values
	ve *matching.ValidationError
	// places resolves place=, which any query taking a point (near= or
	// lat/lon) accepts instead.
	places *placeFinder
}

func newQueryParser(q url.Values, allowed ...string) *queryParser {
	p := &queryParser{q: q, ve: &matching.ValidationError{}}
	allow := map[string]bool{}
	for _, a := range allowed {
		allow[a] = true
	}
	if (allow["near"] || allow["lat"]) && !allow["place"] {
		allowed = append(slices.Clip(allowed), "place")
		allow["place"] = true
	}
	var unknown []string
	cloned := false
	for k, v := range q {
		if !allow[k] {
			unknown = append(unknown, k)
		} else if len(v) > 1 {
			p.ve.Add(k, "must be given once")
		} else if len(v) == 1 && strings.ContainsRune(v[0], 0) {
			// As in bodies (see nulField); the parser then sees the
			// parameter absent.
			p.ve.Add(k, "must not contain NUL characters")
			if !cloned {
				p.q, cloned = maps.Clone(q), true
			}
			delete(p.q, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		p.ve.Add(clip(k), "unknown query parameter (known: %s)", strings.Join(allowed, ", "))
	}
	return p
}

func (p *queryParser) str(name string) string { return p.q.Get(name) }

// id reads an optional ID filter; text no ID can hold is a 400.
func (p *queryParser) id(name string) string {
	s := p.q.Get(name)
	if !validID(s) {
		p.ve.Add(name, "is not a valid id")
		return ""
	}
	return s
}

// float reads a finite number, or def when absent.
func (p *queryParser) float(name string, def float64) (float64, bool) {
	s := p.q.Get(name)
	if s == "" {
		return def, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1e308 || f < -1e308 {
		p.ve.Add(name, "must be a number, got %q", clip(s))
		return def, false
	}
	return f, true
}

func (p *queryParser) int(name string, def, lo, hi int) int {
	s := p.q.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		p.ve.Add(name, "must be a whole number between %d and %d, got %q", lo, hi, clip(s))
		return def
	}
	return n
}

// boolean reads a yes/no parameter: true or false, false when absent.
func (p *queryParser) boolean(name string) bool {
	switch s := p.q.Get(name); s {
	case "", "false":
		return false
	case "true":
		return true
	default:
		p.ve.Add(name, "must be true or false, got %q", clip(s))
		return false
	}
}

// limit reads limit (default 50, 1..500).
func (p *queryParser) limit() int { return p.int("limit", DefaultLimit, 1, MaxLimit) }

// radius reads radius_km (default 10, above 0, at most 1000).
func (p *queryParser) radius() float64 {
	r, given := p.float("radius_km", DefaultRadiusKm)
	if given && (r <= 0 || r > MaxRadiusKm) {
		p.ve.Add("radius_km", "must be more than 0 and at most %d", MaxRadiusKm)
		return DefaultRadiusKm
	}
	return r
}

// place resolves place= through p.places; given reports whether place=
// was there at all.
func (p *queryParser) place() (pt *orb.Point, given bool) {
	if !p.q.Has("place") {
		return nil, false
	}
	if found, ok := resolvePlace(p.ve, p.places, "place", p.q.Get("place")); ok {
		return &found, true
	}
	return nil, true
}

// near reads near=LAT,LON or place=NAME; nil when both are absent.
func (p *queryParser) near() *orb.Point {
	s := p.q.Get("near")
	if p.q.Has("place") {
		if s != "" {
			p.ve.Add("place", "give either place or near, not both")
			return nil
		}
		pt, _ := p.place()
		return pt
	}
	if s == "" {
		return nil
	}
	latS, lonS, ok := strings.Cut(s, ",")
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(latS), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(lonS), 64)
	if !ok || err1 != nil || err2 != nil {
		p.ve.Add("near", "must be LAT,LON in degrees, e.g. near=52.2053,0.1218, got %q", clip(s))
		return nil
	}
	pt, err := geo.NewPoint(lat, lon)
	if err != nil {
		ce := err.(*geo.CoordinateError)
		p.ve.Add("near."+ce.Field, "%s", ce.Message)
		return nil
	}
	return &pt
}

// point reads separate lat and lon parameters (both required), or place
// instead of them.
func (p *queryParser) point() orb.Point {
	if p.q.Has("place") {
		if p.q.Has("lat") || p.q.Has("lon") {
			p.ve.Add("place", "give either place or lat and lon, not both")
			return orb.Point{}
		}
		if pt, _ := p.place(); pt != nil {
			return *pt
		}
		return orb.Point{}
	}
	lat, okLat := p.float("lat", 0)
	lon, okLon := p.float("lon", 0)
	if p.q.Get("lat") == "" {
		p.ve.Add("lat", "is required")
	}
	if p.q.Get("lon") == "" {
		p.ve.Add("lon", "is required")
	}
	if !okLat || !okLon {
		return orb.Point{}
	}
	pt, err := geo.NewPoint(lat, lon)
	if err != nil {
		ce := err.(*geo.CoordinateError)
		p.ve.Add(ce.Field, "%s", ce.Message)
	}
	return pt
}

// cursor decodes cursor= and checks it belongs to this query.
func (p *queryParser) cursor(key string, withDistance bool) *cursor {
	s := p.q.Get("cursor")
	if s == "" {
		return nil
	}
	c, ok := decodeCursor(s)
	if !ok || (withDistance && c.DistanceM == nil) {
		p.ve.Add("cursor", "is not a cursor this service issued")
		return nil
	}
	if c.Query != key {
		p.ve.Add("cursor", "belongs to a different query: pass back next_cursor with the same parameters")
		return nil
	}
	return c
}

// window reads a period given as two RFC 3339 times, both or neither,
// the end after the start and at most max after it; nil when neither is
// given or either is wrong.
func (p *queryParser) window(fromName, untilName string, max time.Duration) *matching.Session {
	fromS, untilS := p.q.Get(fromName), p.q.Get(untilName)
	if fromS == "" && untilS == "" {
		return nil
	}
	at := func(name, s string) (time.Time, bool) {
		if s == "" {
			other := fromName
			if name == fromName {
				other = untilName
			}
			p.ve.Add(name, "is required with %s", other)
			return time.Time{}, false
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			p.ve.Add(name, "must be an RFC 3339 time such as 2027-01-19T18:00:00Z, got %q", clip(s))
			return time.Time{}, false
		}
		return t, true
	}
	from, okFrom := at(fromName, fromS)
	until, okUntil := at(untilName, untilS)
	switch {
	case !okFrom || !okUntil:
		return nil
	case !until.After(from):
		p.ve.Add(untilName, "must be after %s", fromName)
		return nil
	case until.Sub(from) > max:
		p.ve.Add(untilName, "must be at most %d days after %s", int(max.Hours()/24), fromName)
		return nil
	}
	return &matching.Session{Start: from, End: until}
}

// slug checks an optional taxonomy slug parameter.
func (p *queryParser) slug(name string, known func(string) bool, what string) string {
	s := p.q.Get(name)
	if s != "" && !known(s) {
		p.ve.Add(name, "unknown %s %q", what, clip(s))
		return ""
	}
	return s
}

func (p *queryParser) err() error {
	sortFieldErrors(p.ve)
	return p.places.failed(p.ve.Err())
}

func sortFieldErrors(ve *matching.ValidationError) {
	sort.SliceStable(ve.Errors, func(i, j int) bool { return ve.Errors[i].Field < ve.Errors[j].Field })
}
