package matching_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"commonground/matching"
)

// TestActivityRulesHold asks seeded random worlds for rooms for the
// activities with rules of their own, through venue matching and nearby's
// activity filter, and checks that no answer breaks a rule
// (breaksActivityRule, written from the rules' documentation). It also
// checks the rules were tested both ways: each activity found rooms, and
// outdoor rooms were offered only where allowed.
func TestActivityRulesHold(t *testing.T) {
	requests := 120
	if testing.Short() {
		requests = 30
	}
	for _, seedN := range []int64{5, 6} {
		t.Run(fmt.Sprint("seed=", seedN), func(t *testing.T) {
			w, e := buildOracle(t, seedN)
			r := rand.New(rand.NewPCG(uint64(seedN), 0xac71))
			venueIDs, orgIDs := sortedKeys(w.venues), sortedKeys(w.orgs)
			found := map[string]int{}
			outdoorFound := 0
			for i := range requests {
				req := oracleRequest(r, w, venueIDs, orgIDs)
				req.Activity = []string{"tap", "flamenco", "aerial", "hip-hop", "contemporary", "folk"}[i%6]
				req.GroupSize = 1 + r.IntN(12)
				req.MaxPencePerHour, req.Requirements, req.OrganisationID = 0, matching.Requirements{}, ""
				req.RadiusKm = 15 + r.Float64()*30
				res, err := e.MatchVenues(req)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range res.Matches {
					s := w.spaces[m.SpaceID]
					if breaksActivityRule(s, req.Activity, req.GroupSize, req.AllowOutdoor) {
						t.Errorf("request %d: match %s (%s) breaks a rule of %s for %d (allow outdoor %v)",
							i, m.SpaceID, m.SpaceName, req.Activity, req.GroupSize, req.AllowOutdoor)
					}
					found[req.Activity]++
					if s.IsOutdoor() {
						outdoorFound++
					}
				}
				q := matching.NearbyQuery{Centre: req.Near, RadiusM: req.RadiusKm * 1000, Activity: req.Activity,
					MinCapacity: req.GroupSize, AllowOutdoor: req.AllowOutdoor, Limit: 200}
				near, _ := e.NearbySpaces(q)
				for _, n := range near {
					if breaksActivityRule(w.spaces[n.ID], q.Activity, q.MinCapacity, q.AllowOutdoor) {
						t.Errorf("request %d: nearby %s (%s) breaks a rule of %s for %d", i, n.ID, n.Name, q.Activity, q.MinCapacity)
					}
				}
			}
			t.Logf("matches by activity %v, %d outdoors", found, outdoorFound)
			for _, a := range []string{"tap", "flamenco", "aerial", "hip-hop", "contemporary", "folk"} {
				if found[a] == 0 {
					t.Errorf("no room matched for %s: the rules were not tested with a match", a)
				}
			}
			if outdoorFound == 0 {
				t.Error("no outdoor room matched where allowed")
			}
		})
	}
}

// TestFitToDanceBreakdown holds the breakdown to the rating on random
// spaces: 5 less the stars lost (never below 0) is FitToDance, the
// criteria come in the rubric's order, each once, and each is there
// exactly when the rubric says it costs stars.
func TestFitToDanceBreakdown(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := range 2000 {
		s := matching.Space{Floor: matching.Floors[r.IntN(len(matching.Floors))], FloorAreaM2: float64(r.IntN(150)) + r.Float64(),
			ClimateControl: r.IntN(2) == 0, Obstructions: r.IntN(2) == 0, Barres: r.IntN(2) == 0, Mirrors: r.IntN(2) == 0}
		b := s.FitToDanceBreakdown()
		lost, last := 0, -1
		want := map[string]int{}
		switch s.Floor {
		case matching.FloorSprung:
		case matching.FloorSemiSprung:
			want[matching.CriterionFloor] = 1
		default:
			want[matching.CriterionFloor] = 2
		}
		if s.FloorAreaM2 < 75 {
			want[matching.CriterionFloorArea] = 1
		}
		if !s.ClimateControl {
			want[matching.CriterionClimate] = 1
		}
		if s.Obstructions {
			want[matching.CriterionObstructions] = 1
		}
		if !s.Barres && !s.Mirrors {
			want[matching.CriterionBarresMirror] = 1
		}
		for _, x := range b {
			at := -1
			for j, c := range matching.StarCriteria {
				if c == x.Criterion {
					at = j
				}
			}
			if at <= last {
				t.Fatalf("space %d %+v: criterion %q out of order in %+v", i, s, x.Criterion, b)
			}
			last = at
			if x.StarsLost != want[x.Criterion] || x.Detail == "" {
				t.Errorf("space %d %+v: %+v, want %d stars lost with a detail", i, s, x, want[x.Criterion])
			}
			delete(want, x.Criterion)
			lost += x.StarsLost
		}
		if len(want) > 0 {
			t.Errorf("space %d %+v: breakdown %+v misses %v", i, s, b, want)
		}
		if got := s.FitToDance(); got != max(0, 5-lost) {
			t.Errorf("space %d %+v: FitToDance %d, breakdown loses %d", i, s, got, lost)
		}
	}
}

// TestStarReasonNamesTheLoss checks the fit_to_dance reason of every
// match on a seeded world against the space's breakdown: it names each
// criterion lost, and no other.
func TestStarReasonNamesTheLoss(t *testing.T) {
	w, e := buildOracle(t, 7)
	r := rand.New(rand.NewPCG(7, 0x57a5))
	venueIDs, orgIDs := sortedKeys(w.venues), sortedKeys(w.orgs)
	checked := 0
	for range 40 {
		req := oracleRequest(r, w, venueIDs, orgIDs)
		res, err := e.MatchVenues(req)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Matches {
			s := w.spaces[m.SpaceID]
			want := fmt.Sprintf("%d of 5 stars on the Fit to Dance rubric", s.FitToDance())
			if lost := matching.StarLossesText(s.FitToDanceBreakdown()); lost != "" {
				want += " (" + lost + ")"
			}
			if got := m.Reasons[0].Detail; m.Reasons[0].Factor != "fit_to_dance" || got != want {
				t.Errorf("%s: %s %q, want %q", m.SpaceID, m.Reasons[0].Factor, got, want)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no match to check")
	}
}
