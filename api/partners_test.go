package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

// partnerBody is a registration of type typ at km north and east of
// Cambridge's market square, offering and needing the given categories.
func partnerBody(name, typ string, northKm, eastKm float64, offers, needs []string, kv ...any) map[string]any {
	lat, lon := offset(cLat, cLon, northKm, eastKm)
	items := func(cats []string) []any {
		out := []any{}
		for _, c := range cats {
			out = append(out, map[string]any{"category": c, "description": "", "hours_per_month": 8})
		}
		return out
	}
	return with(orgBody(name, lat, lon), append([]any{"type", typ, "service_radius_km", 10, "values", []string{},
		"exclusions", []string{}, "offers", items(offers), "needs", items(needs)}, kv...)...)
}

// partnerCounty registers the organisations the partner tests look from:
// a youth service with a hall that needs dance teaching, and around it a
// reciprocal partner, a one-way partner, a lab that tests on animals, a
// perfect partner too far away and a bookkeeper with nothing to trade.
type partnerCounty struct {
	youth, youthToken, hall, dance, teacher, lab, far, books string
}

func newPartnerCounty(t *testing.T, s *server) *partnerCounty {
	t.Helper()
	pc := &partnerCounty{}
	pc.youth, pc.youthToken = s.register(t, partnerBody("Arbury Youth Service", "youth_service", 0, 0,
		[]string{"skill.youth-work"}, []string{"skill.dance-teaching"}, "values", []string{"youth-voice", "animal-welfare"}))
	venue := s.venue(t, pc.youthToken, "Arbury Community Centre", cLat, cLon)
	pc.hall = s.space(t, pc.youthToken, venue, with(spaceBody("Main Hall"), "kind", "hall")).ID
	pc.dance, _ = s.register(t, partnerBody("Fen Edge Dance", "arts", 2, 0,
		[]string{"skill.dance-teaching"}, []string{"space.dance-studio"}, "values", []string{"youth-voice"},
		"exclusions", []string{"animal-testing"}))
	pc.teacher, _ = s.register(t, partnerBody("Chesterton Dance Teacher", "arts", 0, 1,
		[]string{"skill.dance-teaching"}, []string{"skill.marketing"}, "exclusions", []string{"animal-testing"}))
	pc.lab, _ = s.register(t, partnerBody("Granta Labs Dance Club", "business", -1, 0,
		[]string{"skill.dance-teaching", "skill.youth-work", "skill.safeguarding"}, []string{"skill.youth-work"},
		"practices", []string{"animal-testing"}))
	pc.far, _ = s.register(t, partnerBody("St Ives Dance", "arts", 15, 0,
		[]string{"skill.dance-teaching"}, []string{"space.dance-studio"}, "exclusions", []string{"animal-testing"}))
	pc.books, _ = s.register(t, partnerBody("Cambridge Bookkeepers", "business", 3, 0,
		[]string{"skill.finance"}, []string{"skill.marketing"}))
	return pc
}

func partnerIDs(res api.PartnerResult) []string {
	var ids []string
	for _, m := range res.Matches {
		ids = append(ids, m.OrganisationID)
	}
	return ids
}

