package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"testing"

	"commonground/api"
	"commonground/store"
)

// amendmentPath is the path of an answer to amendment n.
func amendmentPath(id string, n int, action string) string {
	return fmt.Sprintf("/v1/partnerships/%s/amendments/%d/%s", id, n, action)
}

func TestAmendmentsByConsent(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		p := s.propose(t, pt.proposerToken, partnershipBody(pt.partner))
		path := "/v1/partnerships/" + p.ID
		versionsOf := func() []api.AgreementVersion {
			t.Helper()
			m := s.get(t, path+"/agreement/versions", pt.proposerToken)
			var out []api.AgreementVersion
			for _, it := range m["items"].([]any) {
				out = append(out, as[api.AgreementVersion](t, it.(map[string]any)))
			}
			return out
		}
		if vs := versionsOf(); len(vs) != 0 {
			t.Errorf("versions while proposed: got %d, want none", len(vs))
		}
		accepted := s.mustAct(t, p.ID, pt.partnerToken, "accept")
		if vs := versionsOf(); len(vs) != 1 || vs[0].Version != 1 || vs[0].Amendment != nil || vs[0].Purpose != p.Purpose ||
			!slices.Equal(vs[0].Outcomes, p.Outcomes) || vs[0].ReviewOn != p.ReviewOn {
			t.Errorf("versions once accepted: got %+v, want version 1, the agreement as proposed", vs)
		}

		// A PATCH proposes; the agreement in force stays.
		status, h, m := s.do(t, "PATCH", path, pt.proposerToken, map[string]any{"purpose": "Twice weekly", "review_on": "2024-07-01"})
		wantStatus(t, "PATCH once accepted", status, http.StatusAccepted, m)
		if got := keys(m); !slices.Equal(got, []string{"amendment"}) {
			t.Errorf("202 body keys: got %v, want [amendment]", got)
		}
		am := as[api.Amendment](t, m["amendment"].(map[string]any))
		if am.N != 1 || am.Status != "proposed" || am.ProposedBy != pt.proposer || am.DecidedBy != nil || am.DecidedAt != nil {
			t.Errorf("amendment: got %+v", am)
		}
		if got := m["amendment"].(map[string]any)["changes"]; !reflect.DeepEqual(got, map[string]any{"purpose": "Twice weekly", "review_on": "2024-07-01"}) {
			t.Errorf("changes: got %v, want only purpose and review_on", got)
		}
		if got, want := h.Get("Location"), path+"/amendments/1"; got != want {
			t.Errorf("Location: got %q, want %q", got, want)
		}
		if got := as[api.Partnership](t, s.get(t, path, pt.partnerToken)); got.Purpose != p.Purpose || got.ReviewOn != p.ReviewOn {
			t.Errorf("agreement in force changed before consent: purpose %q review_on %s", got.Purpose, got.ReviewOn)
		}
		// The partner is told.
		var told bool
		for _, it := range s.get(t, "/v1/notifications", pt.partnerToken)["items"].([]any) {
			told = told || it.(map[string]any)["event"] == "partnership.amendment_proposed"
		}
		if !told {
			t.Error("the partner has no partnership.amendment_proposed notification")
		}

		// One at a time; the proposer may not answer its own.
		status, _, m = s.do(t, "PATCH", path, pt.partnerToken, map[string]any{"outcomes": []string{"one"}})
		wantStatus(t, "a second amendment", status, http.StatusConflict, m)
		for _, a := range []string{"accept", "decline"} {
			status, _, m = s.do(t, "POST", amendmentPath(p.ID, 1, a), pt.proposerToken, nil)
			wantStatus(t, a+" by its proposer", status, http.StatusForbidden, m)
		}
		for _, n := range []string{"2", "0", "x", "01"} {
			status, _, m = s.do(t, "POST", path+"/amendments/"+n+"/accept", pt.partnerToken, nil)
			wantStatus(t, "accept amendment "+n, status, http.StatusNotFound, m)
		}

		// The partner accepts: the agreement changes and a version is added.
		status, _, m = s.do(t, "POST", amendmentPath(p.ID, 1, "accept"), pt.partnerToken, nil)
		wantStatus(t, "accept", status, http.StatusOK, m)
		ans := as[api.AmendmentAnswer](t, m)
		if ans.Amendment.Status != "accepted" || ans.Amendment.DecidedBy == nil || *ans.Amendment.DecidedBy != pt.partner ||
			ans.Partnership.Purpose != "Twice weekly" || ans.Partnership.ReviewOn != "2024-07-01" || ans.Partnership.Status != accepted.Status {
			t.Errorf("answer: got %+v", ans)
		}
		if got := as[api.Partnership](t, s.get(t, path, pt.proposerToken)); !reflect.DeepEqual(got, ans.Partnership) {
			t.Errorf("stored:\n got %+v\nwant %+v", got, ans.Partnership)
		}
		vs := versionsOf()
		if len(vs) != 2 || vs[1].Version != 2 || vs[1].Amendment == nil || *vs[1].Amendment != 1 || vs[1].Purpose != "Twice weekly" ||
			vs[0].Purpose != p.Purpose {
			t.Errorf("versions after accept: got %+v", vs)
		}
		status, _, m = s.do(t, "POST", amendmentPath(p.ID, 1, "decline"), pt.partnerToken, nil)
		wantStatus(t, "answering again", status, http.StatusConflict, m)
		// The audit log of each side records its part.
		for org, c := range map[string]struct{ token, action string }{
			pt.proposer: {pt.proposerToken, "partnership.amendment_proposed"},
			pt.partner:  {pt.partnerToken, "partnership.amendment_accepted"},
		} {
			var found bool
			for _, it := range s.get(t, "/v1/organisations/"+org+"/audit", c.token)["items"].([]any) {
				e := it.(map[string]any)
				found = found || (e["action"] == c.action && e["subject"].(map[string]any)["id"] == p.ID)
			}
			if !found {
				t.Errorf("the audit log of %s has no %s of the partnership", org, c.action)
			}
		}

		// A declined amendment changes nothing.
		status, _, m = s.do(t, "PATCH", path, pt.partnerToken, map[string]any{"roles": map[string]any{}})
		wantStatus(t, "PATCH roles", status, http.StatusAccepted, m)
		status, _, m = s.do(t, "POST", amendmentPath(p.ID, 2, "decline"), pt.proposerToken, nil)
		wantStatus(t, "decline", status, http.StatusOK, m)
		if got := as[api.AmendmentAnswer](t, m).Partnership; !reflect.DeepEqual(got.Roles, p.Roles) {
			t.Errorf("roles after a decline: got %v, want %v", got.Roles, p.Roles)
		}
		if n := len(versionsOf()); n != 2 {
			t.Errorf("versions after a decline: got %d, want 2", n)
		}
		items := s.get(t, path+"/amendments", pt.partnerToken)["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["status"] != "accepted" || items[1].(map[string]any)["status"] != "declined" {
			t.Errorf("amendments: got %v", items)
		}
		// Paging by cursor.
		m = s.get(t, path+"/amendments?limit=1", pt.partnerToken)
		nc, _ := m["next_cursor"].(string)
		if nc == "" {
			t.Fatal("amendments?limit=1: no next_cursor")
		}
		m = s.get(t, path+"/amendments?limit=1&cursor="+nc, pt.partnerToken)
		if it := m["items"].([]any); len(it) != 1 || it[0].(map[string]any)["n"] != 2.0 || m["next_cursor"] != nil {
			t.Errorf("second page: got %v", m)
		}

		// A PATCH that changes nothing is not an amendment; a bad one is a 400.
		status, _, m = s.do(t, "PATCH", path, pt.partnerToken, map[string]any{"purpose": "Twice weekly"})
		wantStatus(t, "PATCH to the same", status, http.StatusOK, m)
		status, _, m = s.do(t, "PATCH", path, pt.partnerToken, map[string]any{"outcomes": []string{}})
		wantStatus(t, "PATCH no outcomes", status, http.StatusBadRequest, m)
		if items := s.get(t, path+"/amendments", pt.partnerToken)["items"].([]any); len(items) != 2 {
			t.Errorf("refused or empty PATCHes made amendments: %d", len(items))
		}
	})
}

