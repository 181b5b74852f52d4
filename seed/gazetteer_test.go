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

// TestPlaceIndexFindsEveryPlace is an oracle test: searching for the exact
// name of any gazetteer place, however spelled, returns that place first.
func TestPlaceIndexFindsEveryPlace(t *testing.T) {
	idx := PlaceIndex()
	all := GazetteerPlaces()
	if idx.Len() != len(all) {
		t.Fatalf("index holds %d places, want %d", idx.Len(), len(all))
	}
	for _, p := range all {
		for _, spelling := range []string{p.Name, strings.ToUpper(p.Name), " " + strings.ToLower(p.Name) + ".",
			strings.ReplaceAll(p.Name, "St ", "Saint ")} {
			got := idx.Search(spelling, 10)
			if len(got) == 0 || got[0] != p {
				t.Errorf("Search(%q) = %v, want %s first", spelling, got, p.Name)
			}
			if l, ok := idx.Lookup(spelling); !ok || l != p {
				t.Errorf("Lookup(%q) = %v, %v; want %s", spelling, l, ok, p.Name)
			}
		}
		if p.County != County {
			t.Errorf("%s: county %q, want %q", p.Name, p.County, County)
		}
	}
	for name, kind := range map[string]geo.PlaceKind{"Ely": geo.KindCity, "St Neots": geo.KindTown, "Kimbolton": geo.KindVillage} {
		if p, _ := idx.Lookup(name); p.Kind != kind {
			t.Errorf("%s: kind %q, want %q", name, p.Kind, kind)
		}
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
