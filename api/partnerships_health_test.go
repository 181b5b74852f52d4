package api_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

// scores is a health check body with the six scores in criteria order.
func scores(commitment, clarity, coordination, trust, communication, conflict int) map[string]any {
	return map[string]any{"commitment": commitment, "clarity_of_purpose": clarity, "coordination": coordination,
		"trust": trust, "communication": communication, "conflict_resolution": conflict}
}

// checkHealth posts a health check and returns it, failing t unless 201.
func (s *server) checkHealth(t testing.TB, id, token string, body map[string]any) api.HealthCheck {
	t.Helper()
	status, h, m := s.do(t, "POST", "/v1/partnerships/"+id+"/health", token, body)
	wantStatus(t, "health check", status, http.StatusCreated, m)
	if got, want := h.Get("Location"), "/v1/partnerships/"+id+"/health"; got != want {
		t.Errorf("Location: got %q, want %q", got, want)
	}
	return as[api.HealthCheck](t, m)
}

func TestHealthCheckValidation(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		p := s.propose(t, pt.proposerToken, partnershipBody(pt.partner))
		s.mustAct(t, p.ID, pt.partnerToken, "accept")
		path := "/v1/partnerships/" + p.ID + "/health"
		for _, c := range []struct {
			name   string
			body   any
			fields []string
		}{
			{"a zero", with(goodHealth(), "trust", 0), []string{"trust"}},
			{"a six", with(goodHealth(), "commitment", 6), []string{"commitment"}},
			{"negative", with(goodHealth(), "coordination", -3), []string{"coordination"}},
			{"a missing criterion", with(goodHealth(), "conflict_resolution", nil), []string{"conflict_resolution"}},
			{"null", `{"commitment": null, "clarity_of_purpose": 4, "coordination": 4, "trust": 4, "communication": 4, "conflict_resolution": 4}`, []string{"commitment"}},
			{"not a whole number", with(goodHealth(), "communication", 2.5), []string{"communication"}},
			{"a string", with(goodHealth(), "trust", "4"), []string{"trust"}},
			{"a huge number", `{"commitment": 99999999999999999999999}`, []string{"commitment"}},
			{"nothing", map[string]any{}, []string{"commitment", "clarity_of_purpose", "coordination", "trust", "communication", "conflict_resolution"}},
			{"zero and missing", with(goodHealth(), "trust", 0, "commitment", nil), []string{"commitment", "trust"}},
			{"an unknown criterion", with(goodHealth(), "vibes", 5), []string{"vibes"}},
			{"comment too long", with(goodHealth(), "comment", strings.Repeat("c", 2001)), []string{"comment"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				status, _, m := s.do(t, "POST", path, pt.partnerToken, c.body)
				wantStatus(t, "health check", status, http.StatusBadRequest, m)
				if got := fieldNames(problem(t, m)); !sameSet(got, c.fields) {
					t.Errorf("fields: got %v, want %v", got, c.fields)
				}
			})
		}
		if n := len(s.get(t, path, pt.partnerToken)["items"].([]any)); n != 0 {
			t.Errorf("refused checks stored %d", n)
		}
		if got := as[api.Partnership](t, s.get(t, "/v1/partnerships/"+p.ID, pt.partnerToken)).Health.Checks; got != 0 {
			t.Errorf("health.checks after refused checks: got %d, want 0", got)
		}
	})
}

func TestHealthCheckStatuses(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		for status, want := range map[string]int{
			"proposed": http.StatusConflict, "accepted": http.StatusCreated, "declined": http.StatusConflict,
			"active": http.StatusCreated, "completed": http.StatusConflict, "ended": http.StatusConflict,
		} {
			t.Run(status, func(t *testing.T) {
				p := s.propose(t, pt.proposerToken, partnershipBody(pt.partner))
				for _, a := range reach[status] {
					by := pt.proposerToken
					if a == "accept" || a == "decline" {
						by = pt.partnerToken
					}
					s.mustAct(t, p.ID, by, a)
				}
				code, _, m := s.do(t, "POST", "/v1/partnerships/"+p.ID+"/health", pt.proposerToken, goodHealth())
				wantStatus(t, "health check while "+status, code, want, m)
				if want == http.StatusConflict && !strings.Contains(problem(t, m).Detail, status) {
					t.Errorf("409 detail %q does not name the status %s", problem(t, m).Detail, status)
				}
			})
		}
	})
}

