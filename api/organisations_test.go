package api_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"commonground/api"
	"commonground/matching"
	"commonground/store"
)

func TestRegisterOrganisation(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		status, h, m := s.do(t, "POST", "/v1/organisations", "", orgBody("Mill Road Dance", cLat, cLon))
		wantStatus(t, "register", status, http.StatusCreated, m)
		if len(m) != 2 {
			t.Errorf("got envelope keys %v, want organisation and token", keys(m))
		}
		org := as[api.Organisation](t, m["organisation"].(map[string]any))
		token, _ := m["token"].(string)
		if token == "" {
			t.Fatalf("got no token in %v", m)
		}
		if got, want := h.Get("Location"), "/v1/organisations/"+org.ID; got != want {
			t.Errorf("Location: got %q, want %q", got, want)
		}
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"name", org.Name, "Mill Road Dance"},
			{"type", org.Type, "arts"},
			{"location", org.Location, api.Location{Lat: cLat, Lon: cLon}},
			{"email (shown to its owner)", deref(org.Email), "hello@example.org"},
			{"phone (shown to its owner)", deref(org.Phone), "01223 000000"},
			{"values", org.Values, []string{"inclusion"}},
			{"practices", org.Practices, []string{}},
			{"exclusions", org.Exclusions, []string{"animal-testing"}},
			{"offers", len(org.Offers), 1},
			{"needs", len(org.Needs), 1},
			{"offer category", org.Offers[0].Category, "skill.dance-teaching"},
			{"need category", org.Needs[0].Category, "space.dance-studio"},
			{"offer organisation_id", org.Offers[0].OrganisationID, org.ID},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
			}
		}

		// The token works: a read with it shows contact details, and a write
		// with it succeeds.
		if got := as[api.Organisation](t, s.get(t, "/v1/organisations/"+org.ID, token)); !reflect.DeepEqual(got, org) {
			t.Errorf("GET with the token:\n got %+v\nwant %+v", got, org)
		}
		status, _, m = s.do(t, "PATCH", "/v1/organisations/"+org.ID, token, map[string]any{"name": "Mill Road Dance CIC"})
		wantStatus(t, "PATCH with the new token", status, http.StatusOK, m)

		// The token is kept only as its hash.
		id, err := db.OrganisationIDByTokenHash(t.Context(), api.HashToken(token))
		if err != nil || id != org.ID {
			t.Errorf("OrganisationIDByTokenHash(HashToken(token)): got %q, %v, want %q", id, err, org.ID)
		}
		if id, err := db.OrganisationIDByTokenHash(t.Context(), token); err == nil {
			t.Errorf("OrganisationIDByTokenHash(token in clear): got %q, want not found", id)
		}
		var rows []map[string]any
		if err := db.Gorm().Raw("SELECT * FROM organisations").Scan(&rows).Error; err != nil {
			t.Fatalf("read organisations: %v", err)
		}
		for _, row := range rows {
			for col, v := range row {
				if s, ok := v.(string); ok && strings.Contains(s, token) {
					t.Errorf("column %s holds the token in clear", col)
				}
			}
		}
		// The API never hands it out again.
		for _, path := range []string{"/v1/organisations/" + org.ID, "/v1/organisations"} {
			for _, tok := range []string{"", token} {
				_, _, raw := s.send(t, request{method: "GET", path: path, token: tok})
				if strings.Contains(string(raw), token) || strings.Contains(string(raw), api.HashToken(token)) {
					t.Errorf("GET %s (token %t): the body holds the token or its hash", path, tok != "")
				}
			}
		}

		// Each registration gets its own token.
		_, other := s.registerAt(t, "Other", cLat, cLon)
		if other == token {
			t.Errorf("two registrations got the same token")
		}
	})
}

