package matching

import (
	"fmt"
	"time"
)

// Limits on what one request may ask for.
const (
	MaxSessions       = 200            // sessions in one list or series
	MaxSessionLength  = 24 * time.Hour // one session
	MaxWeeklyCount    = 104            // two years of weeks
	maxSessionsFuture = 5 * 365 * 24 * time.Hour
)

// Session is one booked or requested period, as absolute instants.
type Session struct {
	Start time.Time
	End   time.Time
}

// Overlaps reports whether two half-open periods [Start, End) share time.
func (s Session) Overlaps(o Session) bool { return s.Start.Before(o.End) && o.Start.Before(s.End) }

// Weekly is a series of sessions on one day of the week at one local
// wall-clock time, in a named time zone, so 18:00 stays 18:00 across the
// clock change.
type Weekly struct {
	Day      Weekday
	Start    ClockTime
	End      ClockTime
	From     time.Time // a date: only its year, month and day count
	Count    int
	Timezone string
	// Except are dates of the series to skip (only their year, month and
	// day count), such as half-term: the series still spans Count weeks,
	// as RFC 5545's EXDATE takes dates out of a COUNT-bounded rule.
	Except []time.Time
}

// Expand returns the series' sessions: the first on the first Day on or
// after From, then one a week, Count in all, each at Start–End local time
// in the series' zone. On a clock-change day the local times follow RFC
// 5545 (3.3.5): a time that happens twice is the first of the two, and a
// time that does not happen (01:30 when clocks go forward) is read with the
// offset before the gap, so it moves forward by the gap. A session wholly
// inside the gap (01:30–02:30 in London) would then end as it starts; it
// keeps its length instead and becomes 02:30–03:30, so a series is never
// refused for a clock change. It returns a *ValidationError for a
// bad series.
func (w Weekly) Expand() ([]Session, error) {
	ve := &ValidationError{}
	loc, err := LoadLocation(w.Timezone)
	if err != nil {
		ve.Add("timezone", "%v", err)
	}
	if w.Day.Time() < 0 {
		ve.Add("day", "unknown day %s (one of mon, tue, wed, thu, fri, sat, sun)", quote(string(w.Day)))
	}
	if w.Start < 0 || w.Start >= 1440 {
		ve.Add("start", "must be between 00:00 and 23:59")
	}
	if w.End <= w.Start || w.End > 1440 {
		ve.Add("end", "must be after start and at most 24:00")
	}
	if w.Count < 1 || w.Count > MaxWeeklyCount {
		ve.Add("count", "must be between 1 and %d", MaxWeeklyCount)
	}
	if w.From.IsZero() {
		ve.Add("from", "is required (YYYY-MM-DD)")
	} else if w.From.Year() < 2000 || w.From.Year() > 2200 {
		ve.Add("from", "must be a date between the years 2000 and 2200")
	}
	if len(w.Except) > MaxWeeklyCount {
		ve.Add("except", "may list at most %d dates", MaxWeeklyCount)
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	y, m, d := w.From.Date()
	first := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	first = first.AddDate(0, 0, (int(w.Day.Time())-int(first.Weekday())+7)%7)
	skip := make(map[int]bool, len(w.Except))
	for i, x := range w.Except {
		xy, xm, xd := x.Date()
		// Both at noon UTC: whole days apart.
		since := time.Date(xy, xm, xd, 12, 0, 0, 0, time.UTC).Sub(first)
		const week = 7 * 24 * time.Hour
		if since < 0 || since%week != 0 || int(since/week) >= w.Count {
			ve.Add(fmt.Sprintf("except[%d]", i), "%s is not a date of the series (%s from %s, %d weeks)",
				x.Format(DateLayout), w.Day, first.Format(DateLayout), w.Count)
			continue
		}
		skip[int(since/week)] = true
	}
	if len(skip) == w.Count {
		ve.Add("except", "skips every date of the series: nothing would be left")
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	out := make([]Session, 0, w.Count-len(skip))
	for i := range w.Count {
		if skip[i] {
			continue
		}
		day := first.AddDate(0, 0, 7*i)
		start, end := localClock(day, w.Start, loc), localClock(day, w.End, loc)
		if !end.After(start) {
			// Both ends fell in one gap: keep the session's length.
			end = start.Add(time.Duration(w.End-w.Start) * time.Minute)
		}
		out = append(out, Session{Start: start, End: end})
	}
	return out, nil
}

// localClock is the instant at clock time c on the given date in loc
// (24:00 is the next midnight), by RFC 5545's rule: of two instants with
// that wall clock (clocks going back) the first, and for a wall clock that
// does not happen (clocks going forward) the instant the offset before the
// gap gives, which lies that far after the gap began.
func localClock(date time.Time, c ClockTime, loc *time.Location) time.Time {
	y, m, d := date.Date()
	wall := time.Date(y, m, d, int(c)/60, int(c)%60, 0, 0, time.UTC)
	// The offsets in force around that wall clock: no zone changes its
	// offset twice within a day and a half.
	offsetAt := func(t time.Time) time.Duration {
		_, off := t.In(loc).Zone()
		return time.Duration(off) * time.Second
	}
	before, after := offsetAt(wall.Add(-36*time.Hour)), offsetAt(wall.Add(36*time.Hour))
	var first time.Time
	for _, off := range []time.Duration{max(before, after), min(before, after)} {
		// A larger offset puts the same wall clock at an earlier instant.
		if t := wall.Add(-off); offsetAt(t) == off && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	if first.IsZero() {
		first = wall.Add(-before) // in the gap
	}
	return first.In(loc)
}

// ValidateSessions checks a list of sessions: each ends after it starts,
// lasts at most a day, and there are at most MaxSessions. Sessions may be
// in any order but must not overlap one another.
func ValidateSessions(sessions []Session) error {
	ve := &ValidationError{}
	if len(sessions) == 0 {
		ve.Add("sessions", "needs at least one session")
	}
	if len(sessions) > MaxSessions {
		ve.Add("sessions", "must have at most %d sessions", MaxSessions)
		return ve
	}
	for i, s := range sessions {
		f := fmt.Sprintf("sessions[%d]", i)
		switch {
		case !s.End.After(s.Start):
			ve.Add(f+".end", "must be after start")
		case s.End.Sub(s.Start) > MaxSessionLength:
			ve.Add(f+".end", "a session may last at most 24 hours")
		}
		for j := 0; j < i; j++ {
			if s.End.After(s.Start) && s.Overlaps(sessions[j]) {
				ve.Add(f, "overlaps sessions[%d]", j)
				break
			}
		}
	}
	return ve.Err()
}
