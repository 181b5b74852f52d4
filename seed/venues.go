package seed

import (
	"strings"

	"commonground/matching"
)

// venueKind is a kind of building an organisation owns.
type venueKind int

// The kinds of building.
const (
	vNone venueKind = iota
	vVillageHall
	vCommunityCentre
	vSchool
	vChurch
	vYouthCentre
	vTownHall
	vLeisureCentre
	vStudio
	vArtsCentre
	vHotel
	vFitness
	vScoutHut
	vHealthCentre
	vLibrary
	vPavilion
	numVenueKinds
)

// slot is a room a building has with chance p (the first always).
type slot struct {
	tpl *spaceTpl
	p   float64
}

// venueSpec describes a kind of building: its names ({P} place, {S}
// street, {X} a house name), its rooms and its opening hours.
type venueSpec struct {
	names []string
	// ownName: a building its owner is named after takes the owner's name.
	ownName    bool
	slots      []slot
	hours      [][]matching.OpeningHours
	commercial bool // no community rate
}

var (
	streets = []string{"High Street", "Church Lane", "Station Road", "Mill Road", "The Green", "School Lane", "London Road",
		"Victoria Road", "Market Street", "Chapel Street", "Cambridge Road", "Back Lane", "Main Street", "Bridge Street",
		"Park Lane", "Broad Street", "New Road", "North Street", "Queen Street", "Green End", "Fen Road", "Church Street",
		"Orchard Road", "Newmarket Road", "Ely Road", "Huntingdon Road", "Bury Lane", "West Street"}
	houseNames = []string{"Meadows", "Oak Tree", "Willow", "Orchard", "Brookside", "Riverside", "Elm Tree", "Kingfisher",
		"Heron", "Poplar", "Maltings", "Granary", "Old School", "Cornerstone"}
)

