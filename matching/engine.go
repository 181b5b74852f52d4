package matching

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"commonground/geo"
)

// gridCellDeg is the engine's grid cell: 0.05° is about 5.5 km north–south
// and 3.4 km east–west in Britain, so a 15 km match visits a few dozen
// cells.
const gridCellDeg = 0.05

// denseCellDeg is the spaces' grid cell when a load brings more than
// denseSpaces of them (spaceCellDeg). Smaller cells cost a lookup each, so
// they pay only where cells are crowded: a match places whole cells at
// once, and spaces in a cell its radius crosses one by one. Measured on
// the synthetic county (BenchmarkMatchVenues, BenchmarkNearby): at a
// million spaces, 0.025° cells took the median match from 712 to 556 µs
// and nearby from 48 to 30 µs; at 100,000 they were slower (98 to
// 109 µs, 18.5 to 20.7 µs), and 0.0125° was slower still there.
const (
	denseCellDeg = 0.025
	denseSpaces  = 400_000
)

// spaceCellDeg is the cell of the spaces' grid for a load of n spaces.
func (e *Engine) spaceCellDeg(n int) float64 {
	if n > e.denseSpaces {
		return denseCellDeg
	}
	return gridCellDeg
}

// Engine is the in-memory read model that matching runs on: every space,
// venue and organisation in a compact form, with a spatial index. It is
// built from a store snapshot and follows the store's committed changes;
// it never holds anything the database does not. It is safe for
// concurrent use: queries share a read lock, changes take the write lock.
type Engine struct {
	tax  *Taxonomy
	opts EngineOptions
	mu   sync.RWMutex
	st   *state
	// denseSpaces is denseSpaces, or what a test sets (export_test.go).
	denseSpaces int
	// labels are the taxonomy's category and value labels in lower case,
	// by slug, as partner explanations write them.
	labels map[string]string
}

// EngineOptions tune matching. The zero value uses the defaults.
type EngineOptions struct {
	// VenueWeights weigh the soft factors of a venue match
	// (DefaultVenueWeights when zero).
	VenueWeights VenueWeights
	// Activities overrides or adds activity profiles
	// (DefaultActivityProfiles otherwise).
	Activities map[string]ActivityProfile
	// ParallelMatchMin is how many spaces a venue match must visit one by
	// one before it is split between goroutines (up to GOMAXPROCS, at
	// most 4): DefaultParallelMatchMin when 0, never when negative. The
	// answer is the same either way.
	ParallelMatchMin int
}

// DefaultParallelMatchMin: below about this many spaces a second
// goroutine costs more than it saves.
const DefaultParallelMatchMin = 8192

// state is one version of the read model.
type state struct {
	rev int64

	spaces     []spaceRec
	freeSpaces []int32
	spaceByID  *idIndex
	extras     map[int32]*extra
	details    map[int32]*spaceDetail // outdoor surfaces and rigging points
	grid       *geo.Grid
	// cells hold the spaces of each cell of grid, best first, and what
	// bounds them (venuecells.go).
	cells map[uint64]*cellSpaces

	venues     []venueRec
	freeVenues []int32
	venueByID  *idIndex
	venueGrid  *geo.Grid

	orgs     []orgRec
	freeOrgs []int32
	orgByID  map[string]int32
	orgGrid  *geo.Grid

	hours      [][]OpeningHours
	hoursByKey map[string]int32
	key        []byte // scratch for interning keys
	// closureLists are the distinct closure lists, numbered.
	closureLists [][]Closure
	closureIDs   map[string]int32
	names        map[string]string
	// zones are the venues' time zones, numbered for spaceRec.zone.
	zones     []*time.Location
	zoneIndex map[*time.Location]uint16
}

func newState() *state {
	st := &state{
		extras: map[int32]*extra{}, details: map[int32]*spaceDetail{}, grid: geo.NewGrid(gridCellDeg), cells: map[uint64]*cellSpaces{},
		venueGrid: geo.NewGrid(gridCellDeg), orgByID: map[string]int32{}, orgGrid: geo.NewGrid(gridCellDeg),
		hoursByKey: map[string]int32{}, closureIDs: map[string]int32{}, names: map[string]string{},
		zoneIndex: map[*time.Location]uint16{},
	}
	st.spaceByID = newIDIndex(func(slot int32) uid { return st.spaces[slot].id })
	st.venueByID = newIDIndex(func(slot int32) uid { return st.venues[slot].id })
	return st
}

