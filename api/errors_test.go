package api_test

import (
	"encoding/base64"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

// badCase is one request that must be refused.
type badCase struct {
	name         string
	method, path string
	owner        bool // send the owner's token
	body         any
	header       map[string]string
	want         int
	field        string // a field the problem must name ("-": no check)
	message      string // a text the field's message (or the detail) must hold
}

func (c badCase) run(t *testing.T, s *server, token string) {
	t.Helper()
	r := request{method: c.method, path: c.path, body: c.body, header: c.header}
	if c.owner {
		r.token = token
	}
	status, _, raw := s.send(t, r)
	if status != c.want {
		t.Fatalf("got status %d, want %d; body %s", status, c.want, raw)
	}
	p := problem(t, decode(t, c.name, raw))
	if c.want == http.StatusBadRequest && len(p.Errors) == 0 {
		t.Errorf("got no errors list in %s", raw)
	}
	if c.field == "-" {
		return
	}
	msg, ok := fieldMessage(p, c.field)
	if !ok {
		t.Errorf("got fields %q, want %q named; body %s", fieldNames(p), c.field, raw)
		return
	}
	if !strings.Contains(msg, c.message) {
		t.Errorf("field %q: got message %q, want it to contain %q", c.field, msg, c.message)
	}
}

// validOrg is a registration body as raw JSON.
const validOrg = `{"name": "Raw", "type": "arts", "location": {"lat": 52.2, "lon": 0.12}}`

func TestBadRequestBodies(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Owner", cLat, cLon)
		venueID := s.venue(t, token, "Hall", cLat, cLon)
		existing := s.space(t, token, venueID, spaceBody("Existing"))
		spaces := "/v1/venues/" + venueID + "/spaces"
		org := func(kv ...any) map[string]any { return with(orgBody("Bad", cLat, cLon), kv...) }
		space := func(kv ...any) map[string]any { return with(spaceBody("Bad"), kv...) }
		hours := func(rows ...[3]string) []any {
			var out []any
			for _, r := range rows {
				out = append(out, map[string]any{"day": r[0], "opens": r[1], "closes": r[2]})
			}
			return out
		}
		closure := func(start, end string) []any {
			return []any{map[string]any{"start": start, "end": end, "reason": "works"}}
		}
		const orgs = "/v1/organisations"
		cases := []badCase{
			// Syntax.
			{name: "malformed JSON", method: "POST", path: orgs, body: `{"name": "x",`, want: 400, field: "", message: "malformed JSON"},
			{name: "unquoted key", method: "POST", path: orgs, body: `{name: "x"}`, want: 400, field: "", message: "malformed JSON"},
			{name: "empty body", method: "POST", path: orgs, body: "", want: 400, field: "", message: "required"},
			{name: "blank body", method: "POST", path: orgs, body: " \n\t", want: 400, field: "", message: "required"},
			{name: "no body at all", method: "POST", path: orgs, want: 400, field: "", message: "required"},
			{name: "a list, not an object", method: "POST", path: orgs, body: `[]`, want: 400, field: "", message: "object"},
			{name: "a string, not an object", method: "POST", path: orgs, body: `"hello"`, want: 400, field: "", message: "object"},
			{name: "trailing garbage", method: "POST", path: orgs, body: validOrg + ` xyz`, want: 400, field: "", message: "unexpected data"},
			{name: "two objects", method: "POST", path: orgs, body: validOrg + validOrg, want: 400, field: "", message: "unexpected data"},
			{name: "trailing brace", method: "POST", path: orgs, body: validOrg + `}`, want: 400, field: "-"},
			{name: "null body", method: "POST", path: orgs, body: `null`, want: 400, field: "name", message: "required"},
			// Types and fields.
			{name: "number for a string", method: "POST", path: orgs, body: org("name", 5), want: 400, field: "name", message: "must be a string"},
			{name: "string for a number", method: "POST", path: orgs, body: org("location", map[string]any{"lat": "north", "lon": 0}), want: 400, field: "location.lat", message: "must be a number"},
			{name: "string for a list", method: "POST", path: orgs, body: org("values", "inclusion"), want: 400, field: "values", message: "must be a list"},
			{name: "fraction for a whole number", method: "POST", path: orgs, body: org("capacity_hours_per_month", 2.5), want: 400, field: "capacity_hours_per_month", message: "whole number"},
			{name: "list for an object", method: "POST", path: orgs, body: org("location", []float64{52, 0}), want: 400, field: "location", message: "must be an object"},
			{name: "bool for a string", method: "POST", path: spaces, owner: true, body: space("floor", true), want: 400, field: "floor", message: "must be a string"},
			{name: "string for a bool", method: "POST", path: spaces, owner: true, body: space("mirrors", "yes"), want: 400, field: "mirrors", message: "true or false"},
			{name: "unknown field", method: "POST", path: orgs, body: org("nmae", "typo"), want: 400, field: "nmae", message: "unknown field"},
			{name: "a space's location is its venue's", method: "POST", path: spaces, owner: true, body: space("location", map[string]any{"lat": 0, "lon": 0}), want: 400, field: "location", message: "unknown field"},
			{name: "unknown organisation type", method: "POST", path: orgs, body: org("type", "pirates"), want: 400, field: "type", message: "pirates"},
			// Taxonomy.
			{name: "unknown offer category", method: "POST", path: orgs, body: org("offers", []any{map[string]any{"category": "skill.juggling"}}), want: 400, field: "offers[0].category", message: "skill.juggling"},
			{name: "unknown need category", method: "POST", path: orgs, body: org("needs", []any{map[string]any{"category": "space.moon-base"}}), want: 400, field: "needs[0].category", message: "space.moon-base"},
			{name: "unknown value", method: "POST", path: orgs, body: org("values", []string{"inclusion", "greed"}), want: 400, field: "values[1]", message: "greed"},
			{name: "unknown practice", method: "POST", path: orgs, body: org("practices", []string{"piracy"}), want: 400, field: "practices[0]", message: "piracy"},
			{name: "unknown exclusion", method: "POST", path: orgs, body: org("exclusions", []string{"animal-testing", "smuggling"}), want: 400, field: "exclusions[1]", message: "smuggling"},
			{name: "unknown activity", method: "POST", path: spaces, owner: true, body: space("prohibited_activities", []string{"moonwalk"}), want: 400, field: "prohibited_activities[0]", message: "moonwalk"},
			{name: "unknown offer category on its own", method: "POST", path: orgs + "/" + existing.OrganisationID + "/offers", owner: true, body: map[string]any{"category": "skill.nope"}, want: 400, field: "category", message: "skill.nope"},
			// Coordinates.
			{name: "lat 91", method: "POST", path: orgs, body: org("location", map[string]any{"lat": 91, "lon": 0}), want: 400, field: "location.lat", message: "between -90 and 90"},
			{name: "lat -90.5", method: "POST", path: orgs, body: org("location", map[string]any{"lat": -90.5, "lon": 0}), want: 400, field: "location.lat", message: "between -90 and 90"},
			{name: "lon 181", method: "POST", path: orgs, body: org("location", map[string]any{"lat": 0, "lon": 181}), want: 400, field: "location.lon", message: "between -180 and 180"},
			{name: "missing location", method: "POST", path: orgs, body: org("location", nil), want: 400, field: "location", message: "required"},
			{name: "null location", method: "POST", path: orgs, body: `{"name": "x", "type": "arts", "location": null}`, want: 400, field: "location", message: "required"},
			{name: "missing lat", method: "POST", path: orgs, body: org("location", map[string]any{"lon": 0}), want: 400, field: "location.lat", message: "required"},
			{name: "venue lat 91", method: "POST", path: "/v1/venues", owner: true, body: venueBody("V", 91, 0), want: 400, field: "location.lat", message: "between -90 and 90"},
			// Opening hours and closures.
			{name: "closes before opens", method: "POST", path: spaces, owner: true, body: space("opening_hours", hours([3]string{"mon", "18:00", "09:00"})), want: 400, field: "opening_hours[0].closes", message: "after opens"},
			{name: "closes when it opens", method: "POST", path: spaces, owner: true, body: space("opening_hours", hours([3]string{"mon", "09:00", "09:00"})), want: 400, field: "opening_hours[0].closes", message: "after opens"},
			{name: "25:00", method: "POST", path: spaces, owner: true, body: space("opening_hours", hours([3]string{"tue", "25:00", "26:00"})), want: 400, field: "opening_hours[0].opens", message: "25:00"},
			{name: "24:30", method: "POST", path: spaces, owner: true, body: space("opening_hours", hours([3]string{"tue", "20:00", "24:30"})), want: 400, field: "opening_hours[0].closes", message: "24:30"},
			{name: "9:00", method: "POST", path: spaces, owner: true, body: space("opening_hours", hours([3]string{"wed", "9:00", "17:00"})), want: 400, field: "opening_hours[0].opens", message: "HH:MM"},
			{name: "opens at 24:00", method: "POST", path: spaces, owner: true, body: space("opening_hours", hours([3]string{"wed", "24:00", "24:00"})), want: 400, field: "-"},
			{name: "funday", method: "POST", path: spaces, owner: true, body: space("opening_hours", hours([3]string{"mon", "09:00", "10:00"}, [3]string{"funday", "09:00", "17:00"})), want: 400, field: "opening_hours[1].day", message: "funday"},
			{name: "Monday spelt out", method: "POST", path: spaces, owner: true, body: space("opening_hours", hours([3]string{"Monday", "09:00", "17:00"})), want: 400, field: "opening_hours[0].day", message: "Monday"},
			{name: "overlapping periods", method: "POST", path: spaces, owner: true, body: space("opening_hours", hours([3]string{"thu", "09:00", "13:00"}, [3]string{"thu", "12:00", "18:00"})), want: 400, field: "opening_hours[1]", message: "overlaps opening_hours[0]"},
			{name: "wrong type in a row", method: "POST", path: spaces, owner: true, body: space("opening_hours", []any{map[string]any{"day": 1, "opens": "09:00", "closes": "10:00"}}), want: 400, field: "opening_hours.day", message: "must be a string"},
			{name: "closure ends before it starts", method: "POST", path: spaces, owner: true, body: space("closures", closure("2027-05-02T00:00:00Z", "2027-05-01T00:00:00Z")), want: 400, field: "closures[0].end", message: "after start"},
			{name: "closure not RFC 3339", method: "POST", path: spaces, owner: true, body: space("closures", closure("2027-05-01 09:00", "2027-05-02T00:00:00Z")), want: 400, field: "closures[0].start", message: "RFC 3339"},
			{name: "closure date only", method: "POST", path: spaces, owner: true, body: space("closures", closure("2027-05-01T00:00:00Z", "2027-05-02")), want: 400, field: "closures[0].end", message: "RFC 3339"},
			{name: "closure without start", method: "POST", path: spaces, owner: true, body: space("closures", []any{map[string]any{"end": "2027-05-02T00:00:00Z"}}), want: 400, field: "closures[0].start", message: "required"},
			// Other space fields.
			{name: "capacity 0", method: "POST", path: spaces, owner: true, body: space("capacity", 0), want: 400, field: "capacity", message: "between 1"},
			{name: "negative area", method: "POST", path: spaces, owner: true, body: space("floor_area_m2", -5), want: 400, field: "floor_area_m2", message: "more than 0"},
			{name: "unknown floor", method: "POST", path: spaces, owner: true, body: space("floor", "lava"), want: 400, field: "floor", message: "lava"},
			{name: "unknown kind", method: "POST", path: spaces, owner: true, body: space("kind", "ballroom-in-space"), want: 400, field: "kind", message: "ballroom-in-space"},
			{name: "unknown tier", method: "POST", path: spaces, owner: true, body: space("prices", []any{map[string]any{"tier": "vip", "pence_per_hour": 1}}), want: 400, field: "prices[0].tier", message: "vip"},
			// Content types.
			{name: "text/plain", method: "POST", path: orgs, body: validOrg, header: map[string]string{"Content-Type": "text/plain"}, want: 415, field: "-"},
			{name: "form", method: "POST", path: orgs, body: "name=x", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, want: 415, field: "-"},
			{name: "unparsable content type", method: "POST", path: orgs, body: validOrg, header: map[string]string{"Content-Type": "application/"}, want: 415, field: "-"},
			{name: "text/plain on PATCH", method: "PATCH", path: "/v1/spaces/" + existing.ID, owner: true, body: `{"capacity": 2}`, header: map[string]string{"Content-Type": "text/plain"}, want: 415, field: "-"},
			// PATCH bodies go through the same checks.
			{name: "PATCH unknown field", method: "PATCH", path: "/v1/spaces/" + existing.ID, owner: true, body: map[string]any{"colour": "red"}, want: 400, field: "colour", message: "unknown field"},
			{name: "PATCH bad hours", method: "PATCH", path: "/v1/spaces/" + existing.ID, owner: true, body: map[string]any{"capacity": 99, "opening_hours": hours([3]string{"fri", "10:00", "09:00"})}, want: 400, field: "opening_hours[0].closes", message: "after opens"},
			{name: "PATCH empty body", method: "PATCH", path: "/v1/spaces/" + existing.ID, owner: true, body: "", want: 400, field: "", message: "required"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { c.run(t, s, token) })
		}

		// Nothing above left anything behind.
		if got := as[api.Space](t, s.get(t, "/v1/spaces/"+existing.ID, "")); !reflect.DeepEqual(got, existing) {
			t.Errorf("the existing space changed:\n got %+v\nwant %+v", got, existing)
		}
		if ids, _ := s.walk(t, "/v1/spaces"); !reflect.DeepEqual(ids, []string{existing.ID}) {
			t.Errorf("spaces: got %v, want only %s", ids, existing.ID)
		}
		if ids, _ := s.walk(t, "/v1/organisations"); len(ids) != 1 {
			t.Errorf("organisations: got %d, want 1", len(ids))
		}
	})
}