func TestPartners(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pc := newPartnerCounty(t, s)
		path := "/v1/organisations/" + pc.youth + "/partners?radius_km=10"

		t.Run("shape and order", func(t *testing.T) {
			m := s.get(t, path, "")
			for _, k := range []string{"matches", "excluded"} {
				if _, ok := m[k]; !ok {
					t.Errorf("body has no %q: %v", k, m)
				}
			}
			matches, _ := m["matches"].([]any)
			if len(matches) == 0 {
				t.Fatalf("no matches: %v", m)
			}
			first := matches[0].(map[string]any)
			for _, k := range []string{"organisation_id", "name", "type", "distance_km", "score", "tier", "they_meet", "you_meet", "shared_values", "reasons"} {
				if _, ok := first[k]; !ok {
					t.Errorf("match has no %q: %v", k, first)
				}
			}
			res := as[api.PartnerResult](t, m)
			if got, want := partnerIDs(res), []string{pc.dance, pc.teacher}; !slices.Equal(got, want) {
				t.Fatalf("got partners %v, want the reciprocal dance company then the one-way teacher %v", got, want)
			}
			for k, want := range map[string]int{"values_conflict": 1, "too_far": 1, "no_complement": 1} {
				if got, ok := res.Excluded[k]; !ok || got != want {
					t.Errorf("excluded[%s] = %d (present %v), want %d; all %v", k, got, ok, want, res.Excluded)
				}
			}
			d := res.Matches[0]
			if d.Name != "Fen Edge Dance" || d.Type != "arts" || d.DistanceKm < 1.99 || d.DistanceKm > 2.01 || !d.Reciprocal ||
				d.Tier != "reciprocal" {
				t.Errorf("first match %+v, want Fen Edge Dance, arts, 2 km, reciprocal", d)
			}
			if want := []api.Pair{{Need: "skill.dance-teaching", Offer: "skill.dance-teaching"}}; !slices.Equal(d.TheyMeet, want) {
				t.Errorf("they_meet %v, want %v", d.TheyMeet, want)
			}
			// The hall is a five-star room: it offers a dance studio, and is named.
			if want := []api.Pair{{Need: "space.dance-studio", Offer: "space.dance-studio", ViaSpaceID: pc.hall,
				ViaSpaceName: "Main Hall"}}; !slices.Equal(d.YouMeet, want) {
				t.Errorf("you_meet %v, want %v", d.YouMeet, want)
			}
			if !slices.Equal(d.SharedValues, []string{"youth-voice"}) {
				t.Errorf("shared_values %v, want [youth-voice]", d.SharedValues)
			}
			if len(d.Reasons) != 8 || d.Reasons[0].Factor != "tier" || d.Reasons[7].Factor != "trust" {
				t.Errorf("got %d reasons, want the tier, then one per factor, trust last: %v", len(d.Reasons), d.Reasons)
			}
			total := 0.0
			for _, r := range d.Reasons {
				total += r.Contribution
			}
			if d.Score <= 0 || d.Score > 1 || total < d.Score-1e-4 || total > d.Score+1e-4 {
				t.Errorf("score %v, contributions add up to %v", d.Score, total)
			}
			teacher := res.Matches[1]
			if len(teacher.TheyMeet) != 1 || teacher.YouMeet == nil || len(teacher.YouMeet) != 0 || teacher.Reciprocal ||
				teacher.Tier != "one_way" {
				t.Errorf("one-way match %+v, want they_meet only and you_meet [], one_way", teacher)
			}
			// Every entry says which tier it is in, and that two-way ranks first.
			for _, m := range res.Matches {
				other := map[string]string{"reciprocal": "every one-way match", "one_way": "every two-way match"}[m.Tier]
				if r := m.Reasons[0]; r.Factor != "tier" || other == "" || !strings.Contains(r.Detail, other) {
					t.Errorf("%s: first reason %+v, want the tier and how it ranks", m.Name, r)
				}
			}
		})

		t.Run("limit", func(t *testing.T) {
			res := as[api.PartnerResult](t, s.get(t, path+"&limit=1", ""))
			if got := partnerIDs(res); !slices.Equal(got, []string{pc.dance}) || res.TotalMatches != 2 {
				t.Errorf("limit=1: got %v of %d, want [%s] of 2", got, res.TotalMatches, pc.dance)
			}
		})

		t.Run("a wider radius reaches the far partner", func(t *testing.T) {
			res := as[api.PartnerResult](t, s.get(t, "/v1/organisations/"+pc.youth+"/partners?radius_km=20", ""))
			if !slices.Contains(partnerIDs(res), pc.far) || res.Excluded["too_far"] != 0 {
				t.Errorf("within 20 km: got %v, excluded %v; want %s matched", partnerIDs(res), res.Excluded, pc.far)
			}
		})

		t.Run("the lab sees no partner that objects to it", func(t *testing.T) {
			res := as[api.PartnerResult](t, s.get(t, "/v1/organisations/"+pc.lab+"/partners?radius_km=10", ""))
			for _, id := range partnerIDs(res) {
				if id == pc.youth || id == pc.dance || id == pc.teacher {
					t.Errorf("the lab is matched with %s, which objects to animal testing", id)
				}
			}
		})

		t.Run("a new organisation is a partner at once", func(t *testing.T) {
			fresh, token := s.register(t, partnerBody("Newcomer Dance", "arts", 0, -1,
				[]string{"skill.dance-teaching"}, []string{"space.hall"}))
			res := as[api.PartnerResult](t, s.get(t, path, ""))
			if !slices.Contains(partnerIDs(res), fresh) {
				t.Fatalf("the organisation registered just before is not a partner: %v", partnerIDs(res))
			}
			// Taking up animal testing moves it to values_conflict.
			status, _, m := s.do(t, "PATCH", "/v1/organisations/"+fresh, token, map[string]any{"practices": []string{"animal-testing"}})
			wantStatus(t, "patch", status, http.StatusOK, m)
			res = as[api.PartnerResult](t, s.get(t, path, ""))
			if slices.Contains(partnerIDs(res), fresh) || res.Excluded["values_conflict"] != 2 {
				t.Errorf("after the patch: partners %v, excluded %v; want it excluded as a values conflict", partnerIDs(res), res.Excluded)
			}
			status, _, _ = s.do(t, "DELETE", "/v1/organisations/"+fresh, token, nil)
			wantStatus(t, "delete", status, http.StatusNoContent, nil)
			res = as[api.PartnerResult](t, s.get(t, path, ""))
			if res.Excluded["values_conflict"] != 1 {
				t.Errorf("after the delete: excluded %v, want values_conflict 1", res.Excluded)
			}
		})

		t.Run("unknown organisation", func(t *testing.T) {
			status, h, raw := s.send(t, request{method: "GET", path: "/v1/organisations/0190f5e4-0000-7000-8000-00000000dead/partners"})
			if status != http.StatusNotFound {
				t.Fatalf("got %d %s, want 404", status, raw)
			}
			if p := checkProblem(t, "unknown organisation", status, h, raw); p.Status != http.StatusNotFound {
				t.Errorf("problem %+v", p)
			}
		})
	})
}

