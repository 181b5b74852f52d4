package matching_test

import (
	"fmt"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

func ExampleEngine_MatchVenues() {
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})

	// Load a snapshot: one organisation, one venue, two rooms.
	l := e.Load()
	trust := matching.Organisation{ID: "8f0c1d6e-0000-4000-8000-000000000001", Name: "Mill Road Trust", Type: matching.OrgCommunity}
	hall := matching.Venue{ID: "8f0c1d6e-0000-4000-8000-000000000002", OrganisationID: trust.ID, Name: "Mill Road Hall",
		Location: geo.MustPoint(52.1990, 0.1420), Timezone: "Europe/London"}
	weekdays := []matching.OpeningHours{{Day: "tue", Opens: 9 * 60, Closes: 22 * 60}, {Day: "thu", Opens: 9 * 60, Closes: 22 * 60}}
	studio := matching.Space{ID: "8f0c1d6e-0000-4000-8000-000000000003", VenueID: hall.ID, Name: "Dance Studio", Kind: "studio",
		Capacity: 30, FloorAreaM2: 110, CeilingHeightM: 4, Floor: matching.FloorSprung, Mirrors: true, Barres: true, ClimateControl: true,
		Prices: []matching.Price{{Tier: "standard", PencePerHour: 3000}}, OpeningHours: weekdays}
	main := matching.Space{ID: "8f0c1d6e-0000-4000-8000-000000000004", VenueID: hall.ID, Name: "Main Hall", Kind: "hall",
		Capacity: 120, FloorAreaM2: 200, CeilingHeightM: 6, Floor: matching.FloorWood,
		Prices: []matching.Price{{Tier: "standard", PencePerHour: 2000}}, OpeningHours: weekdays}
	for _, err := range []error{l.Organisation(&trust), l.Venue(&hall), l.Space(&studio), l.Space(&main)} {
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	l.Commit(1)

	london, _ := matching.LoadLocation("Europe/London")
	start := time.Date(2027, 1, 14, 18, 30, 0, 0, london)
	for _, group := range []int{20, 40} {
		res, err := e.MatchVenues(&matching.VenueRequest{
			Near: geo.MustPoint(52.2053, 0.1218), RadiusKm: 10, GroupSize: group, Activity: "contemporary",
			Sessions:           []matching.Session{{Start: start, End: start.Add(90 * time.Minute)}},
			RequireAllSessions: true,
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d dancers:\n", group)
		for _, m := range res.Matches {
			fmt.Printf("  %s, %s: score %.3f, fit to dance %d/5, %.1f km\n", m.SpaceName, m.VenueName, m.Score, m.FitToDance, m.DistanceKm)
		}
		fmt.Printf("  excluded: %v\n", res.Excluded)
	}
	// Output:
	// 20 dancers:
	//   Dance Studio, Mill Road Hall: score 0.814, fit to dance 5/5, 1.5 km
	//   Main Hall, Mill Road Hall: score 0.571, fit to dance 1/5, 1.5 km
	//   excluded: map[]
	// 40 dancers:
	//   Main Hall, Mill Road Hall: score 0.528, fit to dance 1/5, 1.5 km
	//   excluded: map[too_small:1]
}

func ExampleWeekly_Expand() {
	// Tuesdays at 18:00 in London for four weeks; the clocks go forward
	// on Sunday 28 March 2027, and the series keeps its local time.
	w := matching.Weekly{Day: "tue", Start: 18 * 60, End: 20 * 60,
		From: time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC), Count: 4, Timezone: "Europe/London"}
	sessions, err := w.Expand()
	if err != nil {
		fmt.Println(err)
		return
	}
	london, _ := matching.LoadLocation("Europe/London")
	for _, s := range sessions {
		fmt.Printf("%s  (UTC %s to %s)\n", s.Start.In(london).Format("Mon 2 Jan 15:04 MST"),
			s.Start.UTC().Format("15:04"), s.End.UTC().Format("15:04"))
	}
	// Output:
	// Tue 16 Mar 18:00 GMT  (UTC 18:00 to 20:00)
	// Tue 23 Mar 18:00 GMT  (UTC 18:00 to 20:00)
	// Tue 30 Mar 18:00 BST  (UTC 17:00 to 19:00)
	// Tue 6 Apr 18:00 BST  (UTC 17:00 to 19:00)
}
