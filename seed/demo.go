package seed

import (
	"math"

	"commonground/matching"
)

// Dataset is a set of organisations with the venues they own and the
// spaces (rooms) in those venues. Every venue's organisation and every
// space's venue is in the same Dataset.
type Dataset struct {
	Organisations []matching.Organisation
	Venues        []matching.Venue
	Spaces        []matching.Space
}

// The demo county's minimum sizes.
const (
	demoVenues = 430
	demoSpaces = 850
)

// demoTypeCounts is how many organisations of each type the demo draws on
// top of the councils, village halls and dance studios every seed has.
var demoTypeCounts = []struct {
	t matching.OrgType
	n int
}{
	{matching.OrgArts, 50}, {matching.OrgYouthService, 30}, {matching.OrgCommunity, 30}, {matching.OrgSchool, 90},
	{matching.OrgHealth, 20}, {matching.OrgFaith, 70}, {matching.OrgBusiness, 25}, {matching.OrgOther, 15},
}

// Demo returns the demo county: about 440 organisations of every type
// across Cambridgeshire and Peterborough, at least 430 venues and 850
// spaces, weighted by population. The same seed always gives the same data,
// IDs and timestamps included; every record passes its Validate against
// Taxonomy().
func Demo(seed int64) *Dataset {
	g := newGen(seed)
	g.names, g.venueNames = map[string]bool{}, map[string]bool{}
	g.studioTowns = map[string]bool{"Cambridge": true, "Peterborough": true, "Ely": true, "St Neots": true, "Huntingdon": true}
	d := newDemo(g, Gazetteer())
	d.councils()
	d.villageHalls()
	d.studios()
	d.others()
	d.topUpVenues()
	d.topUpSpaces()
	return d.ds
}

// demo builds the demo county step by step.
type demo struct {
	g          *gen
	ds         *Dataset
	places     []Place
	byPop      weighted // in proportion to population
	bySqrt     weighted // in proportion to its square root: schools, churches
	byDistrict map[string][]int
	// owners are the councils that own buildings across their district
	// ("" for the county council, whose libraries are everywhere).
	owners []owner
}

type owner struct {
	org      int
	district string
}

func newDemo(g *gen, places []Place) *demo {
	pop := make([]float64, len(places))
	sq := make([]float64, len(places))
	byDistrict := map[string][]int{}
	for i, p := range places {
		pop[i] = float64(p.Population)
		sq[i] = math.Sqrt(pop[i])
		byDistrict[p.District] = append(byDistrict[p.District], i)
	}
	return &demo{g: g, ds: &Dataset{}, places: places, byPop: newWeighted(pop), bySqrt: newWeighted(sq), byDistrict: byDistrict}
}

func (d *demo) place(name string) *Place {
	for i := range d.places {
		if d.places[i].Name == name {
			return &d.places[i]
		}
	}
	panic("seed: no place " + name)
}

// add adds an organisation and, when its name says it owns a building,
// that building. It returns the organisation's index.
func (d *demo) add(t matching.OrgType, pl *Place, tpl *nameTpl) int {
	o, tpl := d.g.org(t, pl, tpl)
	d.ds.Organisations = append(d.ds.Organisations, o)
	i := len(d.ds.Organisations) - 1
	if tpl.venue != vNone && chance(d.g.r, tpl.venueP) {
		d.g.venue(d.ds, &d.ds.Organisations[i], tpl.venue, true, pl, true, 4)
	}
	return i
}

// councils adds the county, city and district councils and the town and
// parish councils of places of 4,000 people or more.
func (d *demo) councils() {
	majors := []struct{ name, place, district string }{
		{"Cambridgeshire County Council", "Huntingdon", ""},
		{"Cambridge City Council", "Cambridge", distCambridge},
		{"Peterborough City Council", "Peterborough", distPboro},
		{"East Cambridgeshire District Council", "Ely", distEastCambs},
		{"Fenland District Council", "March", distFenland},
		{"Huntingdonshire District Council", "Huntingdon", distHunts},
		{"South Cambridgeshire District Council", "Cambourne", distSouthCambs},
	}
	for _, m := range majors {
		i := d.add(matching.OrgCouncil, d.place(m.place), &nameTpl{t: m.name})
		d.ds.Organisations[i].ServiceRadiusKm = float64(between(d.g.r, 25, 40))
		d.owners = append(d.owners, owner{org: i, district: m.district})
	}
	towns := townCouncils()
	for k := range d.places {
		pl := &d.places[k]
		if pl.Population < 4000 || pl.District == distCambridge || pl.District == distPboro && pl.Name != "Eye" || pl.Name == "Impington" {
			continue
		}
		var tpl *nameTpl
		switch {
		case pl.Name == "Ely":
			tpl = &nameTpl{t: "Ely City Council", venue: vTownHall, venueP: 0.9}
		case pl.Name == "Histon":
			tpl = &nameTpl{t: "Histon and Impington Parish Council", venue: vPavilion, venueP: 0.5}
		case towns[pl.Name]:
			tpl = &nameTpl{t: "{P} Town Council", venue: vTownHall, venueP: 0.85}
		default:
			tpl = &nameTpl{t: "{P} Parish Council", venue: vPavilion, venueP: 0.4}
		}
		d.add(matching.OrgCouncil, pl, tpl)
	}
}

