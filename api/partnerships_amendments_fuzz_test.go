package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"commonground/api"
	"commonground/store"
)

// agreementRows counts amendments, agreement versions and evaluations.
func agreementRows(t testing.TB, db *store.DB) [3]int64 {
	t.Helper()
	var n [3]int64
	for i, table := range []string{"partnership_amendments", "partnership_agreement_versions", "partnership_evaluations"} {
		if err := db.Gorm().Raw("SELECT COUNT(*) FROM " + table).Scan(&n[i]).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
	}
	return n
}

// FuzzAmendmentRequest PATCHes an accepted partnership with arbitrary
// bodies: never a 5xx; 202 (an amendment), 200 (nothing changed), 400 or
// 409 only; the agreement in force never changes, whatever the answer; a
// refused PATCH stores nothing; and each amendment made is declined
// before the next input, so every input may propose.
func FuzzAmendmentRequest(f *testing.F) {
	s, db := fuzzServer(f)
	proposer, token := s.registerAt(f, "Fuzz proposer", cLat, cLon)
	partner, partnerToken := s.registerAt(f, "Fuzz partner", cLat, cLon)
	id := s.propose(f, token, partnershipBody(partner)).ID
	s.mustAct(f, id, partnerToken, "accept")
	addBodySeeds(f, map[string]any{"purpose": "Twice weekly", "review_on": "2024-07-01"},
		`{"roles": {}}`,
		`{"roles": {"`+proposer+`": "teaches", "`+partner+`": "hosts"}}`,
		`{"roles": {"`+proposer+`": ""}}`,
		`{"outcomes": []}`, `{"outcomes": null}`, `{"outcomes": ["a", "b", "c"]}`,
		`{"review_on": "2023-01-01"}`, `{"review_on": "2024-02-30"}`,
		`{"purpose": "Weekly dance sessions for young people in Arbury"}`,
		`{"status": "ended"}`, `{"purpose": "\u0000"}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		was := as[api.Partnership](t, s.get(t, "/v1/partnerships/"+id, token))
		before := agreementRows(t, db)
		rec := s.serve("PATCH", "/v1/partnerships/"+id, token, body)
		if rec.Code == http.StatusOK { // a PATCH that changes nothing answers the partnership
			var p api.Partnership
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.ID != id {
				t.Fatalf("200 body: %v, %s", err, rec.Body.Bytes())
			}
		} else {
			checkAnswer(t, "PATCH an accepted partnership", rec, http.StatusAccepted, http.StatusBadRequest)
		}
		now := as[api.Partnership](t, s.get(t, "/v1/partnerships/"+id, token))
		if now.Purpose != was.Purpose || fmt.Sprint(now.Roles) != fmt.Sprint(was.Roles) ||
			fmt.Sprint(now.Outcomes) != fmt.Sprint(was.Outcomes) || now.ReviewOn != was.ReviewOn {
			t.Fatalf("the agreement in force changed without consent:\n%+v\n→\n%+v", was, now)
		}
		after := agreementRows(t, db)
		if rec.Code != http.StatusAccepted {
			if after != before {
				t.Fatalf("a PATCH answered %d stored something: %v → %v", rec.Code, before, after)
			}
			return
		}
		if after != [3]int64{before[0] + 1, before[1], before[2]} {
			t.Fatalf("an amendment changed the rows %v → %v", before, after)
		}
		var env struct {
			Amendment api.Amendment `json:"amendment"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Amendment.Status != "proposed" {
			t.Fatalf("202 body: %v, %s", err, rec.Body.Bytes())
		}
		if rec := s.serve("POST", fmt.Sprintf("/v1/partnerships/%s/amendments/%d/decline", id, env.Amendment.N), partnerToken, nil); rec.Code != http.StatusOK {
			t.Fatalf("decline amendment %d: got %d: %s", env.Amendment.N, rec.Code, rec.Body.Bytes())
		}
	})
}

// FuzzEvaluationRequest posts arbitrary evaluations of a completed
// partnership as either side: never a 5xx; 201, 400 or 409 only; a
// refused body stores nothing; an accepted one judges exactly the
// agreement's outcomes; and each side succeeds at most once.
func FuzzEvaluationRequest(f *testing.F) {
	s, db := fuzzServer(f)
	_, token := s.registerAt(f, "Fuzz proposer", cLat, cLon)
	partner, partnerToken := s.registerAt(f, "Fuzz partner", cLat, cLon)
	p := s.propose(f, token, partnershipBody(partner))
	s.mustAct(f, p.ID, partnerToken, "accept", "activate", "complete")
	addBodySeeds(f, goodEvaluation(p.Outcomes...),
		`{"commitment": 1, "clarity_of_purpose": 2, "coordination": 3, "trust": 4, "communication": 5, "conflict_resolution": 5, "outcomes_met": []}`,
		`{"outcomes_met": [{"outcome": "x", "met": "yes"}]}`,
		`{"outcomes_met": null}`, `{"outcomes_met": [null]}`, `{"outcomes_met": [{"met": 1}]}`,
		`{"commitment": 4, "clarity_of_purpose": 4, "coordination": 4, "trust": 4, "communication": 4, "conflict_resolution": 4, "outcomes_met": [{"outcome": "30 young people dance every week", "met": "partly"}, {"outcome": "two young leaders trained", "met": "no"}]}`,
	)
	posted := map[string]int{}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, tok := range []string{token, partnerToken} {
			before := agreementRows(t, db)
			rec := s.serve("POST", "/v1/partnerships/"+p.ID+"/evaluation", tok, body)
			checkAnswer(t, "POST …/evaluation", rec, http.StatusCreated, http.StatusBadRequest, http.StatusConflict)
			after := agreementRows(t, db)
			if rec.Code != http.StatusCreated {
				if after != before {
					t.Fatalf("a refused evaluation stored something: %v → %v", before, after)
				}
				continue
			}
			if posted[tok]++; posted[tok] > 1 {
				t.Fatal("one side evaluated twice")
			}
			var e api.Evaluation
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, o := range e.OutcomesMet {
				seen[o.Outcome] = true
			}
			if len(e.OutcomesMet) != len(p.Outcomes) || len(seen) != len(p.Outcomes) {
				t.Fatalf("an accepted evaluation judges %v, want each of %v once", e.OutcomesMet, p.Outcomes)
			}
			for _, o := range p.Outcomes {
				if !seen[o] {
					t.Fatalf("an accepted evaluation leaves out %q", o)
				}
			}
		}
	})
}
