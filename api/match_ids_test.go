package api_test

import (
	"net/http"
	"slices"
	"testing"

	"commonground/store"
)

// TestMatchVenuesBadIDs: an ID that cannot name anything is reported
// under its own field.
func TestMatchVenuesBadIDs(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		for _, c := range []struct {
			name      string
			body      any
			want, not string
		}{
			{"requester", matchBody("organisation_id", "org\x00id"), "organisation_id", "explain_space_id"},
			{"explained space", matchBody("explain_space_id", "space\x00id"), "explain_space_id", "organisation_id"},
		} {
			t.Run(c.name, func(t *testing.T) {
				status, h, raw := s.send(t, request{method: "POST", path: "/v1/match/venues", body: c.body})
				if status != http.StatusBadRequest {
					t.Fatalf("got %d %s, want 400", status, raw)
				}
				names := fieldNames(checkProblem(t, c.name, status, h, raw))
				if !slices.Contains(names, c.want) || slices.Contains(names, c.not) {
					t.Errorf("got fields %v, want %s and no %s", names, c.want, c.not)
				}
			})
		}
	})
}