// venueSpecs returns the building kinds, indexed by venueKind.
func venueSpecs() [numVenueKinds]*venueSpec {
	hCommunity := week("mon-fri 09:00-22:00; sat 09:00-17:00")
	hCommunitySun := week("mon-fri 09:00-22:00; sat 09:00-17:00; sun 10:00-16:00")
	hSplit := week("mon-fri 09:00-12:30; mon-fri 14:00-22:00; sat 09:00-17:00")
	hLateHall := week("mon-sat 09:00-24:00")
	hSchool := week("mon-fri 17:00-22:00; sat 08:30-18:00; sun 09:00-13:00")
	hChurch := week("mon-sat 09:00-22:00; sun 13:00-21:00")
	hYouth := week("mon-fri 10:00-22:00; sat 10:00-16:00")
	hOffice := week("mon-fri 08:30-17:30")
	hLeisure := week("mon-fri 06:30-22:00; sat-sun 08:00-20:00")
	hStudio := week("mon-fri 09:00-22:30; sat 09:00-18:00; sun 10:00-16:00")
	hLate := week("mon-sun 08:00-24:00")
	all := [][]matching.OpeningHours{hCommunity, hCommunitySun, hSplit}
	var s [numVenueKinds]*venueSpec
	s[vVillageHall] = &venueSpec{names: []string{"{P} Village Hall", "{P} Memorial Hall"},
		slots: []slot{{tMainHall, 1}, {tSmallHall, 0.35}, {tMeeting, 0.55}, {tOutdoor, 0.1}}, hours: append(all, hLateHall)}
	s[vCommunityCentre] = &venueSpec{names: []string{"{P} Community Centre", "{S} Community Centre", "The {X} Centre, {P}"},
		slots: []slot{{tMainHall, 1}, {tSmallHall, 0.4}, {tMeeting, 0.65}, {tActivityRoom, 0.2}}, hours: append(all, hLateHall)}
	s[vSchool] = &venueSpec{names: []string{"{P} School"}, ownName: true,
		slots: []slot{{tSchoolHall, 1}, {tClassroom, 0.5}, {tSportsHall, 0.3}, {tDramaStudio, 0.3}, {tTheatre, 0.05}, {tOutdoor, 0.2}}, hours: [][]matching.OpeningHours{hSchool}}
	s[vChurch] = &venueSpec{names: []string{"{P} Church Hall"}, ownName: true,
		slots: []slot{{tChurchHall, 1}, {tMeeting, 0.55}, {tSmallHall, 0.2}}, hours: [][]matching.OpeningHours{hChurch, hCommunity}}
	s[vYouthCentre] = &venueSpec{names: []string{"{P} Youth Centre", "The Hub, {P}", "{S} Youth Centre"},
		slots: []slot{{tYouthHall, 1}, {tActivityRoom, 0.6}, {tMeeting, 0.3}, {tDramaStudio, 0.1}}, hours: [][]matching.OpeningHours{hYouth}}
	s[vTownHall] = &venueSpec{names: []string{"{P} Town Hall"},
		slots: []slot{{tAssemblyRoom, 1}, {tMeeting, 0.8}, {tSmallHall, 0.2}}, hours: [][]matching.OpeningHours{hCommunity, hLateHall}}
	s[vLeisureCentre] = &venueSpec{names: []string{"{P} Leisure Centre", "{P} Sports Centre"},
		slots: []slot{{tSportsHall, 1}, {tFitnessStudio, 0.8}, {tMeeting, 0.4}, {tOutdoor, 0.2}}, hours: [][]matching.OpeningHours{hLeisure}}
	s[vStudio] = &venueSpec{names: []string{"{P} Dance Studios", "The {X} Studios, {P}"}, ownName: true,
		slots: []slot{{tDanceStudio, 1}, {tDanceStudio, 0.7}, {tDanceStudio, 0.3}, {tMeeting, 0.2}}, hours: [][]matching.OpeningHours{hStudio, hLate}}
	s[vArtsCentre] = &venueSpec{names: []string{"{P} Arts Centre", "{P} Theatre"}, ownName: true,
		slots: []slot{{tTheatre, 1}, {tDramaStudio, 0.7}, {tMeeting, 0.4}}, hours: [][]matching.OpeningHours{hLate, hStudio}}
	s[vHotel] = &venueSpec{names: []string{"The {X} Hotel, {P}"}, ownName: true, commercial: true,
		slots: []slot{{tFunctionRoom, 1}, {tMeeting, 0.7}}, hours: [][]matching.OpeningHours{hLate}}
	s[vFitness] = &venueSpec{names: []string{"{P} Fitness Studio"}, ownName: true, commercial: true,
		slots: []slot{{tFitnessStudio, 1}, {tFitnessStudio, 0.4}}, hours: [][]matching.OpeningHours{hLeisure, hLate}}
	s[vScoutHut] = &venueSpec{names: []string{"{P} Scout Hut", "{P} Guide Hut"},
		slots: []slot{{tScoutHall, 1}}, hours: [][]matching.OpeningHours{hCommunity}}
	s[vHealthCentre] = &venueSpec{names: []string{"{P} Health Centre", "{P} Medical Centre"}, ownName: true,
		slots: []slot{{tMeeting, 1}, {tActivityRoom, 0.3}}, hours: [][]matching.OpeningHours{hOffice}}
	s[vLibrary] = &venueSpec{names: []string{"{P} Library"},
		slots: []slot{{tMeeting, 1}, {tActivityRoom, 0.4}}, hours: [][]matching.OpeningHours{hOffice, hCommunity}}
	s[vPavilion] = &venueSpec{names: []string{"{P} Sports Pavilion", "{P} Recreation Ground Pavilion"},
		slots: []slot{{tScoutHall, 1}, {tOutdoor, 0.6}}, hours: [][]matching.OpeningHours{hCommunitySun}}
	return s
}

// week parses "mon-fri 09:00-22:00; sat 09:00-17:00" into opening hours. It
// is for the fixed patterns above and panics on a malformed one.
func week(spec string) []matching.OpeningHours {
	hours, err := parseHours(spec)
	if err != nil {
		panic("seed: bad opening hours pattern " + spec + ": " + err.Error())
	}
	return hours
}

