package seed

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"commonground/matching"
)

// spaceTpl describes one kind of room: its names, floor, size and fittings.
// Ranges are [low, high]; capacity grows with floor area within its range.
type spaceTpl struct {
	names      []string
	sequential bool // name rooms in order ("Studio 1", "Studio 2")
	kind       matching.SpaceKind
	floors     []matching.Floor
	area       [2]float64
	capacity   [2]int
	ceiling    [2]float64
	prohibit   []slugChance
	price      [2]int // community rate band, pence per hour

	// Chances of each fitting.
	mirrors, barres, sound, changing, climate, obstruct, instant float64

	// What the activity rules read: the surface of each outdoor name (by
	// names' index), and the chances of tap boards and of rigging points.
	surfaces           []matching.Surface
	tapBoards, rigging float64
}

const (
	wood       = matching.FloorWood
	vinyl      = matching.FloorVinyl
	carpet     = matching.FloorCarpet
	sprung     = matching.FloorSprung
	semiSprung = matching.FloorSemiSprung
)

// The rooms the generators build, by name.
var (
	tMainHall = &spaceTpl{names: []string{"Main Hall", "Large Hall", "Great Hall"}, kind: "hall",
		floors: []matching.Floor{wood, wood, vinyl}, area: [2]float64{80, 200}, capacity: [2]int{60, 150}, ceiling: [2]float64{4.5, 8},
		mirrors: 0.05, sound: 0.5, changing: 0.25, climate: 0.4, obstruct: 0.1, instant: 0.3,
		prohibit: []slugChance{{"aerial", 0.5}, {"tap", 0.15}}, price: [2]int{1200, 2500}, tapBoards: 0.08}
	tSmallHall = &spaceTpl{names: []string{"Small Hall", "Jubilee Room", "Garden Room", "Minor Hall"}, kind: "hall",
		floors: []matching.Floor{wood, vinyl}, area: [2]float64{40, 80}, capacity: [2]int{25, 60}, ceiling: [2]float64{3, 4.5},
		mirrors: 0.05, sound: 0.2, climate: 0.4, obstruct: 0.15, instant: 0.4,
		prohibit: []slugChance{{"aerial", 0.8}, {"tap", 0.2}}, price: [2]int{1000, 1800}, tapBoards: 0.05}
	tMeeting = &spaceTpl{names: []string{"Committee Room", "Meeting Room", "Lounge", "Boardroom", "Library Room"}, kind: "meeting_room",
		floors: []matching.Floor{carpet}, area: [2]float64{20, 50}, capacity: [2]int{10, 30}, ceiling: [2]float64{2.4, 3},
		sound: 0.1, climate: 0.6, obstruct: 0.1, instant: 0.5,
		prohibit: []slugChance{{"tap", 0.9}, {"flamenco", 0.9}, {"aerial", 1}, {"heels", 0.6}}, price: [2]int{800, 1500}}
	tClassroom = &spaceTpl{names: []string{"Classroom 1", "Classroom 2", "Music Room", "Art Room"}, kind: "classroom",
		floors: []matching.Floor{vinyl, carpet}, area: [2]float64{50, 70}, capacity: [2]int{25, 32}, ceiling: [2]float64{2.6, 3.2},
		sound: 0.2, climate: 0.3, instant: 0.1,
		prohibit: []slugChance{{"aerial", 0.9}, {"tap", 0.6}, {"flamenco", 0.5}}, price: [2]int{1000, 1800}}
	tSchoolHall = &spaceTpl{names: []string{"School Hall", "Main Hall", "Assembly Hall"}, kind: "hall",
		floors: []matching.Floor{wood, vinyl}, area: [2]float64{100, 200}, capacity: [2]int{80, 150}, ceiling: [2]float64{5, 8},
		mirrors: 0.05, sound: 0.6, changing: 0.5, climate: 0.3, obstruct: 0.05, instant: 0.1,
		prohibit: []slugChance{{"aerial", 0.6}, {"heels", 0.3}}, price: [2]int{1500, 3000}, tapBoards: 0.05}
	tSportsHall = &spaceTpl{names: []string{"Sports Hall"}, kind: "hall",
		floors: []matching.Floor{wood, vinyl}, area: [2]float64{300, 600}, capacity: [2]int{100, 150}, ceiling: [2]float64{7, 8},
		sound: 0.5, changing: 0.9, climate: 0.3, instant: 0.3,
		prohibit: []slugChance{{"tap", 0.7}, {"heels", 0.8}, {"flamenco", 0.6}}, price: [2]int{3000, 5000}, rigging: 0.1}
	tDramaStudio = &spaceTpl{names: []string{"Drama Studio", "Performing Arts Studio", "Studio Theatre"}, kind: "studio",
		floors: []matching.Floor{vinyl, semiSprung, wood}, area: [2]float64{70, 120}, capacity: [2]int{25, 50}, ceiling: [2]float64{3.5, 5},
		mirrors: 0.4, barres: 0.15, sound: 0.8, changing: 0.4, climate: 0.5, obstruct: 0.05, instant: 0.2,
		prohibit: []slugChance{{"tap", 0.4}, {"aerial", 0.9}, {"heels", 0.3}}, price: [2]int{1500, 2800}, rigging: 0.1}
	tDanceStudio = &spaceTpl{names: []string{"Studio 1", "Studio 2", "Studio 3", "Studio 4"}, sequential: true, kind: "studio",
		floors: []matching.Floor{sprung, sprung, sprung, sprung, sprung, semiSprung}, area: [2]float64{60, 180}, capacity: [2]int{15, 40}, ceiling: [2]float64{3.2, 6},
		mirrors: 1, barres: 0.85, sound: 0.95, changing: 0.9, climate: 0.8, obstruct: 0.05, instant: 0.5,
		prohibit: []slugChance{{"tap", 0.5}, {"flamenco", 0.5}, {"heels", 0.4}, {"aerial", 0.8}}, price: [2]int{1800, 3500}, rigging: 0.12}
	tTheatre = &spaceTpl{names: []string{"Main Stage", "Auditorium"}, kind: "theatre",
		floors: []matching.Floor{wood, vinyl, semiSprung}, area: [2]float64{80, 180}, capacity: [2]int{100, 350}, ceiling: [2]float64{6, 8},
		sound: 1, changing: 0.9, climate: 0.7, instant: 0.05,
		prohibit: []slugChance{{"aerial", 0.5}}, price: [2]int{3000, 6000}, rigging: 0.3}
	tOutdoor = &spaceTpl{names: []string{"Playing Field", "Garden", "Courtyard", "Recreation Ground", "Playground"}, kind: "outdoor",
		surfaces: []matching.Surface{matching.SurfaceGrass, matching.SurfaceGrass, matching.SurfacePaving, matching.SurfaceGrass, matching.SurfaceTarmac},
		floors:   []matching.Floor{matching.FloorOther, matching.FloorConcrete}, area: [2]float64{400, 5000}, capacity: [2]int{100, 300},
		instant: 0.3, prohibit: []slugChance{{"aerial", 1}, {"ballet", 0.3}}, price: [2]int{500, 2000}}
	tFunctionRoom = &spaceTpl{names: []string{"Function Room", "Ballroom", "Conference Suite"}, kind: "hall",
		floors: []matching.Floor{wood, carpet}, area: [2]float64{100, 250}, capacity: [2]int{80, 150}, ceiling: [2]float64{3, 4.5},
		mirrors: 0.1, sound: 0.8, climate: 0.9, obstruct: 0.2, instant: 0.2,
		prohibit: []slugChance{{"aerial", 1}, {"tap", 0.5}}, price: [2]int{3000, 5000}}
	tFitnessStudio = &spaceTpl{names: []string{"Group Exercise Studio", "Mind and Body Studio", "Studio"}, kind: "studio",
		floors: []matching.Floor{semiSprung, vinyl}, area: [2]float64{80, 150}, capacity: [2]int{20, 40}, ceiling: [2]float64{3, 4.5},
		mirrors: 0.9, barres: 0.1, sound: 1, changing: 1, climate: 1, instant: 0.6,
		prohibit: []slugChance{{"tap", 0.6}, {"flamenco", 0.5}, {"aerial", 0.9}, {"heels", 0.5}}, price: [2]int{2500, 4500}}
	tChurchHall = &spaceTpl{names: []string{"Main Hall", "Fellowship Hall", "Parish Room", "Upper Hall"}, kind: "hall",
		floors: []matching.Floor{vinyl, wood, vinyl, carpet}, area: [2]float64{70, 160}, capacity: [2]int{50, 120}, ceiling: [2]float64{3.5, 6},
		sound: 0.3, changing: 0.1, climate: 0.3, obstruct: 0.15, instant: 0.2,
		prohibit: []slugChance{{"aerial", 0.7}, {"heels", 0.2}}, price: [2]int{1000, 2200}, tapBoards: 0.08}
	tYouthHall = &spaceTpl{names: []string{"Main Hall", "Activity Hall", "Sports Room"}, kind: "hall",
		floors: []matching.Floor{vinyl, wood}, area: [2]float64{80, 160}, capacity: [2]int{60, 120}, ceiling: [2]float64{4, 6},
		mirrors: 0.15, sound: 0.8, changing: 0.3, climate: 0.3, obstruct: 0.1, instant: 0.3,
		prohibit: []slugChance{{"aerial", 0.5}}, price: [2]int{1000, 2000}, tapBoards: 0.08}
	tActivityRoom = &spaceTpl{names: []string{"Activity Room", "Games Room", "Music Room", "Quiet Room"}, kind: "other",
		floors: []matching.Floor{vinyl, carpet}, area: [2]float64{30, 60}, capacity: [2]int{15, 30}, ceiling: [2]float64{2.4, 3.2},
		sound: 0.4, climate: 0.3, instant: 0.3,
		prohibit: []slugChance{{"tap", 0.8}, {"aerial", 1}}, price: [2]int{800, 1500}}
	tAssemblyRoom = &spaceTpl{names: []string{"Assembly Room", "Council Chamber", "Ballroom"}, kind: "hall",
		floors: []matching.Floor{wood}, area: [2]float64{100, 200}, capacity: [2]int{80, 150}, ceiling: [2]float64{4, 7},
		mirrors: 0.1, sound: 0.6, climate: 0.5, obstruct: 0.1, instant: 0.1,
		prohibit: []slugChance{{"aerial", 0.9}, {"tap", 0.4}}, price: [2]int{1800, 3500}}
	tScoutHall = &spaceTpl{names: []string{"Main Hall"}, kind: "hall",
		floors: []matching.Floor{wood, vinyl}, area: [2]float64{60, 120}, capacity: [2]int{40, 80}, ceiling: [2]float64{3, 5},
		sound: 0.1, climate: 0.1, obstruct: 0.2, instant: 0.2,
		prohibit: []slugChance{{"aerial", 0.8}}, price: [2]int{800, 1500}, tapBoards: 0.05}
)

