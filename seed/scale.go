package seed

import (
	"math"

	"commonground/matching"
)

// DefaultBatchSize is the number of spaces per batch when
// ScaleOptions.BatchSize is not set.
const DefaultBatchSize = 10000

// ScaleOptions sizes a synthetic data set.
type ScaleOptions struct {
	// Seed makes the data: the same seed and sizes give the same batches.
	Seed int64
	// Spaces is the exact number of spaces to generate.
	Spaces int
	// BatchSize is the most spaces in one batch (DefaultBatchSize if 0 or
	// less). An organisation's venues and spaces are never split across
	// batches.
	BatchSize int
}

// scaleTypes weights the organisation types at scale and lists the
// buildings each type owns beyond the one its name may give it.
var scaleTypes = []struct {
	t     matching.OrgType
	w     float64
	kinds []venueKind
}{
	{matching.OrgCommunity, 25, []venueKind{vCommunityCentre, vVillageHall, vPavilion}},
	{matching.OrgSchool, 18, []venueKind{vSchool}},
	{matching.OrgFaith, 14, []venueKind{vChurch}},
	{matching.OrgArts, 12, []venueKind{vStudio, vArtsCentre}},
	{matching.OrgCouncil, 10, []venueKind{vCommunityCentre, vLeisureCentre, vLibrary, vTownHall}},
	{matching.OrgYouthService, 10, []venueKind{vYouthCentre}},
	{matching.OrgBusiness, 6, []venueKind{vHotel, vFitness}},
	{matching.OrgHealth, 3, []venueKind{vHealthCentre}},
	{matching.OrgOther, 2, []venueKind{vScoutHut}},
}

// Generate streams synthetic organisations, venues and spaces across Great
// Britain for benchmarks: about one organisation per three venues and two
// spaces per venue, scattered around some 60 towns and cities and the
// Cambridgeshire gazetteer. It calls emit with one batch at a time and
// keeps nothing once emit returns, so any size fits in memory; emit owns
// the batch. It stops at exactly opts.Spaces spaces and returns the first
// error emit returns. Every record passes its Validate against Taxonomy().
func Generate(opts ScaleOptions, emit func(*Dataset) error) error {
	if opts.Spaces <= 0 {
		return nil
	}
	size := opts.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	g := newGen(opts.Seed)
	g.wide = true
	places := append(gbCentres(), Gazetteer()...)
	pw := make([]float64, len(places))
	for i, p := range places {
		pw[i] = math.Sqrt(float64(p.Population))
	}
	byPlace := newWeighted(pw)
	tw := make([]float64, len(scaleTypes))
	for i, t := range scaleTypes {
		tw[i] = t.w
	}
	byType := newWeighted(tw)

	b := newBatch(size)
	for made := 0; made < opts.Spaces; {
		limit := min(opts.Spaces-made, size)
		oi, vi, si := len(b.Organisations), len(b.Venues), len(b.Spaces)
		st := &scaleTypes[byType.pick(g.r)]
		made += g.scaleOrg(b, &places[byPlace.pick(g.r)], st.t, st.kinds, limit)
		if len(b.Spaces) > size {
			// This organisation does not fit: it starts the next batch.
			next := newBatch(size)
			next.Organisations = append(next.Organisations, b.Organisations[oi:]...)
			next.Venues = append(next.Venues, b.Venues[vi:]...)
			next.Spaces = append(next.Spaces, b.Spaces[si:]...)
			b.Organisations, b.Venues, b.Spaces = b.Organisations[:oi], b.Venues[:vi], b.Spaces[:si]
			if err := emit(b); err != nil {
				return err
			}
			b = next
		}
		if len(b.Spaces) == size {
			if err := emit(b); err != nil {
				return err
			}
			b = newBatch(size)
		}
	}
	if len(b.Spaces) > 0 {
		return emit(b)
	}
	return nil
}

func newBatch(size int) *Dataset {
	return &Dataset{
		Organisations: make([]matching.Organisation, 0, size/6+8),
		Venues:        make([]matching.Venue, 0, size/2+8),
		Spaces:        make([]matching.Space, 0, size),
	}
}

// scaleOrg adds one organisation of type t based in pl with one to five
// buildings and at most limit spaces (at least one) to ds. It returns the
// number of spaces added.
func (g *gen) scaleOrg(ds *Dataset, pl *Place, t matching.OrgType, kinds []venueKind, limit int) int {
	o, tpl := g.org(t, pl, nil)
	ds.Organisations = append(ds.Organisations, o)
	n := 1 + g.r.IntN(5)
	made := 0
	for i := 0; i < n && made < limit; i++ {
		k, named := pick(g.r, kinds), false
		if i == 0 && tpl.venue != vNone {
			k, named = tpl.venue, true
		}
		made += g.venue(ds, &o, k, named, pl, i == 0, limit-made)
	}
	return made
}
