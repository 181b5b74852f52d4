package api_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

// bookable is a space with its owner and an organisation that books it.
type bookable struct {
	ownerID, ownerToken   string
	bookerID, bookerToken string
	space                 api.Space
}

// newBookable makes a studio open on Mondays 09:00–17:30 and 18:00–22:00
// and Saturdays (see spaceBody), instant-book unless instant is false.
func newBookable(t *testing.T, s *server, instant bool) bookable {
	t.Helper()
	var b bookable
	b.ownerID, b.ownerToken = s.registerAt(t, "Mill Road Hall", cLat, cLon)
	b.bookerID, b.bookerToken = s.registerAt(t, "Fen Dance", cLat+0.01, cLon)
	venue := s.venue(t, b.ownerToken, "Mill Road Hall", cLat, cLon)
	b.space = s.space(t, b.ownerToken, venue, with(spaceBody("Studio One"), "instant_book", instant, "prohibited_activities", []string{}))
	return b
}

// mondays is count Monday sessions at start–end London time from from.
func mondays(from string, count int, start, end string) map[string]any {
	return map[string]any{"weekly": map[string]any{"day": "mon", "start": start, "end": end, "from": from, "count": count}}
}

func one(start, end string) map[string]any {
	return map[string]any{"sessions": []any{map[string]any{"start": start, "end": end}}}
}

// book posts a booking and returns the status, headers and raw body.
func (s *server) book(t *testing.T, token, spaceID string, body any, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	return s.send(t, request{method: "POST", path: "/v1/spaces/" + spaceID + "/bookings", token: token, body: body, header: header})
}

func bookingOf(t *testing.T, raw []byte) api.BookingEnvelope {
	t.Helper()
	return as[api.BookingEnvelope](t, decode(t, "booking", raw))
}

func statuses(b api.Booking) []string {
	var out []string
	for _, o := range b.Occurrences {
		out = append(out, o.Status)
	}
	return out
}

func TestBookWeeklySeriesAcrossClockChange(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		// Mondays 18:00–20:00 from 15 March 2027; the clocks go forward on 28 March.
		status, h, raw := s.book(t, b.bookerToken, b.space.ID, with(mondays("2027-03-15", 4, "18:00", "20:00"), "purpose", "spring term"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		got := bookingOf(t, raw).Booking
		wantStarts := []string{"2027-03-15T18:00:00Z", "2027-03-22T18:00:00Z", "2027-03-29T17:00:00Z", "2027-04-05T17:00:00Z"}
		var starts []string
		for _, o := range got.Occurrences {
			starts = append(starts, o.Start)
		}
		if !slices.Equal(starts, wantStarts) || got.Status != "confirmed" ||
			!slices.Equal(statuses(got), []string{"confirmed", "confirmed", "confirmed", "confirmed"}) {
			t.Fatalf("got %s with starts %v statuses %v, want confirmed at %v", got.Status, starts, statuses(got), wantStarts)
		}
		if got.OrganisationID != b.bookerID || got.SpaceOwnerID != b.ownerID || got.SpaceID != b.space.ID || got.Purpose != "spring term" {
			t.Errorf("parties: got %+v", got)
		}
		if loc := h.Get("Location"); loc != "/v1/bookings/"+got.ID {
			t.Errorf("Location %q, want /v1/bookings/%s", loc, got.ID)
		}

		for _, tt := range []struct {
			who, token string
			want       int
		}{{"booker", b.bookerToken, 200}, {"owner", b.ownerToken, 200}, {"operator", adminToken, 200}, {"anonymous", "", 401}} {
			status, _, m := s.do(t, "GET", "/v1/bookings/"+got.ID, tt.token, nil)
			wantStatus(t, "get booking as "+tt.who, status, tt.want, m)
			if tt.want == 200 && as[api.BookingEnvelope](t, m).Booking.ID != got.ID {
				t.Errorf("get booking as %s: got %v", tt.who, m)
			}
		}
		_, stranger := s.registerAt(t, "Stranger", cLat, cLon)
		status, _, m := s.do(t, "GET", "/v1/bookings/"+got.ID, stranger, nil)
		wantStatus(t, "get booking as a stranger", status, http.StatusNotFound, m)
	})
}

