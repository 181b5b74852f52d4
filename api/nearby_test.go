package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"commonground/api"
	"commonground/geo"
	"commonground/matching"
	"commonground/store"
)

// feature is a GeoJSON Point feature as the nearby endpoint renders it.
type feature struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Geometry struct {
		Type        string    `json:"type"`
		Coordinates []float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type featureCollection struct {
	Type       string    `json:"type"`
	Features   []feature `json:"features"`
	NextCursor *string   `json:"next_cursor"`
}

// nearby fetches one page of GET /v1/nearby and checks it is GeoJSON.
func (s *server) nearby(t testing.TB, query string, header map[string]string) (int, http.Header, featureCollection) {
	t.Helper()
	status, h, raw := s.send(t, request{method: "GET", path: "/v1/nearby?" + query, header: header})
	var fc featureCollection
	if status != http.StatusOK {
		return status, h, fc
	}
	if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); mt != "application/geo+json" {
		t.Errorf("nearby %s: got Content-Type %q, want application/geo+json", query, h.Get("Content-Type"))
	}
	if cl := h.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(raw)) {
		t.Errorf("nearby %s: Content-Length %s for a %d-byte body", query, cl, len(raw))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatalf("nearby %s: %v: %s", query, err, raw)
	}
	if _, ok := top["next_cursor"]; !ok {
		t.Errorf("nearby %s: no next_cursor member, want a string or null", query)
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatalf("nearby %s: %v: %s", query, err, raw)
	}
	if fc.Type != "FeatureCollection" || fc.Features == nil {
		t.Errorf("nearby %s: got type %q features %v, want a FeatureCollection with a features list", query, fc.Type, fc.Features)
	}
	return status, h, fc
}

// walkNearby follows next_cursor to the end; it checks every feature is a
// well-formed point within radiusKm of lat, lon, nearest first across pages.
func (s *server) walkNearby(t testing.TB, lat, lon, radiusKm float64, query string) []feature {
	t.Helper()
	base := fmt.Sprintf("lat=%v&lon=%v&radius_km=%v%s", lat, lon, radiusKm, query)
	q := base
	var all []feature
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("nearby %s: more than 1000 pages", base)
		}
		status, _, fc := s.nearby(t, q, nil)
		wantStatus(t, "nearby "+q, status, http.StatusOK, fc)
		all = append(all, fc.Features...)
		if fc.NextCursor == nil {
			break
		}
		if len(fc.Features) == 0 {
			t.Fatalf("nearby %s: empty page with a cursor", q)
		}
		q = base + "&cursor=" + *fc.NextCursor
	}
	prev := -1.0
	for i, f := range all {
		if f.Type != "Feature" || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 {
			t.Fatalf("feature %d: got %+v, want a Point feature", i, f)
		}
		for _, k := range []string{"id", "kind", "name"} {
			if s, _ := f.Properties[k].(string); s == "" {
				t.Errorf("feature %d: property %s is %v, want a string", i, k, f.Properties[k])
			}
		}
		d, ok := f.Properties["distance_km"].(float64)
		c := f.Geometry.Coordinates
		true_ := distanceKm(lat, lon, c[1], c[0])
		if !ok || math.Abs(d-true_) > 0.001 {
			t.Errorf("feature %d: got distance_km %v, want %.3f (from [lon, lat] %v)", i, f.Properties["distance_km"], true_, c)
		}
		if d > radiusKm {
			t.Errorf("feature %d: %v km away, outside %v km", i, d, radiusKm)
		}
		if d < prev {
			t.Errorf("feature %d: %v km after %v km, want nearest first", i, d, prev)
		}
		prev = d
	}
	return all
}

func featureIDs(fs []feature) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i], _ = f.Properties["id"].(string)
	}
	return out
}

