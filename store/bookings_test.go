package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// mondayAt is h:00 UTC (GMT) on the Monday week weeks after 4 January
// 2027; newSpace opens on Mondays 09:00–17:30 and 18:00–22:00 local time.
func mondayAt(week, h int) time.Time { return time.Date(2027, 1, 4+7*week, h, 0, 0, 0, time.UTC) }

func sessionAt(week, h1, h2 int) matching.Session {
	return matching.Session{Start: mondayAt(week, h1), End: mondayAt(week, h2)}
}

// bookingFixture makes an owner with an instant-book space and a second
// organisation to book it.
func bookingFixture(t *testing.T, db *store.DB) (owner, booker matching.Organisation, space matching.Space) {
	t.Helper()
	owner, booker = newOrg("Owner", 52.2, 0.12), newOrg("Booker", 52.21, 0.13)
	createOrg(t, db, &owner, "")
	createOrg(t, db, &booker, "")
	v := newVenue(owner.ID, "Hall", 52.2, 0.12)
	createVenue(t, db, &v)
	space = newSpace(v.ID, "Studio")
	createSpace(t, db, &space)
	return owner, booker, space
}

// renderID answers 201 with the booking's ID, or 409 with the number of
// conflicts, and counts its calls.
func renderID(calls *atomic.Int32) matching.Render {
	return func(o *matching.BookingOutcome) (matching.Reply, error) {
		calls.Add(1)
		if o.Booked() {
			return matching.Reply{Status: 201, Body: []byte(o.Booking.ID)}, nil
		}
		return matching.Reply{Status: 409, Body: fmt.Appendf(nil, "%d conflicts", len(o.Conflicts))}, nil
	}
}

func countRows(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Table(table).Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestBookAndFollow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		owner, booker, space := bookingFixture(t, db)
		before, err := db.Revision(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var calls atomic.Int32
		req := &matching.BookingRequest{SpaceID: space.ID, OrganisationID: booker.ID, Purpose: "rehearsals",
			Sessions: []matching.Session{sessionAt(1, 18, 20), sessionAt(0, 18, 20)}}
		id := uuid.NewString()
		reply, outcome, err := db.Book(ctx, id, req, nil, renderID(&calls))
		if err != nil {
			t.Fatalf("Book: %v", err)
		}
		if reply.Status != 201 || string(reply.Body) != id || !outcome.Booked() || reply.Replayed {
			t.Fatalf("Book: got reply %d %q replayed %v, outcome %+v; want 201 with the booking id", reply.Status, reply.Body, reply.Replayed, outcome)
		}
		got, err := db.GetBooking(ctx, id)
		if err != nil {
			t.Fatalf("GetBooking: %v", err)
		}
		wantOcc := []matching.Occurrence{
			{Start: mondayAt(0, 18), End: mondayAt(0, 20), Status: matching.OccurrenceConfirmed},
			{Start: mondayAt(1, 18), End: mondayAt(1, 20), Status: matching.OccurrenceConfirmed},
		}
		if got.Status != matching.BookingConfirmed || got.SpaceOwnerID != owner.ID || got.OrganisationID != booker.ID ||
			got.Purpose != "rehearsals" || !slices.Equal(got.Occurrences, wantOcc) {
			t.Errorf("GetBooking: got %+v, want confirmed, owner %s, booker %s, occurrences %v", got, owner.ID, booker.ID, wantOcc)
		}

		// An overlapping request books nothing.
		req2 := &matching.BookingRequest{SpaceID: space.ID, OrganisationID: owner.ID, Sessions: []matching.Session{sessionAt(1, 19, 21)}}
		reply, outcome, err = db.Book(ctx, uuid.NewString(), req2, nil, renderID(&calls))
		if err != nil || reply.Status != 409 || outcome.Booked() || len(outcome.Conflicts) != 1 || outcome.Conflicts[0].Reason != matching.ReasonBooked {
			t.Fatalf("overlapping Book: got %d %+v %v, want 409 with one booked conflict", reply.Status, outcome, err)
		}
		if n := countRows(t, db, "bookings"); n != 1 {
			t.Errorf("bookings: got %d rows, want 1", n)
		}

		// The read model learns of the booking from the change set and
		// from a snapshot.
		cs, err := db.ChangesSince(ctx, before)
		if err != nil {
			t.Fatal(err)
		}
		want := []matching.Session{sessionAt(0, 18, 20), sessionAt(1, 18, 20)}
		if p, ok := cs.Bookings[space.ID]; !ok || !slices.Equal(p, want) {
			t.Errorf("ChangesSince: booked periods %v (present %v), want %v", p, ok, want)
		}
		sink, _ := snapshot(t, db)
		if !slices.Equal(sink.booked[space.ID], want) || len(sink.booked) != 1 {
			t.Errorf("Snapshot: booked periods %v, want only %v for the space", sink.booked, want)
		}
		checkOrder(t, sink.calls)

		// Cancelling frees the sessions, and the change set says so.
		mid, _ := db.Revision(ctx)
		b, err := db.ChangeBooking(ctx, id, matching.CancelBooking, nil)
		if err != nil || b.Status != matching.BookingCancelled || len(b.ConfirmedSessions()) != 0 {
			t.Fatalf("cancel: got %+v, %v; want a cancelled booking", b, err)
		}
		cs, err = db.ChangesSince(ctx, mid)
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := cs.Bookings[space.ID]; !ok || len(p) != 0 {
			t.Errorf("ChangesSince after cancel: booked periods %v (present %v), want an empty list", p, ok)
		}
		reply, outcome, err = db.Book(ctx, uuid.NewString(), req2, nil, renderID(&calls))
		if err != nil || reply.Status != 201 {
			t.Errorf("Book after cancel: got %d %+v %v, want 201", reply.Status, outcome, err)
		}
	})
}

