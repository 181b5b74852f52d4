package matching

import "time"

// Why a session cannot happen in a space.
const (
	ReasonOutsideHours = "outside_hours" // not within one opening period
	ReasonClosure      = "closure"       // the space is closed then
	ReasonBooked       = "booked"        // a confirmed booking overlaps
)

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
	for _, h := range s.OpeningHours {
		if h.Day == day && h.Opens <= from && to <= h.Closes {
			return true
		}
	}
	return false
}

// ClosedDuring reports whether a closure overlaps the session.
func (s *Space) ClosedDuring(sess Session) bool {
	for _, c := range s.Closures {
		if sess.Overlaps(Session{c.Start, c.End}) {
			return true
		}
	}
	return false
}

// Unavailability says why a space cannot take a session ("" if it can),
// checking opening hours, then closures, then booked periods (sorted by
// start, as a booking calendar keeps them).
func (s *Space) Unavailability(sess Session, loc *time.Location, booked []Session) string {
	switch {
	case !s.OpenFor(sess, loc):
		return ReasonOutsideHours
	case s.ClosedDuring(sess):
		return ReasonClosure
	case overlapsAny(sess, booked):
		return ReasonBooked
	}
	return ""
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