// NewEngine returns an empty engine for the taxonomy. The taxonomy must
// hold at most 64 activities and 64 practices (the engine keeps them as
// bit sets).
func NewEngine(tax *Taxonomy, opts EngineOptions) *Engine {
	if opts.VenueWeights == (VenueWeights{}) {
		opts.VenueWeights = DefaultVenueWeights
	}
	profiles := make(map[string]ActivityProfile, len(DefaultActivityProfiles)+len(opts.Activities))
	for k, v := range DefaultActivityProfiles {
		profiles[k] = v
	}
	for k, v := range opts.Activities {
		profiles[k] = v
	}
	opts.Activities = profiles
	labels := make(map[string]string, len(tax.Categories)+len(tax.Values))
	for _, terms := range [][]Term{tax.Categories, tax.Values} {
		for _, t := range terms {
			labels[t.Slug] = strings.ToLower(t.Label)
		}
	}
	return &Engine{tax: tax, opts: opts, st: newState(), denseSpaces: denseSpaces, labels: labels}
}

// Revision is the store revision the engine reflects.
func (e *Engine) Revision() int64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.st.rev
}

// Counts returns how many organisations, venues and spaces the engine holds.
func (e *Engine) Counts() (orgs, venues, spaces int) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.st.orgByID), e.st.venueByID.Len(), e.st.spaceByID.Len()
}

// HasOrganisation reports whether the engine holds the organisation with
// ID id: false once its deletion has been applied.
func (e *Engine) HasOrganisation(id string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	_, ok := e.st.orgByID[id]
	return ok
}

// Loader builds a fresh read model from a snapshot; Commit swaps it in.
// Queries keep running on the old model while a snapshot loads.
type Loader struct {
	e   *Engine
	st  *state
	err error
}

// Load starts a new snapshot load.
func (e *Engine) Load() *Loader { return &Loader{e: e, st: newState()} }

var _ SnapshotSink = (*Loader)(nil)

// Organisation adds an organisation to the snapshot.
func (l *Loader) Organisation(o *Organisation) error { return l.e.upsertOrg(l.st, o) }

// Venue adds a venue to the snapshot.
func (l *Loader) Venue(v *Venue) error { return l.e.upsertVenue(l.st, v) }

// Space adds a space to the snapshot.
func (l *Loader) Space(s *Space) error { return l.e.upsertSpace(l.st, s) }

// Booked sets a space's confirmed booked periods in the snapshot.
func (l *Loader) Booked(spaceID string, periods []Session) error {
	return l.e.setBooked(l.st, spaceID, periods)
}

// Commit makes the loaded snapshot, at revision rev, the engine's model.
func (l *Loader) Commit(rev int64) {
	l.st.rev = rev
	l.st.placeSpacesByCell(l.e.spaceCellDeg(len(l.st.spaces)))
	l.st.compact()
	l.e.mu.Lock()
	l.e.st = l.st
	l.e.mu.Unlock()
}

// Apply brings the engine up to date with a change set from the store.
// A set at or below the engine's revision is ignored (it was seen
// already). It returns an error for a Reload set (take a snapshot) or a
// record the engine cannot hold; the model is then unchanged by that
// record but may hold the rest of the set, and the caller should reload.
func (e *Engine) Apply(cs *ChangeSet) error {
	if cs.Reload {
		return fmt.Errorf("change set at revision %d needs a full reload", cs.Revision)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.st
	if cs.Revision <= st.rev && cs.Revision != 0 {
		return nil
	}
	var errs []string
	note := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	// Upserts first: a space that moved out of a venue deleted in the same
	// set, or a venue that passed from a deleted organisation, must not go
	// (with its booked periods) in the cascade of the delete.
	for i := range cs.Organisations {
		note(e.upsertOrg(st, &cs.Organisations[i]))
	}
	for i := range cs.Venues {
		note(e.upsertVenue(st, &cs.Venues[i]))
	}
	for i := range cs.Spaces {
		note(e.upsertSpace(st, &cs.Spaces[i]))
	}
	for id, periods := range cs.Bookings {
		note(e.setBooked(st, id, periods))
	}
	for _, id := range cs.DeletedSpaces {
		e.deleteSpace(st, id)
	}
	for _, id := range cs.DeletedVenues {
		e.deleteVenue(st, id)
	}
	for _, id := range cs.DeletedOrganisations {
		e.deleteOrg(st, id)
	}
	if cs.Revision > st.rev {
		st.rev = cs.Revision
	}
	if len(errs) > 0 {
		return fmt.Errorf("apply revision %d: %s", cs.Revision, strings.Join(errs, "; "))
	}
	return nil
}

// compact trims the spare capacity that appending left in the tables (up
// to half of each), keeping a little room for the writes that follow.
func (st *state) compact() {
	st.spaces = trimmed(st.spaces)
	st.venues = trimmed(st.venues)
	st.orgs = trimmed(st.orgs)
	st.grid.Compact()
	st.venueGrid.Compact()
	st.orgGrid.Compact()
}

func trimmed[T any](s []T) []T {
	if cap(s)-len(s) <= len(s)/16 {
		return s
	}
	out := make([]T, len(s), len(s)+len(s)/32)
	copy(out, s)
	return out
}