// TestDeletingBookerFreesSessions deletes an organisation that has booked
// another's space: its bookings go with it, and the change set must name
// that space with nothing booked, or engines would keep the sessions
// blocked.
func TestDeletingBookerFreesSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		_, booker, space := bookingFixture(t, db)
		var calls atomic.Int32
		req := &matching.BookingRequest{SpaceID: space.ID, OrganisationID: booker.ID, Sessions: []matching.Session{sessionAt(0, 18, 20)}}
		if reply, _, err := db.Book(ctx, uuid.NewString(), req, nil, renderID(&calls)); err != nil || reply.Status != 201 {
			t.Fatalf("Book: got %d, %v; want 201", reply.Status, err)
		}
		before := revision(t, db)
		if err := db.DeleteOrganisation(ctx, booker.ID); err != nil {
			t.Fatalf("DeleteOrganisation: %v", err)
		}
		if n := countRows(t, db, "booking_occurrences"); n != 0 {
			t.Errorf("booking_occurrences: got %d rows after deleting the booker, want 0", n)
		}
		cs := changesSince(t, db, before)
		if p, ok := cs.Bookings[space.ID]; !ok || len(p) != 0 {
			t.Errorf("ChangesSince: booked periods of the booked space %v (present %v), want an empty list", p, ok)
		}
		if len(cs.Spaces) != 1 || cs.Spaces[0].ID != space.ID {
			t.Errorf("ChangesSince: spaces %+v, want the booked space reloaded", cs.Spaces)
		}
		if got := cs.DeletedOrganisations; !slices.Equal(got, []string{booker.ID}) {
			t.Errorf("ChangesSince: deleted organisations %v, want [%s]", got, booker.ID)
		}
	})
}

func TestBookIdempotency(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			var now atomic.Int64
			now.Store(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC).UnixMicro())
			db, err := store.Open(t.Context(), storetest.URL(t, d), store.Options{Now: func() time.Time { return time.UnixMicro(now.Load()) }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			ctx := t.Context()
			_, booker, space := bookingFixture(t, db)
			other := newOrg("Other", 52.2, 0.1)
			createOrg(t, db, &other, "")
			req := func(org string, week int) *matching.BookingRequest {
				return &matching.BookingRequest{SpaceID: space.ID, OrganisationID: org, Sessions: []matching.Session{sessionAt(week, 10, 11)}}
			}
			var calls atomic.Int32
			key := &matching.Idempotency{Key: "retry-1", RequestHash: "hash-a"}
			first, _, err := db.Book(ctx, uuid.NewString(), req(booker.ID, 0), key, renderID(&calls))
			if err != nil || first.Status != 201 || first.Replayed {
				t.Fatalf("first: got %+v %v", first, err)
			}
			again, outcome, err := db.Book(ctx, uuid.NewString(), req(booker.ID, 0), key, renderID(&calls))
			if err != nil || !again.Replayed || again.Status != 201 || string(again.Body) != string(first.Body) || outcome != nil {
				t.Fatalf("retry: got %+v, outcome %v, %v; want the first reply %q replayed", again, outcome, err, first.Body)
			}
			if calls.Load() != 1 || countRows(t, db, "bookings") != 1 {
				t.Errorf("retry: render ran %d times, %d bookings; want 1 and 1", calls.Load(), countRows(t, db, "bookings"))
			}
			_, _, err = db.Book(ctx, uuid.NewString(), req(booker.ID, 1), &matching.Idempotency{Key: "retry-1", RequestHash: "hash-b"}, renderID(&calls))
			if !errors.Is(err, matching.ErrUnprocessable) {
				t.Errorf("same key, other request: got %v, want ErrUnprocessable", err)
			}
			// Keys belong to one organisation.
			r, _, err := db.Book(ctx, uuid.NewString(), req(other.ID, 2), &matching.Idempotency{Key: "retry-1", RequestHash: "hash-c"}, renderID(&calls))
			if err != nil || r.Replayed || r.Status != 201 {
				t.Errorf("same key, other organisation: got %+v %v, want a new booking", r, err)
			}
			// A 409 is kept too.
			k409 := &matching.Idempotency{Key: "retry-409", RequestHash: "hash-d"}
			c1, _, err := db.Book(ctx, uuid.NewString(), req(other.ID, 0), k409, renderID(&calls))
			c2, _, err2 := db.Book(ctx, uuid.NewString(), req(other.ID, 0), k409, renderID(&calls))
			if err != nil || err2 != nil || c1.Status != 409 || !c2.Replayed || string(c2.Body) != string(c1.Body) {
				t.Errorf("409 replay: got %+v then %+v (%v, %v), want the 409 replayed", c1, c2, err, err2)
			}
			// After 24 hours the key is forgotten.
			now.Add((24*time.Hour + time.Second).Microseconds())
			late, _, err := db.Book(ctx, uuid.NewString(), req(booker.ID, 3), &matching.Idempotency{Key: "retry-1", RequestHash: "hash-b"}, renderID(&calls))
			if err != nil || late.Replayed || late.Status != 201 {
				t.Errorf("after 24h: got %+v %v, want a new booking", late, err)
			}
			if err := db.PruneIdempotencyKeys(ctx, 24*time.Hour); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, db, "idempotency_keys"); n != 1 {
				t.Errorf("after pruning: %d keys, want only the one used just now", n)
			}
		})
	}
}