func TestBookConflicts(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, one("2027-01-11T18:00:00Z", "2027-01-11T20:00:00Z"), nil)
		wantStatus(t, "first booking", status, http.StatusCreated, string(raw))

		// Four Mondays 19:00–21:00: the first overlaps, the last is the
		// bank holiday closure... not in January; use a closed Tuesday
		// instead by listing sessions.
		series := map[string]any{"sessions": []any{
			map[string]any{"start": "2027-01-11T19:00:00Z", "end": "2027-01-11T21:00:00Z"}, // overlaps
			map[string]any{"start": "2027-01-18T19:00:00Z", "end": "2027-01-18T21:00:00Z"}, // free
			map[string]any{"start": "2027-01-19T19:00:00Z", "end": "2027-01-19T21:00:00Z"}, // Tuesday: closed
			map[string]any{"start": "2027-08-30T10:00:00Z", "end": "2027-08-30T11:00:00Z"}, // bank holiday closure
		}}
		status, _, raw = s.book(t, b.ownerToken, b.space.ID, series, nil)
		if status != http.StatusConflict {
			t.Fatalf("conflicting series: got %d, want 409: %s", status, raw)
		}
		p := as[api.Problem](t, decode(t, "problem", raw))
		var reasons []string
		for _, c := range p.Conflicts {
			reasons = append(reasons, c.Start+" "+c.Reason)
		}
		want := []string{"2027-01-11T19:00:00Z booked", "2027-01-19T19:00:00Z outside_hours", "2027-08-30T10:00:00Z closure"}
		if !slices.Equal(reasons, want) {
			t.Errorf("conflicts %v, want %v", reasons, want)
		}
		// Nothing was booked: the free Monday is still free.
		status, _, raw = s.book(t, b.bookerToken, b.space.ID, one("2027-01-18T20:00:00Z", "2027-01-18T21:00:00Z"), nil)
		wantStatus(t, "the free session after a refused series", status, http.StatusCreated, string(raw))

		// With skip_conflicts the free sessions are booked and the rest reported.
		series["sessions"] = append(series["sessions"].([]any), map[string]any{"start": "2027-01-25T19:00:00Z", "end": "2027-01-25T21:00:00Z"})
		status, _, raw = s.book(t, b.ownerToken, b.space.ID, with(series, "skip_conflicts", true), nil)
		wantStatus(t, "skip conflicts", status, http.StatusCreated, string(raw))
		env := bookingOf(t, raw)
		wantStatuses := []string{"conflict", "conflict", "outside_hours", "confirmed", "outside_hours"}
		if !slices.Equal(statuses(env.Booking), wantStatuses) || len(env.Conflicts) != 4 {
			t.Errorf("skip conflicts: statuses %v, conflicts %v; want %v and 4 conflicts", statuses(env.Booking), env.Conflicts, wantStatuses)
		}
		if env.Booking.Occurrences[1].Reason != "booked" || env.Booking.Occurrences[4].Reason != "closure" {
			t.Errorf("occurrence reasons: %+v", env.Booking.Occurrences)
		}
		// Nothing free at all is a 409 even with skip_conflicts.
		status, _, raw = s.book(t, b.ownerToken, b.space.ID, with(one("2027-01-25T19:30:00Z", "2027-01-25T20:00:00Z"), "skip_conflicts", true), nil)
		if status != http.StatusConflict {
			t.Errorf("skip conflicts with nothing free: got %d, want 409: %s", status, raw)
		}
	})
}

// replay sends a booking request again, without send's check that a
// problem's request_id is this request's: a replayed answer is the first
// request's, request_id and all.
func (s *server) replay(t *testing.T, token, spaceID, body string, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", s.url+"/v1/spaces/"+spaceID+"/bookings", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, raw
}

