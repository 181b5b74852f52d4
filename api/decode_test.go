package api_test

import (
	"errors"
	"net/http"
	"reflect"
	"testing"

	"commonground/api"
	"commonground/matching"
	"commonground/store"
)

// TestDecodeStrictNUL checks the decoder refuses a NUL in any string,
// naming the field it is in, and takes text that only looks like one.
func TestDecodeStrictNUL(t *testing.T) {
	for _, c := range []struct {
		body, wantField string // wantField "-": accepted
	}{
		{`{"name": "a\u0000b"}`, "name"},
		{`{"a": {"b": [1, "x", {"c": "\u0000"}]}}`, "a.b[2].c"},
		{`{"a": [[], ["ok", "\u0000"]], "b": "\u0000"}`, "a[1][1]"},
		{`{"a": {"b": 1}, "c": "\u0000"}`, "c"},
		{`{"a\u0000": 1}`, ""},
		{`["\u0000"]`, "[0]"},
		{`"\u0000"`, ""},
		{`{"name": "a\\u0000b"}`, "-"},
		{`{"name": "\u00001"}`, "name"},
		{`{"name": "\u0001"}`, "-"},
	} {
		t.Run(c.body, func(t *testing.T) {
			var dst any
			err := api.DecodeStrict([]byte(c.body), &dst)
			if c.wantField == "-" {
				if err != nil {
					t.Fatalf("got %v, want it accepted", err)
				}
				return
			}
			var ve *matching.ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) != 1 {
				t.Fatalf("got %v, want one invalid field", err)
			}
			if got := ve.Errors[0]; got.Field != c.wantField || got.Message != "must not contain NUL characters" {
				t.Errorf("got %q: %q, want %q: must not contain NUL characters", got.Field, got.Message, c.wantField)
			}
		})
	}
}

// TestNULRefused checks that text with a NUL is a 400 naming the field on
// every database alike, in bodies and in query parameters, and stores
// nothing.
func TestNULRefused(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, token := s.registerAt(t, "Owner", cLat, cLon)
		venueID := s.venue(t, token, "Hall", cLat, cLon)
		spaceID := s.space(t, token, venueID, spaceBody("Studio")).ID
		org := orgBody("Nul Arts", cLat, cLon)
		partnerID, _ := s.registerAt(t, "Partner", cLat, cLon)
		own := owned{orgID: orgID, token: token, venueID: venueID, spaceID: spaceID}
		was := s.snapshot(t, own)
		for _, c := range []struct {
			name, method, path string
			body               any
			field              string
		}{
			{"organisation description", "POST", "/v1/organisations", with(org, "description", "a\x00b"), "description"},
			{"organisation phone", "POST", "/v1/organisations", with(org, "phone", "01223\x00"), "phone"},
			{"organisation email", "POST", "/v1/organisations", with(org, "email", "a\x00@example.org"), "email"},
			{"offer description", "POST", "/v1/organisations", with(org, "offers", []any{
				map[string]any{"category": "skill.dance-teaching", "description": "weekly\x00", "hours_per_month": 8}}), "offers[0].description"},
			{"patch website", "PATCH", "/v1/organisations/" + orgID, map[string]any{"website": "https://example.org/\x00"}, "website"},
			{"item description", "POST", "/v1/organisations/" + orgID + "/offers", map[string]any{"category": "skill.marketing", "description": "\x00"}, "description"},
			{"venue address", "POST", "/v1/venues", with(venueBody("Hall", cLat, cLon), "address", "1 Mill\x00 Road"), "address"},
			{"venue postcode", "PATCH", "/v1/venues/" + venueID, map[string]any{"postcode": "CB1\x00"}, "postcode"},
			{"closure reason", "PATCH", "/v1/spaces/" + spaceID, map[string]any{"closures": []any{
				map[string]any{"start": "2027-08-30T00:00:00+01:00", "end": "2027-08-31T00:00:00+01:00", "reason": "bank\x00holiday"}}}, "closures[0].reason"},
			{"booking purpose", "POST", "/v1/spaces/" + spaceID + "/bookings", with(mondays("2027-03-15", 1, "18:00", "20:00"), "purpose", "class\x00"), "purpose"},
			{"partnership role", "POST", "/v1/partnerships", partnershipBody(partnerID, "roles", map[string]any{partnerID: "hosts\x00"}), "roles." + partnerID},
			{"partnership outcome", "POST", "/v1/partnerships", partnershipBody(partnerID, "outcomes", []string{"fine", "\x00"}), "outcomes[1]"},
			{"list filter", "GET", "/v1/organisations?type=arts%00", nil, "type"},
			{"list id filter", "GET", "/v1/spaces?venue_id=" + venueID + "%00", nil, "venue_id"},
			{"nearby", "GET", "/v1/nearby?lat=52.2%00&lon=0.12", nil, "lat"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, db)
				status, _, m := s.do(t, c.method, c.path, token, c.body)
				wantStatus(t, c.name, status, http.StatusBadRequest, m)
				p := problem(t, m)
				if msg, ok := fieldMessage(p, c.field); !ok || msg != "must not contain NUL characters" {
					t.Errorf("got errors %+v, want %s: must not contain NUL characters", p.Errors, c.field)
				}
				if after := counts(t, db); after != before {
					t.Errorf("a refused request changed the store: %+v → %+v", before, after)
				}
				if now := s.snapshot(t, own); !reflect.DeepEqual(now, was) {
					t.Errorf("a refused request changed the owner's resources:\n got %v\nwant %v", now, was)
				}
			})
		}
	})
}
