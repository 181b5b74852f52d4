package matching

import (
	"slices"

	"github.com/paulmach/orb"

	"commonground/geo"
)

// placeSpacesByCell renumbers a freshly loaded model's spaces so that the
// spaces of one grid cell lie next to each other in memory, cells in the
// order a grid walk visits them. A match reads every space within twice its
// radius; in load order (the database's) those are scattered over the
// whole table, and at a million spaces each read is a cache miss. Only a
// model with no free slots is renumbered (one just loaded); spaces added
// later go at the end until the next load. The grid is rebuilt with cells
// of cellDeg degrees.
func (st *state) placeSpacesByCell(cellDeg float64) {
	n := len(st.spaces)
	if n < 2 || len(st.freeSpaces) > 0 {
		return
	}
	type keyed struct {
		cell uint64
		slot int32
	}
	grid := geo.NewGrid(cellDeg)
	order := make([]keyed, n) // new slot → old slot
	for i := range st.spaces {
		order[i] = keyed{grid.CellOrder(st.spaces[i].loc), int32(i)}
	}
	slices.SortFunc(order, func(a, b keyed) int {
		if a.cell != b.cell {
			if a.cell < b.cell {
				return -1
			}
			return 1
		}
		return int(a.slot - b.slot)
	})
	remap := make([]int32, n) // old slot → new slot
	spaces := make([]spaceRec, n)
	for to, k := range order {
		spaces[to] = st.spaces[k.slot]
		remap[k.slot] = int32(to)
	}
	st.spaces = spaces
	for i := range st.venues {
		v := &st.venues[i]
		for j, s := range v.spaces {
			v.spaces[j] = remap[s]
		}
	}
	if len(st.extras) > 0 {
		extras := make(map[int32]*extra, len(st.extras))
		for s, x := range st.extras {
			extras[remap[s]] = x
		}
		st.extras = extras
	}
	if len(st.details) > 0 {
		details := make(map[int32]*spaceDetail, len(st.details))
		for s, d := range st.details {
			details[remap[s]] = d
		}
		st.details = details
	}
	st.spaceByID.renumber(remap)
	grid.Fill(n, func(i int32) orb.Point { return st.spaces[i].loc })
	st.grid = grid
	st.fileCells()
}
