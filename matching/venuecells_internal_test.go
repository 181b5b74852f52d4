package matching

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	"unsafe"
)

// TestRestBoundCoversLaterSpaces checks the promise the walk of a cell's
// spaces stops on: for spaces in a cell's order (most stars, then most
// extras), restBound of one is at least the stars and extras terms of
// every space after it, for the default weights and random ones.
func TestRestBoundCoversLaterSpaces(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	var all []rankedSpace
	for fit := range uint8(MaxFitToDance + 1) {
		for extras := range uint8(6) {
			all = append(all, rankedSpace{slot: int32(len(all)), fit: fit, extras: extras})
		}
	}
	slices.SortFunc(all, func(a, b rankedSpace) int {
		if a.before(b) {
			return -1
		}
		return 1
	})
	for trial := range 200 {
		wFit, wExtras := DefaultVenueWeights.FitToDance, DefaultVenueWeights.Extras
		if trial > 0 {
			wFit, wExtras = r.Float64(), r.Float64()
		}
		q := &query{}
		for i := range q.fitTerm {
			q.fitTerm[i] = wFit * float64(i) / MaxFitToDance
			q.extrasTerm[i] = wExtras * float64(i) / 5
		}
		for i, a := range all {
			for _, b := range all[i:] {
				if got, least := q.restBound(a), q.fitTerm[b.fit]+q.extrasTerm[b.extras]; got < least {
					t.Fatalf("weights %.3f/%.3f: restBound(%d stars, %d extras) = %.4f, below %.4f for %d stars, %d extras after it",
						wFit, wExtras, a.fit, a.extras, got, least, b.fit, b.extras)
				}
			}
		}
	}
}

// TestCellSumWidens checks that a cell's summary promises at least what
// each space filed in it offers.
func TestCellSumWidens(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	c := newCellSpaces()
	var spaces []spaceRec
	for range 50 {
		sp := spaceRec{capacity: int32(r.IntN(200)), area: float32(r.Float64() * 300), fit: uint8(r.IntN(6)),
			flags: uint16(r.Uint32()), prices: [3]int32{int32(r.IntN(5000)) - 500, int32(r.IntN(5000)) - 500, -1}}
		spaces = append(spaces, sp)
		c.sum.widen(&sp)
	}
	for _, sp := range spaces {
		s := c.sum
		if s.capacity < sp.capacity || s.area < sp.area || s.fit < sp.fit || s.extras < extrasOf(&sp) || s.flags&sp.flags != sp.flags {
			t.Fatalf("summary %+v does not cover space %+v", s, sp)
		}
		for i, p := range sp.prices {
			if (p < 0 && !s.unpriced[i]) || (p >= 0 && s.cheapest[i] > p) {
				t.Fatalf("tier %d: summary %v/%v does not cover the price %d", i, s.cheapest[i], s.unpriced[i], p)
			}
		}
	}
}

// TestSpaceRecSize keeps the space record, read for every candidate of a
// match, at its size: the booking horizon lives in what was padding.
func TestSpaceRecSize(t *testing.T) {
	if got := unsafe.Sizeof(spaceRec{}); got != 112 {
		t.Errorf("spaceRec is %d bytes, want 112", got)
	}
}

// TestHorizonAll checks the shortest horizon within which every session
// starts, at and just past whole days.
func TestHorizonAll(t *testing.T) {
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) []Session { return []Session{{Start: now.Add(d), End: now.Add(d + time.Hour)}} }
	for _, tt := range []struct {
		sessions []Session
		now      time.Time
		want     int
	}{
		{at(60 * 24 * time.Hour), time.Time{}, 0},
		{at(-time.Hour), now, 0},
		{at(60 * 24 * time.Hour), now, 60},
		{at(60*24*time.Hour + time.Nanosecond), now, 61},
		{at(time.Minute), now, 1},
	} {
		if got := horizonAll(tt.sessions, tt.now); got != tt.want {
			t.Errorf("horizonAll(%v, %v) = %d, want %d", tt.sessions[0].Start, tt.now, got, tt.want)
		}
		for _, days := range []int{tt.want - 1, tt.want} {
			if days < 1 || tt.now.IsZero() {
				continue
			}
			if got, want := beyondHorizon(tt.sessions[0].Start, tt.now, days), days < tt.want; got != want {
				t.Errorf("beyondHorizon(%v, %d days) = %v, want %v", tt.sessions[0].Start, days, got, want)
			}
		}
	}
}
