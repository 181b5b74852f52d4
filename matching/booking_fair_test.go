package matching

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// TestPlanBookingTurnaround books around a confirmed 10:00–12:00 on a
// space that keeps 30 minutes clear: a session that ends or starts within
// the gap is booked out, one that keeps it is free.
func TestPlanBookingTurnaround(t *testing.T) {
	london := mustZone(t, "Europe/London")
	sp := validSpace()
	sp.InstantBook, sp.TurnaroundMinutes = true, 30
	booked := []Session{{monday(10, 0), monday(12, 0)}}
	tests := []struct {
		name     string
		from, to time.Time
		free     bool
	}{
		{"ends inside the gap before", monday(9, 0), monday(9, 31), false},
		{"ends as the gap begins", monday(9, 10), monday(9, 30), true},
		{"starts inside the gap after", monday(12, 29), monday(13, 0), false},
		{"starts as the gap ends", monday(12, 30), monday(14, 0), true},
		{"overlaps", monday(11, 0), monday(13, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &BookingRequest{SpaceID: "s", OrganisationID: "o", Sessions: []Session{{tt.from, tt.to}}}
			got := PlanBooking(req, &sp, london, booked, 0)
			if got.Booked() != tt.free {
				t.Fatalf("booked = %v, want %v (conflicts %v)", got.Booked(), tt.free, got.Conflicts)
			}
			if !tt.free && (len(got.Conflicts) != 1 || got.Conflicts[0].Reason != ReasonBooked) {
				t.Errorf("conflicts %v, want one %s", got.Conflicts, ReasonBooked)
			}
			// Without a turnaround only the overlap is refused.
			plain := sp
			plain.TurnaroundMinutes = 0
			overlap := tt.from.Before(booked[0].End) && booked[0].Start.Before(tt.to)
			if got := PlanBooking(req, &plain, london, booked, 0); got.Booked() == overlap {
				t.Errorf("without turnaround: booked = %v, want %v", got.Booked(), !overlap)
			}
		})
	}
}

// TestPlanBookingCap: an instant space with a cap confirms while the
// organisation's future hours stay within it, and makes the whole request
// wait for the owner once they would pass it.
func TestPlanBookingCap(t *testing.T) {
	london := mustZone(t, "Europe/London")
	sp := validSpace()
	sp.InstantBook, sp.MaxHoursPerOrganisation = true, 10
	twoHours := []Session{{monday(10, 0), monday(12, 0)}, {monday(10, 0).AddDate(0, 0, 7), monday(12, 0).AddDate(0, 0, 7)}}
	tests := []struct {
		held time.Duration
		want BookingStatus
	}{
		{0, BookingConfirmed},
		{6 * time.Hour, BookingConfirmed}, // 6 + 4 = 10: at the cap
		{6*time.Hour + time.Minute, BookingRequested},
		{20 * time.Hour, BookingRequested},
	}
	for _, tt := range tests {
		req := &BookingRequest{SpaceID: "s", OrganisationID: "o", Sessions: twoHours}
		got := PlanBooking(req, &sp, london, nil, tt.held)
		if !got.Booked() || got.Booking.Status != tt.want {
			t.Fatalf("held %v: got %+v, want %s", tt.held, got.Booking, tt.want)
		}
		for _, o := range got.Booking.Occurrences {
			if string(o.Status) != string(tt.want) {
				t.Errorf("held %v: occurrence %s, want %s", tt.held, o.Status, tt.want)
			}
		}
	}
	uncapped := sp
	uncapped.MaxHoursPerOrganisation = 0
	req := &BookingRequest{SpaceID: "s", OrganisationID: "o", Sessions: twoHours}
	if got := PlanBooking(req, &uncapped, london, nil, 1000*time.Hour); got.Booking.Status != BookingConfirmed {
		t.Errorf("no cap: status %s, want confirmed", got.Booking.Status)
	}
}

// TestBookingPrices: a booking carries its tier's price; each session
// costs its length at that price, to the nearest penny; only held
// sessions count towards the total.
func TestBookingPrices(t *testing.T) {
	london := mustZone(t, "Europe/London")
	sp := validSpace() // community 1500, standard 2500
	sp.InstantBook = true
	sessions := []Session{{monday(10, 0), monday(11, 30)}, {monday(13, 0), monday(13, 1)}}
	for _, tt := range []struct {
		tier      Tier
		pph       int
		pence     []int
		wantTotal int
	}{
		{"", 2500, []int{3750, 42}, 3792}, // 2500/60 = 41.67 a minute
		{"community", 1500, []int{2250, 25}, 2275},
	} {
		req := &BookingRequest{SpaceID: "s", OrganisationID: "o", Tier: tt.tier, Sessions: sessions}
		b := PlanBooking(req, &sp, london, nil, 0).Booking
		if b.PencePerHour != tt.pph || (tt.tier != "" && b.Tier != tt.tier) || (tt.tier == "" && b.Tier != DefaultTier) {
			t.Fatalf("tier %q: booking at %s %d, want %d", tt.tier, b.Tier, b.PencePerHour, tt.pph)
		}
		var pence []int
		for i := range b.Occurrences {
			pence = append(pence, b.Pence(i))
		}
		if !slices.Equal(pence, tt.pence) || b.TotalPence() != tt.wantTotal {
			t.Errorf("tier %q: pence %v total %d, want %v total %d", tt.tier, pence, b.TotalPence(), tt.pence, tt.wantTotal)
		}
		if err := b.CancelOccurrence(1, monday(9, 0)); err != nil {
			t.Fatal(err)
		}
		if got, want := b.TotalPence(), tt.pence[0]; got != want {
			t.Errorf("tier %q after cancelling a session: total %d, want %d", tt.tier, got, want)
		}
	}
}

// TestAdmit: a tier the space does not price and a session past its
// horizon are refused (ErrUnprocessable), naming the field.
func TestAdmit(t *testing.T) {
	now := monday(9, 0)
	sp := validSpace() // no commercial price; horizon unset: 365 days
	ok := []Session{{now.AddDate(0, 0, 364), now.AddDate(0, 0, 364).Add(time.Hour)}}
	late := []Session{ok[0], {now.AddDate(0, 0, 366), now.AddDate(0, 0, 366).Add(time.Hour)}}
	for _, tt := range []struct {
		name     string
		tier     Tier
		horizon  int
		sessions []Session
		fields   []string
	}{
		{"priced, within a year", "community", 0, ok, nil},
		{"default tier", "", 0, ok, nil},
		{"unpriced tier", "commercial", 0, ok, []string{"tier"}},
		{"past the default horizon", "standard", 0, late, []string{"sessions[1].start"}},
		{"past a short horizon", "standard", 30, ok, []string{"sessions[0].start"}},
		{"both", "commercial", 400, late, []string{"tier"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := sp
			s.BookingHorizonDays = tt.horizon
			err := s.Admit(&BookingRequest{Tier: tt.tier, Sessions: tt.sessions}, now)
			var re *RefusedError
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if !errors.As(err, &re) || !errors.Is(err, ErrUnprocessable) {
				t.Fatalf("got %v, want a RefusedError", err)
			}
			var got []string
			for _, fe := range re.Errors {
				got = append(got, fe.Field)
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}
