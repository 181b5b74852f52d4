package matching

import (
	"math"
	"math/bits"
	"slices"

	"github.com/paulmach/orb"
)

// What a match that does not count exclusions needs to pass over whole
// grid cells, and the spaces of a cell that cannot rank: for each cell,
// the most any of its spaces could offer on each hard rule and soft factor
// that does not depend on where in the cell it is, and its spaces best
// first by stars, then extras. A cell none of whose spaces could hold the
// group, or whose best imaginable score cannot beat the worst match kept,
// is passed over without reading its spaces; within a cell, the walk stops
// at the first space below which none can.

// cellSum bounds the spaces filed in one grid cell. It only ever widens
// while the model changes (a space added, moved in or changed widens its
// cell; one removed leaves the cell as it was), so it may promise more
// than the cell holds but never less; it is rebuilt exactly when the
// spaces are renumbered after a load.
type cellSum struct {
	capacity int32
	area     float32
	fit      uint8
	extras   uint8  // most extras one space has
	flags    uint16 // every flag any space has
	// cheapest is the lowest listed price by tier (math.MaxInt32 when
	// none is listed); unpriced says some space lists no price at it.
	cheapest [3]int32
	unpriced [3]bool
}

// cellSpaces is one grid cell's spaces as a match that does not count
// exclusions reads them: the summary and the spaces, most stars first,
// then most extras, then by slot.
type cellSpaces struct {
	sum    cellSum
	spaces []rankedSpace
}

// rankedSpace is a space of a cell with what orders it there.
type rankedSpace struct {
	slot        int32
	fit, extras uint8
}

func (a rankedSpace) before(b rankedSpace) bool {
	if a.fit != b.fit {
		return a.fit > b.fit
	}
	if a.extras != b.extras {
		return a.extras > b.extras
	}
	return a.slot < b.slot
}

func newCellSpaces() *cellSpaces {
	return &cellSpaces{sum: cellSum{cheapest: [3]int32{math.MaxInt32, math.MaxInt32, math.MaxInt32}}}
}

func extrasOf(sp *spaceRec) uint8 { return uint8(bits.OnesCount16(sp.flags & extrasFlags)) }

// widen makes s promise at least what sp offers.
func (s *cellSum) widen(sp *spaceRec) {
	s.capacity = max(s.capacity, sp.capacity)
	s.area = max(s.area, sp.area)
	s.fit = max(s.fit, sp.fit)
	s.extras = max(s.extras, extrasOf(sp))
	s.flags |= sp.flags
	for i, p := range sp.prices {
		if p < 0 {
			s.unpriced[i] = true
		} else {
			s.cheapest[i] = min(s.cheapest[i], p)
		}
	}
}

// fileInCell files the space at slot in the cell of its place, widening
// the cell's summary. A space already filed is first taken out of the
// cell of its old place (unfileFromCell).
func (st *state) fileInCell(slot int32) {
	sp := &st.spaces[slot]
	k := st.grid.Key(sp.loc)
	c := st.cells[k]
	if c == nil {
		c = newCellSpaces()
		st.cells[k] = c
	}
	c.sum.widen(sp)
	r := rankedSpace{slot: slot, fit: sp.fit, extras: extrasOf(sp)}
	i, _ := slices.BinarySearchFunc(c.spaces, r, func(a, b rankedSpace) int {
		if a.before(b) {
			return -1
		}
		if b.before(a) {
			return 1
		}
		return 0
	})
	c.spaces = slices.Insert(c.spaces, i, r)
}

// unfileFromCell takes the space at slot out of the cell of loc.
func (st *state) unfileFromCell(slot int32, loc orb.Point) {
	c := st.cells[st.grid.Key(loc)]
	if c == nil {
		return
	}
	c.spaces = slices.DeleteFunc(c.spaces, func(r rankedSpace) bool { return r.slot == slot })
}

// fileCells files every live space afresh, in cells of the grid's size.
func (st *state) fileCells() {
	st.cells = make(map[uint64]*cellSpaces, len(st.cells))
	for i := range st.spaces {
		if sp := &st.spaces[i]; sp.live {
			k := st.grid.Key(sp.loc)
			c := st.cells[k]
			if c == nil {
				c = newCellSpaces()
				st.cells[k] = c
			}
			c.sum.widen(sp)
			c.spaces = append(c.spaces, rankedSpace{slot: int32(i), fit: sp.fit, extras: extrasOf(sp)})
		}
	}
	for _, c := range st.cells {
		slices.SortFunc(c.spaces, func(a, b rankedSpace) int {
			if a.before(b) {
				return -1
			}
			return 1
		})
	}
}

// cellBound is at least the score of any space in a cell summed by s, at
// nearM or farther, that passes the hard rules the summary can speak for;
// -1 when no space of the cell can hold the group, meet the requirements
// or fit the budget.
func (q *query) cellBound(s *cellSum, nearM float64) float64 {
	if int(s.capacity) < q.req.GroupSize || below(s.area, q.minArea) || s.flags&q.needs != q.needs {
		return -1
	}
	w := &q.weights
	b := q.fitTerm[s.fit] + q.extrasTerm[s.extras] + w.Availability
	if near := 1 - nearM/q.radiusM; near > 0 {
		b += w.Distance * min(near, 1)
	}
	if room := float64(s.area) * q.roomScale; room < 1 {
		b += w.Room * room
	} else {
		b += w.Room
	}
	p, listed := s.cheapest[q.tier], s.cheapest[q.tier] != math.MaxInt32
	price := 0.0 // the best price factor a space of the cell may have
	switch {
	case q.req.MaxPencePerHour > 0:
		// A space without a price, or over the budget, fails it.
		if !listed || int(p) > q.req.MaxPencePerHour {
			return -1
		}
		price = clamp01(1 - float64(p)*q.priceScale)
	case listed:
		price = clamp01(1 - float64(p)*q.priceScale)
	}
	if s.unpriced[q.tier] && q.req.MaxPencePerHour == 0 {
		price = max(price, 0.5)
	}
	return b + w.Price*price
}
