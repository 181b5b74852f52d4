package matching

import (
	"errors"
	"testing"
	"time"
)

func TestCancelOccurrence(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2027, 3, 1, h, 0, 0, 0, time.UTC) }
	newBooking := func() *Booking {
		return &Booking{Status: BookingConfirmed, Occurrences: []Occurrence{
			{Start: at(10), End: at(11), Status: OccurrenceConfirmed},
			{Start: at(12), End: at(13), Status: OccurrenceConflict},
			{Start: at(14), End: at(15), Status: OccurrenceConfirmed},
		}}
	}
	tests := []struct {
		name       string
		index      int
		now        time.Time
		wantErr    error
		wantStatus BookingStatus
		wantOcc    OccurrenceStatus
	}{
		{"a held session before it begins", 0, at(9), nil, BookingConfirmed, OccurrenceCancelled},
		{"the last held session", 2, at(9), nil, BookingConfirmed, OccurrenceCancelled},
		{"a session that has begun", 0, at(10), ErrConflict, BookingConfirmed, OccurrenceConfirmed},
		{"a session never held", 1, at(9), ErrConflict, BookingConfirmed, OccurrenceConflict},
		{"past the end", 3, at(9), ErrNotFound, BookingConfirmed, ""},
		{"negative", -1, at(9), ErrNotFound, BookingConfirmed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBooking()
			err := b.CancelOccurrence(tt.index, tt.now)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if b.Status != tt.wantStatus {
				t.Errorf("booking status %s, want %s", b.Status, tt.wantStatus)
			}
			if tt.wantOcc != "" && b.Occurrences[tt.index].Status != tt.wantOcc {
				t.Errorf("session %d is %s, want %s", tt.index, b.Occurrences[tt.index].Status, tt.wantOcc)
			}
		})
	}
	t.Run("both held sessions: the booking is cancelled", func(t *testing.T) {
		b := newBooking()
		for _, i := range []int{0, 2, 2} {
			if err := b.CancelOccurrence(i, at(9)); err != nil {
				t.Fatalf("cancel %d: %v", i, err)
			}
		}
		if b.Status != BookingCancelled {
			t.Errorf("booking status %s, want cancelled", b.Status)
		}
	})
}
