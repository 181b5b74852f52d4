package matching_test

import (
	"testing"
	"time"

	"commonground/matching"
)

// Golden explanations: a space for each way a space can fail, one that
// fails them all, one that matches and an unknown one, so the wording of
// every detail is reviewed.
type goldenExplanation struct {
	Space     string           `json:"space"`
	Matched   bool             `json:"matched"`
	Failures  []goldenFailure  `json:"failures"`
	Conflicts []goldenConflict `json:"conflicts"`
	Score     float64          `json:"score,omitempty"`
}

type goldenFailure struct {
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

func TestExplainGolden(t *testing.T) {
	g := newGoldenWorld(t)
	dance := g.org("Fen Dance Company", func(o *matching.Organisation) {
		o.Type, o.Values = matching.OrgArts, []string{"animal-welfare"}
	})
	trust := g.org("Cam Valley Trust", nil)
	lab := g.org("Granta Labs", func(o *matching.Organisation) { o.Type, o.Practices = matching.OrgBusiness, []string{"animal-testing"} })
	venue := func(owner, name string, northKm float64, access matching.Accessibility) *matching.Venue {
		v := &matching.Venue{ID: g.id(), OrganisationID: owner, Name: name, Location: offsetKm(cambridge, northKm, 0),
			Timezone: "Europe/London", Accessibility: access}
		if err := g.l.Venue(v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	all := matching.Accessibility{StepFree: true, AccessibleToilet: true, HearingLoop: true, Parking: true}
	near := venue(trust, "Charter House", 1, all)
	cases := []struct {
		name string
		v    *matching.Venue
		edit func(s *matching.Space)
	}{
		{"matches", near, nil},
		{"too far", venue(trust, "Ely Dance House", 24, all), nil},
		{"values conflict", venue(lab, "Granta Park", 2, all), nil},
		{"too few places", near, func(s *matching.Space) { s.Capacity = 10 }},
		{"too little floor", near, func(s *matching.Space) { s.FloorAreaM2 = 40 }},
		{"prohibits ballet", near, func(s *matching.Space) { s.ProhibitedActivities = []string{"ballet"} }},
		{"carpet", near, func(s *matching.Space) { s.Floor = matching.FloorCarpet }},
		{"low ceiling", near, func(s *matching.Space) { s.CeilingHeightM = 3 }},
		{"no ceiling recorded", near, func(s *matching.Space) { s.CeilingHeightM = 0 }},
		{"ceiling under the requirement", near, func(s *matching.Space) { s.CeilingHeightM = 3.8 }},
		{"no amenities", venue(trust, "Bare Hall", 3, matching.Accessibility{}), func(s *matching.Space) {
			s.Mirrors, s.Barres, s.SoundSystem, s.ChangingRooms, s.ClimateControl = false, false, false, false, false
			s.Floor, s.Obstructions = matching.FloorWood, true
		}},
		{"over budget", near, func(s *matching.Space) {
			s.Prices = []matching.Price{{Tier: "community", PencePerHour: 2600}}
		}},
		{"no community price", near, func(s *matching.Space) {
			s.Prices = []matching.Price{{Tier: "standard", PencePerHour: 1000}}
		}},
		{"closed in the evening", near, func(s *matching.Space) { s.OpeningHours = everyDay(8*60, 12*60) }},
		{"booked once", near, nil},
		{"everything wrong", venue(lab, "Waterbeach Barracks", 20, matching.Accessibility{}), func(s *matching.Space) {
			s.Capacity, s.FloorAreaM2, s.CeilingHeightM, s.Floor = 5, 20, 2.5, matching.FloorConcrete
			s.Mirrors, s.Barres, s.SoundSystem, s.ChangingRooms, s.ClimateControl, s.Obstructions = false, false, false, false, false, true
			s.ProhibitedActivities = []string{"ballet"}
			s.Prices = nil
			s.OpeningHours = everyDay(8*60, 12*60)
		}},
	}
	sessions := []matching.Session{session(localTime(2027, 1, 14, 18, 30), 90*time.Minute),
		session(localTime(2027, 1, 21, 18, 30), 90*time.Minute)}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = g.space(c.v, c.name, charterStudio(), func(s *matching.Space) {
			s.Prices = []matching.Price{{Tier: "community", PencePerHour: 2000}}
			if c.edit != nil {
				c.edit(s)
			}
		})
	}
	g.booked(ids[len(ids)-2], sessions[1])
	g.l.Commit(1)
	req := &matching.VenueRequest{Near: cambridge, RadiusKm: 15, GroupSize: 20, Activity: "ballet", Sessions: sessions,
		RequireAllSessions: true, Tier: "community", MaxPencePerHour: 2500, OrganisationID: dance,
		Requirements: matching.Requirements{StepFree: true, AccessibleToilet: true, HearingLoop: true, Parking: true,
			ChangingRooms: true, SprungFloor: true, Mirrors: true, Barres: true, SoundSystem: true, ClimateControl: true,
			NoObstructions: true, MinCeilingM: 4}}
	var got []goldenExplanation
	for i, id := range append(ids, uuidN(9999)) {
		ex := explain(t, g.e, req, id)
		name := "unknown"
		if i < len(cases) {
			name = cases[i].name
		}
		ge := goldenExplanation{Space: name, Matched: ex.Matched, Failures: []goldenFailure{}, Conflicts: []goldenConflict{}}
		for _, f := range ex.Failures {
			ge.Failures = append(ge.Failures, goldenFailure{f.Reason, f.Detail})
		}
		for _, c := range ex.Conflicts {
			ge.Conflicts = append(ge.Conflicts, goldenConflict{localRFC3339(c.Start), localRFC3339(c.End), c.Reason})
		}
		if ex.Match != nil {
			ge.Score = round4(ex.Match.Score)
		}
		got = append(got, ge)
	}
	checkGolden(t, "explanations", got)
}
