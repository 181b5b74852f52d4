package matching

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// How a venue match visits spaces: the cells it could not place whole,
// space by space, split between goroutines when there are many.

// cellRun is a grid cell whose spaces a match visits one by one. nearM
// bounds its spaces' distances from below (0 where cells are not placed
// whole), and inside says the whole cell lies within the radius.
type cellRun struct {
	slots  []int32
	inside bool
	nearM  float64
	// key names the cell in the grid, for a match that does not count
	// exclusions to find its summary and its spaces best first
	// (venuecells.go).
	key uint64
}

// matchScan is what a pass over some cells finds: the best limit matches,
// how many matched, and the exclusions by reason.
type matchScan struct {
	found    []candidate
	total    int
	excluded [numReasons]int
}

// maxMatchWorkers is the most goroutines one match is split between.
const maxMatchWorkers = 4

// matchWorkers is how many goroutines a match over n spaces is split
// between.
func (e *Engine) matchWorkers(n int) int {
	per := e.opts.ParallelMatchMin
	switch {
	case per < 0:
		return 1
	case per == 0:
		per = DefaultParallelMatchMin
	}
	return max(1, min(runtime.GOMAXPROCS(0), maxMatchWorkers, n/per))
}

// scanRuns scans runs with the given number of goroutines, each with a
// query of its own (a query's caches are not shared), taking the next run
// as they finish one, so a slow run holds up no other. Keeping each
// goroutine's best limit loses nothing: the best limit of all are among
// them.
func (e *Engine) scanRuns(q *query, runs []cellRun, workers, limit int) []*matchScan {
	var taken atomic.Int64
	next := func() (*cellRun, bool) {
		i := taken.Add(1) - 1
		if i >= int64(len(runs)) {
			return nil, false
		}
		return &runs[i], true
	}
	scans := make([]*matchScan, workers)
	var wg sync.WaitGroup
	for w := range workers {
		scans[w] = &matchScan{}
		wq := q
		if w > 0 {
			wq, _ = e.newQuery(q.req) // q's request already passed newQuery
		}
		if workers == 1 {
			wq.scan(next, limit, scans[w])
			break
		}
		// The caller waits rather than scanning a share itself: measured,
		// that was 3-7% slower at a million spaces.
		wg.Go(func() { wq.scan(next, limit, scans[w]) })
	}
	wg.Wait()
	return scans
}

// scan visits the spaces of the runs next hands out, keeping the best
// limit matches in out.
func (q *query) scan(next func() (*cellRun, bool), limit int, out *matchScan) {
	found := make([]candidate, 0, limit)
	p := newPlacer(q.wide.Margin(), q.radiusM, 2*q.radiusM)
	for run, ok := next(); ok; run, ok = next() {
		for _, slot := range run.slots {
			sp := &q.st.spaces[slot]
			// Most spaces are placed without trigonometry; only those near
			// a boundary, and the matches that may rank, are measured
			// exactly. lo bounds the distance from below.
			d, lo := -1.0, run.nearM
			if !run.inside {
				flat2, _ := q.wide.Flat2(sp.loc)
				where := p.place(flat2)
				if where < 0 {
					var ok bool
					if d, ok = q.ruler.Within(sp.loc); !ok {
						continue
					}
					where = 1
					if d > q.radiusM {
						where = 2
					}
				}
				switch where {
				case 0:
					continue
				case 2:
					out.excluded[reasonTooFar]++
					continue
				}
				lo = p.lower(flat2)
			}
			c := spaceCheck{slot: slot, sp: sp}
			reason := q.first(&c)
			free := c.free
			if reason != reasonNone {
				out.excluded[reason]++
				continue
			}
			out.total++
			if d < 0 {
				// The bound on the distance bounds the score from above: a
				// match that cannot beat the worst kept is counted without
				// being measured.
				if len(found) == limit && q.bound(sp, lo, free)+boundSlack < found[0].score {
					continue
				}
				d, _ = q.ruler.Within(sp.loc)
			}
			if c := (candidate{slot: slot, distM: d, free: free, score: q.score(sp, d, free)}); q.pastCursor(&c) {
				q.keep(&found, limit, c)
			}
		}
	}
	out.found = found
}

