package matching_test

import (
	"testing"
	"time"

	"commonground/matching"
)

// goldenActivityCase is one request for one space, explained.
type goldenActivityCase struct {
	Case         string          `json:"case"`
	Activity     string          `json:"activity"`
	GroupSize    int             `json:"group_size"`
	AllowOutdoor bool            `json:"allow_outdoor"`
	Matched      bool            `json:"matched"`
	Failures     []goldenFailure `json:"failures"`
	Stars        string          `json:"stars,omitempty"` // the fit_to_dance reason of a match
}

// TestActivityRulesGolden explains, for each activity rule, a space that
// breaks it and one that keeps it, so the wording of every detail is
// reviewed: outdoor spaces and their surfaces, tap floors and boards,
// aerial rigging.
func TestActivityRulesGolden(t *testing.T) {
	g := newGoldenWorld(t)
	owner := g.org("Cam Valley Trust", nil)
	v := g.venue(owner, "Riverside Centre", 1, 0)
	hall := func(s *matching.Space) {
		s.Kind, s.Floor, s.Mirrors, s.Barres, s.ClimateControl = "hall", matching.FloorVinyl, false, false, false
	}
	field := func(surface matching.Surface) func(s *matching.Space) {
		return func(s *matching.Space) {
			s.Kind, s.Outdoor, s.Surface, s.Floor, s.FloorAreaM2 = "outdoor", true, surface, matching.FloorOther, 2000
			s.CeilingHeightM, s.Mirrors, s.Barres, s.ClimateControl, s.ChangingRooms = 0, false, false, false, false
		}
	}
	cases := []struct {
		name         string
		activity     string
		group        int
		allowOutdoor bool
		edit         func(s *matching.Space)
	}{
		{"grass field, outdoor not allowed", "folk", 20, false, field(matching.SurfaceGrass)},
		{"grass field, outdoor allowed", "folk", 20, true, field(matching.SurfaceGrass)},
		{"grass field for hip-hop", "hip-hop", 20, true, field(matching.SurfaceGrass)},
		{"tarmac playground for hip-hop", "hip-hop", 20, true, field(matching.SurfaceTarmac)},
		{"paved courtyard for contemporary", "contemporary", 20, true, field(matching.SurfacePaving)},
		{"field with no surface recorded", "contemporary", 20, true, field("")},
		{"open-air hall marked outdoor", "jazz", 20, false, func(s *matching.Space) { hall(s); s.Outdoor = true }},
		{"vinyl hall for tap", "tap", 20, false, hall},
		{"vinyl hall with tap boards", "tap", 20, false, func(s *matching.Space) { hall(s); s.TapBoards = true }},
		{"paved courtyard for tap", "tap", 20, true, field(matching.SurfacePaving)},
		{"courtyard with tap boards", "tap", 20, true, func(s *matching.Space) { field(matching.SurfacePaving)(s); s.TapBoards = true }},
		{"wooden hall for flamenco", "flamenco", 20, false, func(s *matching.Space) { hall(s); s.Floor = matching.FloorWood }},
		{"studio without rigging for aerial", "aerial", 4, false, func(s *matching.Space) { s.CeilingHeightM = 7 }},
		{"light rigging for aerial", "aerial", 4, false, func(s *matching.Space) {
			s.CeilingHeightM = 7
			s.RiggingPoints = []matching.RiggingPoint{{RatedLoadKg: 500}, {RatedLoadKg: 1000}, {RatedLoadKg: 1800}}
		}},
		{"rigging for four aerialists", "aerial", 4, false, func(s *matching.Space) {
			s.CeilingHeightM = 7
			s.RiggingPoints = []matching.RiggingPoint{{RatedLoadKg: 1000}, {RatedLoadKg: 1000}, {RatedLoadKg: 2000}}
		}},
		{"rigging under a low ceiling", "aerial", 2, false, func(s *matching.Space) {
			s.RiggingPoints = []matching.RiggingPoint{{RatedLoadKg: 2000}}
		}},
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = g.space(v, c.name, charterStudio(), c.edit)
	}
	g.l.Commit(1)
	sessions := []matching.Session{session(localTime(2027, 6, 10, 18, 30), 90*time.Minute)}
	var got []goldenActivityCase
	for i, c := range cases {
		req := &matching.VenueRequest{Near: cambridge, RadiusKm: 10, GroupSize: c.group, Activity: c.activity,
			Sessions: sessions, RequireAllSessions: true, AllowOutdoor: c.allowOutdoor}
		ex := explain(t, g.e, req, ids[i])
		gc := goldenActivityCase{Case: c.name, Activity: c.activity, GroupSize: c.group, AllowOutdoor: c.allowOutdoor,
			Matched: ex.Matched, Failures: []goldenFailure{}}
		for _, f := range ex.Failures {
			gc.Failures = append(gc.Failures, goldenFailure{f.Reason, f.Detail})
		}
		if ex.Match != nil {
			gc.Stars = ex.Match.Reasons[0].Detail
		}
		got = append(got, gc)
	}
	checkGolden(t, "activity_rules", got)
}
