package matching

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// monday is a Monday in January (GMT), when validSpace opens 09:00–22:00.
func monday(h, m int) time.Time { return time.Date(2027, 1, 4, h, m, 0, 0, time.UTC) }

func TestPlanBooking(t *testing.T) {
	london := mustZone(t, "Europe/London")
	sess := func(day, h1, h2 int) Session {
		return Session{monday(h1, 0).AddDate(0, 0, day), monday(h2, 0).AddDate(0, 0, day)}
	}
	booked := []Session{sess(7, 10, 12)} // the next Monday 10:00–12:00 is taken
	tests := []struct {
		name      string
		instant   bool
		skip      bool
		sessions  []Session
		booked    bool
		status    BookingStatus
		occ       []OccurrenceStatus
		conflicts []string
	}{
		{"instant, all free", true, false, []Session{sess(0, 10, 12), sess(7, 13, 15)}, true, BookingConfirmed,
			[]OccurrenceStatus{OccurrenceConfirmed, OccurrenceConfirmed}, nil},
		{"request, all free", false, false, []Session{sess(0, 10, 12)}, true, BookingRequested,
			[]OccurrenceStatus{OccurrenceRequested}, nil},
		{"one booked, no skip: nothing", true, false, []Session{sess(0, 10, 12), sess(7, 11, 13)}, false, "", nil,
			[]string{ReasonBooked}},
		{"one booked, skip: the rest", true, true, []Session{sess(7, 11, 13), sess(0, 10, 12)}, true, BookingConfirmed,
			[]OccurrenceStatus{OccurrenceConfirmed, OccurrenceConflict}, []string{ReasonBooked}},
		{"touching a booking is free", true, false, []Session{sess(7, 12, 14)}, true, BookingConfirmed,
			[]OccurrenceStatus{OccurrenceConfirmed}, nil},
		{"closed on Tuesday", true, true, []Session{sess(1, 10, 12)}, false, "", nil, []string{ReasonOutsideHours}},
		{"past closing", true, false, []Session{sess(0, 21, 23)}, false, "", nil, []string{ReasonOutsideHours}},
		{"closure, skip", true, true, []Session{sess(0, 10, 11), {time.Date(2026, 12, 28, 10, 0, 0, 0, time.UTC), time.Date(2026, 12, 28, 11, 0, 0, 0, time.UTC)}},
			true, BookingConfirmed, []OccurrenceStatus{OccurrenceOutsideHours, OccurrenceConfirmed}, []string{ReasonClosure}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := validSpace()
			sp.ID, sp.OrganisationID, sp.InstantBook = "space-1", "owner", tt.instant
			// The closure of validSpace is 24–27 Dec 2026; move it onto the 28th.
			sp.Closures = []Closure{{Start: time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 29, 0, 0, 0, 0, time.UTC)}}
			req := &BookingRequest{SpaceID: sp.ID, OrganisationID: "booker", Sessions: tt.sessions, SkipConflicts: tt.skip}
			got := PlanBooking(req, &sp, london, booked, 0)
			if got.Booked() != tt.booked {
				t.Fatalf("booked = %v, want %v (conflicts %v)", got.Booked(), tt.booked, got.Conflicts)
			}
			var reasons []string
			for _, c := range got.Conflicts {
				reasons = append(reasons, c.Reason)
			}
			if !slices.Equal(reasons, tt.conflicts) {
				t.Errorf("conflict reasons %v, want %v", reasons, tt.conflicts)
			}
			if !tt.booked {
				return
			}
			b := got.Booking
			if b.Status != tt.status || b.OrganisationID != "booker" || b.SpaceOwnerID != "owner" || b.SpaceID != "space-1" {
				t.Errorf("booking %+v, want status %s by booker of owner's space-1", b, tt.status)
			}
			var occ []OccurrenceStatus
			for i, o := range b.Occurrences {
				occ = append(occ, o.Status)
				if i > 0 && !b.Occurrences[i-1].Start.Before(o.Start) {
					t.Errorf("occurrences not by start: %v", b.Occurrences)
				}
			}
			if !slices.Equal(occ, tt.occ) {
				t.Errorf("occurrence statuses %v, want %v", occ, tt.occ)
			}
		})
	}
}

