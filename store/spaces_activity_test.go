package store_test

import (
	"fmt"
	"slices"
	"testing"

	"commonground/matching"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// TestListSpacesActivityRules lists spaces for activities with rules of
// their own and checks the store's filter (SQL on each database) against
// the read model's (NearbySpaces) on the same spaces, and a few answers
// by hand: the two must agree, as lists answer from either.
func TestListSpacesActivityRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		org := newOrg("Rules", 52.2, 0.12)
		createOrg(t, db, &org, "")
		v := newVenue(org.ID, "Centre", 52.2, 0.12)
		createVenue(t, db, &v)
		spaces := map[string]*matching.Space{}
		add := func(name string, edit func(s *matching.Space)) {
			s := newSpace(v.ID, name)
			s.ProhibitedActivities, s.CeilingHeightM = []string{}, 7
			edit(&s)
			createSpace(t, db, &s)
			spaces[name] = &s
		}
		add("rigged for two", func(s *matching.Space) {
			s.RiggingPoints = []matching.RiggingPoint{{RatedLoadKg: 1000}, {RatedLoadKg: 899.5}, {RatedLoadKg: 950}}
		})
		add("rigged for four", func(s *matching.Space) { s.RiggingPoints = []matching.RiggingPoint{{RatedLoadKg: 3600}} })
		add("rigged, low ceiling", func(s *matching.Space) {
			s.CeilingHeightM, s.RiggingPoints = 5, []matching.RiggingPoint{{RatedLoadKg: 2000}}
		})
		add("vinyl", func(s *matching.Space) { s.Floor = matching.FloorVinyl })
		add("vinyl with boards", func(s *matching.Space) { s.Floor, s.TapBoards = matching.FloorVinyl, true })
		add("concrete", func(s *matching.Space) { s.Floor = matching.FloorConcrete })
		add("grass field", func(s *matching.Space) {
			s.Kind, s.Floor, s.Surface, s.CeilingHeightM = "outdoor", matching.FloorOther, matching.SurfaceGrass, 0
		})
		add("tarmac yard", func(s *matching.Space) {
			s.Outdoor, s.Kind, s.Floor, s.Surface, s.CeilingHeightM = true, "other", matching.FloorOther, matching.SurfaceTarmac, 0
		})
		add("field, no surface", func(s *matching.Space) { s.Kind, s.Floor, s.CeilingHeightM = "outdoor", matching.FloorOther, 0 })
		add("paved courtyard with boards", func(s *matching.Space) {
			s.Outdoor, s.Floor, s.Surface, s.TapBoards = true, matching.FloorConcrete, matching.SurfacePaving, true
		})
		add("low studio", func(s *matching.Space) { s.CeilingHeightM = 3 })
		add("bans tap", func(s *matching.Space) { s.ProhibitedActivities = []string{"tap"} })

		e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
		l := e.Load()
		if err := l.Organisation(&org); err != nil {
			t.Fatal(err)
		}
		if err := l.Venue(&v); err != nil {
			t.Fatal(err)
		}
		for _, s := range spaces {
			if err := l.Space(s); err != nil {
				t.Fatal(err)
			}
		}
		l.Commit(1)

		names := func(ss []matching.Space) []string {
			var out []string
			for _, s := range ss {
				out = append(out, s.Name)
			}
			slices.Sort(out)
			return out
		}
		byHand := map[string][]string{
			"aerial for 2 indoors": {"rigged for four", "rigged for two"},
			"aerial for 3 indoors": {"rigged for four"},
			"tap for 1 outdoors": {"low studio", "paved courtyard with boards", "rigged for four", "rigged for two",
				"rigged, low ceiling", "vinyl with boards"},
			"contemporary for 1 outdoors": {"bans tap", "grass field", "rigged for four", "rigged for two",
				"rigged, low ceiling", "vinyl", "vinyl with boards"},
		}
		for _, act := range []string{"aerial", "tap", "contemporary", "hip-hop", "folk", "ballet", "yoga"} {
			for _, group := range []int{0, 2, 3} {
				for _, outdoor := range []bool{false, true} {
					name := fmt.Sprintf("%s for %d %s", act, max(group, 1), map[bool]string{false: "indoors", true: "outdoors"}[outdoor])
					got, err := db.ListSpaces(t.Context(), matching.SpaceFilter{Allows: act, AllowOutdoor: outdoor, MinCapacity: group})
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					near, _ := e.NearbySpaces(matching.NearbyQuery{Centre: v.Location, RadiusM: 1000, Activity: act,
						AllowOutdoor: outdoor, MinCapacity: group})
					var want []string
					for _, n := range near {
						want = append(want, n.Name)
					}
					slices.Sort(want)
					if !slices.Equal(names(got), want) {
						t.Errorf("%s: the store lists %v, the read model %v", name, names(got), want)
					}
					if h, ok := byHand[name]; ok && !slices.Equal(want, h) {
						t.Errorf("%s: got %v, want %v", name, want, h)
					}
				}
			}
		}
	})
}