func TestAcceptedContentTypes(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/merge-patch+json", ""} {
			t.Run(ct, func(t *testing.T) {
				status, _, raw := s.send(t, request{method: "POST", path: "/v1/organisations", body: validOrg,
					header: map[string]string{"Content-Type": ct}})
				if status != http.StatusCreated {
					t.Errorf("Content-Type %q: got status %d, want 201; body %s", ct, status, raw)
				}
			})
		}
	})
}

func TestFailedWritesLeaveNothing(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, token := s.registerAt(t, "Owner", cLat, cLon)
		venueID := s.venue(t, token, "Hall", cLat, cLon)
		first := s.space(t, token, venueID, spaceBody("First"))
		listBefore := s.get(t, "/v1/venues/"+venueID+"/spaces", "")
		orgBefore := s.get(t, "/v1/organisations/"+orgID, token)
		orgsBefore := s.get(t, "/v1/organisations", "")

		// One bad opening-hours row among good ones.
		body := with(spaceBody("Second"), "opening_hours", []any{
			map[string]any{"day": "mon", "opens": "09:00", "closes": "12:00"},
			map[string]any{"day": "tue", "opens": "09:00", "closes": "12:00"},
			map[string]any{"day": "wed", "opens": "12:00", "closes": "11:00"},
		})
		status, _, m := s.do(t, "POST", "/v1/venues/"+venueID+"/spaces", token, body)
		wantStatus(t, "POST space with a bad row", status, http.StatusBadRequest, m)
		if got := fieldNames(problem(t, m)); !reflect.DeepEqual(got, []string{"opening_hours[2].closes"}) {
			t.Errorf("got fields %v, want only opening_hours[2].closes", got)
		}
		// A registration with one bad offer among good ones.
		reg := with(orgBody("Half good", cLat, cLon), "offers", []any{
			map[string]any{"category": "skill.marketing"},
			map[string]any{"category": "skill.nope"},
		})
		status, _, m = s.do(t, "POST", "/v1/organisations", "", reg)
		wantStatus(t, "register with a bad offer", status, http.StatusBadRequest, m)
		// A PATCH that is half right.
		status, _, m = s.do(t, "PATCH", "/v1/spaces/"+first.ID, token, map[string]any{"name": "Renamed", "capacity": -1})
		wantStatus(t, "PATCH half right", status, http.StatusBadRequest, m)
		status, _, m = s.do(t, "PATCH", "/v1/organisations/"+orgID, token, map[string]any{"name": "Renamed", "values": []string{"nope"}})
		wantStatus(t, "PATCH organisation half right", status, http.StatusBadRequest, m)
		// An offer with a bad field.
		status, _, m = s.do(t, "POST", "/v1/organisations/"+orgID+"/offers", token, map[string]any{"category": "skill.marketing", "hours_per_month": 10000})
		wantStatus(t, "offer with too many hours", status, http.StatusBadRequest, m)

		for _, c := range []struct {
			path, token string
			want        map[string]any
		}{
			{"/v1/venues/" + venueID + "/spaces", "", listBefore},
			{"/v1/organisations/" + orgID, token, orgBefore},
			{"/v1/organisations", "", orgsBefore},
		} {
			if got := s.get(t, c.path, c.token); !reflect.DeepEqual(got, c.want) {
				t.Errorf("GET %s changed:\n got %v\nwant %v", c.path, got, c.want)
			}
		}
	})
}

