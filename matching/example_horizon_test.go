package matching_test

import (
	"fmt"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

// A school hall takes bookings 60 days ahead. Twelve Monday evenings from
// Monday 4 January 2027, asked for at noon that day: the first nine (to
// 1 March, day 56) lie within the horizon, the last three (from 8 March,
// day 63) beyond it. Asked at 18:00 on 31 December, the horizon ends
// exactly as the session of 1 March starts, which is still within it; a
// minute earlier, and it is not. Booking (Space.Admit) takes what the
// match calls free and refuses the rest.
func ExampleVenueRequest_now() {
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	school := matching.Organisation{ID: "8f0c1d6e-0000-4000-8000-000000000011", Name: "Fen School", Type: matching.OrgSchool}
	site := matching.Venue{ID: "8f0c1d6e-0000-4000-8000-000000000012", OrganisationID: school.ID, Name: "Fen School",
		Location: geo.MustPoint(52.1990, 0.1420), Timezone: "Europe/London"}
	hall := matching.Space{ID: "8f0c1d6e-0000-4000-8000-000000000013", VenueID: site.ID, Name: "School Hall", Kind: "hall",
		Capacity: 60, FloorAreaM2: 150, CeilingHeightM: 5, Floor: matching.FloorSprung, BookingHorizonDays: 60,
		OpeningHours: []matching.OpeningHours{{Day: "mon", Opens: 9 * 60, Closes: 22 * 60}}}
	for _, err := range []error{l.Organisation(&school), l.Venue(&site), l.Space(&hall)} {
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	l.Commit(1)

	sessions, _ := matching.Weekly{Day: "mon", Start: 18 * 60, End: 20 * 60,
		From: time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), Count: 12, Timezone: "Europe/London"}.Expand()
	london, _ := matching.LoadLocation("Europe/London")
	for _, now := range []time.Time{
		time.Date(2027, 1, 4, 12, 0, 0, 0, london),
		time.Date(2026, 12, 31, 18, 0, 0, 0, london), // 60 days before 1 March 18:00
		time.Date(2026, 12, 31, 17, 59, 0, 0, london),
	} {
		res, err := e.MatchVenues(&matching.VenueRequest{Near: site.Location, RadiusKm: 5, GroupSize: 20,
			Activity: "contemporary", Sessions: sessions, Now: now})
		if err != nil {
			fmt.Println(err)
			return
		}
		m := res.Matches[0]
		fmt.Printf("asked %s: %d of %d free;", now.Format("Mon 2 Jan 2006 15:04"), m.SessionsAvailable, m.SessionsRequested)
		var free []matching.Session
		for _, s := range sessions {
			beyond := false
			for _, c := range m.Conflicts {
				if c.Start.Equal(s.Start) {
					fmt.Printf(" %s %s;", c.Start.In(london).Format("2 Jan"), c.Reason)
					beyond = true
				}
			}
			if !beyond {
				free = append(free, s)
			}
		}
		fmt.Println()
		fmt.Printf("  book the free ones: %v\n", hall.Admit(&matching.BookingRequest{Sessions: free}, now) == nil)
		if len(free) < len(sessions) {
			fmt.Printf("  book them all: %v\n", hall.Admit(&matching.BookingRequest{Sessions: sessions}, now) == nil)
		}
	}
	// Output:
	// asked Mon 4 Jan 2027 12:00: 9 of 12 free; 8 Mar beyond_horizon; 15 Mar beyond_horizon; 22 Mar beyond_horizon;
	//   book the free ones: true
	//   book them all: false
	// asked Thu 31 Dec 2026 18:00: 9 of 12 free; 8 Mar beyond_horizon; 15 Mar beyond_horizon; 22 Mar beyond_horizon;
	//   book the free ones: true
	//   book them all: false
	// asked Thu 31 Dec 2026 17:59: 8 of 12 free; 1 Mar beyond_horizon; 8 Mar beyond_horizon; 15 Mar beyond_horizon; 22 Mar beyond_horizon;
	//   book the free ones: true
	//   book them all: false
}
