package api_test

import (
	"net/http"
	"slices"
	"testing"

	"commonground/store"
)

// TestBookWeeklyExcept books a term of Mondays less half-term, and refuses
// an except date that is not one of the series', booking nothing.
func TestBookWeeklyExcept(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		term := mondays("2027-02-01", 4, "18:00", "20:00")
		term["weekly"].(map[string]any)["except"] = []string{"2027-02-15"}
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, term, nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		var starts []string
		for _, o := range bookingOf(t, raw).Booking.Occurrences {
			starts = append(starts, o.Start)
		}
		if want := []string{"2027-02-01T18:00:00Z", "2027-02-08T18:00:00Z", "2027-02-22T18:00:00Z"}; !slices.Equal(starts, want) {
			t.Errorf("got sessions %v, want %v (15 February skipped)", starts, want)
		}

		for _, tt := range []struct {
			name, except, field string
		}{
			{"not a Monday", "2027-02-16", "weekly.except[0]"},
			{"not a date", "16/02/2027", "weekly.except[0]"},
			{"after the series", "2027-03-01", "weekly.except[0]"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				body := mondays("2027-03-01", 4, "18:00", "20:00")
				body["weekly"].(map[string]any)["except"] = []string{tt.except}
				if tt.name == "after the series" {
					body = mondays("2027-02-01", 4, "10:00", "11:00")
					body["weekly"].(map[string]any)["except"] = []string{tt.except}
				}
				status, h, raw := s.book(t, b.bookerToken, b.space.ID, body, nil)
				p := checkProblem(t, "book with a bad except", status, h, raw)
				if status != http.StatusBadRequest {
					t.Fatalf("got %d, want 400", status)
				}
				if _, ok := fieldMessage(p, tt.field); !ok {
					t.Errorf("got fields %v, want %s", fieldNames(p), tt.field)
				}
			})
		}
		status, _, m := s.do(t, "GET", "/v1/bookings?limit=50", b.bookerToken, nil)
		wantStatus(t, "list", status, http.StatusOK, m)
		if items := m["items"].([]any); len(items) != 1 {
			t.Errorf("got %d bookings, want the one: a refused request books nothing", len(items))
		}
	})
}