func TestBodyTooLarge(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		// A valid body padded with whitespace to exactly n bytes.
		padded := func(n int) string {
			return validOrg[:len(validOrg)-1] + strings.Repeat(" ", n-len(validOrg)) + "}"
		}
		for _, c := range []struct {
			name    string
			size    int
			chunked bool
			want    int
		}{
			{"at the limit", api.MaxBodyBytes, false, http.StatusCreated},
			{"at the limit, chunked", api.MaxBodyBytes, true, http.StatusCreated},
			{"one byte over", api.MaxBodyBytes + 1, false, http.StatusRequestEntityTooLarge},
			{"one byte over, chunked", api.MaxBodyBytes + 1, true, http.StatusRequestEntityTooLarge},
			{"5 MiB", 5 << 20, false, http.StatusRequestEntityTooLarge},
			{"5 MiB, chunked", 5 << 20, true, http.StatusRequestEntityTooLarge},
		} {
			t.Run(c.name, func(t *testing.T) {
				body := padded(c.size)
				if len(body) != c.size {
					t.Fatalf("body is %d bytes, want %d", len(body), c.size)
				}
				status, _, raw := s.send(t, request{method: "POST", path: "/v1/organisations", body: body, chunked: c.chunked})
				if status != c.want {
					t.Errorf("got status %d, want %d; body %.200s", status, c.want, raw)
				}
			})
		}
		// Writes that need an owner refuse a large body too.
		_, token := s.registerAt(t, "Owner", cLat, cLon)
		venueID := s.venue(t, token, "Hall", cLat, cLon)
		big := `{"name": "` + strings.Repeat("x", api.MaxBodyBytes) + `"}`
		for _, chunked := range []bool{false, true} {
			status, _, raw := s.send(t, request{method: "POST", path: "/v1/venues/" + venueID + "/spaces", token: token, body: big, chunked: chunked})
			if status != http.StatusRequestEntityTooLarge {
				t.Errorf("space body over 1 MiB (chunked %t): got status %d, want 413; body %.200s", chunked, status, raw)
			}
		}
		if ids, _ := s.walk(t, "/v1/spaces"); len(ids) != 0 {
			t.Errorf("got %d spaces, want none", len(ids))
		}
	})
}