func TestPartnersBadQuery(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		id, _ := s.registerAt(t, "Fen Edge Dance", cLat, cLon)
		tests := []struct{ query, field string }{
			{"radius_km=0", "radius_km"},
			{"radius_km=-1", "radius_km"},
			{"radius_km=abc", "radius_km"},
			{"radius_km=201", "radius_km"},
			{"radius_km=NaN", "radius_km"},
			{"radius_km=1&radius_km=2", "radius_km"},
			{"limit=0", "limit"},
			{"limit=101", "limit"},
			{"limit=ten", "limit"},
			{"radius=5", "radius"},
			{"limit=5&near=52.2,0.1", "near"},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				status, h, raw := s.send(t, request{method: "GET", path: "/v1/organisations/" + id + "/partners?" + tt.query})
				if status != http.StatusBadRequest {
					t.Fatalf("got %d %s, want 400", status, raw)
				}
				p := checkProblem(t, tt.query, status, h, raw)
				if names := fieldNames(p); !slices.Contains(names, tt.field) {
					t.Errorf("got fields %v, want %s", names, tt.field)
				}
			})
		}
	})
}

// consortiumBody asks for a bid near Cambridge's market square.
func consortiumBody(kv ...any) map[string]any {
	return with(map[string]any{
		"requirements": []string{"skill.dance-teaching", "skill.youth-work", "space.hall", "skill.safeguarding"},
		"near":         map[string]any{"lat": cLat, "lon": cLon}, "radius_km": 10, "max_members": 3, "limit": 5,
	}, kv...)
}

func postConsortium(t *testing.T, s *server, body map[string]any) api.ConsortiumResult {
	t.Helper()
	status, _, m := s.do(t, "POST", "/v1/match/consortium", "", body)
	wantStatus(t, "POST /v1/match/consortium", status, http.StatusOK, m)
	for _, k := range []string{"consortia", "missing"} {
		if _, ok := m[k]; !ok {
			t.Errorf("body has no %q: %v", k, m)
		}
	}
	for _, c := range m["consortia"].([]any) {
		team := c.(map[string]any)
		for _, k := range []string{"members", "covers", "missing", "score", "reasons"} {
			if _, ok := team[k]; !ok {
				t.Errorf("team has no %q: %v", k, team)
			}
		}
	}
	return as[api.ConsortiumResult](t, m)
}

