package matching

import "math/bits"

// sessionSet holds one bit per requested session (a request has at most
// MaxSessions). A match's availability check works on sets, so a space
// costs a few word operations however many sessions there are; the
// session-by-session path (countFree) remains for the answers that list
// conflicts.
type sessionSet [sessionWords]uint64

const sessionWords = (MaxSessions + 64) / 64 // one spare bit at least: setDone

// setDone marks a cached set as computed. No session has its number.
const setDone = sessionWords*64 - 1

func (s *sessionSet) add(i int)      { s[i/64] |= 1 << (i % 64) }
func (s *sessionSet) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s *sessionSet) remove(i int)   { s[i/64] &^= 1 << (i % 64) }
func (s *sessionSet) done() bool     { return s.has(setDone) }
func (s *sessionSet) markDone()      { s.add(setDone) }
func (s *sessionSet) andNot(t *sessionSet) {
	for i := range s {
		s[i] &^= t[i]
	}
}

// count is the number of sessions in s (setDone aside).
func (s *sessionSet) count() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	if s.done() {
		n--
	}
	return n
}

// openSet is the set of sessions within the space's opening hours, read in
// its venue's zone; computed once per timetable and zone in a query. The
// zone comes from the space's own record, as a number: reading it from the
// venue would cost a cache miss a space.
func (q *query) openSet(sp *spaceRec) *sessionSet {
	if q.open == nil {
		q.open = make([][]sessionSet, len(q.st.zones))
	}
	byHours := q.open[sp.zone]
	if byHours == nil {
		byHours = make([]sessionSet, len(q.st.hours))
		q.open[sp.zone] = byHours
	}
	s := &byHours[sp.hours]
	if !s.done() {
		for i, ok := range q.openFor(q.st.zones[sp.zone], sp.hours) {
			if ok {
				s.add(i)
			}
		}
		s.markDone()
	}
	return s
}

// closedSet is the set of sessions an interned closure list blocks.
func (q *query) closedSet(id int32) *sessionSet {
	if q.closedSets == nil {
		q.closedSets = make([]sessionSet, len(q.st.closureLists))
	}
	s := &q.closedSets[id]
	if !s.done() {
		for i, c := range q.closedFor(id) {
			if c {
				s.add(i)
			}
		}
		s.markDone()
	}
	return s
}

// beyondSet is the set of sessions that start beyond a booking horizon of
// days from the request's now, computed once per horizon in a query (a
// county's rooms keep a few).
func (q *query) beyondSet(days uint16) *sessionSet {
	s, ok := q.beyond[days]
	if !ok {
		if q.beyond == nil {
			q.beyond = map[uint16]*sessionSet{}
		}
		s = &sessionSet{}
		for i, sess := range q.req.Sessions {
			if beyondHorizon(sess.Start, q.req.Now, int(days)) {
				s.add(i)
			}
		}
		q.beyond[days] = s
	}
	return s
}

// freeCount counts the sessions a space can take, as freeSessions does,
// with sets.
func (q *query) freeCount(slot int32, sp *spaceRec) int {
	free := *q.openSet(sp)
	if sp.closures >= 0 {
		free.andNot(q.closedSet(sp.closures))
	}
	if int(sp.horizon) < q.horizonAll {
		free.andNot(q.beyondSet(sp.horizon))
	}
	if sp.flags&flagExtra != 0 {
		if x := q.st.extras[slot]; x != nil {
			for i, s := range q.req.Sessions {
				if free.has(i) && busyAround(s, x.booked, sp.gap()) {
					free.remove(i)
				}
			}
		}
	}
	return free.count()
}