func TestBadQueries(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Owner", cLat, cLon)
		venueID := s.venue(t, token, "Hall", cLat, cLon)
		for _, name := range []string{"A", "B", "C"} {
			s.space(t, token, venueID, spaceBody(name))
		}
		// Real cursors, to replay against other queries.
		spacesCursor := s.get(t, "/v1/spaces?limit=1", "")["next_cursor"].(string)
		nearCursor := s.get(t, "/v1/spaces?near=52.2053,0.1218&radius_km=5&limit=1", "")["next_cursor"].(string)
		garbage := base64.RawURLEncoding.EncodeToString([]byte(`{"q":"x"`))
		noID := base64.RawURLEncoding.EncodeToString([]byte(`{"q":"x","i":""}`))
		nearby := "/v1/nearby?lat=52.2&lon=0.12"

		cases := []badCase{
			{name: "unknown parameters on spaces", path: "/v1/spaces?foo=1&bar=2", field: "foo", message: "unknown query parameter"},
			{name: "unknown parameter on organisations", path: "/v1/organisations?colour=red", field: "colour", message: "unknown query parameter"},
			{name: "unknown parameter on venues", path: "/v1/venues?sort=name", field: "sort", message: "unknown query parameter"},
			{name: "unknown parameter on venue spaces", path: "/v1/venues/" + venueID + "/spaces?x=1", field: "x", message: "unknown query parameter"},
			{name: "unknown parameter on nearby", path: nearby + "&zoom=3", field: "zoom", message: "unknown query parameter"},
			{name: "limit=0", path: "/v1/spaces?limit=0", field: "limit", message: "between 1 and 500"},
			{name: "limit=501", path: "/v1/spaces?limit=501", field: "limit", message: "between 1 and 500"},
			{name: "limit=-1", path: "/v1/organisations?limit=-1", field: "limit", message: "between 1 and 500"},
			{name: "limit=ten", path: "/v1/venues?limit=ten", field: "limit", message: "between 1 and 500"},
			{name: "limit twice", path: "/v1/spaces?limit=1&limit=2", field: "limit", message: "once"},
			{name: "radius_km=-1", path: "/v1/spaces?near=52.2,0.12&radius_km=-1", field: "radius_km", message: "more than 0"},
			{name: "radius_km=0", path: "/v1/organisations?near=52.2,0.12&radius_km=0", field: "radius_km", message: "more than 0"},
			{name: "radius_km=1001", path: "/v1/venues?near=52.2,0.12&radius_km=1001", field: "radius_km", message: "at most 1000"},
			{name: "radius_km=NaN", path: "/v1/spaces?near=52.2,0.12&radius_km=NaN", field: "radius_km", message: "number"},
			{name: "radius_km without near", path: "/v1/spaces?radius_km=5", field: "radius_km", message: "near"},
			{name: "near=abc", path: "/v1/spaces?near=abc", field: "near", message: "LAT,LON"},
			{name: "near with one number", path: "/v1/organisations?near=52.2", field: "near", message: "LAT,LON"},
			{name: "near lat 91", path: "/v1/venues?near=91,0", field: "near.lat", message: "between -90 and 90"},
			{name: "near lon 181", path: "/v1/spaces?near=0,181", field: "near.lon", message: "between -180 and 180"},
			{name: "near NaN", path: "/v1/spaces?near=NaN,0", field: "near.lat", message: "between -90 and 90"},
			{name: "cursor garbage", path: "/v1/spaces?cursor=%25%25%25", field: "cursor", message: "not a cursor"},
			{name: "cursor not JSON", path: "/v1/spaces?cursor=" + garbage, field: "cursor", message: "not a cursor"},
			{name: "cursor without id", path: "/v1/spaces?cursor=" + noID, field: "cursor", message: "not a cursor"},
			{name: "cursor from another filter", path: "/v1/spaces?kind=studio&cursor=" + spacesCursor, field: "cursor", message: "different query"},
			{name: "cursor from another list", path: "/v1/venues?cursor=" + spacesCursor, field: "cursor", message: "different query"},
			{name: "cursor from a venue's spaces", path: "/v1/venues/" + venueID + "/spaces?cursor=" + spacesCursor, field: "cursor", message: "different query"},
			{name: "near cursor on an ID-order query", path: "/v1/spaces?cursor=" + nearCursor, field: "cursor", message: "different query"},
			{name: "ID-order cursor on a near query", path: "/v1/spaces?near=52.2053,0.1218&radius_km=5&cursor=" + spacesCursor, field: "cursor", message: "not a cursor"},
			{name: "cursor from another radius", path: "/v1/spaces?near=52.2053,0.1218&radius_km=6&cursor=" + nearCursor, field: "cursor", message: "different query"},
			{name: "unknown space kind", path: "/v1/spaces?kind=spaceship", field: "kind", message: "spaceship"},
			{name: "min_capacity=-1", path: "/v1/spaces?min_capacity=-1", field: "min_capacity", message: "between 0"},
			{name: "unknown activity", path: "/v1/spaces?activity=moonwalk", field: "activity", message: "moonwalk"},
			{name: "unknown organisation type", path: "/v1/organisations?type=pirates", field: "type", message: "pirates"},
			{name: "unknown offers category", path: "/v1/organisations?offers=skill.nope", field: "offers", message: "skill.nope"},
			{name: "unknown needs category", path: "/v1/organisations?needs=space.nope", field: "needs", message: "space.nope"},
			{name: "nearby without lat", path: "/v1/nearby?lon=0.12", field: "lat", message: "required"},
			{name: "nearby lat 91", path: "/v1/nearby?lat=91&lon=0", field: "lat", message: "between -90 and 90"},
			{name: "nearby lon 181", path: "/v1/nearby?lat=0&lon=181", field: "lon", message: "between -180 and 180"},
			{name: "nearby kind=bogus", path: nearby + "&kind=bogus", field: "kind", message: "bogus"},
			{name: "nearby limit=501", path: nearby + "&limit=501", field: "limit", message: "between 1 and 500"},
			{name: "nearby cursor from a list", path: nearby + "&cursor=" + nearCursor, field: "cursor", message: "different query"},
			{name: "nearby filter for another kind", path: nearby + "&kind=venues&activity=ballet", field: "activity", message: "kind=spaces"},
		}
		for _, c := range cases {
			c.method, c.want = "GET", http.StatusBadRequest
			t.Run(c.name, func(t *testing.T) { c.run(t, s, token) })
		}
		t.Run("every problem named", func(t *testing.T) {
			status, _, m := s.do(t, "GET", "/v1/spaces?limit=0&near=abc&zzz=1&kind=x", "", nil)
			wantStatus(t, "many problems", status, http.StatusBadRequest, m)
			if got, want := fieldNames(problem(t, m)), []string{"kind", "limit", "near", "zzz"}; !reflect.DeepEqual(got, want) {
				t.Errorf("got fields %v, want %v", got, want)
			}
		})
	})
}