// venue adds a building of kind k owned by o in pl, with its rooms (at
// most maxSpaces, at least one), to ds. At home it stands at the owner's
// own location. It returns the number of rooms added.
func (g *gen) venue(ds *Dataset, o *matching.Organisation, k venueKind, named bool, pl *Place, home bool, maxSpaces int) int {
	if k == vVillageHall && pl.Population >= 8000 {
		k = vCommunityCentre
	}
	spec := g.specs[k]
	street := pick(g.r, streets)
	created, updated := g.stamp()
	v := matching.Venue{
		ID:             newUUID(g.r),
		OrganisationID: o.ID,
		Name:           g.venueName(spec, k, o.Name, named, pl, street),
		Address:        g.address(pl, street),
		Postcode:       postcode(g.r, g.district(pl)),
		Location:       o.Location,
		Timezone:       matching.DefaultTimezone,
		CreatedAt:      created,
		UpdatedAt:      updated,
	}
	if !home {
		lo, hi := g.spread(pl)
		v.Location = jitter(g.r, pl.Lat, pl.Lon, lo, hi)
	}
	v.Accessibility.StepFree = chance(g.r, 0.75)
	v.Accessibility.AccessibleToilet = chance(g.r, 0.3) || (v.Accessibility.StepFree && chance(g.r, 0.8))
	v.Accessibility.HearingLoop = chance(g.r, 0.3)
	v.Accessibility.Parking = chance(g.r, 0.45) || (pl.Population < 10000 && chance(g.r, 0.75))
	ds.Venues = append(ds.Venues, v)

	hours := pick(g.r, spec.hours)
	var used [4]string
	n := 0
	for i, sl := range spec.slots {
		if n >= maxSpaces || n == len(used) {
			break
		}
		if i > 0 && !chance(g.r, sl.p) {
			continue
		}
		var floor matching.Floor
		if k == vStudio && n == 0 {
			floor = matching.FloorSprung // a dance studio's main room is sprung
		}
		s := g.space(sl.tpl, &v, used[:n], floor, hours, spec.commercial)
		used[n] = s.Name
		n++
		ds.Spaces = append(ds.Spaces, s)
	}
	return n
}

// venueName names a building: after its owner when the owner is named
// after it, else from the kind's patterns ({S} is the building's street);
// unique in the demo.
func (g *gen) venueName(spec *venueSpec, k venueKind, owner string, named bool, pl *Place, street string) string {
	var name string
	switch {
	case named && spec.ownName && k == vStudio && !strings.Contains(owner, "Studio"):
		name = owner + " Studios"
	case named && spec.ownName:
		name = strings.TrimSuffix(owner, " Trust")
	default:
		for try := 0; try < 8; try++ {
			t := pick(g.r, spec.names)
			if strings.Contains(t, "{S}") {
				t = strings.Replace(t, "{S}", street, 1)
			}
			if strings.Contains(t, "{X}") {
				t = strings.Replace(t, "{X}", pick(g.r, houseNames), 1)
			}
			name = expand(t, pl.Name, "", "")
			if g.venueNames == nil || !g.venueNames[name] {
				break
			}
		}
	}
	if g.venueNames == nil {
		return name
	}
	n := name
	for i := 2; g.venueNames[n]; i++ {
		n = name + " " + itoa(i)
	}
	g.venueNames[n] = true
	return n
}

func (g *gen) address(pl *Place, street string) string {
	if chance(g.r, 0.25) {
		return street + ", " + pl.Name
	}
	return itoa(between(g.r, 1, 150)) + " " + street + ", " + pl.Name
}

// district returns the postcode district of a building in pl: the
// cities span several.
func (g *gen) district(pl *Place) string {
	switch pl.Name {
	case "Cambridge":
		return pick(g.r, []string{"CB1", "CB2", "CB3", "CB4", "CB5"})
	case "Peterborough":
		return pick(g.r, []string{"PE1", "PE2", "PE3", "PE4"})
	}
	return pl.Postcode
}