func TestNearbyKinds(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		places := s.fixture(t)
		const radius = 10.0
		var spaces, venues, orgs, offers, needs []string
		var danceOffers, artsOrgs, tapSpaces []string
		for _, p := range places {
			if p.distanceKm() > radius {
				continue
			}
			spaces = append(spaces, p.hallID, p.studioID)
			if !p.studioBansAerial { // and tap
				tapSpaces = append(tapSpaces, p.studioID)
			}
			tapSpaces = append(tapSpaces, p.hallID)
			venues = append(venues, p.venueID)
			orgs = append(orgs, p.orgID)
			if p.orgType == "arts" {
				artsOrgs = append(artsOrgs, p.orgID)
			}
			o := as[api.Organisation](t, s.get(t, "/v1/organisations/"+p.orgID, ""))
			for _, x := range o.Offers {
				offers = append(offers, x.ID)
				if x.Category == "skill.dance-teaching" {
					danceOffers = append(danceOffers, x.ID)
				}
			}
			for _, x := range o.Needs {
				needs = append(needs, x.ID)
			}
		}
		for _, c := range []struct {
			query    string
			wantKind string
			want     []string
		}{
			{"", "space", spaces},
			{"&kind=spaces", "space", spaces},
			{"&kind=venues", "venue", venues},
			{"&kind=organisations", "organisation", orgs},
			{"&kind=offers", "offer", offers},
			{"&kind=needs", "need", needs},
			{"&kind=offers&category=skill.dance-teaching", "offer", danceOffers},
			{"&kind=organisations&type=arts", "organisation", artsOrgs},
			{"&kind=spaces&activity=tap", "space", tapSpaces},                                    // sprung floors: a ban is what keeps one out
			{"&kind=spaces&min_capacity=15", "space", slices.Delete(slices.Clone(spaces), 0, 1)}, // hall 0 holds 10
		} {
			t.Run("kind"+c.query, func(t *testing.T) {
				for _, limit := range []string{"", "&limit=1", "&limit=3"} {
					fs := s.walkNearby(t, cLat, cLon, radius, c.query+limit)
					ids := featureIDs(fs)
					if !sameSet(ids, c.want) || hasDuplicates(ids) {
						t.Errorf("limit %q: got %d %v, want %d %v", limit, len(ids), ids, len(c.want), c.want)
					}
					for _, f := range fs {
						if f.Properties["kind"] != c.wantKind {
							t.Errorf("feature %v: got kind %v, want %s", f.Properties["id"], f.Properties["kind"], c.wantKind)
						}
					}
				}
			})
		}
		t.Run("coordinates are [lon, lat]", func(t *testing.T) {
			for _, f := range s.walkNearby(t, cLat, cLon, radius, "&kind=spaces") {
				sp := as[api.Space](t, s.get(t, "/v1/spaces/"+f.Properties["id"].(string), ""))
				if got := f.Geometry.Coordinates; got[0] != sp.Location.Lon || got[1] != sp.Location.Lat {
					t.Errorf("space %s: got coordinates %v, want [%v, %v]", sp.Name, got, sp.Location.Lon, sp.Location.Lat)
				}
				if f.Properties["name"] != sp.Name {
					t.Errorf("space %s: got name %v", sp.Name, f.Properties["name"])
				}
			}
		})
		t.Run("features carry their id, venues their address", func(t *testing.T) {
			for _, kind := range []string{"spaces", "venues", "organisations", "offers", "needs"} {
				for _, f := range s.walkNearby(t, cLat, cLon, radius, "&kind="+kind) {
					if f.ID == "" || f.ID != f.Properties["id"] {
						t.Errorf("kind %s: got top-level id %q, properties.id %v", kind, f.ID, f.Properties["id"])
					}
					if kind != "venues" {
						continue
					}
					v := as[api.Venue](t, s.get(t, "/v1/venues/"+f.ID, ""))
					if f.Properties["address"] != v.Address || f.Properties["postcode"] != v.Postcode || v.Postcode == "" {
						t.Errorf("venue %s: got address %v, postcode %v; want %q, %q",
							v.Name, f.Properties["address"], f.Properties["postcode"], v.Address, v.Postcode)
					}
				}
			}
		})
		t.Run("kind=bogus", func(t *testing.T) {
			status, _, m := s.do(t, "GET", "/v1/nearby?lat=52.2&lon=0.12&kind=bogus", "", nil)
			wantStatus(t, "kind=bogus", status, http.StatusBadRequest, m)
			if msg, _ := fieldMessage(problem(t, m), "kind"); msg == "" {
				t.Errorf("got fields %v, want kind", fieldNames(problem(t, m)))
			}
		})
	})
}

