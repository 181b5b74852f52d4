package matching

import (
	"cmp"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"commonground/geo"
)

// selector finds the nearest records for a nearby query in two passes, so
// that exact (haversine) distances are measured for few of them.
//
// The first pass (add) places every candidate by a flat-earth
// approximation, which needs no trigonometry and whose relative error is
// bounded by m (geo.Ruler.Flat): it drops those surely beyond the radius
// or surely before the cursor and keeps the rest with their approximate
// distance. The second (nearest) takes the limit-th smallest approximate
// distance T: the limit candidates at or below it lie within U = T/(1-m),
// and a candidate whose approximation exceeds U(1+m) lies beyond U. Only
// candidates up to that bound are measured exactly and ranked. If fewer
// than limit of them pass the exact tests (radius and cursor), or where
// the approximation cannot be used (near the poles, across the
// antimeridian, very large radii), every candidate is measured, as a
// plain scan would. The answer is the same either way, bit for bit.
type selector struct {
	q     NearbyQuery
	exact geo.Ruler
	flat  geo.Ruler // reaches the corners of box
	box   orb.Bound
	m     float64 // 0: measure everything exactly
	// Flat distances outside [lo, hi] are surely outside the radius or
	// before the cursor.
	lo, hi float64
	cands  []approx
	rs     []ranked
	heap   []float64 // the limit smallest of cands[:fed], a max-heap
	fed    int
	// cells not yet visited by walkNearestFirst (nearest first), and the
	// visit that files their records.
	cells []cellRef
	rest  int
	visit func(int32) bool
}

// cellRef is one grid cell and the flat distance to its nearest point.
type cellRef struct {
	near  float64
	slots []int32
}

type approx struct {
	slot int32
	d    float64 // flat-earth distance, or exact when m is 0
}

var selectors = sync.Pool{New: func() any { return &selector{} }}

func newSelector(q NearbyQuery) *selector {
	s := selectors.Get().(*selector)
	s.q = q
	s.exact = geo.NewRuler(q.Centre, q.RadiusM)
	s.box = geo.BoundAround(q.Centre, q.RadiusM)
	s.m = 0
	if s.box.Max[0]-s.box.Min[0] < 180 {
		// Inside the box every point is within about √2 radii.
		s.flat = geo.NewRuler(q.Centre, 1.5*q.RadiusM)
		s.m = s.flat.Margin()
	}
	s.hi = q.RadiusM * (1 + s.m)
	s.lo = 0
	if q.After != nil {
		s.lo = q.After.DistanceM * (1 - s.m)
	}
	s.cands, s.rs, s.cells, s.rest, s.visit = s.cands[:0], s.rs[:0], s.cells[:0], 0, nil
	s.heap, s.fed = s.heap[:0], 0
	return s
}

// walkNearestFirst visits the records of g's cells in the query's box,
// nearest cell first, and stops once the cells left cannot hold one of
// the limit nearest: their nearest points lie beyond the bound nearest
// would measure to (see there). The rest stay in s.cells for nearest to
// visit if it needs them. Without the flat approximation or a limit it
// visits every cell, as Grid.Each does.
func (s *selector) walkNearestFirst(g *geo.Grid, visit func(int32) bool) {
	if s.m == 0 || s.q.Limit <= 0 {
		g.Each(s.box, visit)
		return
	}
	s.visit = visit
	total := 0
	// Cells are placed by FlatRange, whose error bound mb is its own.
	var mb float64
	g.EachCell(s.box, func(cell orb.Bound, slots []int32) bool {
		var near float64
		near, _, mb = s.flat.FlatRange(cell)
		if near <= s.q.RadiusM*(1+mb) {
			s.cells = append(s.cells, cellRef{near, slots})
			total += len(slots)
		}
		return true
	})
	if total <= 4*s.q.Limit {
		s.visitRest() // too few to be worth ordering
		return
	}
	slices.SortFunc(s.cells, func(a, b cellRef) int { return cmp.Compare(a.near, b.near) })
	for s.rest < len(s.cells) {
		if len(s.cands) >= s.q.Limit {
			t := s.kthSmallest()
			if s.cells[s.rest].near > t/(1-s.m)*(1+mb) {
				return
			}
		}
		s.visitCell()
	}
}

// visitCell visits the next unvisited cell.
func (s *selector) visitCell() {
	for _, slot := range s.cells[s.rest].slots {
		s.visit(slot)
	}
	s.rest++
}

// visitRest visits every cell walkNearestFirst left.
func (s *selector) visitRest() {
	for s.rest < len(s.cells) {
		s.visitCell()
	}
}