// TestGetOrganisationContactDetails checks who sees an organisation's
// email and phone: itself, the operator, and organisations that share a
// booking (either side) or a partnership (any state) with it; not
// anonymous callers nor unrelated organisations.
func TestGetOrganisationContactDetails(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, false)
		id, ownToken := b.ownerID, b.ownerToken
		_, otherToken := s.registerAt(t, "Someone else", cLat, cLon)
		partnerID, partnerToken := s.registerAt(t, "Future Partner", cLat, cLon)
		_, unrelatedToken := s.registerAt(t, "Unrelated", cLat, cLon)

		status, _, raw := s.book(t, b.bookerToken, b.space.ID, one("2027-03-01T10:00:00Z", "2027-03-01T11:00:00Z"), nil)
		wantStatus(t, "request a booking", status, http.StatusCreated, string(raw))
		s.propose(t, partnerToken, partnershipBody(id))
		for _, c := range []struct {
			name      string
			token     string
			wantShown bool
		}{
			{"anonymous", "", false},
			{"itself", ownToken, true},
			{"an organisation that asked to book its room", b.bookerToken, true},
			{"an organisation that proposed a partnership", partnerToken, true},
			{"an unrelated organisation", unrelatedToken, false},
			{"another unrelated organisation", otherToken, false},
			{"operator", adminToken, true},
		} {
			t.Run(c.name, func(t *testing.T) {
				for _, path := range []string{"/v1/organisations/" + id, "/v1/organisations?limit=100"} {
					m := s.get(t, path, c.token)
					org := m
					if items, ok := m["items"].([]any); ok {
						org = findByID(t, items, id)
					}
					_, hasEmail := org["email"]
					_, hasPhone := org["phone"]
					if hasEmail != c.wantShown || hasPhone != c.wantShown {
						t.Errorf("GET %s: got email shown %t, phone shown %t, want %t", path, hasEmail, hasPhone, c.wantShown)
					}
					if c.wantShown && (org["email"] != "hello@example.org" || org["phone"] != "01223 000000") {
						t.Errorf("GET %s: got email %v phone %v", path, org["email"], org["phone"])
					}
				}
			})
		}
		// Relations go both ways: the owner sees the booker's details.
		m := s.get(t, "/v1/organisations/"+b.bookerID, ownToken)
		if m["email"] != "hello@example.org" {
			t.Errorf("owner reading the booker: got email %v, want shown", m["email"])
		}
		m = s.get(t, "/v1/organisations/"+partnerID, unrelatedToken)
		if _, shown := m["email"]; shown {
			t.Errorf("unrelated organisation reading the partner: email shown")
		}
		t.Run("unknown id", func(t *testing.T) {
			status, _, m := s.do(t, "GET", "/v1/organisations/00000000-0000-0000-0000-000000000000", "", nil)
			wantStatus(t, "GET unknown", status, http.StatusNotFound, m)
		})
	})
}

func TestPatchOrganisation(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		id, token := s.registerAt(t, "Before", cLat, cLon)
		path := "/v1/organisations/" + id
		before := as[api.Organisation](t, s.get(t, path, token))

		status, _, m := s.do(t, "PATCH", path, token, map[string]any{
			"description": "Now with tap",
			"values":      []string{"inclusion", "environmental-sustainability"},
			"location":    map[string]any{"lat": 52.3, "lon": 0.2},
		})
		wantStatus(t, "PATCH", status, http.StatusOK, m)
		patched := as[api.Organisation](t, m)

		want := before
		want.Description = "Now with tap"
		want.Values = []string{"inclusion", "environmental-sustainability"}
		want.Location = api.Location{Lat: 52.3, Lon: 0.2}
		want.UpdatedAt = patched.UpdatedAt
		if !reflect.DeepEqual(patched, want) {
			t.Errorf("PATCH answer:\n got %+v\nwant %+v", patched, want)
		}
		if patched.UpdatedAt <= before.UpdatedAt {
			t.Errorf("updated_at: got %s, want after %s", patched.UpdatedAt, before.UpdatedAt)
		}
		if patched.CreatedAt != before.CreatedAt {
			t.Errorf("created_at: got %s, want %s unchanged", patched.CreatedAt, before.CreatedAt)
		}
		if got := as[api.Organisation](t, s.get(t, path, token)); !reflect.DeepEqual(got, patched) {
			t.Errorf("GET after PATCH:\n got %+v\nwant %+v", got, patched)
		}

		// Clearing a field with an empty value is a change too.
		status, _, m = s.do(t, "PATCH", path, token, map[string]any{"phone": "", "values": []string{}})
		wantStatus(t, "PATCH clear", status, http.StatusOK, m)
		cleared := as[api.Organisation](t, m)
		if deref(cleared.Phone) != "" || len(cleared.Values) != 0 || cleared.Description != "Now with tap" {
			t.Errorf("PATCH clear: got phone %q values %v description %q", deref(cleared.Phone), cleared.Values, cleared.Description)
		}

		// A bad PATCH changes nothing, not even the fields that were fine.
		status, _, m = s.do(t, "PATCH", path, token, map[string]any{"name": "Renamed", "type": "pirates"})
		wantStatus(t, "bad PATCH", status, http.StatusBadRequest, m)
		if _, ok := fieldMessage(problem(t, m), "type"); !ok {
			t.Errorf("bad PATCH: got fields %v, want type", fieldNames(problem(t, m)))
		}
		if got := as[api.Organisation](t, s.get(t, path, token)); !reflect.DeepEqual(got, cleared) {
			t.Errorf("after a bad PATCH:\n got %+v\nwant %+v", got, cleared)
		}
	})
}

func TestDeleteOrganisation(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		id, token := s.registerAt(t, "Short lived", cLat, cLon)
		venueID := s.venue(t, token, "Its hall", cLat, cLon)
		sp := s.space(t, token, venueID, spaceBody("Its studio"))

		status, _, m := s.do(t, "DELETE", "/v1/organisations/"+id, token, nil)
		wantStatus(t, "DELETE", status, http.StatusNoContent, m)
		if m != nil {
			t.Errorf("DELETE: got body %v, want none", m)
		}
		for _, path := range []string{"/v1/organisations/" + id, "/v1/venues/" + venueID, "/v1/spaces/" + sp.ID} {
			status, _, m := s.do(t, "GET", path, "", nil)
			wantStatus(t, "GET "+path+" after DELETE", status, http.StatusNotFound, m)
		}
		// Its token died with it.
		status, _, m = s.do(t, "GET", "/v1/taxonomy", token, nil)
		wantStatus(t, "read with a deleted organisation's token", status, http.StatusUnauthorized, m)
		// Deleting twice: the token is gone, so the operator tries.
		status, _, m = s.do(t, "DELETE", "/v1/organisations/"+id, adminToken, nil)
		wantStatus(t, "DELETE again", status, http.StatusNotFound, m)
	})
}

