package matching_test

import (
	"fmt"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

// ExampleEngine_MatchGroups: a youth service's hall, and the groups near
// it that need a room. The first hour of one Tuesday evening is booked, so
// that week offers the hour left; the aerial group needs a higher ceiling.
func ExampleEngine_MatchGroups() {
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	youth := matching.Organisation{ID: "6c2f1d3b-0000-4000-8000-000000000001", Name: "Arbury Youth Service",
		Type: matching.OrgYouthService, Location: geo.MustPoint(52.2250, 0.1190), Values: []string{"inclusion"}}
	dance := matching.Organisation{ID: "6c2f1d3b-0000-4000-8000-000000000002", Name: "Fen Edge Dance",
		Type: matching.OrgArts, Location: geo.MustPoint(52.2053, 0.1218), Values: []string{"inclusion"},
		Needs: []matching.Need{{ID: "6c2f1d3b-0000-4000-8000-0000000000a1", Category: "space.dance-studio", GroupSize: 20,
			Activity: "contemporary", MaxPencePerHour: 3500,
			Windows: []matching.Window{{Day: "tue", Start: 18 * 60, End: 20 * 60}}}}}
	aerial := matching.Organisation{ID: "6c2f1d3b-0000-4000-8000-000000000003", Name: "Cambridge Aerial",
		Type: matching.OrgArts, Location: geo.MustPoint(52.2100, 0.1300),
		Needs: []matching.Need{{ID: "6c2f1d3b-0000-4000-8000-0000000000a2", Category: "space.hall", GroupSize: 8,
			Activity: "aerial", Windows: []matching.Window{{Day: "sat", Start: 10 * 60, End: 12 * 60}}}}}
	centre := matching.Venue{ID: "6c2f1d3b-0000-4000-8000-000000000004", OrganisationID: youth.ID, Name: "Arbury Community Centre",
		Location: youth.Location, Timezone: "Europe/London"}
	var weekdays []matching.OpeningHours
	for _, d := range matching.Days[:5] {
		weekdays = append(weekdays, matching.OpeningHours{Day: d, Opens: 9 * 60, Closes: 21*60 + 30})
	}
	hall := matching.Space{ID: "6c2f1d3b-0000-4000-8000-000000000005", VenueID: centre.ID, Name: "Main Hall", Kind: "hall",
		Capacity: 40, FloorAreaM2: 140, CeilingHeightM: 5, Floor: matching.FloorSprung, ClimateControl: true,
		Prices: []matching.Price{{Tier: "standard", PencePerHour: 3000}}, OpeningHours: weekdays}
	booked := []matching.Session{{Start: time.Date(2027, 1, 19, 18, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 19, 19, 0, 0, 0, time.UTC)}}
	for _, err := range []error{l.Organisation(&youth), l.Organisation(&dance), l.Organisation(&aerial),
		l.Venue(&centre), l.Space(&hall), l.Booked(hall.ID, booked)} {
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	l.Commit(1)

	res, err := e.MatchGroups(matching.GroupRequest{SpaceID: hall.ID, RadiusKm: 10,
		Now: time.Date(2027, 1, 11, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("excluded:", res.Excluded)
	for _, m := range res.Matches {
		fmt.Printf("%s (%s, %d %s): %.3f\n", m.Name, m.Category, m.GroupSize, m.Activity, m.Score)
		for _, w := range m.FreeWindows {
			fmt.Printf("  free %s–%s\n", w.Start.Format("Mon 2 Jan 15:04"), w.End.Format("15:04"))
		}
		for _, r := range m.Reasons {
			fmt.Printf("  %s: %s\n", r.Factor, r.Detail)
		}
	}
	// Output:
	// excluded: map[activity_not_allowed:1]
	// Fen Edge Dance (space.dance-studio, 20 contemporary): 0.773
	//   free Tue 12 Jan 18:00–20:00
	//   free Tue 19 Jan 19:00–20:00
	//   free Tue 26 Jan 18:00–20:00
	//   free Tue 2 Feb 18:00–20:00
	//   availability: open and free for 7 hours of the 8 hours they want (tue 18:00–20:00) over the next 4 weeks
	//   distance: 2.2 km from the room, within 10 km
	//   room: holds 40; 140 m² gives 7.0 m² each to 20 people for contemporary (at least 3.5 m² each)
	//   price: £30.00 an hour at the standard price, within their budget of £35.00
	//   shared_values: shares a value with the owner: inclusion
}
