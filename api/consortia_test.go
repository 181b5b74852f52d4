package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

// formingBody forms a consortium led by lead with members.
func formingBody(lead string, members ...string) map[string]any {
	return map[string]any{
		"name": "Fenland Dance Futures", "purpose": "Youth dance across the Fens", "lead_id": lead, "member_ids": members,
		"roles": map[string]any{lead: "leads the bid"},
		"bid":   map[string]any{"title": "Youth dance 2024–26", "commissioner": "Cambridgeshire County Council", "deadline": "2024-05-31"},
	}
}

// trio is a lead, two members and an outsider, all compatible.
type trio struct {
	lead, leadToken, a, aToken, b, bToken, outsider, outsiderToken string
}

func newTrio(t *testing.T, s *server) trio {
	var x trio
	x.lead, x.leadToken = s.registerAt(t, "Fen Edge Dance", cLat, cLon)
	x.a, x.aToken = s.register(t, with(orgBody("Arbury Youth Service", cLat, cLon), "type", "youth_service"))
	x.b, x.bToken = s.registerAt(t, "Ely Safeguarding Trust", cLat, cLon)
	x.outsider, x.outsiderToken = s.registerAt(t, "Nosy Neighbour", cLat, cLon)
	return x
}

func (s *server) formConsortium(t *testing.T, token string, body map[string]any) api.ConsortiumPartnership {
	t.Helper()
	status, h, m := s.do(t, "POST", "/v1/consortia", token, body)
	wantStatus(t, "form a consortium", status, http.StatusCreated, m)
	k := as[api.ConsortiumPartnership](t, m)
	if got, want := h.Get("Location"), "/v1/consortia/"+k.ID; got != want {
		t.Errorf("Location: got %q, want %q", got, want)
	}
	return k
}

func TestConsortia(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		x := newTrio(t, s)
		k := s.formConsortium(t, x.leadToken, formingBody(x.lead, x.a, x.b))
		want := []string{x.a, x.b}
		slices.Sort(want)
		if k.Status != "forming" || k.LeadID != x.lead || !slices.Equal(k.MemberIDs, want) || len(k.Members) != 2 ||
			k.Members[0].Response != "invited" || k.Members[0].RespondedAt != nil || k.Bid.Deadline != "2024-05-31" ||
			k.Roles[x.lead] != "leads the bid" || k.Health.Checks != 0 {
			t.Errorf("formed: got %+v", k)
		}
		// Each member is told; every party reads the same consortium.
		for _, tok := range []string{x.aToken, x.bToken} {
			var told bool
			for _, it := range s.get(t, "/v1/notifications", tok)["items"].([]any) {
				told = told || it.(map[string]any)["event"] == "consortium.invited"
			}
			if !told {
				t.Error("a member has no consortium.invited notification")
			}
		}
		for _, tok := range []string{x.leadToken, x.aToken, x.bToken, adminToken} {
			if got := as[api.ConsortiumPartnership](t, s.get(t, "/v1/consortia/"+k.ID, tok)); got.ID != k.ID || !slices.Equal(got.MemberIDs, want) {
				t.Errorf("GET: got %+v", got)
			}
			if items := s.get(t, "/v1/consortia", tok)["items"].([]any); len(items) != 1 {
				t.Errorf("list: got %d, want 1", len(items))
			}
		}

		// Only a member answers, once; accepted when all have.
		status, _, m := s.do(t, "POST", "/v1/consortia/"+k.ID+"/accept", x.leadToken, nil)
		wantStatus(t, "accept by the lead", status, http.StatusForbidden, m)
		status, _, m = s.do(t, "POST", "/v1/consortia/"+k.ID+"/accept", x.aToken, nil)
		wantStatus(t, "accept by a member", status, http.StatusOK, m)
		if got := as[api.ConsortiumPartnership](t, m); got.Status != "forming" {
			t.Errorf("after one accept: %s, want forming", got.Status)
		}
		status, _, m = s.do(t, "POST", "/v1/consortia/"+k.ID+"/accept", x.aToken, nil)
		wantStatus(t, "accept twice", status, http.StatusConflict, m)
		status, _, m = s.do(t, "POST", "/v1/consortia/"+k.ID+"/health", x.aToken, goodHealth())
		wantStatus(t, "health while forming", status, http.StatusConflict, m)
		status, _, m = s.do(t, "POST", "/v1/consortia/"+k.ID+"/accept", x.bToken, nil)
		wantStatus(t, "the last accept", status, http.StatusOK, m)
		if got := as[api.ConsortiumPartnership](t, m); got.Status != "accepted" {
			t.Errorf("after every accept: %s, want accepted", got.Status)
		}
		status, _, m = s.do(t, "POST", "/v1/consortia/"+k.ID+"/health", x.bToken, scores(4, 4, 2, 4, 4, 4))
		wantStatus(t, "health check", status, http.StatusCreated, m)
		got := as[api.ConsortiumPartnership](t, s.get(t, "/v1/consortia/"+k.ID, x.leadToken))
		if got.Health.Checks != 1 || got.Health.LowChecks != 1 || !slices.Equal(got.Health.Flags, []string{"coordination"}) {
			t.Errorf("health: got %+v", got.Health)
		}
		if items := s.get(t, "/v1/consortia/"+k.ID+"/health", x.aToken)["items"].([]any); len(items) != 1 {
			t.Errorf("health list: got %d, want 1", len(items))
		}
		for _, a := range []string{"activate", "complete"} {
			status, _, m = s.do(t, "POST", "/v1/consortia/"+k.ID+"/"+a, x.leadToken, nil)
			wantStatus(t, a, status, http.StatusOK, m)
		}
		if as[api.ConsortiumPartnership](t, m).Status != "completed" {
			t.Errorf("status: got %v, want completed", m["status"])
		}

		// A decline declines it.
		d := s.formConsortium(t, x.aToken, formingBody(x.a, x.lead, x.b))
		status, _, m = s.do(t, "POST", "/v1/consortia/"+d.ID+"/decline", x.bToken, nil)
		wantStatus(t, "decline", status, http.StatusOK, m)
		if got := as[api.ConsortiumPartnership](t, m); got.Status != "declined" {
			t.Errorf("after a decline: %s", got.Status)
		}
		if items := s.get(t, "/v1/consortia?status=declined", x.leadToken)["items"].([]any); len(items) != 1 {
			t.Errorf("list declined: got %d, want 1", len(items))
		}
	})
}