// manySpaces inserts n spaces straight into the store, spread over venues
// within about 5 km of the centre, owned by orgID.
func manySpaces(t *testing.T, db *store.DB, orgID string, n int) []matching.Space {
	t.Helper()
	var venues []matching.Venue
	var spaces []matching.Space
	for i := 0; i < n; i++ {
		if i%20 == 0 {
			angle := float64(len(venues)) * 2.4
			r := 0.2 + float64(len(venues))*0.17
			lat, lon := offset(cLat, cLon, r*math.Sin(angle), r*math.Cos(angle))
			venues = append(venues, matching.Venue{ID: uuid.NewString(), OrganisationID: orgID,
				Name: fmt.Sprintf("Bulk venue %d", len(venues)), Location: geo.MustPoint(lat, lon),
				Timezone: matching.DefaultTimezone, CreatedAt: t0, UpdatedAt: t0})
		}
		v := venues[len(venues)-1]
		sp := matching.Space{ID: uuid.NewString(), VenueID: v.ID, OrganisationID: orgID, Location: v.Location,
			Name: fmt.Sprintf("Bulk space %d", i), Kind: "hall", Capacity: 20, FloorAreaM2: 80, Floor: "wood",
			ProhibitedActivities: []string{}, CreatedAt: t0, UpdatedAt: t0}
		spaces = append(spaces, sp)
	}
	if err := db.InsertBatch(t.Context(), nil, venues, spaces); err != nil {
		t.Fatalf("InsertBatch: %v", err)
	}
	return spaces
}

func TestNearbyLimitsAndPaging(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, _ := s.registerAt(t, "Bulk owner", cLat, cLon)
		spaces := manySpaces(t, db, orgID, 520)
		s.catchUp(t) // written behind the API's back: bring the read model up to date
		var want []string
		for _, sp := range spaces {
			want = append(want, sp.ID)
		}
		q := fmt.Sprintf("lat=%v&lon=%v&radius_km=20", cLat, cLon)
		for _, c := range []struct {
			limit    string
			wantN    int
			wantNext bool
		}{
			{"", api.DefaultLimit, true},
			{"&limit=1", 1, true},
			{"&limit=499", 499, true},
			{"&limit=500", api.MaxLimit, true},
		} {
			t.Run("first page"+c.limit, func(t *testing.T) {
				status, _, fc := s.nearby(t, q+c.limit, nil)
				wantStatus(t, "nearby", status, http.StatusOK, nil)
				if len(fc.Features) != c.wantN || (fc.NextCursor != nil) != c.wantNext {
					t.Errorf("got %d features, next_cursor %v, want %d and a cursor %t", len(fc.Features), fc.NextCursor, c.wantN, c.wantNext)
				}
			})
		}
		status, _, m := s.do(t, "GET", "/v1/nearby?"+q+"&limit=501", "", nil)
		wantStatus(t, "limit=501", status, http.StatusBadRequest, m)

		for _, limit := range []string{"", "&limit=500", "&limit=77"} {
			t.Run("walk"+limit, func(t *testing.T) {
				ids := featureIDs(s.walkNearby(t, cLat, cLon, 20, limit))
				if len(ids) != len(want) || !sameSet(ids, want) || hasDuplicates(ids) {
					t.Errorf("walked %d features, want each of the %d spaces once", len(ids), len(want))
				}
			})
		}
		t.Run("a smaller radius", func(t *testing.T) {
			fs := s.walkNearby(t, cLat, cLon, 2, "&limit=40")
			var within []string
			for _, sp := range spaces {
				if geo.DistanceKm(geo.MustPoint(cLat, cLon), sp.Location) <= 2 {
					within = append(within, sp.ID)
				}
			}
			if got := featureIDs(fs); !sameSet(got, within) || len(within) == 0 || len(within) == len(spaces) {
				t.Errorf("got %d features within 2 km, want %d (of %d)", len(got), len(within), len(spaces))
			}
		})
	})
}

