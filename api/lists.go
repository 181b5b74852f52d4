package api

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
)

// list is one page of a list response.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// linked sets the Link header for l's next page (see linkNext) and
// returns l.
func linked[T any](c *gin.Context, l list[T]) list[T] {
	linkNext(c, l.NextCursor)
	return l
}

// linkNext sets Link: <…>; rel="next" (RFC 8288) beside a non-null
// next_cursor: this request's path and query with cursor set to next.
func linkNext(c *gin.Context, next *string) {
	if next == nil {
		return
	}
	q := c.Request.URL.Query()
	q.Set("cursor", *next)
	u := url.URL{Path: c.Request.URL.Path, RawQuery: q.Encode()}
	c.Header("Link", "<"+u.String()+`>; rel="next"`)
}

// pageAfter is the page to fetch for a list: one item more than limit,
// so pageOf can tell whether more remain, after the cursor's ID if any.
// idPage reads the limit and cursor of a list paged by ID (nothing else
// may be in the query) and returns the page to ask the store for, with the
// limit and the cursor key pageOf needs; on bad input it answers 400 and
// returns false.
func idPage(c *gin.Context) (page matching.Page, limit int, key string, ok bool) {
	q := c.Request.URL.Query()
	qp := newQueryParser(q, "limit", "cursor")
	limit = qp.limit()
	key = queryKey(c.Request.URL.Path, q)
	after := qp.cursor(key, false)
	if err := qp.err(); err != nil {
		fail(c, err)
		return page, 0, "", false
	}
	return pageAfter(limit, after), limit, key, true
}

func pageAfter(limit int, after *cursor) matching.Page {
	pg := matching.Page{Limit: limit + 1}
	if after != nil {
		pg.AfterID = after.ID
	}
	return pg
}

// pageOf renders a page of items in ID order that was fetched with one
// item more than limit: it keeps limit and, when there were more, sets
// next_cursor to resume after the last one kept (the cursor is bound to
// the query key).
func pageOf[S, T any](items []S, limit int, key string, id func(*S) string, render func(*S) T) list[T] {
	out := list[T]{Items: make([]T, 0, min(len(items), limit))}
	if len(items) > limit {
		items = items[:limit]
		next := cursor{Query: key, ID: id(&items[limit-1])}.encode()
		out.NextCursor = &next
	}
	for i := range items {
		out.Items = append(out.Items, render(&items[i]))
	}
	return out
}

// locatedPage pages through items either in ID order (no near) or nearest
// first within radius of near. fetch loads the candidates: every item in
// the box around near, or the next page in ID order. It returns the page
// with each item's distance (nil without near) and the next cursor.
func locatedPage[T any](near *orb.Point, radiusKm float64, after *cursor, limit int, key string,
	fetch func(within *orb.Bound, page matching.Page) ([]T, error),
	at func(T) (orb.Point, string)) ([]T, []*float64, *string, error) {
	if near == nil {
		items, err := fetch(nil, pageAfter(limit, after))
		if err != nil {
			return nil, nil, nil, err
		}
		var next *string
		if len(items) > limit {
			items = items[:limit]
			_, id := at(items[limit-1])
			s := cursor{Query: key, ID: id}.encode()
			next = &s
		}
		return items, make([]*float64, len(items)), next, nil
	}
	radiusM := radiusKm * 1000
	box := geo.BoundAround(*near, radiusM)
	items, err := fetch(&box, matching.Page{})
	if err != nil {
		return nil, nil, nil, err
	}
	var from *geo.Ranked
	if after != nil {
		from = &geo.Ranked{ID: after.ID, DistanceM: *after.DistanceM}
	}
	ranked, more := geo.Nearest(*near, radiusM, len(items), func(i int) (orb.Point, string) { return at(items[i]) }, from, limit)
	out := make([]T, len(ranked))
	dists := make([]*float64, len(ranked))
	for i, r := range ranked {
		out[i] = items[r.Index]
		d := km(r.DistanceM)
		dists[i] = &d
	}
	var next *string
	if more {
		last := ranked[len(ranked)-1]
		d := last.DistanceM
		s := cursor{Query: key, ID: last.ID, DistanceM: &d}.encode()
		next = &s
	}
	return out, dists, next, nil
}