func TestHealthSummary(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		p := s.propose(t, pt.proposerToken, partnershipBody(pt.partner))
		s.mustAct(t, p.ID, pt.partnerToken, "accept")
		path := "/v1/partnerships/" + p.ID
		health := func() api.PartnershipHealth {
			t.Helper()
			return as[api.Partnership](t, s.get(t, path, pt.partnerToken)).Health
		}

		first := s.checkHealth(t, p.ID, pt.proposerToken, with(scores(5, 4, 4, 2, 4, 4), "comment", "trust is thin"))
		if first.OrganisationID != pt.proposer || first.PartnershipID != p.ID || first.Trust != 2 || first.Commitment != 5 || first.Comment != "trust is thin" {
			t.Errorf("check: got %+v, want the proposer's scores", first)
		}
		h := health()
		if h.Latest == nil || !reflect.DeepEqual(*h.Latest, first) || h.Checks != 1 || h.LowChecks != 1 || !slices.Equal(h.Flags, []string{"trust"}) {
			t.Errorf("after one check: got %+v, want latest %+v, 1 check, 1 low, flags [trust]", h, first)
		}

		s.mustAct(t, p.ID, pt.proposerToken, "activate")
		second := s.checkHealth(t, p.ID, pt.partnerToken, scores(4, 1, 4, 4, 4, 3))
		h = health()
		if h.Latest == nil || h.Latest.ID != second.ID || len(h.ByOrganisation) != 2 ||
			h.ByOrganisation[pt.proposer].ID != first.ID || h.ByOrganisation[pt.partner].ID != second.ID {
			t.Errorf("after the partner's check: got %+v, want it latest and each side's own", h)
		}
		if want := []string{"clarity_of_purpose", "trust"}; !slices.Equal(h.Flags, want) {
			t.Errorf("flags: got %v, want %v (in criteria order)", h.Flags, want)
		}

		// The proposer's newer check clears its flag; the partner's still
		// stands.
		third := s.checkHealth(t, p.ID, pt.proposerToken, scores(5, 5, 5, 5, 5, 5))
		h = health()
		if h.ByOrganisation[pt.proposer].ID != third.ID || !slices.Equal(h.Flags, []string{"clarity_of_purpose"}) || h.Checks != 3 || h.LowChecks != 2 {
			t.Errorf("after the proposer's second check: got %+v, want flags [clarity_of_purpose], 3 checks, 2 low", h)
		}

		// History, newest first, paged.
		var seen []string
		next := path + "/health?limit=2"
		for next != "" {
			m := s.get(t, next, pt.proposerToken)
			for _, it := range m["items"].([]any) {
				seen = append(seen, as[api.HealthCheck](t, it.(map[string]any)).ID)
			}
			next = ""
			if nc, _ := m["next_cursor"].(string); nc != "" {
				next = path + "/health?limit=2&cursor=" + nc
			}
		}
		if want := []string{third.ID, second.ID, first.ID}; !slices.Equal(seen, want) {
			t.Errorf("history: got %v, want %v", seen, want)
		}
		status, _, m := s.do(t, "GET", path+"/health?cursor=bogus", pt.proposerToken, nil)
		wantStatus(t, "a bad cursor", status, http.StatusBadRequest, m)
	})
}

// TestTrustSignal completes partnerships and checks partner matching
// sees the result at once: a partnership whose health stayed good raises
// both organisations' trust; one with a low check does not.
func TestTrustSignal(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		youth, youthToken := s.register(t, partnerBody("Arbury Youth Service", "youth_service", 0, 0,
			[]string{"skill.youth-work"}, []string{"skill.dance-teaching"}))
		dance, danceToken := s.register(t, partnerBody("Fen Edge Dance", "arts", 2, 0,
			[]string{"skill.dance-teaching"}, []string{"skill.youth-work"}))
		trustOf := func(orgID, partnerID string) api.Reason {
			t.Helper()
			res := as[api.PartnerResult](t, s.get(t, "/v1/organisations/"+orgID+"/partners?radius_km=10", ""))
			for _, m := range res.Matches {
				if m.OrganisationID != partnerID {
					continue
				}
				// The tier, then the seven factors, trust last.
				if len(m.Reasons) != 8 {
					t.Fatalf("got %d reasons, want 8", len(m.Reasons))
				}
				return m.Reasons[7]
			}
			t.Fatalf("%s is no partner of %s", partnerID, orgID)
			return api.Reason{}
		}
		if r := trustOf(youth, dance); r.Factor != "trust" || r.Value != 0 || r.Contribution != 0 || r.Detail != "no completed partnerships with good health yet" {
			t.Errorf("before: got %+v, want trust 0", r)
		}

		// They work together and stay healthy.
		p := s.propose(t, youthToken, partnershipBody(dance))
		s.mustAct(t, p.ID, danceToken, "accept", "activate")
		s.checkHealth(t, p.ID, danceToken, goodHealth())
		s.checkHealth(t, p.ID, youthToken, scores(3, 3, 3, 3, 3, 3))
		if got := s.mustAct(t, p.ID, youthToken, "complete"); got.Status != "completed" {
			t.Fatalf("status: got %s, want completed", got.Status)
		}
		for _, id := range []string{youth, dance} {
			if got := as[api.Organisation](t, s.get(t, "/v1/organisations/"+id, "")).TrustedPartnerships; got != 1 {
				t.Errorf("organisation %s trusted_partnerships: got %d, want 1", id, got)
			}
		}
		// Each side now carries a third of the trust factor, in the
		// other's matches.
		for _, pair := range [][2]string{{youth, dance}, {dance, youth}} {
			r := trustOf(pair[0], pair[1])
			if r.Factor != "trust" || r.Value < 0.333 || r.Value > 0.334 || r.Contribution <= 0 || r.Detail != "1 completed partnership with good health" {
				t.Errorf("after, %s seen from %s: got %+v, want a third of the trust factor", pair[1], pair[0], r)
			}
		}

		// A second partnership with a low check along the way counts for
		// nothing.
		q := s.propose(t, youthToken, partnershipBody(dance))
		s.mustAct(t, q.ID, danceToken, "accept", "activate")
		s.checkHealth(t, q.ID, danceToken, scores(4, 4, 4, 4, 2, 4))
		s.checkHealth(t, q.ID, danceToken, goodHealth())
		s.mustAct(t, q.ID, danceToken, "complete")
		for _, id := range []string{youth, dance} {
			if got := as[api.Organisation](t, s.get(t, "/v1/organisations/"+id, "")).TrustedPartnerships; got != 1 {
				t.Errorf("organisation %s after a completion with a low check: got %d trusted partnerships, want still 1", id, got)
			}
		}
	})
}
