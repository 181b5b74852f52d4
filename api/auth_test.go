package api_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

// owned is one organisation's resources: something of each kind to
// attack.
type owned struct {
	orgID, token                    string
	venueID, spaceID, offerID, need string
}

func (s *server) ownSomething(t testing.TB, name string) owned {
	t.Helper()
	var o owned
	o.orgID, o.token = s.registerAt(t, name, cLat, cLon)
	org := as[api.Organisation](t, s.get(t, "/v1/organisations/"+o.orgID, ""))
	o.offerID, o.need = org.Offers[0].ID, org.Needs[0].ID
	o.venueID = s.venue(t, o.token, name+" hall", cLat, cLon)
	o.spaceID = s.space(t, o.token, o.venueID, spaceBody(name+" studio")).ID
	return o
}

// snapshot reads everything o owns, as anonymous clients and as o.
func (s *server) snapshot(t testing.TB, o owned) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, path := range []string{
		"/v1/organisations/" + o.orgID,
		"/v1/venues/" + o.venueID,
		"/v1/spaces/" + o.spaceID,
		"/v1/venues/" + o.venueID + "/spaces",
		"/v1/venues?organisation_id=" + o.orgID,
		"/v1/spaces?organisation_id=" + o.orgID,
	} {
		out[path] = s.get(t, path, o.token)
	}
	return out
}

// writes lists every write endpoint against o's resources, each with a
// body that would be accepted from the owner.
func writes(o owned) []struct {
	name, method, path string
	body               any
} {
	return []struct {
		name, method, path string
		body               any
	}{
		{"PATCH organisation", "PATCH", "/v1/organisations/" + o.orgID, map[string]any{"name": "Hijacked"}},
		{"DELETE organisation", "DELETE", "/v1/organisations/" + o.orgID, nil},
		{"POST offer", "POST", "/v1/organisations/" + o.orgID + "/offers", map[string]any{"category": "skill.marketing"}},
		{"POST need", "POST", "/v1/organisations/" + o.orgID + "/needs", map[string]any{"category": "skill.marketing"}},
		{"DELETE offer", "DELETE", "/v1/offers/" + o.offerID, nil},
		{"DELETE need", "DELETE", "/v1/needs/" + o.need, nil},
		{"POST venue", "POST", "/v1/venues", with(venueBody("Intruder hall", cLat, cLon), "organisation_id", o.orgID)},
		{"PATCH venue", "PATCH", "/v1/venues/" + o.venueID, map[string]any{"name": "Hijacked hall"}},
		{"DELETE venue", "DELETE", "/v1/venues/" + o.venueID, nil},
		{"POST space", "POST", "/v1/venues/" + o.venueID + "/spaces", spaceBody("Intruder studio")},
		{"PATCH space", "PATCH", "/v1/spaces/" + o.spaceID, map[string]any{"capacity": 1}},
		{"DELETE space", "DELETE", "/v1/spaces/" + o.spaceID, nil},
	}
}

func TestWritesNeedTheOwner(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		a := s.ownSomething(t, "Owner")
		b := s.ownSomething(t, "Rival")
		before := s.snapshot(t, a)
		rivalBefore := s.snapshot(t, b)
		for _, w := range writes(a) {
			for _, c := range []struct {
				who    string
				header map[string]string
				want   int
			}{
				{"no token", nil, http.StatusUnauthorized},
				{"unknown token", map[string]string{"Authorization": "Bearer " + badToken}, http.StatusUnauthorized},
				{"malformed header", map[string]string{"Authorization": "Token " + a.token}, http.StatusUnauthorized},
				{"another organisation", map[string]string{"Authorization": "Bearer " + b.token}, http.StatusForbidden},
			} {
				t.Run(w.name+"/"+c.who, func(t *testing.T) {
					status, h, raw := s.send(t, request{method: w.method, path: w.path, body: w.body, header: c.header})
					if status != c.want {
						t.Fatalf("got status %d, want %d; body %s", status, c.want, raw)
					}
					if status == http.StatusUnauthorized && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
						t.Errorf("got WWW-Authenticate %q, want a Bearer challenge", h.Get("WWW-Authenticate"))
					}
					if after := s.snapshot(t, a); !reflect.DeepEqual(after, before) {
						t.Errorf("the owner's resources changed:\n got %v\nwant %v", after, before)
					}
				})
			}
		}
		// The rival's failed attempts left it nothing either (POST venue
		// with the owner's organisation_id must not make a venue for it).
		if after := s.snapshot(t, b); !reflect.DeepEqual(after, rivalBefore) {
			t.Errorf("the rival's resources changed:\n got %v\nwant %v", after, rivalBefore)
		}
		// Writing to something that does not exist: 401 before 404.
		status, _, m := s.do(t, "DELETE", "/v1/spaces/nope", "", nil)
		wantStatus(t, "anonymous DELETE of a missing space", status, http.StatusUnauthorized, m)
		status, _, m = s.do(t, "DELETE", "/v1/spaces/nope", b.token, nil)
		wantStatus(t, "DELETE of a missing space", status, http.StatusNotFound, m)
	})
}

