package matching_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"commonground/matching"
)

// viewTaxonomy is a small vocabulary whose bit order is easy to follow:
// activities aerial(0) ballet(1) contemporary(2) tap(3); practices
// animal-testing(0) fossil-fuel-sponsorship(1) gambling-sponsorship(2).
func viewTaxonomy() *matching.Taxonomy {
	terms := func(slugs ...string) []matching.Term {
		out := make([]matching.Term, len(slugs))
		for i, s := range slugs {
			out[i] = matching.Term{Slug: s, Label: s}
		}
		return out
	}
	return matching.NewTaxonomy(terms("space.hall", "skill.dance-teaching"), terms("inclusion", "animal-welfare"),
		terms("gambling-sponsorship", "animal-testing", "fossil-fuel-sponsorship"),
		terms("tap", "ballet", "aerial", "contemporary"),
		[]matching.Conflict{{Value: "animal-welfare", Practice: "animal-testing"}})
}

// viewFixture is two organisations, two venues and three spaces, given to
// the engine in an order that is not ID order.
func viewFixture() ([]matching.Organisation, []matching.Venue, []matching.Space) {
	orgs := []matching.Organisation{
		{ID: uuidN(2), Name: "Lab Arts", Type: matching.OrgBusiness, Location: offsetKm(cambridge, 1, 0),
			Practices: []string{"gambling-sponsorship", "animal-testing"}},
		{ID: uuidN(1), Name: "Fen Edge Dance", Type: matching.OrgArts, Location: cambridge, ServiceRadiusKm: 12.3,
			CapacityHoursPerMonth: 20, Values: []string{"inclusion", "animal-welfare"}, Exclusions: []string{"fossil-fuel-sponsorship"},
			Offers: []matching.Offer{{Category: "skill.dance-teaching", HoursPerMonth: 8}, {Category: "skill.unknown", HoursPerMonth: 2}},
			Needs: []matching.Need{{ID: uuidN(5), Category: "space.hall", HoursPerMonth: 4, GroupSize: 30, Activity: "folk",
				Windows: []matching.Window{{Day: "thu", Start: 1140, End: 1260}}, MaxPencePerHour: 2500}}},
	}
	venues := []matching.Venue{
		{ID: uuidN(20), OrganisationID: uuidN(2), Name: "Lab Studios", Location: offsetKm(cambridge, 1, 0),
			Timezone: "Europe/London", Accessibility: matching.Accessibility{StepFree: true, Parking: true}},
		{ID: uuidN(10), OrganisationID: uuidN(1), Name: "Mill Road Hall", Location: offsetKm(cambridge, 0, 2),
			Timezone: "Europe/Dublin", Accessibility: matching.Accessibility{AccessibleToilet: true, HearingLoop: true}},
	}
	christmas := time.Date(2027, 12, 24, 0, 0, 0, 0, london)
	spaces := []matching.Space{
		{ID: uuidN(200), VenueID: uuidN(20), Name: "Studio", Kind: "studio", Capacity: 30, FloorAreaM2: 120.3,
			CeilingHeightM: 4.1, Floor: matching.FloorSprung, Mirrors: true, Barres: true, ClimateControl: true,
			InstantBook: true, ProhibitedActivities: []string{"tap", "aerial"}, TapBoards: true,
			RiggingPoints: []matching.RiggingPoint{{RatedLoadKg: 1200}, {RatedLoadKg: 450.5}},
			Prices:        []matching.Price{{Tier: "commercial", PencePerHour: 6000}, {Tier: "community", PencePerHour: 1500}},
			OpeningHours:  []matching.OpeningHours{{Day: "sat", Opens: 600, Closes: 1440}, {Day: "mon", Opens: 540, Closes: 1050}},
			Closures:      []matching.Closure{{Start: christmas, End: christmas.Add(72 * time.Hour), Reason: "Christmas"}}},
		{ID: uuidN(100), VenueID: uuidN(10), Name: "Main Hall", Kind: "hall", Capacity: 80, FloorAreaM2: 200,
			Floor: matching.FloorWood, SoundSystem: true, ChangingRooms: true, Obstructions: true,
			Outdoor: true, Surface: matching.SurfacePaving},
		{ID: uuidN(101), VenueID: uuidN(10), Name: "Back Room", Kind: "meeting_room", Capacity: 12, FloorAreaM2: 30.7,
			CeilingHeightM: 2.4, Floor: matching.FloorCarpet, Barres: true, ProhibitedActivities: []string{"aerial"},
			Prices: []matching.Price{{Tier: "standard", PencePerHour: 2000}}},
	}
	return orgs, venues, spaces
}