func TestEvaluations(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		p := s.propose(t, pt.proposerToken, partnershipBody(pt.partner))
		path := "/v1/partnerships/" + p.ID + "/evaluation"
		body := goodEvaluation(p.Outcomes...)
		s.mustAct(t, p.ID, pt.partnerToken, "accept", "activate")
		status, _, m := s.do(t, "POST", path, pt.partnerToken, body)
		wantStatus(t, "evaluate an active partnership", status, http.StatusConflict, m)
		s.mustAct(t, p.ID, pt.partnerToken, "complete")

		for _, c := range []struct {
			name   string
			body   map[string]any
			fields []string
		}{
			{"an outcome not agreed", with(goodHealth(), "outcomes_met", []map[string]any{
				{"outcome": p.Outcomes[0], "met": "yes"}, {"outcome": "world peace", "met": "no"}}),
				[]string{"outcomes_met", "outcomes_met[1].outcome"}},
			{"no outcomes_met", goodHealth(), []string{"outcomes_met"}},
			{"met maybe", with(goodHealth(), "outcomes_met", []map[string]any{
				{"outcome": p.Outcomes[0], "met": "maybe"}, {"outcome": p.Outcomes[1], "met": "no"}}),
				[]string{"outcomes_met[0].met"}},
			{"a score out of range", with(goodEvaluation(p.Outcomes...), "trust", 6), []string{"trust"}},
			{"a score missing", with(goodEvaluation(p.Outcomes...), "trust", nil), []string{"trust"}},
		} {
			status, _, m := s.do(t, "POST", path, pt.partnerToken, c.body)
			wantStatus(t, c.name, status, http.StatusBadRequest, m)
			if got := fieldNames(problem(t, m)); !slices.Equal(got, c.fields) {
				t.Errorf("%s: fields %v, want %v", c.name, got, c.fields)
			}
		}
		status, _, m = s.do(t, "POST", path, adminToken, body)
		wantStatus(t, "evaluation by the operator", status, http.StatusForbidden, m)

		status, h, m := s.do(t, "POST", path, pt.partnerToken, with(body, "comment", "it worked"))
		wantStatus(t, "evaluate", status, http.StatusCreated, m)
		e := as[api.Evaluation](t, m)
		if e.OrganisationID != pt.partner || e.Trust != 4 || len(e.OutcomesMet) != 2 || e.Comment != "it worked" || h.Get("Location") != path {
			t.Errorf("evaluation: got %+v (Location %q)", e, h.Get("Location"))
		}
		status, _, m = s.do(t, "POST", path, pt.partnerToken, body)
		wantStatus(t, "evaluate twice", status, http.StatusConflict, m)
		status, _, m = s.do(t, "POST", path, pt.proposerToken, with(body, "communication", 2))
		wantStatus(t, "the other side evaluates", status, http.StatusCreated, m)
		items := s.get(t, path, pt.proposerToken)["items"].([]any)
		if len(items) != 2 {
			t.Errorf("evaluations: got %d, want 2", len(items))
		}
		if got := as[api.Partnership](t, s.get(t, "/v1/partnerships/"+p.ID, pt.partnerToken)).Evaluations; got != (api.PartnershipEvaluations{Count: 2, Low: 1}) {
			t.Errorf("evaluations summary: got %+v, want 2, 1 low", got)
		}
	})
}