func TestConsortiumRefused(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		x := newTrio(t, s)
		lab, _ := s.register(t, with(orgBody("Granta Labs", cLat, cLon), "practices", []string{"animal-testing"}, "exclusions", []string{}))
		charity, _ := s.register(t, with(orgBody("Fen Animal Rescue", cLat, cLon), "values", []string{"animal-welfare"}, "exclusions", []string{}))
		count := func() int { return len(s.get(t, "/v1/consortia", adminToken)["items"].([]any)) }

		// The first pair that may not work together is named, by names
		// and IDs (the lead here excludes nothing).
		open, openToken := s.register(t, with(orgBody("Open Door Arts", cLat, cLon), "exclusions", []string{}))
		status, _, m := s.do(t, "POST", "/v1/consortia", openToken, formingBody(open, charity, lab, x.a))
		wantStatus(t, "an incompatible pair", status, http.StatusConflict, m)
		detail := problem(t, m).Detail
		for _, w := range []string{"Fen Animal Rescue", "Granta Labs", charity, lab, "animal-testing"} {
			if !strings.Contains(detail, w) {
				t.Errorf("409 detail %q does not name %q", detail, w)
			}
		}
		if strings.Contains(detail, "Arbury") || strings.Contains(detail, "Open Door") {
			t.Errorf("409 detail %q names a compatible member", detail)
		}

		for _, c := range []struct {
			name   string
			token  string
			body   map[string]any
			status int
			fields []string
		}{
			{"not the lead's token", x.aToken, formingBody(x.lead, x.a), http.StatusForbidden, nil},
			{"the operator", adminToken, formingBody(x.lead, x.a), http.StatusForbidden, nil},
			{"no members", x.leadToken, formingBody(x.lead), http.StatusBadRequest, []string{"member_ids"}},
			{"only the lead", x.leadToken, formingBody(x.lead, x.lead), http.StatusBadRequest, []string{"member_ids"}},
			{"a member twice", x.leadToken, formingBody(x.lead, x.a, x.a), http.StatusBadRequest, []string{"member_ids[1]"}},
			{"an unknown member", x.leadToken, formingBody(x.lead, x.a, "0190d3a4-0000-7000-8000-000000000000"), http.StatusBadRequest, []string{"member_ids[1]"}},
			{"a bad id", x.leadToken, formingBody(x.lead, "nope"), http.StatusBadRequest, []string{"member_ids[0]"}},
			{"no bid", x.leadToken, with(formingBody(x.lead, x.a), "bid", nil), http.StatusBadRequest, []string{"bid"}},
			{"a bad deadline", x.leadToken, with(formingBody(x.lead, x.a), "bid", map[string]any{"title": "t", "commissioner": "c", "deadline": "soon"}),
				http.StatusBadRequest, []string{"bid.deadline"}},
			{"a role for an outsider", x.leadToken, with(formingBody(x.lead, x.a), "roles", map[string]any{x.outsider: "x"}),
				http.StatusBadRequest, []string{"roles." + x.outsider}},
			{"no name", x.leadToken, with(formingBody(x.lead, x.a), "name", ""), http.StatusBadRequest, []string{"name"}},
			{"an unknown field", x.leadToken, with(formingBody(x.lead, x.a), "members", []string{}), http.StatusBadRequest, []string{"members"}},
		} {
			status, _, m := s.do(t, "POST", "/v1/consortia", c.token, c.body)
			wantStatus(t, c.name, status, c.status, m)
			if c.fields != nil {
				if got := fieldNames(problem(t, m)); !slices.Equal(got, c.fields) {
					t.Errorf("%s: fields %v, want %v", c.name, got, c.fields)
				}
			}
		}
		if n := count(); n != 0 {
			t.Errorf("refused consortia were stored: %d", n)
		}
	})
}

