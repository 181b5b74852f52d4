package matching

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// TestExpandAcrossClockChanges follows weekly series across both 2027
// clock changes in London: on 28 March 01:00 GMT becomes 02:00 BST (01:00–
// 02:00 local never happens); on 31 October 02:00 BST becomes 01:00 GMT
// (01:00–02:00 local happens twice).
func TestExpandAcrossClockChanges(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name       string
		from       string
		start, end ClockTime
		want       [][2]string // each session's start and end, UTC
	}{
		{"spring: a session wholly in the gap moves forward by it and keeps its hour", "2027-03-21", 90, 150, [][2]string{
			{"2027-03-21 01:30", "2027-03-21 02:30"},
			{"2027-03-28 01:30", "2027-03-28 02:30"}, // 02:30–03:30 BST
			{"2027-04-04 00:30", "2027-04-04 01:30"},
		}},
		{"spring: a start in the gap, an end after it", "2027-03-21", 90, 180, [][2]string{
			{"2027-03-21 01:30", "2027-03-21 03:00"},
			{"2027-03-28 01:30", "2027-03-28 02:00"}, // 02:30–03:00 BST: the gap takes its first hour
			{"2027-04-04 00:30", "2027-04-04 02:00"},
		}},
		{"spring: an end in the gap", "2027-03-21", 30, 90, [][2]string{
			{"2027-03-21 00:30", "2027-03-21 01:30"},
			{"2027-03-28 00:30", "2027-03-28 01:30"}, // 00:30 GMT to 02:30 BST
			{"2027-04-03 23:30", "2027-04-04 00:30"},
		}},
		{"spring: an evening class stays at 18:00 local", "2027-03-21", 18 * 60, 20 * 60, [][2]string{
			{"2027-03-21 18:00", "2027-03-21 20:00"},
			{"2027-03-28 17:00", "2027-03-28 19:00"},
			{"2027-04-04 17:00", "2027-04-04 19:00"},
		}},
		{"autumn: a repeated start is the first of the two", "2027-10-24", 90, 150, [][2]string{
			{"2027-10-24 00:30", "2027-10-24 01:30"},
			{"2027-10-31 00:30", "2027-10-31 02:30"}, // 01:30 BST to 02:30 GMT: two hours on the clock's one
			{"2027-11-07 01:30", "2027-11-07 02:30"},
		}},
		{"autumn: both ends in the repeated hour", "2027-10-24", 60, 110, [][2]string{
			{"2027-10-24 00:00", "2027-10-24 00:50"},
			{"2027-10-31 00:00", "2027-10-31 00:50"}, // the first 01:00 and the first 01:50, BST
			{"2027-11-07 01:00", "2027-11-07 01:50"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, _ := time.Parse(DateLayout, tt.from)
			w := Weekly{Day: "sun", Start: tt.start, End: tt.end, From: from, Count: len(tt.want), Timezone: "Europe/London"}
			got, err := w.Expand()
			if err != nil {
				t.Fatalf("Expand: %v", err)
			}
			if err := ValidateSessions(got); err != nil {
				t.Fatalf("the sessions do not validate: %v", err)
			}
			for i, s := range got {
				if want := utc(tt.want[i][0]); !s.Start.Equal(want) {
					t.Errorf("session %d starts %s, want %s", i, s.Start.UTC().Format("2006-01-02 15:04"), tt.want[i][0])
				}
				if want := utc(tt.want[i][1]); !s.End.Equal(want) {
					t.Errorf("session %d ends %s, want %s", i, s.End.UTC().Format("2006-01-02 15:04"), tt.want[i][1])
				}
			}
		})
	}
}

func TestExpandExcept(t *testing.T) {
	date := func(s string) time.Time {
		d, err := time.Parse(DateLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Tuesdays from 5 January 2027 for 8 weeks: 5, 12, 19, 26 January, 2, 9, 16, 23 February.
	base := Weekly{Day: "tue", Start: 18 * 60, End: 20 * 60, From: date("2027-01-04"), Count: 8, Timezone: "Europe/London"}
	tests := []struct {
		name      string
		except    []string
		wantDates []string
		wantField string
	}{
		{"half-term skipped", []string{"2027-02-16"}, []string{"2027-01-05", "2027-01-12", "2027-01-19", "2027-01-26", "2027-02-02", "2027-02-09", "2027-02-23"}, ""},
		{"the first and the last", []string{"2027-02-23", "2027-01-05"}, []string{"2027-01-12", "2027-01-19", "2027-01-26", "2027-02-02", "2027-02-09", "2027-02-16"}, ""},
		{"the same date twice", []string{"2027-01-12", "2027-01-12"}, []string{"2027-01-05", "2027-01-19", "2027-01-26", "2027-02-02", "2027-02-09", "2027-02-16", "2027-02-23"}, ""},
		{"not a Tuesday", []string{"2027-01-13"}, nil, "except[0]"},
		{"the day before the first", []string{"2027-01-04"}, nil, "except[0]"},
		{"a week after the last", []string{"2027-03-02"}, nil, "except[0]"},
		{"a week before the first", []string{"2026-12-29"}, nil, "except[0]"},
		{"every date", []string{"2027-01-05", "2027-01-12", "2027-01-19", "2027-01-26", "2027-02-02", "2027-02-09", "2027-02-16", "2027-02-23"}, nil, "except"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := base
			for _, x := range tt.except {
				w.Except = append(w.Except, date(x))
			}
			got, err := w.Expand()
			if tt.wantField != "" {
				var ve *ValidationError
				if !errors.As(err, &ve) || len(ve.Errors) == 0 || ve.Errors[0].Field != tt.wantField {
					t.Fatalf("got %v, want a validation error on %s", err, tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var dates []string
			for _, s := range got {
				dates = append(dates, s.Start.In(londonForTest(t)).Format(DateLayout))
			}
			if !slices.Equal(dates, tt.wantDates) {
				t.Errorf("got sessions on %v, want %v", dates, tt.wantDates)
			}
		})
	}
}

func londonForTest(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
