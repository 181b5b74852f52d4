package seed

import (
	"regexp"
	"strings"
	"testing"

	"commonground/geo"
)

func TestGazetteer(t *testing.T) {
	places := Gazetteer()
	if len(places) < 45 {
		t.Fatalf("got %d places, want at least 45", len(places))
	}
	district := regexp.MustCompile(`^(CB|PE|SG)[0-9]{1,2}$`)
	seen := map[string]bool{}
	for _, p := range places {
		if p.Lat < 52.0 || p.Lat > 52.75 || p.Lon < -0.5 || p.Lon > 0.55 {
			t.Errorf("%s at %v,%v lies outside Cambridgeshire", p.Name, p.Lat, p.Lon)
		}
		if seen[p.Name] {
			t.Errorf("%s listed twice", p.Name)
		}
		seen[p.Name] = true
		if !district.MatchString(p.Postcode) {
			t.Errorf("%s: postcode district %q, want like CB7 or PE19", p.Name, p.Postcode)
		}
		if p.Population <= 0 || p.District == "" {
			t.Errorf("%s: population %d, district %q", p.Name, p.Population, p.District)
		}
	}
	for _, name := range []string{"Cambridge", "Peterborough", "Ely", "Huntingdon", "St Neots", "Wisbech", "March"} {
		if !seen[name] {
			t.Errorf("%s missing", name)
		}
	}
	if seen["Royston"] {
		t.Errorf("Royston is in Hertfordshire")
	}
}

func TestGBCentres(t *testing.T) {
	seen := map[string]bool{}
	centres := gbCentres()
	if len(centres) < 55 {
		t.Errorf("got %d centres, want about 60", len(centres))
	}
	for _, p := range centres {
		if p.Lat < 49.9 || p.Lat > 58.7 || p.Lon < -6.5 || p.Lon > 1.8 {
			t.Errorf("%s at %v,%v lies outside Great Britain", p.Name, p.Lat, p.Lon)
		}
		if seen[p.Name] || p.Population <= 0 || p.Postcode == "" {
			t.Errorf("%s: repeated, or no population or postcode", p.Name)
		}
		seen[p.Name] = true
	}
}

// TestPlaceIndexFindsEveryPlace is an oracle test: looking up the name of
// any place, however spelled, finds the place that ranks first among those
// of that name (home before elsewhere, then city, town, village, district,
// then as listed), and searching for it puts that place first.
func TestPlaceIndexFindsEveryPlace(t *testing.T) {
	idx := PlaceIndex()
	all := GazetteerPlaces()
	if idx.Len() != len(all) {
		t.Fatalf("index holds %d places, want %d", idx.Len(), len(all))
	}
	rank := func(p geo.Place) int {
		r := map[geo.PlaceKind]int{geo.KindCity: 0, geo.KindTown: 1, geo.KindVillage: 2, geo.KindPostcodeDistrict: 3}[p.Kind]
		if !p.Home {
			r += 10
		}
		return r
	}
	first := map[string]geo.Place{}
	for _, p := range all {
		n := geo.NormalisePlaceName(p.Name)
		if f, ok := first[n]; !ok || rank(p) < rank(f) || (rank(p) == rank(f) && p.Name < f.Name) {
			first[n] = p
		}
	}
	for _, p := range all {
		want := first[geo.NormalisePlaceName(p.Name)]
		for _, spelling := range []string{p.Name, strings.ToUpper(p.Name), " " + strings.ToLower(p.Name) + ".",
			strings.ReplaceAll(p.Name, "St ", "Saint ")} {
			got := idx.Search(spelling, 10)
			if len(got) == 0 || got[0] != want {
				t.Errorf("Search(%q) = %v, want %v first", spelling, got, want)
			}
			if l, ok := idx.Lookup(spelling); !ok || l != want {
				t.Errorf("Lookup(%q) = %v, %v; want %v", spelling, l, ok, want)
			}
		}
		if p.Home != (p.County == County) {
			t.Errorf("%s (%s): home %v", p.Name, p.County, p.Home)
		}
	}
	for name, want := range map[string]struct {
		kind   geo.PlaceKind
		county string
	}{
		"Ely": {geo.KindCity, County}, "St Neots": {geo.KindTown, County}, "Kimbolton": {geo.KindVillage, County},
		"Eaton Socon": {geo.KindVillage, County}, "Sutton": {geo.KindVillage, County}, "St Ives": {geo.KindTown, County},
		"London": {geo.KindCity, "Greater London"}, "Newport": {geo.KindCity, "Newport"},
		"Kettering": {geo.KindTown, "Northamptonshire"}, "cb7": {geo.KindPostcodeDistrict, County},
	} {
		if p, _ := idx.Lookup(name); p.Kind != want.kind || p.County != want.county {
			t.Errorf("%s: %s in %q, want %s in %q", name, p.Kind, p.County, want.kind, want.county)
		}
	}
}

// TestListedPlaces checks data/places.csv: the county's rows lie in the
// county, the others in Great Britain, and no row outside the county is a
// village.
func TestListedPlaces(t *testing.T) {
	listed := listedPlaces()
	var home, cityCount int
	for _, p := range listed {
		lat, lon := geo.Lat(p.Point), geo.Lon(p.Point)
		switch {
		case p.County == County:
			home++
			if lat < 52.0 || lat > 52.75 || lon < -0.5 || lon > 0.55 {
				t.Errorf("%s at %v,%v lies outside Cambridgeshire", p.Name, lat, lon)
			}
		case lat < 49.9 || lat > 60.9 || lon < -8.2 || lon > 1.8:
			t.Errorf("%s at %v,%v lies outside Great Britain", p.Name, lat, lon)
		case p.Kind == geo.KindVillage:
			t.Errorf("%s (%s) is a village outside the county", p.Name, p.County)
		}
		if p.Kind == geo.KindCity {
			cityCount++
		}
	}
	if home < 100 || len(listed)-home < 1000 {
		t.Errorf("%d places in the county and %d elsewhere, want at least 100 and 1000", home, len(listed)-home)
	}
	// The 55 English cities with city status (Brighton and Hove as two
	// places), London, 7 Welsh and 8 Scottish cities.
	if cityCount != 72 {
		t.Errorf("%d cities, want 72", cityCount)
	}
}

func BenchmarkPlaceIndexSearch(b *testing.B) {
	idx := PlaceIndex()
	b.ReportAllocs()
	for b.Loop() {
		if got := idx.Search("st", 10); len(got) == 0 {
			b.Fatal("nothing found")
		}
	}
}

// BenchmarkPlaceIndexLookup resolves place names as place= does: the
// index in memory, no database.
func BenchmarkPlaceIndexLookup(b *testing.B) {
	idx := PlaceIndex()
	names := []string{"Ely", "saint neots", "Stow cum Quy", "Newcastle upon Tyne", "CB7", "Atlantis"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		idx.Lookup(names[i%len(names)])
		i++
	}
}

// BenchmarkPlaceIndexSearchMiss searches for text no name holds: every
// name is scanned.
func BenchmarkPlaceIndexSearchMiss(b *testing.B) {
	idx := PlaceIndex()
	b.ReportAllocs()
	for b.Loop() {
		if got := idx.Search("zq", 10); len(got) != 0 {
			b.Fatal("found something")
		}
	}
}
