package matching

import (
	"fmt"
	"time"
)

// Weekday is a day of the week as the API spells it: "mon" … "sun".
type Weekday string

// Days lists the weekdays in ISO order, Monday first.
var Days = []Weekday{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// ParseWeekday reads "mon" … "sun".
func ParseWeekday(s string) (Weekday, error) {
	for _, d := range Days {
		if string(d) == s {
			return d, nil
		}
	}
	return "", fmt.Errorf("unknown day %s (one of mon, tue, wed, thu, fri, sat, sun)", quote(s))
}

// Time returns the time.Weekday for d.
func (d Weekday) Time() time.Weekday {
	for i, x := range Days {
		if x == d {
			return time.Weekday((i + 1) % 7)
		}
	}
	return -1
}

// WeekdayOf returns the API spelling of a time.Weekday.
func WeekdayOf(w time.Weekday) Weekday { return Days[(int(w)+6)%7] }

// ClockTime is a local wall-clock time of day in minutes after midnight,
// 0 (00:00) to 1440 (24:00).
type ClockTime int

// ParseClock reads "HH:MM" (two digits each, 00:00 to 24:00).
func ParseClock(s string) (ClockTime, error) {
	if len(s) != 5 || s[2] != ':' || !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[3]) || !isDigit(s[4]) {
		return 0, fmt.Errorf("must be a time as HH:MM, got %s", quote(s))
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("must be a time between 00:00 and 24:00, got %s", quote(s))
	}
	return ClockTime(h*60 + m), nil
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// String formats c as HH:MM.
func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// OpeningHours is one opening period on one day of the week, in the venue's
// local time. Closes is after Opens; a period never runs past midnight.
type OpeningHours struct {
	Day    Weekday
	Opens  ClockTime
	Closes ClockTime
}

// Closure is a period when a space is shut whatever its opening hours say.
type Closure struct {
	Start  time.Time
	End    time.Time
	Reason string
}

func validateHours(ve *ValidationError, hours []OpeningHours) {
	if len(hours) > 7*4 {
		ve.Add("opening_hours", "must have at most 28 periods")
		return
	}
	for i, h := range hours {
		f := fmt.Sprintf("opening_hours[%d]", i)
		if h.Day.Time() < 0 {
			ve.Add(f+".day", "unknown day %q (one of mon, tue, wed, thu, fri, sat, sun)", h.Day)
		}
		if h.Opens < 0 || h.Opens >= 1440 {
			ve.Add(f+".opens", "must be between 00:00 and 23:59")
		}
		if h.Closes <= h.Opens || h.Closes > 1440 {
			ve.Add(f+".closes", "must be after opens (%s) and at most 24:00", h.Opens)
			continue
		}
		for j := 0; j < i; j++ {
			o := hours[j]
			if o.Day == h.Day && o.Opens < h.Closes && h.Opens < o.Closes {
				ve.Add(f, "overlaps opening_hours[%d] on %s", j, h.Day)
			}
		}
	}
}

func validateClosures(ve *ValidationError, closures []Closure) {
	if len(closures) > 500 {
		ve.Add("closures", "must have at most 500 entries")
		return
	}
	for i, c := range closures {
		f := fmt.Sprintf("closures[%d]", i)
		if c.Start.IsZero() {
			ve.Add(f+".start", "is required")
		}
		if c.End.IsZero() {
			ve.Add(f+".end", "is required")
		}
		if !c.Start.IsZero() && !c.End.IsZero() && !c.End.After(c.Start) {
			ve.Add(f+".end", "must be after start")
		}
		checkText(ve, f+".reason", c.Reason, MaxShortTextLen)
	}
}