// indexedPage is a page of venues or spaces near a point, ranked by the
// read model's index: the engine applies the radius, the filters, the
// cursor and the limit, and the store reads the page's items by ID in one
// query, in the engine's order. An item deleted between the two is left
// out of the page; the cursor still follows the engine's ranking, so
// paging goes on where the ranking stopped.
func indexedPage[T any](ranked []geo.Ranked, more bool, key string,
	read func(ids []string) ([]T, error), id func(*T) string) ([]T, []*float64, *string, error) {
	ids := make([]string, len(ranked))
	for i, r := range ranked {
		ids[i] = r.ID
	}
	found, err := read(ids)
	if err != nil {
		return nil, nil, nil, err
	}
	byID := make(map[string]*T, len(found))
	for i := range found {
		byID[id(&found[i])] = &found[i]
	}
	out := make([]T, 0, len(ranked))
	dists := make([]*float64, 0, len(ranked))
	for _, r := range ranked {
		if it, ok := byID[r.ID]; ok {
			out = append(out, *it)
			d := km(r.DistanceM)
			dists = append(dists, &d)
		}
	}
	var next *string
	if more && len(ranked) > 0 {
		last := ranked[len(ranked)-1]
		d := last.DistanceM
		s := cursor{Query: key, ID: last.ID, DistanceM: &d}.encode()
		next = &s
	}
	return out, dists, next, nil
}

// nearQuery is the engine query for a located list page.
func nearQuery(near *orb.Point, radiusKm float64, after *cursor, limit int) matching.NearbyQuery {
	q := matching.NearbyQuery{Centre: *near, RadiusM: radiusKm * 1000, Limit: limit}
	if after != nil {
		q.After = &geo.Ranked{ID: after.ID, DistanceM: *after.DistanceM}
	}
	return q
}