func TestBookingRequestsAndApproval(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, false)
		_, stranger := s.registerAt(t, "Stranger", cLat, cLon)
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, mondays("2027-02-01", 2, "10:00", "12:00"), nil)
		wantStatus(t, "request", status, http.StatusCreated, string(raw))
		first := bookingOf(t, raw).Booking
		if first.Status != "requested" || !slices.Equal(statuses(first), []string{"requested", "requested"}) {
			t.Fatalf("request: got %s %v, want requested", first.Status, statuses(first))
		}
		// A request holds nothing: another request for the same time is fine.
		status, _, raw = s.book(t, stranger, b.space.ID, one("2027-02-08T11:00:00Z", "2027-02-08T13:00:00Z"), nil)
		wantStatus(t, "second request", status, http.StatusCreated, string(raw))
		second := bookingOf(t, raw).Booking

		for _, tt := range []struct {
			who, token string
			want       int
		}{{"the booker", b.bookerToken, 403}, {"a stranger", stranger, 404}, {"anonymous", "", 401}} {
			status, _, m := s.do(t, "POST", "/v1/bookings/"+first.ID+"/approve", tt.token, nil)
			wantStatus(t, "approve as "+tt.who, status, tt.want, m)
			status, _, m = s.do(t, "POST", "/v1/bookings/"+first.ID+"/decline", tt.token, nil)
			wantStatus(t, "decline as "+tt.who, status, tt.want, m)
		}
		status, _, m := s.do(t, "POST", "/v1/bookings/"+first.ID+"/approve", b.ownerToken, nil)
		wantStatus(t, "approve as the owner", status, http.StatusOK, m)
		if got := as[api.BookingEnvelope](t, m).Booking; got.Status != "confirmed" || !slices.Equal(statuses(got), []string{"confirmed", "confirmed"}) {
			t.Errorf("approved: got %s %v", got.Status, statuses(got))
		}
		status, _, m = s.do(t, "POST", "/v1/bookings/"+first.ID+"/approve", b.ownerToken, nil)
		wantStatus(t, "approve twice", status, http.StatusConflict, m)
		status, _, m = s.do(t, "POST", "/v1/bookings/"+first.ID+"/decline", b.ownerToken, nil)
		wantStatus(t, "decline a confirmed booking", status, http.StatusConflict, m)

		// The second request now overlaps a confirmed booking.
		status, _, raw = s.send(t, request{method: "POST", path: "/v1/bookings/" + second.ID + "/approve", token: b.ownerToken})
		if status != http.StatusConflict {
			t.Fatalf("approve an overlapping request: got %d, want 409: %s", status, raw)
		}
		p := as[api.Problem](t, decode(t, "problem", raw))
		if len(p.Conflicts) != 1 || p.Conflicts[0].Reason != "booked" || p.Conflicts[0].Start != "2027-02-08T11:00:00Z" {
			t.Errorf("approve conflicts: got %+v, want the one booked session", p.Conflicts)
		}
		status, _, m = s.do(t, "POST", "/v1/bookings/"+second.ID+"/decline", b.ownerToken, nil)
		wantStatus(t, "decline", status, http.StatusOK, m)
		if got := as[api.BookingEnvelope](t, m).Booking; got.Status != "declined" || got.Occurrences[0].Status != "declined" {
			t.Errorf("declined: got %+v", got)
		}
	})
}

func TestCancelBooking(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		_, stranger := s.registerAt(t, "Stranger", cLat, cLon)
		session := one("2027-03-01T10:00:00Z", "2027-03-01T12:00:00Z")
		for i, canceller := range []string{b.bookerToken, b.ownerToken} {
			status, _, raw := s.book(t, b.bookerToken, b.space.ID, session, nil)
			wantStatus(t, "book", status, http.StatusCreated, string(raw))
			id := bookingOf(t, raw).Booking.ID
			status, _, m := s.do(t, "DELETE", "/v1/bookings/"+id, stranger, nil)
			wantStatus(t, "cancel as a stranger", status, http.StatusNotFound, m)
			status, _, m = s.do(t, "DELETE", "/v1/bookings/"+id, canceller, nil)
			wantStatus(t, "cancel", status, http.StatusOK, m)
			got := as[api.BookingEnvelope](t, m).Booking
			if got.Status != "cancelled" || got.Occurrences[0].Status != "cancelled" {
				t.Errorf("cancel %d: got %+v", i, got)
			}
			status, _, m = s.do(t, "DELETE", "/v1/bookings/"+id, canceller, nil)
			wantStatus(t, "cancel twice", status, http.StatusOK, m)
		}
	})
}