func TestOffersAndNeeds(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		id, token := s.registerAt(t, "Giver", cLat, cLon)
		for _, kind := range []string{"offers", "needs"} {
			t.Run(kind, func(t *testing.T) {
				orgPath := "/v1/organisations/" + id
				before := len(s.get(t, orgPath, "")[kind].([]any))
				status, _, m := s.do(t, "POST", orgPath+"/"+kind, token, map[string]any{
					"category": "skill.bid-writing", "description": "two days a month", "hours_per_month": 16,
				})
				wantStatus(t, "POST "+kind, status, http.StatusCreated, m)
				item := as[api.Item](t, m)
				if item.ID == "" || item.OrganisationID != id || item.Category != "skill.bid-writing" ||
					item.Description != "two days a month" || item.HoursPerMonth != 16 || item.CreatedAt == "" {
					t.Errorf("POST %s: got %+v", kind, item)
				}
				items := s.get(t, orgPath, "")[kind].([]any)
				if len(items) != before+1 {
					t.Fatalf("after POST: got %d %s, want %d", len(items), kind, before+1)
				}
				if got := as[api.Item](t, findByID(t, items, item.ID)); got != item {
					t.Errorf("GET organisation: got %+v, want %+v", got, item)
				}

				status, _, m = s.do(t, "POST", orgPath+"/"+kind, token, map[string]any{"category": "skill.juggling"})
				wantStatus(t, "POST unknown category", status, http.StatusBadRequest, m)
				if msg, _ := fieldMessage(problem(t, m), "category"); !strings.Contains(msg, "skill.juggling") {
					t.Errorf("POST unknown category: got message %q, want it to name skill.juggling", msg)
				}

				status, _, m = s.do(t, "DELETE", "/v1/"+kind+"/"+item.ID, token, nil)
				wantStatus(t, "DELETE", status, http.StatusNoContent, m)
				if n := len(s.get(t, orgPath, "")[kind].([]any)); n != before {
					t.Errorf("after DELETE: got %d %s, want %d", n, kind, before)
				}
				status, _, m = s.do(t, "DELETE", "/v1/"+kind+"/"+item.ID, token, nil)
				wantStatus(t, "DELETE again", status, http.StatusNotFound, m)
			})
		}
		t.Run("offer id is not a need id", func(t *testing.T) {
			offerID := s.get(t, "/v1/organisations/"+id, "")["offers"].([]any)[0].(map[string]any)["id"].(string)
			status, _, m := s.do(t, "DELETE", "/v1/needs/"+offerID, token, nil)
			wantStatus(t, "DELETE /v1/needs/<offer id>", status, http.StatusNotFound, m)
		})
	})
}

func findByID(t testing.TB, items []any, id string) map[string]any {
	t.Helper()
	for _, it := range items {
		if m := it.(map[string]any); m["id"] == id {
			return m
		}
	}
	t.Fatalf("no item with id %s in %d items", id, len(items))
	return nil
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestOffersAndNeedsLimit(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		many := func(n int) []any {
			out := make([]any, n)
			for i := range out {
				out[i] = map[string]any{"category": "skill.marketing", "hours_per_month": 1}
			}
			return out
		}
		body := with(orgBody("Busy", cLat, cLon), "offers", many(matching.MaxOffersOrNeeds-1))
		id, token := s.register(t, body) // with the one need: exactly at the limit
		for _, kind := range []string{"offers", "needs"} {
			status, _, m := s.do(t, "POST", "/v1/organisations/"+id+"/"+kind, token, map[string]any{"category": "skill.marketing"})
			wantStatus(t, "POST one "+kind+" too many", status, http.StatusBadRequest, m)
		}
		status, _, m := s.do(t, "DELETE", "/v1/needs/"+s.get(t, "/v1/organisations/"+id, "")["needs"].([]any)[0].(map[string]any)["id"].(string), token, nil)
		wantStatus(t, "DELETE a need", status, http.StatusNoContent, m)
		status, _, m = s.do(t, "POST", "/v1/organisations/"+id+"/offers", token, map[string]any{"category": "skill.marketing"})
		wantStatus(t, "POST an offer back at the limit", status, http.StatusCreated, m)

		over := with(orgBody("Too busy", cLat, cLon), "offers", many(matching.MaxOffersOrNeeds))
		status, _, m = s.do(t, "POST", "/v1/organisations", "", over)
		wantStatus(t, "register over the limit", status, http.StatusBadRequest, m)
		if _, ok := fieldMessage(problem(t, m), "offers"); !ok {
			t.Errorf("got fields %v, want offers", fieldNames(problem(t, m)))
		}
	})
}
