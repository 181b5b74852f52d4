package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"commonground/api"
	"commonground/matching"
	"commonground/store"
)

// FuzzPartnershipDecode checks the strict decoder on the partnership and
// health check bodies: it never panics, refuses with a ValidationError
// that names a problem, accepts only valid JSON, and what it accepts
// survives a round trip unchanged.
func FuzzPartnershipDecode(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"partner_id": 5}`, `{"roles": {"a": 1}}`, `{"roles": []}`, `{"outcomes": "x"}`,
		`{"review_on": null}`, `{"trust": 2.5}`, `{"trust": "4"}`, `{"trust": 1e2}`, `{"commitment": -0}`,
		`{"comment": "\u0000"}`, `{"roles": {"": ""}}`, `{"roles": null, "outcomes": null}`, `{"trust": 4} {}`,
		`{"outcomes_met": [{"outcome": "a", "met": "yes"}]}`, `{"outcomes_met": [{"outcome": 1}]}`, `{"outcomes_met": {}}`,
	} {
		f.Add([]byte(s))
	}
	for _, b := range []map[string]any{partnershipBody("0190d3a4-0000-7000-8000-000000000001"), goodHealth()} {
		j, _ := json.Marshal(b)
		f.Add(j)
	}
	types := []func() any{
		func() any { return new(api.PartnershipIn) },
		func() any { return new(api.PartnershipPatch) },
		func() any { return new(api.HealthCheckIn) },
		func() any { return new(api.EvaluationIn) },
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkStrictDecode(t, body, types) })
}

// partnershipRows counts partnerships and health checks.
func partnershipRows(t testing.TB, db *store.DB) [2]int64 {
	t.Helper()
	var n [2]int64
	for i, table := range []string{"partnerships", "partnership_health"} {
		if err := db.Gorm().Raw("SELECT COUNT(*) FROM " + table).Scan(&n[i]).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
	}
	return n
}

// FuzzPartnershipRequest proposes arbitrary partnerships and patches one
// with the same body: never a 5xx, a problem on refusal, and a refused
// write leaves nothing behind.
func FuzzPartnershipRequest(f *testing.F) {
	s, db := fuzzServer(f)
	proposer, token := s.registerAt(f, "Fuzz proposer", cLat, cLon)
	partner, _ := s.registerAt(f, "Fuzz partner", cLat, cLon)
	id := s.propose(f, token, partnershipBody(partner)).ID
	addBodySeeds(f, partnershipBody(partner),
		`{"partner_id": "`+partner+`", "purpose": "x", "outcomes": ["y"], "review_on": "2024-01-08"}`,
		`{"partner_id": "`+proposer+`", "purpose": "x", "outcomes": ["y"], "review_on": "2024-06-01"}`,
		`{"partner_id": "`+partner+`", "purpose": "x", "outcomes": ["y"], "review_on": "2024-06-01", "roles": {"`+proposer+`": ""}}`,
		`{"purpose": "only the purpose"}`,
		`{"review_on": "2024-13-01"}`,
		`{"roles": {"`+partner+`": "hosts"}, "outcomes": [""]}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := partnershipRows(t, db)
		rec := s.serve("POST", "/v1/partnerships", token, body)
		checkAnswer(t, "POST /v1/partnerships", rec, http.StatusCreated, http.StatusBadRequest, http.StatusConflict)
		after := partnershipRows(t, db)
		if rec.Code != http.StatusCreated && after != before {
			t.Fatalf("a refused proposal changed the store: %v → %v", before, after)
		}
		if rec.Code == http.StatusCreated && after[0] != before[0]+1 {
			t.Fatalf("a proposal added %d partnerships", after[0]-before[0])
		}

		was := s.serve("GET", "/v1/partnerships/"+id, token, nil).Body.String()
		rec = s.serve("PATCH", "/v1/partnerships/"+id, token, body)
		checkAnswer(t, "PATCH /v1/partnerships/{id}", rec, http.StatusOK, http.StatusBadRequest)
		if now := s.serve("GET", "/v1/partnerships/"+id, token, nil).Body.String(); rec.Code != http.StatusOK && now != was {
			t.Fatalf("a refused PATCH changed the partnership:\n%s\n→\n%s", was, now)
		}
	})
}

// FuzzHealthCheckRequest posts arbitrary health checks: 201 or 400 only,
// a refused check stores nothing, and an accepted one holds the scores
// sent.
func FuzzHealthCheckRequest(f *testing.F) {
	s, db := fuzzServer(f)
	_, token := s.registerAt(f, "Fuzz proposer", cLat, cLon)
	partner, partnerToken := s.registerAt(f, "Fuzz partner", cLat, cLon)
	id := s.propose(f, token, partnershipBody(partner)).ID
	s.mustAct(f, id, partnerToken, "accept")
	addBodySeeds(f, goodHealth(),
		`{"commitment": 1, "clarity_of_purpose": 2, "coordination": 3, "trust": 4, "communication": 5, "conflict_resolution": 5}`,
		`{"commitment": 0, "clarity_of_purpose": 6, "coordination": 3, "trust": 4, "communication": 5, "conflict_resolution": 5}`,
		`{"commitment": 4.0, "clarity_of_purpose": 4, "coordination": 4, "trust": 4, "communication": 4, "conflict_resolution": 4}`,
		`{"commitment": 4, "clarity_of_purpose": 4, "coordination": 4, "trust": 4, "communication": 4}`,
		`{"commitment": 4, "clarity_of_purpose": 4, "coordination": 4, "trust": 4, "communication": 4, "conflict_resolution": 4, "comment": "\ud800"}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := partnershipRows(t, db)
		rec := s.serve("POST", "/v1/partnerships/"+id+"/health", token, body)
		checkAnswer(t, "POST /v1/partnerships/{id}/health", rec, http.StatusCreated, http.StatusBadRequest)
		after := partnershipRows(t, db)
		if rec.Code != http.StatusCreated {
			if after != before {
				t.Fatalf("a refused check changed the store: %v → %v", before, after)
			}
			return
		}
		if after[1] != before[1]+1 {
			t.Fatalf("a check added %d rows", after[1]-before[1])
		}
		var sent api.HealthCheckIn
		if err := api.DecodeStrict(body, &sent); err != nil {
			t.Fatalf("201 for a body the decoder refuses: %v", err)
		}
		var got api.HealthCheck
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("201 body: %v", err)
		}
		want := []*int{sent.Commitment, sent.ClarityOfPurpose, sent.Coordination, sent.Trust, sent.Communication, sent.ConflictResolution}
		for i, g := range []int{got.Commitment, got.ClarityOfPurpose, got.Coordination, got.Trust, got.Communication, got.ConflictResolution} {
			if want[i] == nil || *want[i] != g || g < 1 || g > 5 {
				t.Fatalf("check %s: got score %d, sent %v", matching.HealthCriteria[i], g, want[i])
			}
		}
	})
}