func TestBookingIdempotencyKey(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		body := `{"sessions": [{"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T11:00:00Z"}], "purpose": "class"}`
		key := map[string]string{"Idempotency-Key": "phone-retry-0001"}
		status, _, first := s.book(t, b.bookerToken, b.space.ID, body, key)
		wantStatus(t, "first", status, http.StatusCreated, string(first))
		status, h, again := s.book(t, b.bookerToken, b.space.ID, body, key)
		if status != http.StatusCreated || string(again) != string(first) || h.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: got %d %s (replayed %q), want 201 and the first body %s", status, again, h.Get("Idempotent-Replayed"), first)
		}
		if want := "/v1/bookings/" + bookingOf(t, first).Booking.ID; h.Get("Location") != want {
			t.Errorf("retry: Location %q, want %q", h.Get("Location"), want)
		}
		var n int64
		db.Gorm().Table("bookings").Count(&n)
		if n != 1 {
			t.Errorf("after a retry: %d bookings, want 1", n)
		}
		// The same key with another body.
		other := strings.Replace(body, "class", "another class", 1)
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, other, key)
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "phone-retry-0001") {
			t.Errorf("same key, other body: got %d %s, want 422 naming the key", status, raw)
		}
		// The same key and body at another space is another request.
		venue := s.venue(t, b.ownerToken, "Annex", cLat, cLon)
		annex := s.space(t, b.ownerToken, venue, with(spaceBody("Annex"), "prohibited_activities", []string{}))
		status, _, raw = s.book(t, b.bookerToken, annex.ID, body, key)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("same key and body at another space: got %d %s, want 422", status, raw)
		}
		// Another organisation's key space is its own: the same key books
		// (here: conflicts) afresh.
		status, h, raw = s.book(t, b.ownerToken, b.space.ID, body, key)
		if status != http.StatusConflict || h.Get("Idempotent-Replayed") != "" {
			t.Errorf("same key from the owner: got %d (replayed %q) %s, want a fresh 409", status, h.Get("Idempotent-Replayed"), raw)
		}
		// A 409 is replayed as it was.
		status2, h2, raw2 := s.replay(t, b.ownerToken, b.space.ID, body, key)
		if status2 != http.StatusConflict || string(raw2) != string(raw) || h2.Get("Idempotent-Replayed") != "true" {
			t.Errorf("409 retry: got %d %s, want the first 409 body %s", status2, raw2, raw)
		}
		for _, bad := range []string{strings.Repeat("k", 256), "has space", "tab\there"} {
			status, _, raw := s.book(t, b.bookerToken, b.space.ID, body, map[string]string{"Idempotency-Key": bad})
			if status != http.StatusBadRequest || !strings.Contains(string(raw), "Idempotency-Key") {
				t.Errorf("key %q: got %d %s, want 400 naming Idempotency-Key", bad, status, raw)
			}
		}
	})
}

func TestBookingBadInput(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		path := "/v1/spaces/" + b.space.ID + "/bookings"
		for _, tt := range []struct {
			name  string
			r     request
			want  int
			field string
		}{
			{"anonymous", request{token: "", body: one("2027-03-01T10:00:00Z", "2027-03-01T11:00:00Z")}, 401, ""},
			{"the operator is no organisation", request{token: adminToken, body: one("2027-03-01T10:00:00Z", "2027-03-01T11:00:00Z")}, 403, ""},
			{"malformed JSON", request{body: `{"sessions": [`}, 400, ""},
			{"unknown field", request{body: `{"sessions": [], "room": 1}`}, 400, "room"},
			{"no sessions", request{body: `{"purpose": "x"}`}, 400, "sessions"},
			{"both forms", request{body: with(one("2027-03-01T10:00:00Z", "2027-03-01T11:00:00Z"), "weekly", map[string]any{"day": "mon"})}, 400, "sessions"},
			{"in the past", request{body: one("2023-03-06T10:00:00Z", "2023-03-06T11:00:00Z")}, 400, "sessions[0].start"},
			{"end before start", request{body: one("2027-03-01T11:00:00Z", "2027-03-01T10:00:00Z")}, 400, "sessions[0].end"},
			{"not a time", request{body: one("next monday", "2027-03-01T10:00:00Z")}, 400, "sessions[0].start"},
			{"bad weekly", request{body: mondays("2027-13-01", 0, "18:00", "17:00")}, 400, "weekly.from"},
			{"unknown zone", request{body: map[string]any{"weekly": map[string]any{"day": "mon", "start": "18:00", "end": "19:00", "from": "2027-03-01", "count": 1, "timezone": "Mars/Olympus"}}}, 400, "weekly.timezone"},
			{"overlapping sessions", request{body: map[string]any{"sessions": []any{
				map[string]any{"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T12:00:00Z"},
				map[string]any{"start": "2027-03-01T11:00:00Z", "end": "2027-03-01T13:00:00Z"}}}}, 400, "sessions[1]"},
			{"text/plain", request{body: `{}`, header: map[string]string{"Content-Type": "text/plain"}}, 415, ""},
			{"no such space", request{path: "/v1/spaces/0190a0a0-0000-7000-8000-000000000000/bookings", body: one("2027-03-01T10:00:00Z", "2027-03-01T11:00:00Z")}, 404, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := tt.r
				r.method = "POST"
				if r.path == "" {
					r.path = path
				}
				if r.token == "" && tt.want != 401 {
					r.token = b.bookerToken
				}
				status, h, raw := s.send(t, r)
				if status != tt.want {
					t.Fatalf("got %d %s, want %d", status, raw, tt.want)
				}
				p := checkProblem(t, tt.name, status, h, raw)
				if _, ok := fieldMessage(p, tt.field); tt.field != "" && !ok {
					t.Errorf("problem names fields %v, want %s", fieldNames(p), tt.field)
				}
			})
		}
		if n := bookingCount(t, db); n != 0 {
			t.Errorf("bad requests made %d bookings", n)
		}
		for _, p := range []string{"/v1/bookings/nope", "/v1/bookings/0190a0a0-0000-7000-8000-000000000000"} {
			status, _, m := s.do(t, "GET", p, b.bookerToken, nil)
			wantStatus(t, "GET "+p, status, http.StatusNotFound, m)
			status, _, m = s.do(t, "POST", p+"/approve", b.ownerToken, nil)
			wantStatus(t, "approve "+p, status, http.StatusNotFound, m)
		}
	})
}

