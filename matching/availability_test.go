package matching

import (
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestWeeklyKeepsWallClockAcrossClockChange(t *testing.T) {
	london := mustZone(t, "Europe/London")
	// Tuesdays 18:00–20:00 from 10 March 2026: clocks go forward on 29 March.
	w := Weekly{Day: "tue", Start: 18 * 60, End: 20 * 60, From: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC), Count: 4, Timezone: "Europe/London"}
	got, err := w.Expand()
	if err != nil {
		t.Fatal(err)
	}
	wantUTC := []string{"2026-03-10T18:00:00Z", "2026-03-17T18:00:00Z", "2026-03-24T18:00:00Z", "2026-03-31T17:00:00Z"}
	for i, s := range got {
		if s.Start.UTC().Format(time.RFC3339) != wantUTC[i] {
			t.Errorf("session %d starts %s, want %s", i, s.Start.UTC().Format(time.RFC3339), wantUTC[i])
		}
		if l := s.Start.In(london); l.Hour() != 18 || l.Weekday() != time.Tuesday {
			t.Errorf("session %d starts %s local, want Tuesday 18:00", i, l)
		}
		if s.End.Sub(s.Start) != 2*time.Hour {
			t.Errorf("session %d lasts %s, want 2h", i, s.End.Sub(s.Start))
		}
	}
}

func TestWeeklyFirstSessionOnOrAfterFrom(t *testing.T) {
	for _, tt := range []struct {
		from string
		want string
	}{{"2027-01-05", "2027-01-05"}, {"2027-01-06", "2027-01-12"}, {"2027-01-04", "2027-01-05"}} {
		from, _ := time.Parse("2006-01-02", tt.from)
		got, err := Weekly{Day: "tue", Start: 600, End: 660, From: from, Count: 1, Timezone: "Europe/London"}.Expand()
		if err != nil {
			t.Fatal(err)
		}
		if d := got[0].Start.Format("2006-01-02"); d != tt.want {
			t.Errorf("from %s: first session on %s, want %s", tt.from, d, tt.want)
		}
	}
}

func TestWeeklyValidation(t *testing.T) {
	from := time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		w     Weekly
		field string
	}{
		{Weekly{Day: "xyz", Start: 600, End: 660, From: from, Count: 1, Timezone: "Europe/London"}, "day"},
		{Weekly{Day: "tue", Start: 600, End: 600, From: from, Count: 1, Timezone: "Europe/London"}, "end"},
		{Weekly{Day: "tue", Start: 600, End: 660, From: from, Count: 0, Timezone: "Europe/London"}, "count"},
		{Weekly{Day: "tue", Start: 600, End: 660, From: from, Count: 105, Timezone: "Europe/London"}, "count"},
		{Weekly{Day: "tue", Start: 600, End: 660, From: from, Count: 1, Timezone: "Nowhere/Town"}, "timezone"},
		{Weekly{Day: "tue", Start: 600, End: 660, Count: 1, Timezone: "Europe/London"}, "from"},
	}
	for _, tt := range tests {
		_, err := tt.w.Expand()
		if f := fields(err); len(f) == 0 || f[0] != tt.field {
			t.Errorf("%+v: got fields %v, want %s", tt.w, f, tt.field)
		}
	}
}

func TestUnavailability(t *testing.T) {
	london := mustZone(t, "Europe/London")
	s := Space{
		OpeningHours: []OpeningHours{{"tue", 9 * 60, 22 * 60}, {"sat", 10 * 60, 1440}},
		Closures:     []Closure{{Start: time.Date(2027, 1, 19, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC)}},
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, london) }
	booked := []Session{
		{at(2027, 1, 5, 10, 0), at(2027, 1, 5, 12, 0)},
		{at(2027, 1, 26, 18, 0), at(2027, 1, 26, 19, 0)},
	}
	tests := []struct {
		name string
		sess Session
		want string
	}{
		{"inside hours", Session{at(2027, 1, 12, 18, 0), at(2027, 1, 12, 20, 0)}, ""},
		{"wrong day", Session{at(2027, 1, 13, 18, 0), at(2027, 1, 13, 20, 0)}, ReasonOutsideHours},
		{"runs past closing", Session{at(2027, 1, 12, 21, 0), at(2027, 1, 12, 22, 30)}, ReasonOutsideHours},
		{"ends at closing", Session{at(2027, 1, 12, 20, 0), at(2027, 1, 12, 22, 0)}, ""},
		{"until midnight", Session{at(2027, 1, 16, 22, 0), at(2027, 1, 17, 0, 0)}, ""},
		{"past midnight", Session{at(2027, 1, 16, 23, 0), at(2027, 1, 17, 0, 30)}, ReasonOutsideHours},
		{"closure", Session{at(2027, 1, 19, 18, 0), at(2027, 1, 19, 20, 0)}, ReasonClosure},
		{"booked overlap", Session{at(2027, 1, 26, 18, 30), at(2027, 1, 26, 20, 0)}, ReasonBooked},
		{"touching a booking", Session{at(2027, 1, 26, 19, 0), at(2027, 1, 26, 20, 0)}, ""},
		{"summer time, local hours", Session{at(2027, 6, 1, 9, 0), at(2027, 6, 1, 10, 0)}, ""},
		{"summer time, UTC reading would be wrong", Session{at(2027, 6, 1, 21, 30), at(2027, 6, 1, 22, 30)}, ReasonOutsideHours},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Unavailability(tt.sess, london, booked); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOverlapsAnyMatchesScan(t *testing.T) {
	base := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	var booked []Session
	for i := 0; i < 50; i++ {
		s := base.Add(time.Duration(i*3) * time.Hour)
		booked = append(booked, Session{s, s.Add(time.Duration(1+i%2) * time.Hour)})
	}
	for start := -2 * 60; start < 160*60; start += 17 {
		for _, length := range []int{1, 30, 60, 200} {
			q := Session{base.Add(time.Duration(start) * time.Minute), base.Add(time.Duration(start+length) * time.Minute)}
			want := false
			for _, b := range booked {
				want = want || q.Overlaps(b)
			}
			if got := overlapsAny(q, booked); got != want {
				t.Fatalf("%v: got %v, want %v", q, got, want)
			}
		}
	}
}