func TestBookingTransitions(t *testing.T) {
	london := mustZone(t, "Europe/London")
	sp := validSpace()
	requested := func() *Booking {
		return &Booking{Status: BookingRequested, Occurrences: []Occurrence{
			{Start: monday(10, 0), End: monday(11, 0), Status: OccurrenceRequested},
			{Start: monday(12, 0), End: monday(13, 0), Status: OccurrenceRequested},
			{Start: monday(22, 0), End: monday(23, 0), Status: OccurrenceOutsideHours, Reason: ReasonOutsideHours},
		}}
	}

	t.Run("approve confirms what is free", func(t *testing.T) {
		b := requested()
		conflicts, err := b.Approve(&sp, london, []Session{{monday(12, 30), monday(14, 0)}})
		if err != nil {
			t.Fatal(err)
		}
		got := []OccurrenceStatus{b.Occurrences[0].Status, b.Occurrences[1].Status, b.Occurrences[2].Status}
		want := []OccurrenceStatus{OccurrenceConfirmed, OccurrenceConflict, OccurrenceOutsideHours}
		if b.Status != BookingConfirmed || !slices.Equal(got, want) || len(conflicts) != 1 || conflicts[0].Reason != ReasonBooked {
			t.Errorf("after approve: status %s occurrences %v conflicts %v; want confirmed, %v, one booked conflict", b.Status, got, conflicts, want)
		}
	})
	t.Run("approve with nothing free changes nothing", func(t *testing.T) {
		b := requested()
		_, err := b.Approve(&sp, london, []Session{{monday(9, 0), monday(14, 0)}})
		var ce *ConflictError
		if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) || len(ce.Conflicts) != 2 {
			t.Fatalf("got %v, want a ConflictError naming both sessions", err)
		}
		if b.Status != BookingRequested || b.Occurrences[0].Status != OccurrenceRequested {
			t.Errorf("booking changed: %+v", b)
		}
	})
	t.Run("decline", func(t *testing.T) {
		b := requested()
		if err := b.Decline(); err != nil {
			t.Fatal(err)
		}
		if b.Status != BookingDeclined || b.Occurrences[0].Status != OccurrenceDeclined || b.Occurrences[2].Status != OccurrenceOutsideHours {
			t.Errorf("after decline: %+v", b)
		}
		if err := b.Decline(); !errors.Is(err, ErrConflict) {
			t.Errorf("declining twice: got %v, want a conflict", err)
		}
		if _, err := b.Approve(&sp, london, nil); !errors.Is(err, ErrConflict) {
			t.Errorf("approving a declined booking: got %v, want a conflict", err)
		}
		if err := b.Cancel(); !errors.Is(err, ErrConflict) {
			t.Errorf("cancelling a declined booking: got %v, want a conflict", err)
		}
	})
	t.Run("cancel frees every held session", func(t *testing.T) {
		b := requested()
		if _, err := b.Approve(&sp, london, nil); err != nil {
			t.Fatal(err)
		}
		if len(b.ConfirmedSessions()) != 2 {
			t.Fatalf("confirmed %v, want 2 sessions", b.ConfirmedSessions())
		}
		if err := b.Cancel(); err != nil {
			t.Fatal(err)
		}
		if b.Status != BookingCancelled || len(b.ConfirmedSessions()) != 0 || b.Occurrences[2].Status != OccurrenceOutsideHours {
			t.Errorf("after cancel: %+v", b)
		}
		if err := b.Cancel(); err != nil || b.Status != BookingCancelled {
			t.Errorf("cancelling twice: got %v, status %s; want no error, still cancelled", err, b.Status)
		}
		if _, err := b.Approve(&sp, london, nil); !errors.Is(err, ErrConflict) {
			t.Errorf("approving a cancelled booking: got %v, want a conflict", err)
		}
	})
}

func TestBookingRequestValidate(t *testing.T) {
	now := monday(9, 0)
	long := make([]byte, MaxPurposeLength+1)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		name  string
		req   BookingRequest
		field string
	}{
		{"fine", BookingRequest{Sessions: []Session{{monday(10, 0), monday(11, 0)}}}, ""},
		{"in the past", BookingRequest{Sessions: []Session{{monday(10, 0), monday(11, 0)}, {monday(8, 0), monday(8, 30)}}}, "sessions[1].start"},
		{"starting now", BookingRequest{Sessions: []Session{{now, monday(11, 0)}}}, "sessions[0].start"},
		{"no sessions", BookingRequest{}, "sessions"},
		{"end before start", BookingRequest{Sessions: []Session{{monday(11, 0), monday(10, 0)}}}, "sessions[0].end"},
		{"purpose too long", BookingRequest{Purpose: string(long), Sessions: []Session{{monday(10, 0), monday(11, 0)}}}, "purpose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate(now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if !slices.Contains(fields(err), tt.field) {
				t.Errorf("got %v, want an error on %s", err, tt.field)
			}
		})
	}
}