func TestOperatorMayChangeAnything(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		a := s.ownSomething(t, "Owner")
		ws := map[string]struct {
			method, path string
			body         any
		}{}
		for _, w := range writes(a) {
			ws[w.name] = struct {
				method, path string
				body         any
			}{w.method, w.path, w.body}
		}
		var newVenue, newSpace string
		for _, step := range []struct {
			name  string
			want  int
			check func(m map[string]any)
		}{
			{"PATCH organisation", http.StatusOK, func(m map[string]any) {
				if m["name"] != "Hijacked" {
					t.Errorf("PATCH organisation: got name %v, want Hijacked", m["name"])
				}
			}},
			{"POST offer", http.StatusCreated, nil},
			{"POST need", http.StatusCreated, nil},
			{"DELETE offer", http.StatusNoContent, nil},
			{"DELETE need", http.StatusNoContent, nil},
			{"POST venue", http.StatusCreated, func(m map[string]any) {
				newVenue, _ = m["id"].(string)
				if m["organisation_id"] != a.orgID {
					t.Errorf("POST venue as operator: got organisation_id %v, want %s", m["organisation_id"], a.orgID)
				}
			}},
			{"PATCH venue", http.StatusOK, nil},
			{"POST space", http.StatusCreated, func(m map[string]any) {
				newSpace, _ = m["id"].(string)
				if m["organisation_id"] != a.orgID {
					t.Errorf("POST space as operator: got organisation_id %v, want %s", m["organisation_id"], a.orgID)
				}
			}},
			{"PATCH space", http.StatusOK, func(m map[string]any) {
				if m["capacity"] != float64(1) {
					t.Errorf("PATCH space: got capacity %v, want 1", m["capacity"])
				}
			}},
			{"DELETE space", http.StatusNoContent, nil},
			{"DELETE venue", http.StatusNoContent, nil},
			{"DELETE organisation", http.StatusNoContent, nil},
		} {
			w := ws[step.name]
			status, _, m := s.do(t, w.method, w.path, adminToken, w.body)
			if status != step.want {
				t.Errorf("%s as operator: got status %d, want %d; body %v", step.name, status, step.want, m)
				continue
			}
			if step.check != nil {
				step.check(m)
			}
		}
		if newVenue == "" || newSpace == "" {
			t.Fatalf("the operator made no venue or space")
		}
		// Deleting the organisation took what the operator made for it.
		for _, path := range []string{"/v1/venues/" + newVenue, "/v1/spaces/" + newSpace, "/v1/organisations/" + a.orgID} {
			status, _, m := s.do(t, "GET", path, "", nil)
			wantStatus(t, "GET "+path, status, http.StatusNotFound, m)
		}

		t.Run("operator venue needs an owner", func(t *testing.T) {
			for _, c := range []struct {
				name string
				body map[string]any
			}{
				{"no organisation_id", venueBody("Nobody's", cLat, cLon)},
				{"unknown organisation_id", with(venueBody("Ghost's", cLat, cLon), "organisation_id", "no-such-org")},
			} {
				status, _, m := s.do(t, "POST", "/v1/venues", adminToken, c.body)
				wantStatus(t, c.name, status, http.StatusBadRequest, m)
				if _, ok := fieldMessage(problem(t, m), "organisation_id"); !ok {
					t.Errorf("%s: got fields %v, want organisation_id", c.name, fieldNames(problem(t, m)))
				}
			}
		})
	})
}

func TestBadTokenOnReads(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		for _, c := range []struct {
			name   string
			header string
			want   int
		}{
			{"none", "", http.StatusOK},
			{"unknown token", "Bearer " + badToken, http.StatusUnauthorized},
			{"operator", "Bearer " + adminToken, http.StatusOK},
			{"lower-case scheme", "bearer " + adminToken, http.StatusOK},
			{"operator token prefix", "Bearer " + adminToken[:16], http.StatusUnauthorized},
			{"no scheme", badToken, http.StatusUnauthorized},
			{"basic", "Basic dXNlcjpwYXNz", http.StatusUnauthorized},
			{"empty bearer", "Bearer ", http.StatusUnauthorized},
			{"very long", "Bearer " + strings.Repeat("x", 300), http.StatusUnauthorized},
		} {
			t.Run(c.name, func(t *testing.T) {
				var h map[string]string
				if c.header != "" {
					h = map[string]string{"Authorization": c.header}
				}
				status, _, raw := s.send(t, request{method: "GET", path: "/v1/organisations", header: h})
				if status != c.want {
					t.Errorf("got status %d, want %d; body %s", status, c.want, raw)
				}
			})
		}
	})
}