// TestLowEvaluationTakesTrustBack completes a partnership whose health
// stayed good, then a low evaluation: partner matching stops counting it.
func TestLowEvaluationTakesTrustBack(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		youth, youthToken := s.register(t, partnerBody("Arbury Youth Service", "youth_service", 0, 0,
			[]string{"skill.youth-work"}, []string{"skill.dance-teaching"}))
		dance, danceToken := s.register(t, partnerBody("Fen Edge Dance", "arts", 2, 0,
			[]string{"skill.dance-teaching"}, []string{"skill.youth-work"}))
		trustOf := func(orgID, partnerID string) float64 {
			t.Helper()
			res := as[api.PartnerResult](t, s.get(t, "/v1/organisations/"+orgID+"/partners?radius_km=10", ""))
			for _, m := range res.Matches {
				if m.OrganisationID == partnerID {
					for _, r := range m.Reasons {
						if r.Factor == "trust" {
							return r.Value
						}
					}
				}
			}
			t.Fatalf("no trust reason for %s from %s", partnerID, orgID)
			return 0
		}
		p := s.propose(t, youthToken, partnershipBody(dance))
		s.mustAct(t, p.ID, danceToken, "accept", "activate")
		s.checkHealth(t, p.ID, danceToken, goodHealth())
		s.mustAct(t, p.ID, youthToken, "complete")
		if v := trustOf(youth, dance); v < 0.333 {
			t.Fatalf("trust once completed: got %v, want a third", v)
		}
		evalPath := "/v1/partnerships/" + p.ID + "/evaluation"
		status, _, m := s.do(t, "POST", evalPath, danceToken, goodEvaluation(p.Outcomes...))
		wantStatus(t, "a good evaluation", status, http.StatusCreated, m)
		if v := trustOf(youth, dance); v < 0.333 {
			t.Errorf("trust after a good evaluation: got %v, want still a third", v)
		}
		status, _, m = s.do(t, "POST", evalPath, youthToken, with(goodEvaluation(p.Outcomes...), "conflict_resolution", 1))
		wantStatus(t, "a low evaluation", status, http.StatusCreated, m)
		for _, pair := range [][2]string{{youth, dance}, {dance, youth}} {
			if v := trustOf(pair[0], pair[1]); v != 0 {
				t.Errorf("trust of %s seen from %s after a low evaluation: got %v, want 0", pair[1], pair[0], v)
			}
		}
		for _, id := range []string{youth, dance} {
			if got := as[api.Organisation](t, s.get(t, "/v1/organisations/"+id, "")).TrustedPartnerships; got != 0 {
				t.Errorf("organisation %s trusted_partnerships: got %d, want 0", id, got)
			}
		}
	})
}

