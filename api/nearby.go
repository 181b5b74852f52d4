package api

import (
	"encoding/json"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
)

// maxFreeWindow is the longest free_from–free_until window nearby takes.
const maxFreeWindow = 14 * 24 * time.Hour

// nearbyKinds are the things GET /v1/nearby can find.
var nearbyKinds = []string{"spaces", "venues", "organisations", "offers", "needs"}

// located is one candidate for a nearby answer.
type located struct {
	id    string
	point orb.Point
	props map[string]any
}

// nearby serves GET /v1/nearby: the things of one kind within radius_km of
// lat/lon, nearest first, as a GeoJSON FeatureCollection with next_cursor,
// an ETag, and 304 for a matching If-None-Match.
func (h *handler) nearby(c *gin.Context) {
	q := c.Request.URL.Query()
	p := newQueryParser(q, "lat", "lon", "radius_km", "kind", "limit", "cursor",
		"activity", "min_capacity", "category", "type", "free_from", "free_until", "min_stars")
	p.places = h.placesFor(c)
	centre := p.point()
	radius, limit := p.radius(), p.limit()
	kind := q.Get("kind")
	if kind == "" {
		kind = "spaces"
	}
	known := false
	for _, k := range nearbyKinds {
		known = known || k == kind
	}
	if !known {
		p.ve.Add("kind", "unknown kind %q (one of %s)", clip(kind), strings.Join(nearbyKinds, ", "))
	}
	activity := p.slug("activity", h.tax.IsActivity, "activity")
	allowOutdoor := p.boolean("allow_outdoor")
	minCapacity := p.int("min_capacity", 0, 1, matching.MaxCapacity)
	free := p.window("free_from", "free_until", maxFreeWindow)
	minStars := p.int("min_stars", 0, 0, 5)
	category := p.slug("category", h.tax.IsCategory, "category")
	orgType := matching.OrgType(p.str("type"))
	if orgType != "" && !orgType.Valid() {
		p.ve.Add("type", "unknown organisation type %q", clip(string(orgType)))
	}
	onlyFor := func(param string, kinds ...string) {
		if q.Has(param) && !contains(kinds, kind) {
			p.ve.Add(param, "only applies to kind=%s", strings.Join(kinds, " or kind="))
		}
	}
	onlyFor("activity", "spaces")
	onlyFor("allow_outdoor", "spaces")
	onlyFor("min_capacity", "spaces")
	onlyFor("free_from", "spaces")
	onlyFor("free_until", "spaces")
	onlyFor("min_stars", "spaces")
	if free != nil && h.engine == nil {
		p.ve.Add("free_from", "needs the read model, which this server runs without")
	}
	onlyFor("category", "offers", "needs")
	onlyFor("type", "organisations", "offers", "needs")
	key := queryKey(c.Request.URL.Path, q)
	after := p.cursor(key, true)
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}

	radiusM := radius * 1000
	var from *geo.Ranked
	if after != nil {
		from = &geo.Ranked{ID: after.ID, DistanceM: *after.DistanceM}
	}
	nextCursor := func(last *geo.Ranked, more bool) *string {
		if !more {
			return nil
		}
		d := last.DistanceM
		cur := cursor{Query: key, ID: last.ID, DistanceM: &d}.encode()
		linkNext(c, &cur)
		return &cur
	}
	if h.engine != nil && kind == "spaces" {
		// The busiest answer: encoded straight into a pooled buffer.
		spaces, more := h.engine.NearbySpaces(matching.NearbyQuery{Centre: centre, RadiusM: radiusM,
			After: from, Limit: limit, Activity: activity, AllowOutdoor: allowOutdoor, MinCapacity: minCapacity, Free: free,
			MinStars: minStars, Now: h.now()})
		var last *geo.Ranked
		if n := len(spaces); n > 0 {
			last = &geo.Ranked{ID: spaces[n-1].ID, DistanceM: spaces[n-1].DistanceM}
		}
		next := nextCursor(last, more)
		if handOver(c, &NearbySpaces{Spaces: spaces, NextCursor: next}) {
			return
		}
		buf := bodyBuffers.Get().(*[]byte)
		*buf = appendSpacesCollection((*buf)[:0], spaces, next)
		writeGeoJSON(c, *buf)
		if cap(*buf) <= 1<<20 {
			bodyBuffers.Put(buf)
		}
		return
	}
	var features []geo.Feature
	var last *geo.Ranked
	var more bool
	if h.engine != nil && kind == "venues" {
		features, last, more = h.nearbyVenuesFromEngine(matching.NearbyQuery{Centre: centre, RadiusM: radiusM,
			After: from, Limit: limit, Activity: activity, MinCapacity: minCapacity})
	} else {
		var err error
		features, last, more, err = h.nearbyFromStore(c, kind, centre, radiusM, from, limit,
			matching.SpaceFilter{Allows: activity, AllowOutdoor: allowOutdoor, MinCapacity: minCapacity}, minStars, category, orgType)
		if err != nil {
			fail(c, err)
			return
		}
	}
	body, err := json.Marshal(geo.FeatureCollection(features, nextCursor(last, more)))
	if err != nil {
		fail(c, err)
		return
	}
	writeGeoJSON(c, body)
}

