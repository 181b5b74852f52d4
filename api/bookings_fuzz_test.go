package api_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"commonground/api"
	"commonground/matching"
	"commonground/store"
)

var bookingSeeds = []string{
	`{"sessions": [{"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T11:00:00Z"}]}`,
	`{"weekly": {"day": "mon", "start": "18:00", "end": "20:00", "from": "2027-03-15", "count": 4}, "skip_conflicts": true}`,
	`{"weekly": {"day": "mon", "start": "01:00", "end": "02:00", "from": "2027-03-22", "count": 2, "timezone": "Europe/London"}}`,
	`{"weekly": {"day": "sun", "start": "23:00", "end": "24:00", "from": "2027-03-28", "count": 1, "timezone": "America/New_York"}}`,
	`{"sessions": [], "purpose": "x"}`,
	`{"sessions": [{"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T09:00:00Z"}]}`,
	`{"sessions": [{"start": "2027-03-01T10:00:00+14:00", "end": "2027-03-01T11:00:00-12:00"}]}`,
	`{"sessions": [{"start": "2020-03-01T10:00:00Z", "end": "2020-03-01T11:00:00Z"}]}`,
	`{"sessions": [{"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T11:00:00Z"}], "weekly": {"day": "mon"}}`,
	`{"weekly": {"day": "mon", "start": "18:00", "end": "20:00", "from": "2027-03-15", "count": 100000}}`,
	`{"weekly": {"day": "mon", "start": "25:00", "end": "20:00", "from": "99999-03-15", "count": -1, "timezone": "Local"}}`,
	`{"sessions": [{"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T11:00:00Z"}], "skip_conflicts": "yes"}`,
	`{"sessions": null}`, `{"purpose": 5}`,
	`{"weekly": {"day": "mon", "start": "18:00", "end": "20:00", "from": "2027-03-15", "count": 4, "except": ["2027-03-22"]}}`,
	`{"weekly": {"day": "mon", "start": "18:00", "end": "20:00", "from": "2027-03-15", "count": 1, "except": ["2027-03-15"]}}`,
	`{"weekly": {"day": "sun", "start": "01:30", "end": "02:30", "from": "2027-03-21", "count": 3, "except": ["x", 5, null]}}`,
	`{"sessions": [{"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T11:00:00Z"}], "tier": "community"}`,
	`{"sessions": [{"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T11:00:00Z"}], "tier": "commercial"}`,
	`{"weekly": {"day": "mon", "start": "18:00", "end": "20:00", "from": "2027-03-15", "count": 4}, "tier": "gold"}`,
	`{"sessions": [{"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T11:00:00Z"}], "tier": 5}`,
	`{"sessions": [{"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T11:00:00Z"}], "tier": ""}`,
	`{"sessions": [{"start": "2031-03-03T10:00:00Z", "end": "2031-03-03T11:00:00Z"}], "tier": "standard"}`,
}

// FuzzParseBooking checks the booking decoder never panics, refuses with
// field errors, and accepts only requests that hold: sessions that end
// after they start, no longer than a day, not overlapping, in the future.
func FuzzParseBooking(f *testing.F) {
	for _, s := range append(bookingSeeds, ``, `{}`, `null`, `[]`, `{"x": 1}`) {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := api.ParseBooking(body, "space", "org", now)
		if err != nil {
			var ve *matching.ValidationError
			if !errors.Is(err, matching.ErrInvalid) || !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("ParseBooking(%q): got %v (%T), want a ValidationError", body, err, err)
			}
			return
		}
		if len(req.Sessions) == 0 || len(req.Sessions) > matching.MaxSessions {
			t.Fatalf("ParseBooking(%q): accepted %d sessions", body, len(req.Sessions))
		}
		if !slices.Contains(matching.Tiers, req.Tier) {
			t.Fatalf("ParseBooking(%q): accepted tier %q", body, req.Tier)
		}
		for i, s := range req.Sessions {
			if !s.Start.After(now) || !s.End.After(s.Start) || s.End.Sub(s.Start) > matching.MaxSessionLength {
				t.Fatalf("ParseBooking(%q): accepted session %d %v–%v", body, i, s.Start, s.End)
			}
			for j := range i {
				if s.Overlaps(req.Sessions[j]) {
					t.Fatalf("ParseBooking(%q): accepted overlapping sessions %d and %d", body, j, i)
				}
			}
		}
	})
}

