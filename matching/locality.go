package matching

import (
	"slices"

	"commonground/geo"
)

// placeSpacesByCell renumbers a freshly loaded model's spaces so that the
// spaces of one grid cell lie next to each other in memory, cells in the
// order a grid walk visits them. A match reads every space within twice its
// radius; in load order (the database's) those are scattered over the
// whole table, and at a million spaces each read is a cache miss. Only a
// model with no free slots is renumbered (one just loaded); spaces added
// later go at the end until the next load.
func (st *state) placeSpacesByCell() {
	n := len(st.spaces)
	if n < 2 || len(st.freeSpaces) > 0 {
		return
	}
	keys := make([]uint64, n)
	order := make([]int32, n) // new slot → old slot
	for i := range st.spaces {
		keys[i] = st.grid.CellOrder(st.spaces[i].loc)
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		switch {
		case keys[a] < keys[b]:
			return -1
		case keys[a] > keys[b]:
			return 1
		}
		return 0
	})
	remap := make([]int32, n) // old slot → new slot
	spaces := make([]spaceRec, n)
	for to, from := range order {
		spaces[to] = st.spaces[from]
		remap[from] = int32(to)
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
	st.spaceByID.renumber(remap)
	grid := geo.NewGrid(gridCellDeg)
	for i := range st.spaces {
		grid.Insert(int32(i), st.spaces[i].loc)
	}
	st.grid = grid
}
