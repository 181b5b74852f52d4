package geo_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"commonground/geo"
)

func TestNormalisePlaceName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ely", "ely"},
		{"  ELY  ", "ely"},
		{"St Ives", "st ives"},
		{"St. Ives", "st ives"},
		{"saint ives", "st ives"},
		{"Saint-Ives", "st ives"},
		{"Saintbury", "saintbury"},
		{"Stow cum Quy", "stow cum quy"},
		{"King's Lynn", "kings lynn"},
		{"King’s Lynn", "kings lynn"},
		{"Stoke-on-Trent", "stoke on trent"},
		{"Newcastle   upon\tTyne", "newcastle upon tyne"},
		{"Ÿpres Café", "ypres cafe"},
		{"Bürgerstraße", "burgerstrasse"},
		{"CB7 4DL", "cb7 4dl"},
		{"!!!", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := geo.NormalisePlaceName(tt.in); got != tt.want {
			t.Errorf("NormalisePlaceName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func testPlaces() *geo.Places {
	p := func(name string, kind geo.PlaceKind) geo.Place {
		return geo.Place{Name: name, Kind: kind, Point: geo.MustPoint(52, 0), County: "Testshire"}
	}
	return geo.NewPlaces([]geo.Place{
		p("Littleport", geo.KindTown),
		p("Ely", geo.KindCity),
		p("Elyford", geo.KindVillage),
		p("Elysium", geo.KindTown),
		p("Kimbolton", geo.KindVillage),
		p("Newely", geo.KindVillage),
		p("Bely", geo.KindCity),
		p("St Ives", geo.KindTown),
		p("Little Paxton", geo.KindVillage),
		p("Little Abington", geo.KindVillage),
	})
}

func names(ps []geo.Place) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Name
	}
	return strings.Join(s, ",")
}

func TestPlacesSearch(t *testing.T) {
	ps := testPlaces()
	tests := []struct {
		q     string
		limit int
		want  string
	}{
		{"Ely", 10, "Ely,Elysium,Elyford,Bely,Newely"},
		{"ely", 2, "Ely,Elysium"},
		{"little", 10, "Littleport,Little Abington,Little Paxton"},
		{"Saint Ives", 10, "St Ives"},
		{"st. ives", 10, "St Ives"},
		{"bolt", 10, "Kimbolton"},
		{"zzz", 10, ""},
		{"...", 10, ""},
		{"Ely", 0, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.q, tt.limit), func(t *testing.T) {
			if got := names(ps.Search(tt.q, tt.limit)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPlacesLookup(t *testing.T) {
	ps := testPlaces()
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"Ely", "Ely", true},
		{"ST IVES", "St Ives", true},
		{"Saint Ives", "St Ives", true},
		{"El", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := ps.Lookup(tt.name)
		if ok != tt.ok || got.Name != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.name, got.Name, ok, tt.want, tt.ok)
		}
	}
	var none *geo.Places
	if _, ok := none.Lookup("Ely"); ok || none.Search("Ely", 5) != nil || none.Len() != 0 {
		t.Error("a nil index found something")
	}
}

func TestPlacesDuplicateNameRanksKind(t *testing.T) {
	ps := geo.NewPlaces([]geo.Place{
		{Name: "Sutton", Kind: geo.KindVillage, County: "A"},
		{Name: "SUTTON", Kind: geo.KindTown, County: "B"},
	})
	got, ok := ps.Lookup("sutton")
	if !ok || got.County != "B" {
		t.Errorf("got %+v, want the town in B", got)
	}
	if ps.Len() != 2 {
		t.Errorf("got %d places, want 2", ps.Len())
	}
}

func benchPlaces() *geo.Places {
	var all []geo.Place
	for i := range 2000 {
		kind := []geo.PlaceKind{geo.KindCity, geo.KindTown, geo.KindVillage}[i%3]
		all = append(all, geo.Place{Name: fmt.Sprintf("Place %04d St Mary", i), Kind: kind, Point: geo.MustPoint(52, 0)})
	}
	return geo.NewPlaces(all)
}

func BenchmarkPlacesLookup(b *testing.B) {
	ps := benchPlaces()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ps.Lookup("place 1234 saint mary"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkPlacesSearch(b *testing.B) {
	ps := benchPlaces()
	b.ReportAllocs()
	for b.Loop() {
		if got := ps.Search("Place 12", 10); len(got) != 10 {
			b.Fatalf("got %d places, want 10", len(got))
		}
	}
}

func FuzzNormalisePlaceName(f *testing.F) {
	for _, s := range []string{"Ely", "St. Ives", "saint", "King's Lynn", "Ÿpres", "CB7 4DL", "  ", "\x00", "\xff"} {
		f.Add(s)
	}
	ps := testPlaces()
	f.Fuzz(func(t *testing.T, s string) {
		n := geo.NormalisePlaceName(s)
		if again := geo.NormalisePlaceName(n); again != n {
			t.Fatalf("NormalisePlaceName(%q) = %q, but normalising that gives %q", s, n, again)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("NormalisePlaceName(%q) = %q has stray spaces", s, n)
		}
		got := ps.Search(s, 20)
		if p, ok := ps.Lookup(s); ok && (len(got) == 0 || got[0] != p) {
			t.Fatalf("Lookup(%q) = %s but Search puts %s first", s, p.Name, names(got))
		}
	})
}

// TestPlacesSearchOracle checks Search on random names against a scan:
// exact names, then names starting with the query, then names holding
// it, each ranked home first, then by kind, then by name, then as given.
func TestPlacesSearchOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	kinds := []geo.PlaceKind{geo.KindCity, geo.KindTown, geo.KindVillage, geo.KindPostcodeDistrict}
	word := func() string {
		b := make([]byte, 1+r.IntN(4))
		for i := range b {
			b[i] = "abce"[r.IntN(4)]
		}
		return string(b)
	}
	var all []geo.Place
	for i := range 400 {
		name := word()
		if r.IntN(3) == 0 {
			name += " " + word()
		}
		all = append(all, geo.Place{Name: name, Kind: kinds[r.IntN(len(kinds))], Home: r.IntN(2) == 0, County: fmt.Sprint(i)})
	}
	ps := geo.NewPlaces(all)
	ranked := slices.Clone(all)
	slices.SortStableFunc(ranked, func(a, b geo.Place) int {
		rank := func(p geo.Place) int {
			n := slices.Index(kinds, p.Kind)
			if !p.Home {
				n += 10
			}
			return n
		}
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a.Name, b.Name))
	})
	for range 300 {
		q := word()
		if r.IntN(4) == 0 {
			q = q[:1]
		}
		var want []geo.Place
		for _, tier := range []func(n string) bool{
			func(n string) bool { return n == q },
			func(n string) bool { return n != q && strings.HasPrefix(n, q) },
			func(n string) bool { return !strings.HasPrefix(n, q) && strings.Contains(n, q) },
		} {
			for _, p := range ranked {
				if tier(p.Name) {
					want = append(want, p)
				}
			}
		}
		limit := 1 + r.IntN(60)
		if len(want) > limit {
			want = want[:limit]
		}
		if got := ps.Search(q, limit); !slices.Equal(got, want) {
			t.Fatalf("Search(%q, %d):\n got %v\nwant %v", q, limit, got, want)
		}
	}
}
