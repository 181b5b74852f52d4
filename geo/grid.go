package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Grid is a spatial index of items (small integer handles) on a regular
// latitude/longitude grid. Each cell holds the handles of the items whose
// point falls in it, so a radius query visits the few cells that overlap
// the search box. It costs 4 bytes per item plus a slice per occupied cell,
// and inserts and removals are O(items in the cell). It is not safe for
// concurrent writes; callers serialise them.
type Grid struct {
	cellDeg float64
	cells   map[uint64][]int32
}

// NewGrid returns an empty grid with square cells of cellDeg degrees
// (0.05° is about 5.5 km north–south).
func NewGrid(cellDeg float64) *Grid {
	return &Grid{cellDeg: cellDeg, cells: map[uint64][]int32{}}
}

func (g *Grid) cellOf(p orb.Point) (int64, int64) {
	return int64(math.Floor(p[0] / g.cellDeg)), int64(math.Floor(p[1] / g.cellDeg))
}

func cellKey(x, y int64) uint64 { return uint64(uint32(int32(x)))<<32 | uint64(uint32(int32(y))) }

// Key names the cell p falls in: equal for every point of one cell, and
// for the centre of a cell's bounds as EachCell gives them.
func (g *Grid) Key(p orb.Point) uint64 { return cellKey(g.cellOf(p)) }

// CellOrder is a key that sorts points by the cell they fall in, row by
// row as Each walks the cells: items stored in that order are visited in
// the order they lie in memory.
func (g *Grid) CellOrder(p orb.Point) uint64 {
	x, y := g.cellOf(p)
	return uint64(uint32(int32(y))^0x80000000)<<32 | uint64(uint32(int32(x))^0x80000000)
}

// Fill files handles 0 to n-1 in an empty grid, where at gives handle
// i's point and the handles come sorted by CellOrder: each cell's handles
// are then one run, and every cell gets a window of one shared array
// (capped, so a later Insert into a cell copies it rather than spill into
// the next) instead of a slice of its own.
func (g *Grid) Fill(n int, at func(i int32) orb.Point) {
	all := make([]int32, n)
	start := 0
	var startKey uint64
	for i := 0; i <= n; i++ {
		var k uint64
		if i < n {
			all[i] = int32(i)
			k = cellKey(g.cellOf(at(int32(i))))
		}
		if i == n || (i > start && k != startKey) {
			if run := all[start:i:i]; len(g.cells[startKey]) == 0 {
				g.cells[startKey] = run
			} else { // not sorted as promised: still correct, just copied
				g.cells[startKey] = append(g.cells[startKey], run...)
			}
			start, startKey = i, k
		}
		if i == 0 {
			startKey = k
		}
	}
}

// Insert adds handle h at point p.
func (g *Grid) Insert(h int32, p orb.Point) {
	k := cellKey(g.cellOf(p))
	g.cells[k] = append(g.cells[k], h)
}

// Remove takes handle h, inserted at point p, out of the grid.
func (g *Grid) Remove(h int32, p orb.Point) {
	k := cellKey(g.cellOf(p))
	cell := g.cells[k]
	for i, x := range cell {
		if x == h {
			cell[i] = cell[len(cell)-1]
			cell = cell[:len(cell)-1]
			break
		}
	}
	if len(cell) == 0 {
		delete(g.cells, k)
	} else {
		g.cells[k] = cell
	}
}

// Each calls fn with every handle whose cell overlaps the box b, a
// superset of the handles whose point lies in b; callers check the true
// distance. fn returning false stops the walk.
func (g *Grid) Each(b orb.Bound, fn func(h int32) bool) {
	x0, y0 := g.cellOf(b.Min)
	x1, y1 := g.cellOf(b.Max)
	if (x1-x0+1)*(y1-y0+1) > int64(len(g.cells))*2 {
		// A box wider than the data: walk the occupied cells instead.
		for k, cell := range g.cells {
			x, y := int64(int32(uint32(k>>32))), int64(int32(uint32(k)))
			if x < x0 || x > x1 || y < y0 || y > y1 {
				continue
			}
			for _, h := range cell {
				if !fn(h) {
					return
				}
			}
		}
		return
	}
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			for _, h := range g.cells[cellKey(x, y)] {
				if !fn(h) {
					return
				}
			}
		}
	}
}

// EachCell calls fn with every occupied cell that overlaps the box b: the
// cell's bounds (padded by a hair, so they surely hold every point filed
// in the cell) and its handles, which fn must not change. fn returning
// false stops the walk. Cells come in the order Each visits them.
func (g *Grid) EachCell(b orb.Bound, fn func(cell orb.Bound, handles []int32) bool) {
	const pad = 1e-9
	x0, y0 := g.cellOf(b.Min)
	x1, y1 := g.cellOf(b.Max)
	bound := func(x, y int64) orb.Bound {
		return orb.Bound{Min: orb.Point{float64(x)*g.cellDeg - pad, float64(y)*g.cellDeg - pad},
			Max: orb.Point{float64(x+1)*g.cellDeg + pad, float64(y+1)*g.cellDeg + pad}}
	}
	if (x1-x0+1)*(y1-y0+1) > int64(len(g.cells))*2 {
		for k, cell := range g.cells {
			x, y := int64(int32(uint32(k>>32))), int64(int32(uint32(k)))
			if x < x0 || x > x1 || y < y0 || y > y1 {
				continue
			}
			if !fn(bound(x, y), cell) {
				return
			}
		}
		return
	}
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			if cell := g.cells[cellKey(x, y)]; len(cell) > 0 && !fn(bound(x, y), cell) {
				return
			}
		}
	}
}

// Len returns the number of items in the grid.
func (g *Grid) Len() int {
	n := 0
	for _, c := range g.cells {
		n += len(c)
	}
	return n
}

// Compact trims the spare capacity of every cell.
func (g *Grid) Compact() {
	for k, cell := range g.cells {
		if cap(cell) > len(cell) {
			g.cells[k] = append([]int32(nil), cell...)
		}
	}
}
