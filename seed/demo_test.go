package seed

import (
	"reflect"
	"regexp"
	"slices"
	"testing"

	"commonground/geo"
	"commonground/matching"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestDemoDeterministic(t *testing.T) {
	a, b := Demo(1), Demo(1)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("Demo(1) differs between calls")
	}
	c := Demo(2)
	if reflect.DeepEqual(a, c) {
		t.Errorf("Demo(2) equals Demo(1), want different data")
	}
	if a.Organisations[0].ID == c.Organisations[0].ID {
		t.Errorf("Demo(1) and Demo(2) share the first ID %s", a.Organisations[0].ID)
	}
}

func TestDemoCounts(t *testing.T) {
	for _, seed := range []int64{1, 2, 42} {
		d := Demo(seed)
		if got := len(d.Organisations); got < 300 {
			t.Errorf("Demo(%d): got %d organisations, want at least 300", seed, got)
		}
		if got := len(d.Venues); got < 400 {
			t.Errorf("Demo(%d): got %d venues, want at least 400", seed, got)
		}
		if got := len(d.Spaces); got < 800 {
			t.Errorf("Demo(%d): got %d spaces, want at least 800", seed, got)
		}
		types := map[matching.OrgType]int{}
		for _, o := range d.Organisations {
			types[o.Type]++
		}
		for _, ty := range matching.OrgTypes {
			if types[ty] == 0 {
				t.Errorf("Demo(%d): no organisation of type %s", seed, ty)
			}
		}
	}
}

// checkDataset checks that every record validates, IDs are unique UUIDs and
// every reference resolves within d.
func checkDataset(t *testing.T, d *Dataset) {
	t.Helper()
	tax := Taxonomy()
	ids := map[string]bool{}
	id := func(what, s string) {
		if !uuidV4.MatchString(s) {
			t.Errorf("%s ID %q is not a version-4 UUID", what, s)
		}
		if ids[s] {
			t.Errorf("%s ID %s used twice", what, s)
		}
		ids[s] = true
	}
	orgs := map[string]*matching.Organisation{}
	for i := range d.Organisations {
		o := &d.Organisations[i]
		id("organisation", o.ID)
		orgs[o.ID] = o
		if err := o.Validate(tax); err != nil {
			t.Errorf("organisation %s: %v", o.Name, err)
		}
		if o.ServiceRadiusKm < 5 || o.ServiceRadiusKm > 40 || o.CapacityHoursPerMonth < 0 || o.CapacityHoursPerMonth > 120 {
			t.Errorf("organisation %s: radius %v km, capacity %d h", o.Name, o.ServiceRadiusKm, o.CapacityHoursPerMonth)
		}
		if len(o.Offers) == 0 || len(o.Needs) == 0 {
			t.Errorf("organisation %s: %d offers, %d needs, want some of each", o.Name, len(o.Offers), len(o.Needs))
		}
		for j := range o.Offers {
			id("offer", o.Offers[j].ID)
			if err := o.Offers[j].Validate(tax); err != nil || o.Offers[j].OrganisationID != o.ID {
				t.Errorf("organisation %s offer %d: %v (organisation %s)", o.Name, j, err, o.Offers[j].OrganisationID)
			}
		}
		for j := range o.Needs {
			id("need", o.Needs[j].ID)
			if err := o.Needs[j].Validate(tax); err != nil || o.Needs[j].OrganisationID != o.ID {
				t.Errorf("organisation %s need %d: %v (organisation %s)", o.Name, j, err, o.Needs[j].OrganisationID)
			}
		}
	}
	venues := map[string]*matching.Venue{}
	for i := range d.Venues {
		v := &d.Venues[i]
		id("venue", v.ID)
		venues[v.ID] = v
		if err := v.Validate(); err != nil {
			t.Errorf("venue %s: %v", v.Name, err)
		}
		if orgs[v.OrganisationID] == nil {
			t.Errorf("venue %s: organisation %s not in the dataset", v.Name, v.OrganisationID)
		}
		if v.Timezone != "Europe/London" {
			t.Errorf("venue %s: timezone %q", v.Name, v.Timezone)
		}
	}
	perVenue := map[string]int{}
	for i := range d.Spaces {
		s := &d.Spaces[i]
		id("space", s.ID)
		if err := s.Validate(tax); err != nil {
			t.Errorf("space %s: %v", s.Name, err)
		}
		v := venues[s.VenueID]
		if v == nil {
			t.Errorf("space %s: venue %s not in the dataset", s.Name, s.VenueID)
			continue
		}
		if s.OrganisationID != v.OrganisationID || s.Location != v.Location {
			t.Errorf("space %s: organisation %s at %v, want the venue's %s at %v", s.Name, s.OrganisationID, s.Location, v.OrganisationID, v.Location)
		}
		perVenue[s.VenueID]++
	}
	for _, v := range d.Venues {
		if n := perVenue[v.ID]; n < 1 || n > 4 {
			t.Errorf("venue %s has %d spaces, want 1 to 4", v.Name, n)
		}
	}
}