// space builds one room from tpl. used holds the names already given in
// the venue. Prices are community, standard and commercial unless the venue
// is commercial (no community rate).
func (g *gen) space(tpl *spaceTpl, v *matching.Venue, used []string, floor matching.Floor, hours []matching.OpeningHours, commercial bool) matching.Space {
	created, updated := g.stamp()
	t := g.r.Float64()
	area := tpl.area[0] + t*(tpl.area[1]-tpl.area[0])
	capacity := tpl.capacity[0] + int(t*float64(tpl.capacity[1]-tpl.capacity[0])+0.5)
	if floor == "" {
		floor = pick(g.r, tpl.floors)
	}
	s := matching.Space{
		ID:             newUUID(g.r),
		VenueID:        v.ID,
		OrganisationID: v.OrganisationID,
		Location:       v.Location,
		Name:           g.spaceName(tpl, used),
		Kind:           tpl.kind,
		Capacity:       capacity,
		FloorAreaM2:    float64(int(area + 0.5)),
		Floor:          floor,
		Mirrors:        chance(g.r, tpl.mirrors),
		Barres:         chance(g.r, tpl.barres),
		SoundSystem:    chance(g.r, tpl.sound),
		ChangingRooms:  chance(g.r, tpl.changing),
		ClimateControl: chance(g.r, tpl.climate),
		Obstructions:   chance(g.r, tpl.obstruct),
		InstantBook:    chance(g.r, tpl.instant),
		OpeningHours:   slices.Clone(hours),
		CreatedAt:      created,
		UpdatedAt:      updated,
	}
	if tpl.ceiling[1] > 0 {
		s.CeilingHeightM = betweenF(g.r, tpl.ceiling[0], tpl.ceiling[1])
	}
	s.ProhibitedActivities = g.draw(nil, tpl.prohibit, nil)
	s.Prices = g.prices(tpl, commercial)
	s.Closures = g.closures()
	activityFields(tpl, &s)
	s.TurnaroundMinutes, s.BookingHorizonDays, s.MaxHoursPerOrganisation = fairUse(tpl)
	return s
}