// villageHalls gives every place a community organisation with a hall.
func (d *demo) villageHalls() {
	p := d.g.profiles[matching.OrgCommunity]
	small := []*nameTpl{tplNamed(p, "{P} Village Hall Trust"), tplNamed(p, "{P} Memorial Hall Trust")}
	large := tplNamed(p, "{P} Community Association")
	for k := range d.places {
		pl := &d.places[k]
		tpl := large
		if pl.Population < 8000 {
			tpl = pick(d.g.r, small)
		}
		i := d.add(matching.OrgCommunity, pl, &nameTpl{t: tpl.t, values: tpl.values, venue: tpl.venue, venueP: 1})
		if chance(d.g.r, 0.25) {
			d.g.venue(d.ds, &d.ds.Organisations[i], vPavilion, false, pl, false, 4)
		}
	}
}

// studios adds dance organisations with sprung-floor studios in the
// towns that have them.
func (d *demo) studios() {
	names := []string{"{P} Dance Studios", "{P} Dance Academy", "{A} Dance Studios", "{P} School of Dance"}
	for i, town := range []string{"Cambridge", "Peterborough", "Cambridge", "Peterborough", "Ely", "St Neots", "Huntingdon"} {
		d.add(matching.OrgArts, d.place(town), &nameTpl{t: names[i%len(names)], values: []string{"fair-pay-for-artists"}, venue: vStudio, venueP: 1})
	}
}

// others draws the rest of the organisations in demoTypeCounts, placed by
// population.
func (d *demo) others() {
	var types []matching.OrgType
	for _, c := range demoTypeCounts {
		for range c.n {
			types = append(types, c.t)
		}
	}
	d.g.r.Shuffle(len(types), func(i, j int) { types[i], types[j] = types[j], types[i] })
	for _, t := range types {
		w := d.byPop
		if t == matching.OrgSchool || t == matching.OrgFaith {
			w = d.bySqrt
		}
		d.add(t, &d.places[w.pick(d.g.r)], nil)
	}
}

// topUpVenues gives the councils community centres, leisure centres and
// libraries until the county has demoVenues venues.
func (d *demo) topUpVenues() {
	for len(d.ds.Venues) < demoVenues {
		o := d.owners[d.g.r.IntN(len(d.owners))]
		var pl *Place
		if idx := d.byDistrict[o.district]; o.district != "" && len(idx) > 0 {
			pl = &d.places[idx[d.g.r.IntN(len(idx))]]
		} else {
			pl = &d.places[d.byPop.pick(d.g.r)]
		}
		k := vCommunityCentre
		switch {
		case o.district == "":
			k = vLibrary
		case pl.Population >= 5000 && chance(d.g.r, 0.3):
			k = vLeisureCentre
		}
		d.g.venue(d.ds, &d.ds.Organisations[o.org], k, false, pl, false, 4)
	}
}

// topUpSpaces adds meeting rooms to venues with room for one until the
// county has demoSpaces spaces.
func (d *demo) topUpSpaces() {
	for len(d.ds.Spaces) < demoSpaces {
		v := &d.ds.Venues[d.g.r.IntN(len(d.ds.Venues))]
		var used []string
		var hours []matching.OpeningHours
		for i := range d.ds.Spaces {
			if s := &d.ds.Spaces[i]; s.VenueID == v.ID {
				used = append(used, s.Name)
				hours = s.OpeningHours
			}
		}
		if len(used) >= 4 {
			continue
		}
		d.ds.Spaces = append(d.ds.Spaces, d.g.space(tMeeting, v, used, "", hours, false))
	}
}

func tplNamed(p *profile, t string) *nameTpl {
	for i := range p.names {
		if p.names[i].t == t {
			return &p.names[i]
		}
	}
	panic("seed: no name pattern " + t)
}
