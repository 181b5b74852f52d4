package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"commonground/api"
	"commonground/matching"
	"commonground/store"
)

// TestCancelOneOccurrence cancels one session of a weekly booking: that
// session is freed for matching and booking while the rest stand, and the
// booking ends cancelled once its last session is.
func TestCancelOneOccurrence(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, mondays("2027-03-01", 3, "18:00", "20:00"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		id := bookingOf(t, raw).Booking.ID
		cancel := func(token, index string) (int, map[string]any) {
			t.Helper()
			status, _, m := s.do(t, "POST", "/v1/bookings/"+id+"/occurrences/"+index+"/cancel", token, nil)
			return status, m
		}

		status, m := cancel(b.bookerToken, "1")
		wantStatus(t, "cancel session 1", status, http.StatusOK, m)
		got := as[api.BookingEnvelope](t, m).Booking.Status
		if got != "confirmed" {
			t.Errorf("booking after cancelling one session: got %s, want confirmed", got)
		}
		status, _, raw = s.send(t, request{method: "GET", path: "/v1/bookings/" + id, token: b.ownerToken})
		wantStatus(t, "get", status, http.StatusOK, string(raw))
		if st := statuses(bookingOf(t, raw).Booking); !slices.Equal(st, []string{"confirmed", "cancelled", "confirmed"}) {
			t.Errorf("statuses %v, want confirmed, cancelled, confirmed", st)
		}
		// The read model frees exactly that session.
		var booked []matching.Session
		for _, sv := range s.follower.Engine.View().Spaces {
			if sv.ID == b.space.ID {
				booked = sv.Booked
			}
		}
		if len(booked) != 2 || booked[0].Start.Format(time.RFC3339) != "2027-03-01T18:00:00Z" || booked[1].Start.Format(time.RFC3339) != "2027-03-15T18:00:00Z" {
			t.Errorf("the read model holds %v, want 1 and 15 March only", booked)
		}
		// Another organisation can now book the freed evening.
		_, other := s.registerAt(t, "Other company", cLat, cLon)
		status, _, raw = s.book(t, other, b.space.ID, mondays("2027-03-08", 1, "18:00", "20:00"), nil)
		wantStatus(t, "book the freed session", status, http.StatusCreated, string(raw))

		for _, tt := range []struct {
			name, token, index string
			want               int
		}{
			{"again: nothing changes", b.bookerToken, "1", http.StatusOK},
			{"a session the booking lacks", b.bookerToken, "3", http.StatusNotFound},
			{"not a number", b.bookerToken, "first", http.StatusBadRequest},
			{"negative", b.bookerToken, "-1", http.StatusBadRequest},
			{"a stranger", other, "0", http.StatusNotFound},
			{"anonymous", "", "0", http.StatusUnauthorized},
		} {
			status, m := cancel(tt.token, tt.index)
			wantStatus(t, tt.name, status, tt.want, m)
		}

		// The owner cancels the other two: the booking is cancelled.
		for _, i := range []string{"0", "2"} {
			status, m = cancel(b.ownerToken, i)
			wantStatus(t, "owner cancels "+i, status, http.StatusOK, m)
		}
		if got := as[api.BookingEnvelope](t, m).Booking.Status; got != "cancelled" {
			t.Errorf("booking after its last session: got %s, want cancelled", got)
		}
	})
}

// TestMatchingSeesOneSessionCancelled: after one session of a weekly
// booking is cancelled, matching offers the space for that evening again,
// and still not for the others, on the server at once and on a second
// replica over the same database within two seconds.
func TestMatchingSeesOneSessionCancelled(t *testing.T) {
	concurrentBackends(t, func(t *testing.T, s *server, db *store.DB, url string) {
		b := newBookable(t, s, true)
		replica := newServer(t, openStore(t, url))
		follow(t, replica.follower, 100*time.Millisecond)
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, mondays("2027-03-01", 3, "18:00", "20:00"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		id := bookingOf(t, raw).Booking.ID
		offered := func(on *server, day string) bool {
			t.Helper()
			body := matchBody("weekly", map[string]any{"day": "mon", "start": "18:00", "end": "20:00", "from": day, "count": 1})
			status, _, m := on.do(t, "POST", "/v1/match/venues", "", body)
			wantStatus(t, "match", status, http.StatusOK, m)
			return slices.Contains(matchIDs(m), b.space.ID)
		}
		waitFor(t, 2*time.Second, "the replica to see the booking", func() bool { return !offered(replica, "2027-03-08") })

		status, _, m := s.do(t, "POST", "/v1/bookings/"+id+"/occurrences/1/cancel", b.bookerToken, nil)
		wantStatus(t, "cancel session 1", status, http.StatusOK, m)
		if !offered(s, "2027-03-08") || offered(s, "2027-03-01") || offered(s, "2027-03-15") {
			t.Errorf("on the server: want 8 March offered again and 1 and 15 March still booked")
		}
		waitFor(t, 2*time.Second, "the replica to see the cancelled session", func() bool { return offered(replica, "2027-03-08") })
		if offered(replica, "2027-03-01") || offered(replica, "2027-03-15") {
			t.Errorf("on the replica: 1 or 15 March offered, want them still booked")
		}
	})
}