func TestRoutesAndIDs(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, token := s.registerAt(t, "Owner", cLat, cLon)
		for _, c := range []struct {
			method, path string
			want         int
		}{
			{"GET", "/v1/nope", http.StatusNotFound},
			{"GET", "/nope", http.StatusNotFound},
			{"GET", "/", http.StatusNotFound},
			{"GET", "/v1/organisations/", http.StatusNotFound},
			{"GET", "/v2/organisations", http.StatusNotFound},
			{"PUT", "/v1/organisations/x", http.StatusMethodNotAllowed},
			{"DELETE", "/v1/taxonomy", http.StatusMethodNotAllowed},
			{"POST", "/v1/spaces", http.StatusMethodNotAllowed},
			{"PATCH", "/v1/organisations", http.StatusMethodNotAllowed},
			{"POST", "/healthz", http.StatusMethodNotAllowed},
			// IDs that are not IDs are simply not found, on either database.
			{"GET", "/v1/organisations/nope", http.StatusNotFound},
			{"GET", "/v1/spaces/%FF", http.StatusNotFound},
			{"GET", "/v1/venues/%00", http.StatusNotFound},
			{"GET", "/v1/organisations/%C3%28", http.StatusNotFound},
			{"GET", "/v1/venues/%FF/spaces", http.StatusNotFound},
			{"GET", "/v1/organisations/" + strings.Repeat("a", 5000), http.StatusNotFound},
		} {
			t.Run(c.method+" "+c.path[:min(len(c.path), 40)], func(t *testing.T) {
				status, h, m := s.do(t, c.method, c.path, "", nil)
				wantStatus(t, c.method+" "+c.path, status, c.want, m)
				if status == http.StatusMethodNotAllowed && !strings.Contains(h.Get("Allow"), "GET") {
					t.Errorf("got Allow %q, want it to list GET", h.Get("Allow"))
				}
			})
		}
		for _, c := range []struct{ method, path string }{
			{"DELETE", "/v1/spaces/%FF"},
			{"PATCH", "/v1/organisations/%00"},
			{"DELETE", "/v1/offers/%FF"},
			{"DELETE", "/v1/needs/%00"},
			{"POST", "/v1/venues/%FF/spaces"},
		} {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				status, _, m := s.do(t, c.method, c.path, token, map[string]any{})
				wantStatus(t, c.method+" "+c.path, status, http.StatusNotFound, m)
			})
		}
		// Filters by an ID that cannot exist are refused; by one that
		// merely does not, find nothing.
		for _, c := range []struct{ path, field string }{
			{"/v1/spaces?venue_id=%FF", "venue_id"},
			{"/v1/spaces?organisation_id=%00", "organisation_id"},
			{"/v1/venues?organisation_id=%C3%28", "organisation_id"},
			{"/v1/venues/nope/spaces?organisation_id=%00", ""},
		} {
			t.Run(c.path, func(t *testing.T) {
				status, _, m := s.do(t, "GET", c.path, "", nil)
				if c.field == "" {
					wantStatus(t, c.path, status, http.StatusNotFound, m)
					return
				}
				wantStatus(t, c.path, status, http.StatusBadRequest, m)
				if _, ok := fieldMessage(problem(t, m), c.field); !ok {
					t.Errorf("got fields %v, want %s", fieldNames(problem(t, m)), c.field)
				}
			})
		}
		for _, path := range []string{"/v1/spaces?venue_id=nope", "/v1/spaces?organisation_id=nope", "/v1/venues?organisation_id=nope"} {
			if items := s.get(t, path, "")["items"].([]any); len(items) != 0 {
				t.Errorf("GET %s: got %d items, want none", path, len(items))
			}
		}
	})
}