func (h *handler) listOrganisations(c *gin.Context) {
	q := c.Request.URL.Query()
	p := newQueryParser(q, "near", "radius_km", "type", "offers", "needs", "limit", "cursor")
	p.places = h.placesFor(c)
	near, radius, limit := p.near(), p.radius(), p.limit()
	if near == nil && q.Has("radius_km") {
		p.ve.Add("radius_km", "needs near=LAT,LON")
	}
	key := queryKey(c.Request.URL.Path, q)
	after := p.cursor(key, near != nil)
	f := matching.OrganisationFilter{
		Type:   matching.OrgType(p.str("type")),
		Offers: p.slug("offers", h.tax.IsCategory, "category"),
		Needs:  p.slug("needs", h.tax.IsCategory, "category"),
	}
	if f.Type != "" && !f.Type.Valid() {
		p.ve.Add("type", "unknown organisation type %q", clip(string(f.Type)))
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	orgs, dists, next, err := locatedPage(near, radius, after, limit, key,
		func(b *orb.Bound, pg matching.Page) ([]matching.Organisation, error) {
			f.Within, f.Page = b, pg
			return h.store.ListOrganisations(ctx, f)
		},
		func(o matching.Organisation) (orb.Point, string) { return o.Location, o.ID })
	if err != nil {
		fail(c, err)
		return
	}
	ids := make([]string, len(orgs))
	for i := range orgs {
		ids[i] = orgs[i].ID
	}
	contact := h.contactVisible(c, ids)
	linkNext(c, next)
	out := list[Organisation]{Items: make([]Organisation, len(orgs)), NextCursor: next}
	for i := range orgs {
		out.Items[i] = toOrganisationJSON(&orgs[i], contact(orgs[i].ID))
		out.Items[i].DistanceKm = dists[i]
	}
	c.JSON(http.StatusOK, out)
}

func (h *handler) listVenues(c *gin.Context) {
	q := c.Request.URL.Query()
	p := newQueryParser(q, "near", "radius_km", "organisation_id", "limit", "cursor")
	p.places = h.placesFor(c)
	near, radius, limit := p.near(), p.radius(), p.limit()
	if near == nil && q.Has("radius_km") {
		p.ve.Add("radius_km", "needs near=LAT,LON")
	}
	key := queryKey(c.Request.URL.Path, q)
	after := p.cursor(key, near != nil)
	f := matching.VenueFilter{OrganisationID: p.id("organisation_id")}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	var venues []matching.Venue
	var dists []*float64
	var next *string
	var err error
	if h.engine != nil && near != nil {
		q := nearQuery(near, radius, after, limit)
		q.OrganisationID = f.OrganisationID
		found, more := h.engine.NearbyVenues(q)
		ranked := make([]geo.Ranked, len(found))
		for i, v := range found {
			ranked[i] = geo.Ranked{Index: i, ID: v.ID, DistanceM: v.DistanceM}
		}
		venues, dists, next, err = indexedPage(ranked, more, key,
			func(ids []string) ([]matching.Venue, error) { return h.store.VenuesByID(ctx, ids) },
			func(v *matching.Venue) string { return v.ID })
	} else {
		venues, dists, next, err = locatedPage(near, radius, after, limit, key,
			func(b *orb.Bound, pg matching.Page) ([]matching.Venue, error) {
				f.Within, f.Page = b, pg
				return h.store.ListVenues(ctx, f)
			},
			func(v matching.Venue) (orb.Point, string) { return v.Location, v.ID })
	}
	if err != nil {
		fail(c, err)
		return
	}
	linkNext(c, next)
	out := list[Venue]{Items: make([]Venue, len(venues)), NextCursor: next}
	for i := range venues {
		out.Items[i] = toVenueJSON(&venues[i])
		out.Items[i].DistanceKm = dists[i]
	}
	c.JSON(http.StatusOK, out)
}

// listSpaces serves GET /v1/spaces and GET /v1/venues/{id}/spaces.
func (h *handler) listSpaces(c *gin.Context) {
	q := c.Request.URL.Query()
	p := newQueryParser(q, "near", "radius_km", "venue_id", "organisation_id", "kind", "min_capacity", "activity", "limit", "cursor")
	p.places = h.placesFor(c)
	near, radius, limit := p.near(), p.radius(), p.limit()
	if near == nil && q.Has("radius_km") {
		p.ve.Add("radius_km", "needs near=LAT,LON")
	}
	key := queryKey(c.Request.URL.Path, q)
	after := p.cursor(key, near != nil)
	f := matching.SpaceFilter{
		VenueID:        p.id("venue_id"),
		OrganisationID: p.id("organisation_id"),
		Kind:           matching.SpaceKind(p.str("kind")),
		MinCapacity:    p.int("min_capacity", 0, 0, matching.MaxCapacity),
	}
	f.Allows = p.slug("activity", h.tax.IsActivity, "activity")
	if id := c.Param("id"); id != "" {
		if _, err := h.store.GetVenue(c.Request.Context(), id); err != nil {
			fail(c, err)
			return
		}
		f.VenueID = id
	}
	if f.Kind != "" && !validSpaceKind(f.Kind) {
		p.ve.Add("kind", "unknown kind %q", clip(string(f.Kind)))
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	var spaces []matching.Space
	var dists []*float64
	var next *string
	var err error
	if h.engine != nil && near != nil {
		q := nearQuery(near, radius, after, limit)
		q.VenueID, q.OrganisationID, q.Kind = f.VenueID, f.OrganisationID, f.Kind
		q.MinCapacity, q.Activity = f.MinCapacity, f.Allows
		found, more := h.engine.NearbySpaces(q)
		ranked := make([]geo.Ranked, len(found))
		for i, s := range found {
			ranked[i] = geo.Ranked{Index: i, ID: s.ID, DistanceM: s.DistanceM}
		}
		spaces, dists, next, err = indexedPage(ranked, more, key,
			func(ids []string) ([]matching.Space, error) { return h.store.SpacesByID(ctx, ids) },
			func(s *matching.Space) string { return s.ID })
	} else {
		spaces, dists, next, err = locatedPage(near, radius, after, limit, key,
			func(b *orb.Bound, pg matching.Page) ([]matching.Space, error) {
				f.Within, f.Page = b, pg
				return h.store.ListSpaces(ctx, f)
			},
			func(s matching.Space) (orb.Point, string) { return s.Location, s.ID })
	}
	if err != nil {
		fail(c, err)
		return
	}
	linkNext(c, next)
	out := list[Space]{Items: make([]Space, len(spaces)), NextCursor: next}
	for i := range spaces {
		out.Items[i] = toSpaceJSON(&spaces[i])
		out.Items[i].DistanceKm = dists[i]
	}
	c.JSON(http.StatusOK, out)
}

func validSpaceKind(k matching.SpaceKind) bool {
	for _, x := range matching.SpaceKinds {
		if x == k {
			return true
		}
	}
	return false
}