// FuzzBookingRequest posts arbitrary bookings: never a 5xx, a problem on
// refusal, and a refused or conflicting request books nothing.
func FuzzBookingRequest(f *testing.F) {
	s, db := fuzzServer(f)
	_, owner := s.registerAt(f, "Fuzz owner", cLat, cLon)
	_, booker := s.registerAt(f, "Fuzz booker", cLat, cLon)
	venue := s.venue(f, owner, "Fuzz hall", cLat, cLon)
	space := s.space(f, owner, venue, spaceBody("Fuzz studio"))
	for _, seed := range append(bookingSeeds, ``, `{}`, `null`) {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := bookingCount(t, db)
		rec := s.serve("POST", "/v1/spaces/"+space.ID+"/bookings", booker, body)
		// 422: a tier the space does not price, a session past its horizon.
		checkAnswer(t, "POST /v1/spaces/{id}/bookings", rec, http.StatusCreated, http.StatusBadRequest, http.StatusConflict,
			http.StatusUnprocessableEntity)
		after := bookingCount(t, db)
		switch {
		case rec.Code != http.StatusCreated && after != before:
			t.Fatalf("a refused booking (%d) changed the store: %d → %d bookings", rec.Code, before, after)
		case rec.Code == http.StatusCreated && after != before+1:
			t.Fatalf("a booking made %d bookings", after-before)
		}
		if rec.Code == http.StatusCreated {
			var env api.BookingEnvelope
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Booking.ID == "" || len(env.Booking.Occurrences) == 0 {
				t.Fatalf("201 body %s: want a booking with occurrences", rec.Body.Bytes())
			}
		}
	})
}

// FuzzQuoteRequest posts arbitrary quotes: never a 5xx, a problem on
// refusal, and nothing recorded, whatever the answer: no booking, no
// event, no idempotency key.
func FuzzQuoteRequest(f *testing.F) {
	s, db := fuzzServer(f)
	_, owner := s.registerAt(f, "Fuzz owner", cLat, cLon)
	_, booker := s.registerAt(f, "Fuzz booker", cLat, cLon)
	venue := s.venue(f, owner, "Fuzz hall", cLat, cLon)
	space := s.space(f, owner, venue, with(spaceBody("Fuzz studio"), "turnaround_minutes", 30, "max_hours_per_organisation", 3))
	for _, seed := range append(bookingSeeds, ``, `{}`, `null`) {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := recordCounts(t, db)
		rec := s.serve("POST", "/v1/spaces/"+space.ID+"/quote", booker, body)
		checkAnswer(t, "POST /v1/spaces/{id}/quote", rec, http.StatusOK, http.StatusBadRequest, http.StatusConflict,
			http.StatusUnprocessableEntity)
		if after := recordCounts(t, db); after != before {
			t.Fatalf("a quote (%d) changed the store: %v → %v", rec.Code, before, after)
		}
		if rec.Code == http.StatusOK {
			var env api.BookingEnvelope
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Booking.Status != api.QuoteStatus ||
				env.Booking.ID != "" || len(env.Booking.Occurrences) == 0 {
				t.Fatalf("200 body %s: want a quote with occurrences and no id", rec.Body.Bytes())
			}
			total := 0
			for _, o := range env.Booking.Occurrences {
				if o.Status == "confirmed" || o.Status == "requested" {
					total += o.Pence
				}
			}
			if total != env.Booking.TotalPence {
				t.Fatalf("200 body %s: total_pence %d, want the held sessions' %d", rec.Body.Bytes(), env.Booking.TotalPence, total)
			}
		}
	})
}

// recordCounts counts what a booking request may record.
func recordCounts(t *testing.T, db *store.DB) [4]int64 {
	t.Helper()
	var out [4]int64
	for i, table := range []string{"bookings", "booking_occurrences", "events", "idempotency_keys"} {
		if err := db.Gorm().Table(table).Count(&out[i]).Error; err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func bookingCount(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Table("bookings").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