// castagnoli is the CRC-32C table (hardware-assisted on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// bodyETag is a strong validator for body: its length and two different
// 32-bit CRCs, which tell any two answers of one URL apart as reliably as
// a 64-bit hash (an ETag has only to notice change, not resist forgery)
// at a tenth of the cost of SHA-256 on a 23 KB answer.
func bodyETag(body []byte) string {
	b := make([]byte, 0, 32)
	b = append(b, '"')
	b = strconv.AppendUint(b, uint64(len(body)), 36)
	b = append(b, '-')
	b = strconv.AppendUint(b, uint64(crc32.Checksum(body, castagnoli))<<32|uint64(crc32.ChecksumIEEE(body)), 36)
	return string(append(b, '"'))
}

// bodyBuffers hold nearby answers while they are written.
var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// writeGeoJSON answers with a GeoJSON body and its ETag, or 304 when the
// client's If-None-Match names that ETag.
func writeGeoJSON(c *gin.Context, body []byte) {
	etag := bodyETag(body)
	c.Header("ETag", etag)
	c.Header("Cache-Control", "no-cache")
	c.Writer.Header().Add("Vary", "Authorization")
	if inm := c.GetHeader("If-None-Match"); etagMatches(inm, etag) {
		c.Header("ETag", notModifiedTag(c.Request, strings.TrimSpace(inm) == "*", etag, len(body)))
		c.Status(http.StatusNotModified)
		return
	}
	// With its length known the answer goes out as it is, not in chunks.
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Data(http.StatusOK, "application/geo+json", body)
}

// nearbyVenuesFromEngine answers venues from the read model's index.
func (h *handler) nearbyVenuesFromEngine(q matching.NearbyQuery) ([]geo.Feature, *geo.Ranked, bool) {
	venues, more := h.engine.NearbyVenues(q)
	features := make([]geo.Feature, len(venues))
	var last *geo.Ranked
	for i, v := range venues {
		features[i] = geo.Feature{ID: v.ID, Point: v.Location, Properties: map[string]any{
			"id": v.ID, "kind": "venue", "name": v.Name, "organisation_id": v.OrganisationID,
			"address": v.Address, "postcode": v.Postcode,
			"step_free": v.StepFree, "spaces": v.Spaces, "distance_km": km(v.DistanceM),
		}}
		last = &geo.Ranked{ID: v.ID, DistanceM: v.DistanceM}
	}
	return features, last, more
}

