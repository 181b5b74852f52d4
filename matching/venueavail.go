package matching

import (
	"time"
)

// freeSessions counts the sessions the space can take, recording the
// others in conflicts when it is not nil. It goes session by session, for
// the answers that list conflicts; the search itself counts with sets
// (freeCount). Opening hours are read once per timetable and zone in a
// query (openFor); bookings by binary search.
func (q *query) freeSessions(slot int32, sp *spaceRec, conflicts *[]SessionConflict) int {
	var x *extra
	if sp.flags&flagExtra != 0 {
		x = q.st.extras[slot]
	}
	return q.countFree(q.openFor(q.st.zones[sp.zone], sp.hours), sp.closures, x, sp.gap(), sp.horizon, conflicts)
}

// openFor says which sessions lie within a timetable, read in zone.
func (q *query) openFor(zone *time.Location, hoursID int32) []bool {
	key := hoursKey{zone, hoursID}
	open, ok := q.hoursOK[key]
	if !ok {
		local, ok := q.zones[zone]
		if !ok {
			local = localSessions(q.req.Sessions, zone)
			q.zones[zone] = local
		}
		open = make([]bool, len(local))
		hours := q.st.hours[hoursID]
		for i, ls := range local {
			if !ls.ok {
				continue
			}
			open[i] = withinHours(hours, ls.day, ls.from, ls.to)
		}
		q.hoursOK[key] = open
	}
	return open
}

// countFree counts the sessions a space can take given which are within
// its opening hours, keeping gap (the space's turnaround) clear around its
// bookings, none starting beyond its booking horizon of horizon days from
// the request's now. A session that fails several tests is put down to
// the first of: the horizon, the opening hours, a closure, a booking.
func (q *query) countFree(open []bool, closures int32, x *extra, gap time.Duration, horizon uint16, conflicts *[]SessionConflict) int {
	var closed []bool
	if closures >= 0 {
		closed = q.closedFor(closures)
	}
	limited := int(horizon) < q.horizonAll
	free := 0
	for i, s := range q.req.Sessions {
		reason := ""
		switch {
		case limited && beyondHorizon(s.Start, q.req.Now, int(horizon)):
			reason = ReasonBeyondHorizon
		case !open[i]:
			reason = ReasonOutsideHours
		case closed != nil && closed[i]:
			reason = ReasonClosure
		case x != nil && busyAround(s, x.booked, gap):
			reason = ReasonBooked
		}
		if reason == "" {
			free++
		} else if conflicts != nil {
			*conflicts = append(*conflicts, SessionConflict{Start: s.Start, End: s.End, Reason: reason})
		}
	}
	return free
}

// closedFor says which sessions an interned closure list blocks, computed
// once per list and query.
func (q *query) closedFor(id int32) []bool {
	if q.closed == nil {
		q.closed = make([][]bool, len(q.st.closureLists))
	}
	if c := q.closed[id]; c != nil {
		return c
	}
	c := make([]bool, len(q.req.Sessions))
	for i, s := range q.req.Sessions {
		c[i] = closedDuring(q.st.closureLists[id], s)
	}
	q.closed[id] = c
	return c
}

func closedDuring(closures []Closure, s Session) bool {
	for _, c := range closures {
		if s.Overlaps(Session{c.Start, c.End}) {
			return true
		}
	}
	return false
}

// localSession is a session in a venue's local wall-clock time, computed
// once per zone during one query.
type localSession struct {
	day      Weekday
	from, to ClockTime
	ok       bool
}

func localSessions(sessions []Session, loc *time.Location) []localSession {
	out := make([]localSession, len(sessions))
	for i, s := range sessions {
		d, f, t, ok := localSpan(s, loc)
		out[i] = localSession{d, f, t, ok}
	}
	return out
}