func loadView(t *testing.T, e *matching.Engine, rev int64, orgs []matching.Organisation, venues []matching.Venue,
	spaces []matching.Space, booked map[string][]matching.Session) {
	t.Helper()
	l := e.Load()
	for i := range orgs {
		if err := l.Organisation(&orgs[i]); err != nil {
			t.Fatalf("load organisation: %v", err)
		}
	}
	for i := range venues {
		if err := l.Venue(&venues[i]); err != nil {
			t.Fatalf("load venue: %v", err)
		}
	}
	for i := range spaces {
		if err := l.Space(&spaces[i]); err != nil {
			t.Fatalf("load space: %v", err)
		}
	}
	for id, b := range booked {
		if err := l.Booked(id, b); err != nil {
			t.Fatalf("load booked: %v", err)
		}
	}
	l.Commit(rev)
}

func TestViewEmpty(t *testing.T) {
	got := matching.NewEngine(viewTaxonomy(), matching.EngineOptions{}).View()
	want := matching.View{Organisations: []matching.OrganisationView{}, Venues: []matching.VenueView{}, Spaces: []matching.SpaceView{}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestView(t *testing.T) {
	e := matching.NewEngine(viewTaxonomy(), matching.EngineOptions{})
	orgs, venues, spaces := viewFixture()
	tue := time.Date(2027, 1, 5, 18, 0, 0, 0, london)
	booked := map[string][]matching.Session{uuidN(100): {session(tue.Add(7*24*time.Hour), 2*time.Hour), session(tue, 2*time.Hour)}}
	loadView(t, e, 7, orgs, venues, spaces, booked)

	christmas := time.Date(2027, 12, 24, 0, 0, 0, 0, london).UTC()
	want := matching.View{
		Revision: 7,
		Organisations: []matching.OrganisationView{
			{ID: uuidN(1), Name: "Fen Edge Dance", Type: matching.OrgArts, Location: cambridge, ServiceRadiusKm: float32(12.3),
				CapacityHoursPerMonth: 20, Values: []string{"animal-welfare", "inclusion"}, Practices: []string{},
				Objects: []string{"animal-testing", "fossil-fuel-sponsorship"},
				Offers:  []matching.CategoryHours{{Category: "skill.dance-teaching", HoursPerMonth: 8}},
				Needs:   []matching.CategoryHours{{Category: "space.hall", HoursPerMonth: 4}},
				RoomNeeds: []matching.Need{{ID: uuidN(5), OrganisationID: uuidN(1), Category: "space.hall", GroupSize: 30, Activity: "folk",
					Windows: []matching.Window{{Day: "thu", Start: 1140, End: 1260}}, MaxPencePerHour: 2500}},
				Venues: []string{uuidN(10)}},
			{ID: uuidN(2), Name: "Lab Arts", Type: matching.OrgBusiness, Location: offsetKm(cambridge, 1, 0), Values: []string{},
				Practices: []string{"animal-testing", "gambling-sponsorship"}, Objects: []string{},
				Offers: []matching.CategoryHours{}, Needs: []matching.CategoryHours{}, RoomNeeds: []matching.Need{}, Venues: []string{uuidN(20)}},
		},
		Venues: []matching.VenueView{
			{ID: uuidN(10), OrganisationID: uuidN(1), Name: "Mill Road Hall", Location: offsetKm(cambridge, 0, 2),
				Timezone: "Europe/Dublin", Accessibility: matching.Accessibility{AccessibleToilet: true, HearingLoop: true},
				Spaces: []string{uuidN(100), uuidN(101)}},
			{ID: uuidN(20), OrganisationID: uuidN(2), Name: "Lab Studios", Location: offsetKm(cambridge, 1, 0),
				Timezone: "Europe/London", Accessibility: matching.Accessibility{StepFree: true, Parking: true},
				Spaces: []string{uuidN(200)}},
		},
		Spaces: []matching.SpaceView{
			{ID: uuidN(100), VenueID: uuidN(10), OrganisationID: uuidN(1), Name: "Main Hall", Kind: "hall",
				Location: offsetKm(cambridge, 0, 2), Capacity: 80, FloorAreaM2: 200, Floor: matching.FloorWood,
				FitToDance: spaces[1].FitToDance(), SoundSystem: true, ChangingRooms: true, Obstructions: true,
				Outdoor: true, Surface: matching.SurfacePaving, RiggingPoints: []matching.RiggingPoint{},
				Accessibility:        matching.Accessibility{AccessibleToilet: true, HearingLoop: true},
				ProhibitedActivities: []string{}, Prices: []matching.Price{}, OpeningHours: []matching.OpeningHours{},
				Closures: []matching.Closure{},
				Booked:   []matching.Session{session(tue, 2*time.Hour), session(tue.Add(7*24*time.Hour), 2*time.Hour)}},
			{ID: uuidN(101), VenueID: uuidN(10), OrganisationID: uuidN(1), Name: "Back Room", Kind: "meeting_room",
				Location: offsetKm(cambridge, 0, 2), Capacity: 12, FloorAreaM2: float32(30.7), CeilingHeightM: float32(2.4),
				Floor: matching.FloorCarpet, FitToDance: spaces[2].FitToDance(), Barres: true, RiggingPoints: []matching.RiggingPoint{},
				Accessibility:        matching.Accessibility{AccessibleToilet: true, HearingLoop: true},
				ProhibitedActivities: []string{"aerial"}, Prices: []matching.Price{{Tier: "standard", PencePerHour: 2000}},
				OpeningHours: []matching.OpeningHours{}, Closures: []matching.Closure{}, Booked: []matching.Session{}},
			{ID: uuidN(200), VenueID: uuidN(20), OrganisationID: uuidN(2), Name: "Studio", Kind: "studio",
				Location: offsetKm(cambridge, 1, 0), Capacity: 30, FloorAreaM2: float32(120.3), CeilingHeightM: float32(4.1),
				Floor: matching.FloorSprung, FitToDance: 5, Mirrors: true, Barres: true, ClimateControl: true, InstantBook: true,
				TapBoards: true, RiggingPoints: []matching.RiggingPoint{{RatedLoadKg: 1200}, {RatedLoadKg: 450.5}},
				Accessibility:        matching.Accessibility{StepFree: true, Parking: true},
				ProhibitedActivities: []string{"aerial", "tap"},
				Prices:               []matching.Price{{Tier: "community", PencePerHour: 1500}, {Tier: "commercial", PencePerHour: 6000}},
				OpeningHours:         []matching.OpeningHours{{Day: "sat", Opens: 600, Closes: 1440}, {Day: "mon", Opens: 540, Closes: 1050}},
				Closures:             []matching.Closure{{Start: christmas, End: christmas.Add(72 * time.Hour)}},
				Booked:               []matching.Session{}},
		},
	}
	// Booked periods come back in UTC.
	for i, b := range want.Spaces[0].Booked {
		want.Spaces[0].Booked[i] = matching.Session{Start: b.Start.UTC(), End: b.End.UTC()}
	}
	diffViews(t, e.View(), want)
}

func TestViewFollowsChanges(t *testing.T) {
	e := matching.NewEngine(viewTaxonomy(), matching.EngineOptions{})
	orgs, venues, spaces := viewFixture()
	loadView(t, e, 1, orgs, venues, spaces, nil)

	// The hall's venue moves and passes to Lab Arts; the back room moves
	// to the studio's venue and loses its price; Fen Edge drops a value.
	moved := venues[1]
	moved.OrganisationID, moved.Location = uuidN(2), offsetKm(cambridge, 5, 5)
	back := spaces[2]
	back.VenueID, back.Prices, back.ProhibitedActivities = uuidN(20), nil, []string{"contemporary", "ballet"}
	fen := orgs[1]
	fen.Values = []string{"inclusion"}
	mustApply(t, e, &matching.ChangeSet{Revision: 2, Organisations: []matching.Organisation{fen},
		Venues: []matching.Venue{moved}, Spaces: []matching.Space{back}})

	v := e.View()
	if v.Revision != 2 {
		t.Errorf("got revision %d, want 2", v.Revision)
	}
	byID := map[string]matching.SpaceView{}
	for _, s := range v.Spaces {
		byID[s.ID] = s
	}
	hall, room := byID[uuidN(100)], byID[uuidN(101)]
	if hall.OrganisationID != uuidN(2) || hall.Location != moved.Location {
		t.Errorf("hall: got owner %s at %v, want %s at %v (its venue's)", hall.OrganisationID, hall.Location, uuidN(2), moved.Location)
	}
	if room.VenueID != uuidN(20) || room.Location != venues[0].Location ||
		room.Accessibility != venues[0].Accessibility || len(room.Prices) != 0 ||
		!reflect.DeepEqual(room.ProhibitedActivities, []string{"ballet", "contemporary"}) {
		t.Errorf("back room: got %+v, want it in %s with the studio's place and access, no price, ballet and contemporary prohibited", room, uuidN(20))
	}
	want := map[string][]string{uuidN(10): {uuidN(100)}, uuidN(20): {uuidN(101), uuidN(200)}}
	for _, vv := range v.Venues {
		if !reflect.DeepEqual(vv.Spaces, want[vv.ID]) {
			t.Errorf("venue %s: got spaces %v, want %v", vv.ID, vv.Spaces, want[vv.ID])
		}
	}
	if o := v.Organisations; !reflect.DeepEqual(o[0].Venues, []string{}) || !reflect.DeepEqual(o[1].Venues, []string{uuidN(10), uuidN(20)}) ||
		!reflect.DeepEqual(o[0].Objects, []string{"fossil-fuel-sponsorship"}) || !reflect.DeepEqual(o[0].Values, []string{"inclusion"}) {
		t.Errorf("organisations: got %+v, want Fen Edge with no venues, valuing inclusion, objecting only to fossil fuels; Lab Arts with both venues", o)
	}

	// Deleting Lab Arts takes both venues and all three spaces with it.
	mustApply(t, e, &matching.ChangeSet{Revision: 3, DeletedOrganisations: []string{uuidN(2)}})
	v = e.View()
	if len(v.Organisations) != 1 || v.Organisations[0].ID != uuidN(1) || len(v.Venues) != 0 || len(v.Spaces) != 0 {
		t.Errorf("after deleting Lab Arts: got %+v, want only Fen Edge Dance", v)
	}
}

// diffViews reports each record that differs, rather than one long line.
func diffViews(t *testing.T, got, want matching.View) {
	t.Helper()
	if got.Revision != want.Revision {
		t.Errorf("revision: got %d, want %d", got.Revision, want.Revision)
	}
	diffList(t, "organisation", got.Organisations, want.Organisations, func(o matching.OrganisationView) string { return o.ID })
	diffList(t, "venue", got.Venues, want.Venues, func(v matching.VenueView) string { return v.ID })
	diffList(t, "space", got.Spaces, want.Spaces, func(s matching.SpaceView) string { return s.ID })
}

func diffList[T any](t *testing.T, what string, got, want []T, id func(T) string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%ss: got %d, want %d", what, len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s %d (%s):\n got %s\nwant %s", what, i, id(got[i]), fmt.Sprintf("%+v", got[i]), fmt.Sprintf("%+v", want[i]))
		}
	}
}