func TestDemoValid(t *testing.T) {
	d := Demo(1)
	checkDataset(t, d)
	names := map[string]bool{}
	for _, o := range d.Organisations {
		if names[o.Name] {
			t.Errorf("organisation name %q used twice", o.Name)
		}
		names[o.Name] = true
	}
}

func TestDemoPlacement(t *testing.T) {
	d := Demo(1)
	places := Gazetteer()
	for _, v := range d.Venues {
		best := 1e9
		for _, p := range places {
			best = min(best, geo.DistanceKm(v.Location, geo.MustPoint(p.Lat, p.Lon)))
		}
		if best > 2.1 {
			t.Errorf("venue %s is %.1f km from the nearest place, want at most 2", v.Name, best)
		}
	}
	centre := geo.MustPoint(52.2053, 0.1218)
	near := 0
	for _, s := range d.Spaces {
		if geo.DistanceKm(s.Location, centre) <= 3 {
			near++
		}
	}
	if near < 10 {
		t.Errorf("got %d spaces within 3 km of Cambridge centre, want at least 10", near)
	}
}

func TestDemoDanceStudios(t *testing.T) {
	d := Demo(1)
	towns := []string{"Cambridge", "Peterborough", "Ely", "St Neots", "Huntingdon"}
	var centres []Place
	for _, p := range Gazetteer() {
		if slices.Contains(towns, p.Name) {
			centres = append(centres, p)
		}
	}
	studios := 0
	for _, s := range d.Spaces {
		if s.Floor != matching.FloorSprung {
			continue
		}
		if s.Kind != "studio" || !(s.Mirrors || s.Barres) {
			t.Errorf("sprung space %s is a %s with mirrors %v, barres %v", s.Name, s.Kind, s.Mirrors, s.Barres)
		}
		studios++
		inTown := false
		for _, p := range centres {
			if geo.DistanceKm(s.Location, geo.MustPoint(p.Lat, p.Lon)) < 2.1 {
				inTown = true
			}
		}
		if !inTown {
			t.Errorf("sprung studio %s at %v is not in %v", s.Name, s.Location, towns)
		}
	}
	if studios < 5 {
		t.Errorf("got %d sprung studios, want at least 5", studios)
	}
}

func TestDemoCompatibility(t *testing.T) {
	d, tax := Demo(1), Taxonomy()
	pairs, incompatible, reciprocal := 0, 0, 0
	for i := range d.Organisations {
		a := &d.Organisations[i]
		if !tax.Compatible(a, a) {
			t.Errorf("%s is incompatible with itself", a.Name)
		}
		for j := i + 1; j < len(d.Organisations); j++ {
			b := &d.Organisations[j]
			pairs++
			if !tax.Compatible(a, b) {
				incompatible++
			} else if meets(a, b) && meets(b, a) {
				reciprocal++
			}
		}
	}
	if incompatible == 0 {
		t.Errorf("no incompatible pairs, want a few value conflicts")
	}
	if share := float64(incompatible) / float64(pairs); share > 0.1 {
		t.Errorf("%.1f%% of pairs are incompatible, want most compatible", share*100)
	}
	if reciprocal < 100 {
		t.Errorf("got %d reciprocal pairs, want at least 100", reciprocal)
	}
}

// meets reports whether a offers something b needs.
func meets(a, b *matching.Organisation) bool {
	for _, o := range a.Offers {
		for _, n := range b.Needs {
			if o.Category == n.Category {
				return true
			}
		}
	}
	return false
}