func TestRequestID(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		for _, c := range []struct {
			name, sent string
			echoed     bool
		}{
			{"client's id kept", "req-42.abc_DEF", true},
			{"none sent", "", false},
			{"too long", strings.Repeat("a", 65), false},
			{"unsafe characters", "<script>", false},
		} {
			t.Run(c.name, func(t *testing.T) {
				var h map[string]string
				if c.sent != "" {
					h = map[string]string{"X-Request-ID": c.sent}
				}
				// send checks the problem's request_id equals the header.
				status, hdr, _ := s.send(t, request{method: "GET", path: "/v1/spaces?limit=0", header: h})
				if status != http.StatusBadRequest {
					t.Fatalf("got status %d, want 400", status)
				}
				got := hdr.Get("X-Request-ID")
				if c.echoed && got != c.sent {
					t.Errorf("got X-Request-ID %q, want %q echoed", got, c.sent)
				}
				if !c.echoed && (got == c.sent || got == "") {
					t.Errorf("got X-Request-ID %q, want a fresh id", got)
				}
			})
		}
		_, h1, _ := s.send(t, request{method: "GET", path: "/healthz"})
		_, h2, _ := s.send(t, request{method: "GET", path: "/healthz"})
		if h1.Get("X-Request-ID") == h2.Get("X-Request-ID") {
			t.Errorf("two requests got the same id %q", h1.Get("X-Request-ID"))
		}
	})
}