func TestListBookings(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true)
		otherID, other := s.registerAt(t, "Other Company", cLat, cLon)
		var mine []string
		for i, day := range []string{"2027-03-01", "2027-03-08", "2027-03-15"} {
			status, _, raw := s.book(t, b.bookerToken, b.space.ID, one(day+"T10:00:00Z", day+"T11:00:00Z"), nil)
			wantStatus(t, fmt.Sprint("book ", i), status, http.StatusCreated, string(raw))
			mine = append(mine, bookingOf(t, raw).Booking.ID)
		}
		status, _, raw := s.book(t, other, b.space.ID, one("2027-03-22T10:00:00Z", "2027-03-22T11:00:00Z"), nil)
		wantStatus(t, "other books", status, http.StatusCreated, string(raw))
		theirs := bookingOf(t, raw).Booking.ID
		status, _, m := s.do(t, "DELETE", "/v1/bookings/"+mine[1], b.bookerToken, nil)
		wantStatus(t, "cancel", status, http.StatusOK, m)

		// walkAs pages through a list with a token, two at a time.
		walkAs := func(path, token string) []string {
			t.Helper()
			var ids []string
			next := path
			for range 20 {
				status, _, m := s.do(t, "GET", next, token, nil)
				wantStatus(t, "GET "+next, status, http.StatusOK, m)
				for _, it := range m["items"].([]any) {
					item := it.(map[string]any)
					ids = append(ids, item["id"].(string))
					if item["organisation_id"] != b.bookerID && item["organisation_id"] != otherID {
						t.Errorf("item %v: unexpected booker", item)
					}
				}
				if m["next_cursor"] == nil {
					return ids
				}
				next = path + "&cursor=" + m["next_cursor"].(string)
			}
			t.Fatalf("walk %s: too many pages", path)
			return nil
		}
		for _, tt := range []struct {
			who, token, query string
			want              []string
		}{
			{"the booker", b.bookerToken, "", mine},
			{"the booker, cancelled", b.bookerToken, "&status=cancelled", mine[1:2]},
			{"the owner", b.ownerToken, "", append(slices.Clone(mine), theirs)},
			{"the owner, one space", b.ownerToken, "&space_id=" + b.space.ID, append(slices.Clone(mine), theirs)},
			{"the other company", other, "", []string{theirs}},
			{"the operator", adminToken, "", append(slices.Clone(mine), theirs)},
		} {
			if got := walkAs("/v1/bookings?limit=2"+tt.query, tt.token); !slices.Equal(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.who, got, tt.want)
			}
		}
		status, _, m = s.do(t, "GET", "/v1/bookings", "", nil)
		wantStatus(t, "anonymous list", status, http.StatusUnauthorized, m)
		status, _, m = s.do(t, "GET", "/v1/bookings?status=maybe", b.bookerToken, nil)
		wantStatus(t, "unknown status", status, http.StatusBadRequest, m)
	})
}