// fairUse is the fair-use rules a room of tpl keeps, drawing nothing from
// the generator (so adding them moved no other value): halls that are
// set out and stacked away between hirers keep 30 minutes clear, a theatre
// or function room an hour for the get-out, a studio or small room 15;
// schools take bookings a term or two ahead, theatres two years; halls and
// studios in demand cap one group's future hours so that others get a turn.
func fairUse(tpl *spaceTpl) (turnaround, horizonDays, maxHours int) {
	switch tpl {
	case tMainHall, tSmallHall, tChurchHall, tScoutHall, tYouthHall:
		return 30, 365, 40
	case tAssemblyRoom, tFunctionRoom:
		return 60, 540, 0
	case tTheatre:
		return 60, 730, 0
	case tSchoolHall, tClassroom, tSportsHall:
		return 15, 180, 0
	case tDanceStudio, tDramaStudio, tFitnessStudio:
		return 15, 365, 60
	case tOutdoor:
		return 0, 365, 0
	}
	return 15, 365, 0
}

// activityFields sets what the activity rules read: an outdoor space's
// surface (by its name: grass fields and gardens, paved courtyards, tarmac
// playgrounds; the floor of another kind, so never fit for tap), tap
// boards in some halls, rigging points in some studios, theatres and sports
// halls. A room with boards or rigging does not forbid what they are for.
// The draws come from a generator of their own, seeded by the space's ID,
// so they change no other value of the data set.
func activityFields(tpl *spaceTpl, s *matching.Space) {
	id := uuid.MustParse(s.ID)
	r := rand.New(rand.NewPCG(binary.BigEndian.Uint64(id[:8]), binary.BigEndian.Uint64(id[8:])))
	if tpl.kind == "outdoor" {
		s.Outdoor, s.Floor, s.Surface = true, matching.FloorOther, matching.SurfaceOther
		for i, n := range tpl.names {
			if strings.HasPrefix(s.Name, n) && i < len(tpl.surfaces) {
				s.Surface = tpl.surfaces[i]
				break
			}
		}
	}
	if chance(r, tpl.tapBoards) {
		s.TapBoards = true
		s.ProhibitedActivities = slices.DeleteFunc(s.ProhibitedActivities, func(a string) bool { return a == "tap" })
	}
	if chance(r, tpl.rigging) {
		load := float64(roundTo(between(r, 500, 2000), 250))
		for range between(r, 1, 6) {
			s.RiggingPoints = append(s.RiggingPoints, matching.RiggingPoint{RatedLoadKg: load})
		}
		s.ProhibitedActivities = slices.DeleteFunc(s.ProhibitedActivities, func(a string) bool { return a == "aerial" })
	}
}