func memberIDs(k api.Consortium) []string {
	var ids []string
	for _, m := range k.Members {
		ids = append(ids, m.OrganisationID)
	}
	return ids
}

func TestConsortium(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pc := newPartnerCounty(t, s)
		// Everyone but the lab and the bookkeeper excludes animal testing
		// or holds animal welfare dear.
		objectors := []string{pc.youth, pc.dance, pc.teacher, pc.far}

		t.Run("without a lead", func(t *testing.T) {
			res := postConsortium(t, s, consortiumBody())
			if len(res.Consortia) == 0 {
				t.Fatalf("no team: %+v", res)
			}
			if len(res.Missing) != 0 {
				t.Errorf("missing %v, want none", res.Missing)
			}
			// Only the youth service has a hall, and it will not work with
			// the lab, the only safeguarding provider: no team is complete,
			// and the lab alone covers three requirements.
			best := res.Consortia[0]
			if got := memberIDs(best); !slices.Equal(got, []string{pc.lab}) || !slices.Equal(best.Missing, []string{"space.hall"}) || best.Complete {
				t.Errorf("best team %v missing %v, want the lab alone, missing space.hall", got, best.Missing)
			}
			for i, k := range res.Consortia {
				ids := memberIDs(k)
				if slices.Contains(ids, pc.lab) && slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(objectors, id) }) {
					t.Errorf("team %d %v puts the lab with an organisation that objects to it", i+1, ids)
				}
				if len(k.Members) > 3 {
					t.Errorf("team %d has %d members, more than max_members 3", i+1, len(k.Members))
				}
				for _, m := range k.Members {
					if m.DistanceKm > 10 {
						t.Errorf("team %d: %s is %v km away, beyond 10", i+1, m.Name, m.DistanceKm)
					}
					for _, slug := range m.Covers {
						if !slices.Contains(k.Covers[slug], m.OrganisationID) {
							t.Errorf("team %d: %s covers %s but covers[%s] = %v", i+1, m.Name, slug, slug, k.Covers[slug])
						}
					}
				}
				if i > 0 && res.Consortia[i-1].Complete == false && k.Complete {
					t.Errorf("a complete team ranks below a partial one")
				}
			}
		})

		t.Run("a lead that values animal welfare", func(t *testing.T) {
			res := postConsortium(t, s, consortiumBody("lead_organisation_id", pc.youth))
			if len(res.Consortia) == 0 {
				t.Fatalf("no team")
			}
			for i, k := range res.Consortia {
				if len(k.Members) == 0 || k.Members[0].OrganisationID != pc.youth || !k.Members[0].Lead {
					t.Errorf("team %d does not start with the lead: %+v", i+1, k.Members)
				}
				if slices.Contains(memberIDs(k), pc.lab) {
					t.Errorf("team %d %v includes the lab, which the lead will not work with", i+1, memberIDs(k))
				}
			}
			// Only the lab offers safeguarding: without it the bid misses it.
			if !slices.Equal(res.Missing, []string{"skill.safeguarding"}) {
				t.Errorf("missing %v, want [skill.safeguarding]", res.Missing)
			}
		})

		t.Run("the lab as lead", func(t *testing.T) {
			res := postConsortium(t, s, consortiumBody("lead_organisation_id", pc.lab))
			for i, k := range res.Consortia {
				for _, id := range memberIDs(k)[1:] {
					if slices.Contains(objectors, id) {
						t.Errorf("team %d %v puts the lab with %s, which objects to it", i+1, memberIDs(k), id)
					}
				}
			}
			// No one who may work with the lab has a hall.
			if !slices.Equal(res.Missing, []string{"space.hall"}) {
				t.Errorf("missing %v, want [space.hall]", res.Missing)
			}
		})
	})
}