// scanBest finds the best keep matches (after the cursor) of the runs,
// counting nothing. It visits the cells best first, by the most any of
// their spaces could score (cellBound), and stops at the first whose bound
// cannot beat the worst match kept. A cell's spaces come most stars and
// extras first, so its walk stops at the first space whose stars and
// extras, with the best the other factors could add there, cannot beat
// the worst kept; a space is checked against the rules only when its own
// score bound could.
func (q *query) scanBest(runs []cellRun, keep int) []candidate {
	type bounded struct {
		run    *cellRun
		bound  float64
		ranked []rankedSpace // nil: the cell's spaces in grid order
	}
	cells := make([]bounded, 0, len(runs))
	for i := range runs {
		b := bounded{run: &runs[i], bound: math.Inf(1)}
		if c := q.st.cells[runs[i].key]; c != nil {
			b.bound, b.ranked = q.cellBound(&c.sum, runs[i].nearM), c.spaces
		}
		if b.bound >= 0 {
			cells = append(cells, b)
		}
	}
	slices.SortFunc(cells, func(a, b bounded) int { return cmp.Compare(b.bound, a.bound) })
	found := make([]candidate, 0, keep)
	p := newPlacer(q.wide.Margin(), q.radiusM, 2*q.radiusM)
	w := &q.weights
	sessions := len(q.req.Sessions)
	for _, cell := range cells {
		run := cell.run
		if len(found) == keep && cell.bound < found[0].score-boundSlack {
			break // cells come best first: none after can beat the worst kept
		}
		// The most a space of the cell adds on everything but stars and
		// extras.
		rest := w.Room + w.Price + w.Availability + w.Distance*max(0, 1-run.nearM/q.radiusM)
		n := len(run.slots)
		if cell.ranked != nil {
			n = len(cell.ranked)
		}
		for j := range n {
			var slot int32
			if cell.ranked != nil {
				r := cell.ranked[j]
				if len(found) == keep && q.restBound(r)+rest+boundSlack < found[0].score {
					break
				}
				slot = r.slot
			} else {
				slot = run.slots[j]
			}
			sp := &q.st.spaces[slot]
			d, lo := -1.0, run.nearM
			if !run.inside {
				flat2, _ := q.wide.Flat2(sp.loc)
				where := p.place(flat2)
				if where < 0 {
					var ok bool
					if d, ok = q.ruler.Within(sp.loc); !ok || d > q.radiusM {
						continue
					}
					where = 1
				}
				if where != 1 {
					continue
				}
				lo = p.lower(flat2)
			}
			if len(found) == keep && q.bound(sp, lo, sessions)+boundSlack < found[0].score {
				continue
			}
			c := spaceCheck{slot: slot, sp: sp}
			if q.first(&c) != reasonNone {
				continue
			}
			if d < 0 {
				d, _ = q.ruler.Within(sp.loc)
			}
			if m := (candidate{slot: slot, distM: d, free: c.free, score: q.score(sp, d, c.free)}); q.pastCursor(&m) {
				q.keep(&found, keep, m)
			}
		}
	}
	return found
}

// restBound is the most the stars and extras terms add for the space r
// or any ranked after it in its cell: those have fewer stars (and any
// extras), or as many stars and no more extras.
func (q *query) restBound(r rankedSpace) float64 {
	b := q.fitTerm[r.fit] + q.extrasTerm[r.extras]
	if r.fit > 0 {
		b = max(b, q.fitTerm[r.fit-1]+q.extrasTerm[5])
	}
	return b
}

// pastCursor reports whether c ranks after the request's cursor (always,
// without one), in the order of better.
func (q *query) pastCursor(c *candidate) bool {
	a := q.after
	switch {
	case a == nil:
		return true
	case a.score != c.score:
		return c.score < a.score
	case a.distM != c.distM:
		return c.distM > a.distM
	}
	return string(q.st.spaces[c.slot].id[:]) > string(q.afterID[:])
}

// first returns the first reason a space within the radius fails, or
// reasonNone if it matches; placing the space has tested its distance.
// It sets c.free to the sessions the space can take when it gets that far.
// It calls the tests of the table (exclusions) in the table's order, but
// directly rather than through the table, so that they are inlined:
// through the table's function values a match took about 13% more CPU
// time (geometric mean of BenchmarkMatchVenues at 100,000 and a million
// spaces, five runs each on a busy machine). TestExclusionsAgree checks
// that the two agree.
func (q *query) first(c *spaceCheck) int {
	switch {
	case q.conflicts(c):
		return reasonValues
	case q.tooSmall(c):
		return reasonTooSmall
	case q.activityBlocked(c):
		return reasonActivity
	case q.unmet(c):
		return reasonRequirement
	case q.overBudget(c):
		return reasonBudget
	}
	c.free = q.freeCount(c.slot, c.sp)
	if q.unavailable(c) {
		return reasonUnavailable
	}
	return reasonNone
}

// placer places points by their squared flat-earth distance (relative
// error at most m, see geo.Ruler.Flat) against two radii: 1 surely within
// inner, 2 surely beyond inner but within outer, 0 surely beyond outer,
// -1 too near a boundary to say (or m is 0). It claims what geo.Ruler.Near
// claims, with the thresholds squared once.
type placer struct {
	m                                  float64
	innerLo, innerHi, outerLo, outerHi float64 // squared
}

func newPlacer(m, inner, outer float64) placer {
	sq := func(x float64) float64 { return x * x }
	return placer{m: m, innerLo: sq(inner * (1 - m)), innerHi: sq(inner * (1 + m)),
		outerLo: sq(outer * (1 - m)), outerHi: sq(outer * (1 + m))}
}

func (p *placer) place(flat2 float64) int {
	switch {
	case p.m <= 0:
		return -1
	case flat2 > p.outerHi:
		return 0
	case flat2 < p.innerLo:
		return 1
	case flat2 > p.innerHi && flat2 < p.outerLo:
		return 2
	}
	return -1
}

// lower bounds from below the true distance of a point placed by flat2.
func (p *placer) lower(flat2 float64) float64 { return math.Sqrt(flat2) / (1 + p.m) }