// TestExclusionConstraint checks PostgreSQL itself refuses overlapping
// confirmed occurrences, whatever code writes them.
func TestExclusionConstraint(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	ctx := t.Context()
	_, booker, space := bookingFixture(t, db)
	var calls atomic.Int32
	id := uuid.NewString()
	if _, _, err := db.Book(ctx, id, &matching.BookingRequest{SpaceID: space.ID, OrganisationID: booker.ID,
		Sessions: []matching.Session{sessionAt(0, 10, 12)}}, nil, renderID(&calls)); err != nil {
		t.Fatal(err)
	}
	insert := func(seq int, status string, start, end time.Time) error {
		return db.Gorm().WithContext(ctx).Exec(`INSERT INTO booking_occurrences (booking_id, seq, space_id, starts_at, ends_at, status)
			VALUES (?, ?, ?, ?, ?, ?)`, id, seq, space.ID, start, end, status).Error
	}
	for _, tt := range []struct {
		status     string
		start, end time.Time
		ok         bool
	}{
		{"confirmed", mondayAt(0, 11), mondayAt(0, 13), false},
		{"confirmed", mondayAt(0, 9), mondayAt(0, 10), true}, // touching is fine
		{"requested", mondayAt(0, 11), mondayAt(0, 13), true},
		{"cancelled", mondayAt(0, 10), mondayAt(0, 12), true},
	} {
		err := insert(100+int(calls.Add(1)), tt.status, tt.start, tt.end)
		if (err == nil) != tt.ok {
			t.Errorf("insert %s %s–%s: got %v, want ok=%v", tt.status, tt.start.Format("15:04"), tt.end.Format("15:04"), err, tt.ok)
		}
	}
}

func TestChangeBookingRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		owner, booker, space := bookingFixture(t, db)
		space.InstantBook = false
		if err := saveSpace(ctx, db, &space); err != nil {
			t.Fatal(err)
		}
		var calls atomic.Int32
		book := func(org string, s ...matching.Session) string {
			t.Helper()
			id := uuid.NewString()
			r, o, err := db.Book(ctx, id, &matching.BookingRequest{SpaceID: space.ID, OrganisationID: org, Sessions: s}, nil, renderID(&calls))
			if err != nil || r.Status != 201 || o.Booking.Status != matching.BookingRequested {
				t.Fatalf("Book: got %+v %+v %v, want a request", r, o, err)
			}
			return id
		}
		a := book(booker.ID, sessionAt(0, 10, 12), sessionAt(1, 10, 12))
		b := book(owner.ID, sessionAt(1, 11, 13)) // requests do not block each other
		denied := errors.New("not you")
		if _, err := db.ChangeBooking(ctx, a, matching.ApproveBooking, func(*matching.Booking) error { return denied }); !errors.Is(err, denied) {
			t.Fatalf("a refused approval: got %v, want the refusal", err)
		}
		if got, _ := db.GetBooking(ctx, a); got.Status != matching.BookingRequested {
			t.Errorf("after a refused approval: status %s, want requested", got.Status)
		}
		got, err := db.ChangeBooking(ctx, a, matching.ApproveBooking, nil)
		if err != nil || got.Status != matching.BookingConfirmed || len(got.ConfirmedSessions()) != 2 {
			t.Fatalf("approve a: got %+v %v", got, err)
		}
		_, err = db.ChangeBooking(ctx, b, matching.ApproveBooking, nil)
		var ce *matching.ConflictError
		if !errors.As(err, &ce) || len(ce.Conflicts) != 1 || ce.Conflicts[0].Reason != matching.ReasonBooked {
			t.Fatalf("approve b over a: got %v, want a conflict naming one booked session", err)
		}
		if _, err := db.ChangeBooking(ctx, a, matching.DeclineBooking, nil); !errors.Is(err, matching.ErrConflict) {
			t.Errorf("decline a confirmed booking: got %v, want a conflict", err)
		}
		if got, err := db.ChangeBooking(ctx, b, matching.DeclineBooking, nil); err != nil || got.Status != matching.BookingDeclined {
			t.Errorf("decline b: got %+v %v", got, err)
		}
		if _, err := db.ChangeBooking(ctx, uuid.NewString(), matching.CancelBooking, nil); !errors.Is(err, matching.ErrNotFound) {
			t.Errorf("cancel a missing booking: got %v, want not found", err)
		}
		if _, err := db.GetBooking(ctx, "nope"); !errors.Is(err, matching.ErrNotFound) {
			t.Errorf("get a missing booking: got %v, want not found", err)
		}
		if _, _, err := db.Book(ctx, uuid.NewString(), &matching.BookingRequest{SpaceID: uuid.NewString(), OrganisationID: owner.ID,
			Sessions: []matching.Session{sessionAt(3, 10, 11)}}, nil, renderID(&calls)); !errors.Is(err, matching.ErrNotFound) {
			t.Errorf("book a missing space: got %v, want not found", err)
		}
		cal, err := db.SpaceCalendar(ctx, space.ID, mondayAt(-1, 0))
		entries := cal.Entries
		if err != nil || len(entries) != 2 || entries[0].BookingID != a || entries[0].OrganisationName != "Booker" ||
			!entries[0].Start.Equal(mondayAt(0, 10)) || !entries[1].End.Equal(mondayAt(1, 12)) {
			t.Errorf("calendar: got %+v %v, want booking a's two sessions", entries, err)
		}
		if _, err := db.SpaceCalendar(ctx, uuid.NewString(), mondayAt(-1, 0)); !errors.Is(err, matching.ErrNotFound) {
			t.Errorf("calendar of a missing space: got %v, want not found", err)
		}
		// Deleting the space takes its bookings with it.
		if err := db.DeleteSpace(context.WithoutCancel(ctx), space.ID); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, "booking_occurrences"); n != 0 {
			t.Errorf("after deleting the space: %d occurrences left, want 0", n)
		}
	})
}

// TestBookedPastIsLeftOut checks Options.BookedPast: read models get the
// booked periods that ended within it, and later ones, but not older ones.
func TestBookedPastIsLeftOut(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			var now atomic.Int64
			now.Store(mondayAt(0, 8).UnixMicro())
			db, err := store.Open(t.Context(), storetest.URL(t, d), store.Options{BookedPast: 24 * time.Hour,
				Now: func() time.Time { return time.UnixMicro(now.Load()) }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			ctx := t.Context()
			_, booker, space := bookingFixture(t, db)
			var calls atomic.Int32
			req := &matching.BookingRequest{SpaceID: space.ID, OrganisationID: booker.ID,
				Sessions: []matching.Session{sessionAt(0, 10, 11), sessionAt(1, 10, 11), sessionAt(2, 10, 11)}}
			if _, _, err := db.Book(ctx, uuid.NewString(), req, nil, renderID(&calls)); err != nil {
				t.Fatal(err)
			}
			// Monday of week 1 at 23:00: week 0's session ended a week ago,
			// week 1's twelve hours ago (within a day), week 2's is ahead.
			now.Store(mondayAt(1, 23).UnixMicro())
			sink, rev := snapshot(t, db)
			want := []matching.Session{sessionAt(1, 10, 11), sessionAt(2, 10, 11)}
			if got := sink.booked[space.ID]; !slices.Equal(got, want) {
				t.Errorf("snapshot: booked %v, want only %v", got, want)
			}
			// A change to the space hands over the same.
			space.Name = "Renamed"
			if err := saveSpace(ctx, db, &space); err != nil {
				t.Fatal(err)
			}
			cs, err := db.ChangesSince(ctx, rev)
			if err != nil {
				t.Fatal(err)
			}
			if got := cs.Bookings[space.ID]; !slices.Equal(got, want) {
				t.Errorf("changes: booked %v, want only %v", got, want)
			}
		})
	}
}