// release returns the selector's buffers for reuse (unless they grew
// large).
func (s *selector) release() {
	// Drop what points into the model, so a pooled selector never keeps
	// an old model's cells alive after a reload.
	clear(s.cells)
	s.cells, s.visit = s.cells[:0], nil
	if cap(s.cands) <= 1<<16 {
		selectors.Put(s)
	}
}

// add considers one candidate.
func (s *selector) add(slot int32, p orb.Point) {
	if s.m == 0 {
		if d, ok := s.exact.Within(p); ok {
			s.cands = append(s.cands, approx{slot, d})
		}
		return
	}
	if p[0] < s.box.Min[0] || p[0] > s.box.Max[0] || p[1] < s.box.Min[1] || p[1] > s.box.Max[1] {
		return
	}
	if d, _ := s.flat.Flat(p); d <= s.hi && d >= s.lo {
		s.cands = append(s.cands, approx{slot, d})
	}
}

// nearest ranks the candidates nearest first (ties by ID) after the
// cursor, at most limit of them, with whether more remain. at gives a
// record's ID and place.
func (s *selector) nearest(at func(int32) (uid, orb.Point)) ([]ranked, bool) {
	limit := s.q.Limit
	if s.m == 0 {
		for _, c := range s.cands {
			id, _ := at(c.slot)
			s.rs = append(s.rs, ranked{c.slot, id, c.d})
		}
		rs, more := rankAfter(s.rs, s.q.After, limit)
		return slices.Clone(rs), more
	}
	if limit <= 0 || len(s.cands) <= limit {
		s.visitRest()
		if limit <= 0 || len(s.cands) <= limit {
			return s.rankAll(at, limit)
		}
	}
	t := s.kthSmallest()
	u := t / (1 - s.m)
	bound := u * (1 + s.m)
	sure := 0 // measured, passing, and within u
	for _, c := range s.cands {
		if c.d > bound {
			continue
		}
		id, p := at(c.slot)
		d, ok := s.exact.Within(p)
		if !ok {
			continue
		}
		r := ranked{c.slot, id, d}
		if s.q.After != nil && !afterCursor(s.q.After, r) {
			continue
		}
		s.rs = append(s.rs, r)
		if d <= u {
			sure++
		}
	}
	if sure < limit {
		s.rs = s.rs[:0]
		s.visitRest()
		return s.rankAll(at, limit)
	}
	rs, more := rankAfter(s.rs, nil, limit)
	if !more {
		// Exactly limit passed among those measured; another beyond the
		// bound that is within the radius means more remain (in the
		// cells visited, or else in those left).
		for i := 0; ; i++ {
			if i == len(s.cands) {
				if s.rest == len(s.cells) {
					break
				}
				s.visitCell()
				i--
				continue
			}
			c := s.cands[i]
			if c.d <= bound {
				continue
			}
			if c.d < s.q.RadiusM*(1-s.m) {
				more = true
				break
			}
			_, p := at(c.slot)
			if _, ok := s.exact.Within(p); ok {
				more = true
				break
			}
		}
	}
	return slices.Clone(rs), more
}

// rankAll measures every candidate exactly and ranks them.
func (s *selector) rankAll(at func(int32) (uid, orb.Point), limit int) ([]ranked, bool) {
	for _, c := range s.cands {
		id, p := at(c.slot)
		if d, ok := s.exact.Within(p); ok {
			s.rs = append(s.rs, ranked{c.slot, id, d})
		}
	}
	rs, more := rankAfter(s.rs, s.q.After, limit)
	return slices.Clone(rs), more
}

// afterCursor reports whether r comes after the cursor.
func afterCursor(after *geo.Ranked, r ranked) bool {
	cur := ranked{d: after.DistanceM}
	if u, ok := parseUID(after.ID); ok {
		cur.id = u
	}
	return cur.less(r)
}

// kthSmallest returns the limit-th smallest distance among the
// candidates (at least limit of them), keeping the limit smallest in a
// max-heap that later calls extend with the candidates added since: the
// walk asks after every cell, and each candidate enters the heap once.
func (s *selector) kthSmallest() float64 {
	k := s.q.Limit
	h := s.heap
	for _, c := range s.cands[s.fed:] {
		switch {
		case len(h) < k:
			h = append(h, c.d)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if h[p] >= h[i] {
					break
				}
				h[p], h[i] = h[i], h[p]
				i = p
			}
		case c.d < h[0]:
			h[0] = c.d
			for i := 0; ; {
				big, l, r := i, 2*i+1, 2*i+2
				if l < k && h[l] > h[big] {
					big = l
				}
				if r < k && h[r] > h[big] {
					big = r
				}
				if big == i {
					break
				}
				h[i], h[big] = h[big], h[i]
				i = big
			}
		}
	}
	s.heap, s.fed = h, len(s.cands)
	return h[0]
}