func TestTaxonomyHealthCriteria(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		var tax api.Taxonomy
		tax = as[api.Taxonomy](t, s.get(t, "/v1/taxonomy", ""))
		var slugs []string
		for _, c := range tax.HealthCriteria {
			slugs = append(slugs, c.Slug)
			if c.Label == "" || len(c.Prompts) < 2 {
				t.Errorf("%s: label %q and %d prompts, want a label and at least 2", c.Slug, c.Label, len(c.Prompts))
			}
		}
		want := []string{"commitment", "clarity_of_purpose", "coordination", "trust", "communication", "conflict_resolution"}
		if !slices.Equal(slugs, want) {
			t.Errorf("health criteria: got %v, want %v", slugs, want)
		}
		// Each criterion is a field a health check scores.
		for _, slug := range want {
			if _, ok := goodHealth()[slug]; !ok {
				t.Errorf("%s is not a health check field", slug)
			}
		}
	})
}

// TestAmendmentAnswersAtOnce sends an accept and a decline of one
// amendment at once, from the partner and the operator: one wins with
// 200, the other gets 409, and the agreement is what the winner decided.
func TestAmendmentAnswersAtOnce(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		for round := range 3 {
			p := s.propose(t, pt.proposerToken, partnershipBody(pt.partner))
			s.mustAct(t, p.ID, pt.partnerToken, "accept")
			status, _, m := s.do(t, "PATCH", "/v1/partnerships/"+p.ID, pt.proposerToken, map[string]any{"purpose": "Amended"})
			wantStatus(t, "propose", status, http.StatusAccepted, m)
			answers := []struct{ token, action string }{{pt.partnerToken, "accept"}, {adminToken, "decline"}}
			if round%2 == 1 {
				answers[0].action, answers[1].action = "decline", "accept"
			}
			statuses := make([]int, 2)
			raws := make([][]byte, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i, a := range answers {
				wg.Go(func() { statuses[i], raws[i], errs[i] = s.post(a.token, amendmentPath(p.ID, 1, a.action), nil) })
			}
			wg.Wait()
			bodies := make([]map[string]any, 2)
			for i := range raws {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				bodies[i] = decode(t, "answer", raws[i])
			}
			slices.Sort(statuses)
			if statuses[0] != http.StatusOK || statuses[1] != http.StatusConflict {
				t.Fatalf("answers at once: got %v, want one 200 and one 409", statuses)
			}
			winner := answers[0].action
			for i := range bodies {
				if _, ok := bodies[i]["amendment"]; ok {
					winner = map[string]string{"accepted": "accept", "declined": "decline"}[bodies[i]["amendment"].(map[string]any)["status"].(string)]
				}
			}
			got := as[api.Partnership](t, s.get(t, "/v1/partnerships/"+p.ID, pt.proposerToken)).Purpose
			if want := map[string]string{"accept": "Amended", "decline": p.Purpose}[winner]; got != want {
				t.Errorf("round %d: %s won, purpose %q, want %q", round, winner, got, want)
			}
		}
	})
}