// otherTag is etag with its last character changed, so that it differs
// from etag whatever that character was.
func otherTag(etag string) string {
	last := byte('x')
	if etag[len(etag)-2] == last {
		last = 'y'
	}
	return etag[:len(etag)-2] + string(last) + `"`
}

func TestNearbyETag(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Owner", cLat, cLon)
		venueID := s.venue(t, token, "Hall", cLat, cLon)
		s.space(t, token, venueID, spaceBody("First"))
		q := fmt.Sprintf("lat=%v&lon=%v&radius_km=5", cLat, cLon)

		status, h, fc := s.nearby(t, q, nil)
		wantStatus(t, "nearby", status, http.StatusOK, fc)
		if h.Get("Content-Length") == "" {
			t.Errorf("nearby spaces: no Content-Length")
		}
		etag := h.Get("ETag")
		if len(etag) < 3 || etag[0] != '"' || etag[len(etag)-1] != '"' {
			t.Fatalf("got ETag %q, want a quoted strong tag", etag)
		}
		if _, h2, _ := s.nearby(t, q, nil); h2.Get("ETag") != etag {
			t.Errorf("same request twice: got ETag %q then %q", etag, h2.Get("ETag"))
		}
		for _, c := range []struct {
			ifNoneMatch string
			want        int
		}{
			{etag, http.StatusNotModified},
			{"W/" + etag, http.StatusNotModified},
			{`"other", ` + etag, http.StatusNotModified},
			{"*", http.StatusNotModified},
			{`"other"`, http.StatusOK},
			{otherTag(etag), http.StatusOK},
		} {
			t.Run("If-None-Match "+c.ifNoneMatch, func(t *testing.T) {
				status, h, raw := s.send(t, request{method: "GET", path: "/v1/nearby?" + q, header: map[string]string{"If-None-Match": c.ifNoneMatch}})
				if status != c.want {
					t.Fatalf("got status %d, want %d", status, c.want)
				}
				if h.Get("ETag") != etag {
					t.Errorf("got ETag %q, want %q", h.Get("ETag"), etag)
				}
				if c.want == http.StatusNotModified && len(raw) != 0 {
					t.Errorf("304 with a body: %q", raw)
				}
			})
		}
		// A new space nearby changes the answer and its tag.
		s.space(t, token, venueID, spaceBody("Second"))
		status, h, raw := s.send(t, request{method: "GET", path: "/v1/nearby?" + q, header: map[string]string{"If-None-Match": etag}})
		if status != http.StatusOK {
			t.Fatalf("after a change with the old ETag: got status %d, want 200", status)
		}
		if h.Get("ETag") == etag || h.Get("ETag") == "" {
			t.Errorf("after a change: got ETag %q, want a new one (old %q)", h.Get("ETag"), etag)
		}
		var fc2 featureCollection
		if err := json.Unmarshal(raw, &fc2); err != nil || len(fc2.Features) != 2 {
			t.Errorf("after a change: got %d features (%v), want 2", len(fc2.Features), err)
		}
		// Another page is another representation.
		etag2 := h.Get("ETag")
		if _, h, _ := s.nearby(t, q+"&limit=1", nil); h.Get("ETag") == etag2 {
			t.Errorf("limit=1: got the same ETag as the full answer")
		}
		// A change far away does not.
		far := s.venue(t, token, "Far hall", 55.9533, -3.1883) // Edinburgh
		s.space(t, token, far, spaceBody("Far"))
		if _, h, _ := s.nearby(t, q, nil); h.Get("ETag") != etag2 {
			t.Errorf("after a change far away: got ETag %q, want %q unchanged", h.Get("ETag"), etag2)
		}
		if !slices.Contains(h.Values("Vary"), "Authorization") {
			t.Errorf("got Vary %q, want Authorization", h.Values("Vary"))
		}
	})
}
