package matching

import "time"

// Why a session cannot happen in a space.
const (
	ReasonOutsideHours = "outside_hours" // not within one opening period
	ReasonClosure      = "closure"       // the space is closed then
	ReasonBooked       = "booked"        // a confirmed booking overlaps, or lies within the turnaround
	// ReasonBeyondHorizon: the session starts after the space's booking
	// horizon from now, so booking would refuse it (Space.Admit).
	ReasonBeyondHorizon = "beyond_horizon"
)

// beyondHorizon reports whether a session starting at start lies past a
// booking horizon of days from now: whether it starts after now plus
// days. It is the one rule behind Space.Admit, which refuses such a
// session, and behind matching, which does not count it as free (there a
// zero now sets no horizon).
func beyondHorizon(start, now time.Time, days int) bool {
	return start.After(now.Add(horizonDuration(days)))
}

func horizonDuration(days int) time.Duration { return time.Duration(days) * 24 * time.Hour }

// localSpan converts a session to local wall-clock minutes on its local
// start date. ok is false when it runs past the next local midnight (a
// session may end at 24:00 but not later).
func localSpan(s Session, loc *time.Location) (day Weekday, from, to ClockTime, ok bool) {
	ls, le := s.Start.In(loc), s.End.In(loc)
	day = WeekdayOf(ls.Weekday())
	from = ClockTime(ls.Hour()*60 + ls.Minute())
	to = ClockTime(le.Hour()*60 + le.Minute())
	if le.Second() > 0 || le.Nanosecond() > 0 {
		to++ // a period must cover the whole session
	}
	y1, m1, d1 := ls.Date()
	y2, m2, d2 := le.Date()
	if y1 != y2 || m1 != m2 || d1 != d2 {
		next := time.Date(y1, m1, d1+1, 0, 0, 0, 0, loc)
		if !le.Equal(next) {
			return day, from, to, false
		}
		to = 1440
	}
	return day, from, to, true
}

// OpenFor reports whether the session lies within one of the space's
// opening periods, read as wall-clock times in loc (the venue's zone).
func (s *Space) OpenFor(sess Session, loc *time.Location) bool {
	day, from, to, ok := localSpan(sess, loc)
	if !ok {
		return false
	}
	return withinHours(s.OpeningHours, day, from, to)
}

// withinHours reports whether from–to on day lies within one opening
// period of hours: the opening-hours rule for spaces and engine records.
func withinHours(hours []OpeningHours, day Weekday, from, to ClockTime) bool {
	for _, h := range hours {
		if h.Day == day && h.Opens <= from && to <= h.Closes {
			return true
		}
	}
	return false
}

// ClosedDuring reports whether a closure overlaps the session.
func (s *Space) ClosedDuring(sess Session) bool { return closedDuring(s.Closures, sess) }

// Unavailability says why a space cannot take a session ("" if it can),
// checking opening hours, then closures, then booked periods (sorted by
// start, as a booking calendar keeps them). A booked period keeps the
// space's turnaround clear on both sides: a session that starts or ends
// within it is booked too.
func (s *Space) Unavailability(sess Session, loc *time.Location, booked []Session) string {
	switch {
	case !s.OpenFor(sess, loc):
		return ReasonOutsideHours
	case s.ClosedDuring(sess):
		return ReasonClosure
	case busyAround(sess, booked, s.Turnaround()):
		return ReasonBooked
	}
	return ""
}

// busyAround reports whether sess, widened by gap on both sides, overlaps
// a period of booked (as overlapsAny): whether it would come within gap
// of a booking.
func busyAround(sess Session, booked []Session, gap time.Duration) bool {
	if gap > 0 {
		sess = Session{Start: sess.Start.Add(-gap), End: sess.End.Add(gap)}
	}
	return overlapsAny(sess, booked)
}

// Padded is span widened by gap on both sides: the period whose confirmed
// bookings decide whether a space with that turnaround can take span.
func Padded(span Session, gap time.Duration) Session {
	return Session{Start: span.Start.Add(-gap), End: span.End.Add(gap)}
}

// overlapsAny reports whether sess overlaps a period of booked, which is
// sorted by start and holds no overlapping periods, by binary search:
// O(log n) in the bookings of the space, never a scan.
func overlapsAny(sess Session, booked []Session) bool {
	lo, hi := 0, len(booked)
	for lo < hi { // first booking that ends after sess starts
		mid := (lo + hi) / 2
		if booked[mid].End.After(sess.Start) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo < len(booked) && booked[lo].Start.Before(sess.End)
}

// freeFor reports whether the space in slot can take sess: within its
// opening hours read in the venue's zone (span is sess in that zone, from
// localSpan), not closed and not booked, the rule of Space.Unavailability
// on the engine's records.
func (st *state) freeFor(slot int32, sp *spaceRec, sess Session, span localSession) bool {
	if !span.ok || !withinHours(st.hours[sp.hours], span.day, span.from, span.to) {
		return false
	}
	if sp.closures >= 0 && closedDuring(st.closureLists[sp.closures], sess) {
		return false
	}
	if sp.flags&flagExtra != 0 {
		if x := st.extras[slot]; x != nil && busyAround(sess, x.booked, sp.gap()) {
			return false
		}
	}
	return true
}

// SpaceFreeFor reports whether the space with this ID is open, not closed
// and unbooked for the whole of sess, in its venue's time zone. An unknown
// space is not free.
func (e *Engine) SpaceFreeFor(spaceID string, sess Session) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.st
	u, ok := parseUID(spaceID)
	if !ok {
		return false
	}
	slot, ok := st.spaceByID.Get(u)
	if !ok || !st.spaces[slot].live {
		return false
	}
	sp := &st.spaces[slot]
	d, f, t, ok := localSpan(sess, st.zones[sp.zone])
	return st.freeFor(slot, sp, sess, localSession{d, f, t, ok})
}