func TestConsortiumPermissions(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		x := newTrio(t, s)
		k := s.formConsortium(t, x.leadToken, formingBody(x.lead, x.a, x.b))
		const missing = "0190d3a4-0000-7000-8000-000000000000"
		base := "/v1/consortia/" + k.ID
		endpoints := []struct {
			method, path string
			body         any
		}{
			{"GET", base, nil}, {"POST", base + "/accept", nil}, {"POST", base + "/decline", nil},
			{"POST", base + "/activate", nil}, {"POST", base + "/complete", nil}, {"POST", base + "/end", nil},
			{"POST", base + "/health", goodHealth()}, {"GET", base + "/health", nil},
		}
		for _, e := range endpoints {
			status, h, m := s.do(t, e.method, e.path, "", e.body)
			if status != http.StatusUnauthorized || h.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s anonymously: got %d, want 401", e.method, e.path, status)
			}
			status, _, m = s.do(t, e.method, e.path, x.outsiderToken, e.body)
			wantStatus(t, e.method+" "+e.path+" by an outsider", status, http.StatusNotFound, m)
			status, _, none := s.do(t, e.method, strings.Replace(e.path, k.ID, missing, 1), x.outsiderToken, e.body)
			wantStatus(t, e.method+" of a missing consortium", status, http.StatusNotFound, none)
			got := strings.ReplaceAll(problem(t, m).Detail, k.ID, "ID")
			want := strings.ReplaceAll(problem(t, none).Detail, missing, "ID")
			if got != want {
				t.Errorf("%s %s: outsider's detail %q differs from a missing consortium's %q", e.method, e.path, got, want)
			}
		}
		if items := s.get(t, "/v1/consortia", x.outsiderToken)["items"].([]any); len(items) != 0 {
			t.Errorf("the outsider lists %d consortia", len(items))
		}
		status, _, m := s.do(t, "GET", "/v1/consortia?organisation_id="+x.lead, x.outsiderToken, nil)
		wantStatus(t, "list another's consortia", status, http.StatusForbidden, m)
		if got := as[api.ConsortiumPartnership](t, s.get(t, base, x.leadToken)); got.Status != "forming" {
			t.Errorf("outsiders changed the consortium: %s", got.Status)
		}
	})
}

// TestConsortiumFromSearch forms a consortium from a consortium search
// result, sending its member ids (the lead among them) as they are.
func TestConsortiumFromSearch(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		lead, leadToken := s.register(t, partnerBody("Fen Edge Dance", "arts", 0, 0, []string{"skill.dance-teaching"}, nil))
		youth, _ := s.register(t, partnerBody("Arbury Youth Service", "youth_service", 1, 0, []string{"skill.youth-work"}, nil))
		safe, _ := s.register(t, partnerBody("Ely Safeguarding Trust", "community", 0, 1, []string{"skill.safeguarding"}, nil))
		s.catchUp(t)
		status, _, m := s.do(t, "POST", "/v1/match/consortium", "", map[string]any{
			"requirements": []string{"skill.dance-teaching", "skill.youth-work", "skill.safeguarding"},
			"near":         map[string]any{"lat": cLat, "lon": cLon}, "radius_km": 10, "lead_organisation_id": lead, "max_members": 3})
		wantStatus(t, "consortium search", status, http.StatusOK, m)
		res := as[api.ConsortiumResult](t, m)
		if len(res.Consortia) == 0 {
			t.Fatal("no consortium found")
		}
		var ids []string
		for _, mem := range res.Consortia[0].Members {
			ids = append(ids, mem.OrganisationID)
		}
		if !slices.Contains(ids, lead) {
			t.Fatalf("the search's members %v leave out the lead", ids)
		}
		k := s.formConsortium(t, leadToken, formingBody(lead, ids...))
		want := []string{youth, safe}
		slices.Sort(want)
		if !slices.Equal(k.MemberIDs, want) {
			t.Errorf("member_ids: got %v, want %v (the search's members but the lead)", k.MemberIDs, want)
		}
	})
}