func (g *gen) spaceName(tpl *spaceTpl, used []string) string {
	start := 0
	if !tpl.sequential {
		start = g.r.IntN(len(tpl.names))
	}
	for i := range tpl.names {
		n := tpl.names[(start+i)%len(tpl.names)]
		if !slices.Contains(used, n) {
			return n
		}
	}
	return tpl.names[0] + " " + itoa(len(used)+1)
}

// maxPrice is the most any generated room costs an hour: £60.
const maxPrice = 6000

// prices draws the hourly rates: standard is 25-60% over community and
// commercial 30-80% over standard, rounded to 50p, at most maxPrice.
func (g *gen) prices(tpl *spaceTpl, commercial bool) []matching.Price {
	community := roundTo(between(g.r, tpl.price[0], tpl.price[1]), 50)
	standard := min(maxPrice, roundTo(community*between(g.r, 125, 160)/100, 50))
	top := min(maxPrice, roundTo(standard*between(g.r, 130, 180)/100, 50))
	switch {
	case commercial:
		return []matching.Price{{Tier: "standard", PencePerHour: standard}, {Tier: "commercial", PencePerHour: top}}
	case chance(g.r, 0.15):
		return []matching.Price{{Tier: "community", PencePerHour: community}, {Tier: "standard", PencePerHour: standard}}
	default:
		return []matching.Price{{Tier: "community", PencePerHour: community}, {Tier: "standard", PencePerHour: standard},
			{Tier: "commercial", PencePerHour: top}}
	}
}

var (
	bst = time.FixedZone("BST", 3600)
	// closureChoices are the closures a space may have, with their chances.
	closureChoices = []struct {
		p float64
		c matching.Closure
	}{
		{0.6, matching.Closure{Start: time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), Reason: "Christmas and New Year"}},
		{0.4, matching.Closure{Start: time.Date(2027, 12, 24, 0, 0, 0, 0, time.UTC), End: time.Date(2028, 1, 2, 0, 0, 0, 0, time.UTC), Reason: "Christmas and New Year"}},
		{0.2, matching.Closure{Start: time.Date(2027, 3, 26, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 3, 30, 0, 0, 0, 0, bst), Reason: "Easter"}},
		{0.05, matching.Closure{Start: time.Date(2026, 8, 3, 0, 0, 0, 0, bst), End: time.Date(2026, 8, 17, 0, 0, 0, 0, bst), Reason: "Floor refurbishment"}},
		{0.03, matching.Closure{Start: time.Date(2027, 7, 26, 0, 0, 0, 0, bst), End: time.Date(2027, 8, 2, 0, 0, 0, 0, bst), Reason: "Annual maintenance"}},
	}
)

func (g *gen) closures() []matching.Closure {
	var out []matching.Closure
	for _, c := range closureChoices {
		if chance(g.r, c.p) {
			if out == nil {
				out = make([]matching.Closure, 0, len(closureChoices))
			}
			out = append(out, c.c)
		}
	}
	return out
}