func TestConsortiumBadInput(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		tests := []struct {
			name  string
			body  any
			field string
			text  string // the message names it
		}{
			{"unknown requirement", consortiumBody("requirements", []string{"space.hall", "skill.juggling"}), "requirements[1]", "skill.juggling"},
			{"requirement twice", consortiumBody("requirements", []string{"space.hall", "space.hall"}), "requirements[1]", "space.hall"},
			{"no requirements", consortiumBody("requirements", []string{}), "requirements", ""},
			{"no near", with(consortiumBody(), "near", nil), "near", ""},
			{"near without lon", consortiumBody("near", map[string]any{"lat": cLat}), "near.lon", ""},
			{"near out of range", consortiumBody("near", map[string]any{"lat": 91, "lon": 0}), "near.lat", ""},
			{"no radius", with(consortiumBody(), "radius_km", nil), "radius_km", ""},
			{"radius zero", consortiumBody("radius_km", 0), "radius_km", ""},
			{"radius too large", consortiumBody("radius_km", 201), "radius_km", ""},
			{"unknown lead", consortiumBody("lead_organisation_id", "0190f5e4-0000-7000-8000-00000000dead"), "lead_organisation_id", ""},
			{"max_members 7", consortiumBody("max_members", 7), "max_members", ""},
			{"max_members negative", consortiumBody("max_members", -1), "max_members", ""},
			{"limit too large", consortiumBody("limit", 21), "limit", ""},
			{"unknown field", consortiumBody("radius", 5), "radius", ""},
			{"wrong type", consortiumBody("requirements", "space.hall"), "requirements", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, h, raw := s.send(t, request{method: "POST", path: "/v1/match/consortium", body: tt.body})
				if status != http.StatusBadRequest {
					t.Fatalf("got %d %s, want 400", status, raw)
				}
				p := checkProblem(t, tt.name, status, h, raw)
				msg, ok := fieldMessage(p, tt.field)
				if !ok {
					t.Fatalf("got fields %v, want %s", fieldNames(p), tt.field)
				}
				if tt.text != "" && !strings.Contains(msg, tt.text) {
					t.Errorf("message %q does not name %q", msg, tt.text)
				}
			})
		}
		for _, body := range []string{``, `{`, `null`, `[]`, `{"requirements": ["space.hall"]} x`} {
			status, _, raw := s.send(t, request{method: "POST", path: "/v1/match/consortium", body: body})
			if status != http.StatusBadRequest {
				t.Errorf("body %q: got %d %s, want 400", body, status, raw)
			}
		}
	})
}

// FuzzConsortiumRequest posts arbitrary bodies to POST /v1/match/consortium:
// never a 5xx, a problem for anything but 200, and a 200 body in the
// documented shape whose teams respect max_members.
func FuzzConsortiumRequest(f *testing.F) {
	s := queryFixture(f)
	valid, _ := json.Marshal(consortiumBody())
	f.Add(valid)
	for _, b := range []string{
		``, `{}`, `null`, `[]`, `{"requirements": 5}`,
		`{"requirements": ["space.hall"], "near": {"lat": 52.2, "lon": 0.12}, "radius_km": 1e308}`,
		`{"requirements": ["space.hall", "skill.juggling"], "near": {"lat": 52.2, "lon": 0.12}, "radius_km": 5}`,
		`{"requirements": ["space.hall"], "near": {"lat": 52.2, "lon": 0.12}, "radius_km": 5, "max_members": 1, "lead_organisation_id": "\u0000"}`,
		`{"requirements": ["space.studio", "space.hall", "skill.dance-teaching", "skill.youth-work", "skill.safeguarding", "skill.evaluation"], "near": {"lat": -90, "lon": 180}, "radius_km": 200, "max_members": 6, "limit": 20}`,
	} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := s.serve("POST", "/v1/match/consortium", "", body)
		checkAnswer(t, "POST /v1/match/consortium", rec, http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
		if rec.Code != http.StatusOK {
			return
		}
		var res api.ConsortiumResult
		dec := json.NewDecoder(strings.NewReader(rec.Body.String()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&res); err != nil || res.Consortia == nil || res.Missing == nil {
			t.Fatalf("200 body %s does not fit the shape: %v", rec.Body.Bytes(), err)
		}
		var in struct {
			MaxMembers int `json:"max_members"`
		}
		_ = json.Unmarshal(body, &in)
		maxMembers := in.MaxMembers
		if maxMembers == 0 {
			maxMembers = 4
		}
		for _, k := range res.Consortia {
			if len(k.Members) == 0 || len(k.Members) > maxMembers {
				t.Fatalf("a team of %d with max_members %d: %s", len(k.Members), in.MaxMembers, rec.Body.Bytes())
			}
		}
	})
}
