package geo

import (
	"sort"

	"github.com/paulmach/orb"
)

// Ranked is one item of a distance ranking: its position in the input,
// its ID and its distance from the centre in metres.
type Ranked struct {
	Index     int
	ID        string
	DistanceM float64
}

// Less orders by distance, then by ID, so a ranking is total and a cursor
// can resume it.
func (r Ranked) Less(o Ranked) bool {
	if r.DistanceM != o.DistanceM {
		return r.DistanceM < o.DistanceM
	}
	return r.ID < o.ID
}

// Nearest ranks n items (at(i) gives each one's point and ID) by true
// distance from centre, keeps those within radiusM, and returns the first
// limit of them that come strictly after `after` (nil: from the start),
// nearest first, with whether more remain.
func Nearest(centre orb.Point, radiusM float64, n int, at func(i int) (orb.Point, string), after *Ranked, limit int) ([]Ranked, bool) {
	out := make([]Ranked, 0, min(n, 64))
	for i := 0; i < n; i++ {
		p, id := at(i)
		d := DistanceM(centre, p)
		if d > radiusM {
			continue
		}
		r := Ranked{Index: i, ID: id, DistanceM: d}
		if after != nil && !after.Less(r) {
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	if limit > 0 && len(out) > limit {
		return out[:limit], true
	}
	return out, false
}
