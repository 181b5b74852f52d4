package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"commonground/api"
	"commonground/store"
)

// consortiumRows counts consortia, their members and events.
func consortiumRows(t testing.TB, db *store.DB) [3]int64 {
	t.Helper()
	var n [3]int64
	for i, table := range []string{"consortia", "consortium_members", "events"} {
		if err := db.Gorm().Raw("SELECT COUNT(*) FROM " + table).Scan(&n[i]).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
	}
	return n
}

// FuzzConsortiumFormDecode checks the strict decoder on the consortium
// body: it never panics, refuses with a ValidationError naming a problem,
// and what it accepts survives a round trip.
func FuzzConsortiumFormDecode(f *testing.F) {
	for _, s := range []string{`{}`, `null`, `{"member_ids": "x"}`, `{"bid": []}`, `{"bid": {"deadline": 5}}`,
		`{"roles": {"a": null}}`, `{"member_ids": [null]}`, `{"lead_id": "\u0000"}`} {
		f.Add([]byte(s))
	}
	j, _ := json.Marshal(formingBody("0190d3a4-0000-7000-8000-000000000001", "0190d3a4-0000-7000-8000-000000000002"))
	f.Add(j)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkStrictDecode(t, body, []func() any{func() any { return new(api.ConsortiumPartnershipIn) }})
	})
}

// FuzzConsortiumFormRequest forms consortia from arbitrary bodies with the
// lead's token: never a 5xx, a problem for anything but 201, a refused
// body stores nothing (no consortium, member or event), and a formed one
// invites exactly the members sent, the lead aside.
func FuzzConsortiumFormRequest(f *testing.F) {
	s, db := fuzzServer(f)
	lead, token := s.registerAt(f, "Fuzz lead", cLat, cLon)
	a, _ := s.registerAt(f, "Fuzz member A", cLat, cLon)
	b, _ := s.registerAt(f, "Fuzz member B", cLat, cLon)
	lab, _ := s.register(f, with(orgBody("Fuzz lab", cLat, cLon), "practices", []string{"animal-testing"}, "exclusions", []string{}))
	addBodySeeds(f, formingBody(lead, a, b),
		`{"name": "x", "purpose": "y", "lead_id": "`+lead+`", "member_ids": ["`+a+`", "`+lab+`"], "bid": {"title": "t", "commissioner": "c", "deadline": "2024-06-01"}}`,
		`{"name": "x", "purpose": "y", "lead_id": "`+lead+`", "member_ids": ["`+lead+`", "`+a+`"], "bid": {"title": "t", "commissioner": "c", "deadline": "2024-06-01"}}`,
		`{"name": "x", "purpose": "y", "lead_id": "`+a+`", "member_ids": ["`+b+`"], "bid": {"title": "t", "commissioner": "c", "deadline": "2024-06-01"}}`,
		`{"name": "x", "purpose": "y", "lead_id": "`+lead+`", "member_ids": ["`+a+`"], "bid": {"title": "t", "commissioner": "c", "deadline": "2023-06-01"}}`,
		`{"name": "x", "purpose": "y", "lead_id": "`+lead+`", "member_ids": ["`+a+`", "`+a+`"], "bid": null}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := consortiumRows(t, db)
		rec := s.serve("POST", "/v1/consortia", token, body)
		checkAnswer(t, "POST /v1/consortia", rec, http.StatusCreated, http.StatusBadRequest, http.StatusForbidden, http.StatusConflict)
		after := consortiumRows(t, db)
		if rec.Code != http.StatusCreated {
			if after != before {
				t.Fatalf("a refused consortium changed the store: %v → %v", before, after)
			}
			return
		}
		var sent api.ConsortiumPartnershipIn
		if err := api.DecodeStrict(body, &sent); err != nil {
			t.Fatalf("201 for a body the decoder refuses: %v", err)
		}
		var got api.ConsortiumPartnership
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, id := range sent.MemberIDs {
			if id != lead {
				want[id] = true
			}
		}
		if got.Status != "forming" || got.LeadID != lead || len(got.MemberIDs) != len(want) ||
			after != [3]int64{before[0] + 1, before[1] + int64(len(want)), before[2] + 1} {
			t.Fatalf("formed %+v (rows %v → %v), want the members %v", got, before, after, want)
		}
		for _, id := range got.MemberIDs {
			if !want[id] || id == lab {
				t.Fatalf("member %s was not sent, or may not work with the others", id)
			}
		}
	})
}