// nearbyFromStore answers from the database: organisations, offers and
// needs, and everything when no read model is configured.
func (h *handler) nearbyFromStore(c *gin.Context, kind string, centre orb.Point, radiusM float64, from *geo.Ranked,
	limit int, spaces matching.SpaceFilter, minStars int, category string, orgType matching.OrgType) ([]geo.Feature, *geo.Ranked, bool, error) {
	box := geo.BoundAround(centre, radiusM)
	var items []located
	var err error
	ctx := c.Request.Context()
	switch kind {
	case "spaces":
		spaces.Within = &box
		items, err = h.nearbySpaces(c, box, spaces, minStars)
	case "venues":
		var venues []matching.Venue
		venues, err = h.store.ListVenues(ctx, matching.VenueFilter{Within: &box})
		for _, v := range venues {
			items = append(items, located{v.ID, v.Location, map[string]any{
				"id": v.ID, "kind": "venue", "name": v.Name, "organisation_id": v.OrganisationID,
				"address": v.Address, "postcode": v.Postcode, "step_free": v.Accessibility.StepFree,
			}})
		}
	default:
		var orgs []matching.Organisation
		orgs, err = h.store.ListOrganisations(ctx, matching.OrganisationFilter{Within: &box, Type: orgType})
		items = nearbyOrganisations(orgs, kind, category, h.tax)
	}
	if err != nil {
		return nil, nil, false, err
	}
	ranked, more := geo.Nearest(centre, radiusM, len(items), func(i int) (orb.Point, string) { return items[i].point, items[i].id }, from, limit)
	features := make([]geo.Feature, len(ranked))
	var last *geo.Ranked
	for i, r := range ranked {
		it := items[r.Index]
		it.props["distance_km"] = km(r.DistanceM)
		features[i] = geo.Feature{ID: it.id, Point: it.point, Properties: it.props}
		last = &ranked[i]
	}
	return features, last, more, nil
}

func (h *handler) nearbySpaces(c *gin.Context, box orb.Bound, f matching.SpaceFilter, minStars int) ([]located, error) {
	ctx := c.Request.Context()
	spaces, err := h.store.ListSpaces(ctx, f)
	if err != nil || len(spaces) == 0 {
		return nil, err
	}
	venues, err := h.store.ListVenues(ctx, matching.VenueFilter{Within: &box})
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(venues))
	for _, v := range venues {
		names[v.ID] = v.Name
	}
	items := make([]located, 0, len(spaces))
	for _, s := range spaces {
		if s.FitToDance() < minStars {
			continue
		}
		props := map[string]any{
			"id": s.ID, "kind": "space", "name": s.Name, "venue_id": s.VenueID, "venue_name": names[s.VenueID],
			"organisation_id": s.OrganisationID, "space_kind": string(s.Kind), "capacity": s.Capacity,
			"floor": string(s.Floor), "fit_to_dance": s.FitToDance(), "instant_book": s.InstantBook,
		}
		if p, ok := s.PriceFor("community"); ok {
			props["community_pence_per_hour"] = p
		}
		items = append(items, located{s.ID, s.Location, props})
	}
	return items, nil
}

// nearbyOrganisations lists organisations, or their offers or needs (at the
// organisation's base), as nearby candidates.
func nearbyOrganisations(orgs []matching.Organisation, kind, category string, tax *matching.Taxonomy) []located {
	var items []located
	for _, o := range orgs {
		switch kind {
		case "organisations":
			items = append(items, located{o.ID, o.Location, map[string]any{
				"id": o.ID, "kind": "organisation", "name": o.Name, "type": string(o.Type),
			}})
		case "offers":
			for _, x := range o.Offers {
				if category == "" || x.Category == category {
					items = append(items, located{x.ID, o.Location, itemProps("offer", x.ID, x.Category, x.Description, x.HoursPerMonth, &o, tax)})
				}
			}
		case "needs":
			for _, x := range o.Needs {
				if category == "" || x.Category == category {
					items = append(items, located{x.ID, o.Location, itemProps("need", x.ID, x.Category, x.Description, x.HoursPerMonth, &o, tax)})
				}
			}
		}
	}
	return items
}

func itemProps(kind, id, category, description string, hours int, o *matching.Organisation, tax *matching.Taxonomy) map[string]any {
	name := category
	if t, ok := tax.Category(category); ok {
		name = t.Label
	}
	return map[string]any{
		"id": id, "kind": kind, "name": name, "category": category, "description": description,
		"hours_per_month": hours, "organisation_id": o.ID, "organisation_name": o.Name,
	}
}

// etagMatches implements If-None-Match: "*" or any listed tag, weak or
// strong, equal to etag.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
