package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
)

// spaceProps are a nearby space's GeoJSON properties, as the contract
// shapes them, for encoding/json.
type spaceProps struct {
	ID                    string  `json:"id"`
	Kind                  string  `json:"kind"`
	Name                  string  `json:"name"`
	DistanceKm            float64 `json:"distance_km"`
	VenueID               string  `json:"venue_id"`
	VenueName             string  `json:"venue_name"`
	OrganisationID        string  `json:"organisation_id"`
	SpaceKind             string  `json:"space_kind"`
	Capacity              int     `json:"capacity"`
	Floor                 string  `json:"floor"`
	FitToDance            int     `json:"fit_to_dance"`
	InstantBook           bool    `json:"instant_book"`
	CommunityPencePerHour *int    `json:"community_pence_per_hour,omitempty"`
}

// viaJSON is what encoding/json makes of the same answer.
func viaJSON(t testing.TB, spaces []matching.NearbySpace, next *string) []byte {
	t.Helper()
	features := make([]geo.Feature, len(spaces))
	for i, s := range spaces {
		features[i] = geo.Feature{ID: s.ID, Point: s.Location, Properties: spaceProps{
			ID: s.ID, Kind: "space", Name: s.Name, DistanceKm: km(s.DistanceM), VenueID: s.VenueID,
			VenueName: s.VenueName, OrganisationID: s.OrganisationID, SpaceKind: string(s.Kind),
			Capacity: s.Capacity, Floor: string(s.Floor), FitToDance: s.FitToDance, InstantBook: s.InstantBook,
			CommunityPencePerHour: s.CommunityPencePerHour,
		}}
	}
	b, err := json.Marshal(geo.FeatureCollection(features, next))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var awkwardStrings = []string{
	"", "Studio 1", "Café Hall", "<b>&amp;</b>", `quote " and \ backslash`, "tab\there", "new\nline", "\x00\x01\x1f\x7f",
	"\xff\xfe invalid", "line\u2028sep\u2029para", "emoji 💃", "ünïcödé", "a/b", "\u00a0nbsp", "日本語のスタジオ",
}

func TestAppendSpacesCollectionIsJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	floats := []float64{0, 0.1218, -0.0001, 52.2053, -179.999999, 1e-7, -3e-9, 1e21, 123456789.123, 0.000001, 5e-324}
	pick := func() string { return awkwardStrings[r.IntN(len(awkwardStrings))] }
	for n := range 300 {
		spaces := make([]matching.NearbySpace, r.IntN(6))
		for i := range spaces {
			s := &spaces[i]
			s.ID, s.Name, s.VenueID, s.VenueName, s.OrganisationID = pick(), pick(), pick(), pick(), pick()
			s.Kind, s.Floor = matching.SpaceKind(pick()), matching.Floor(pick())
			s.Location = orb.Point{floats[r.IntN(len(floats))], floats[r.IntN(len(floats))]}
			s.DistanceM = floats[r.IntN(len(floats))] * 1000
			s.Capacity, s.FitToDance, s.InstantBook = r.IntN(2000)-5, r.IntN(6), r.IntN(2) == 0
			if r.IntN(2) == 0 {
				p := r.IntN(100000)
				s.CommunityPencePerHour = &p
			}
		}
		var next *string
		if r.IntN(2) == 0 {
			c := pick()
			next = &c
		}
		want := viaJSON(t, spaces, next)
		if got := appendSpacesCollection(nil, spaces, next); !bytes.Equal(got, want) {
			t.Fatalf("case %d:\n got %s\nwant %s", n, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range awkwardStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

// BenchmarkAppendSpacesCollection encodes a nearby answer of 50 spaces
// with realistic names and UUIDs.
func BenchmarkAppendSpacesCollection(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	id := func() string {
		const hex = "0123456789abcdef"
		var u [36]byte
		for i := range u {
			u[i] = hex[r.IntN(16)]
		}
		u[8], u[13], u[18], u[23] = '-', '-', '-', '-'
		return string(u[:])
	}
	spaces := make([]matching.NearbySpace, 50)
	for i := range spaces {
		p := 1500 + r.IntN(3000)
		spaces[i] = matching.NearbySpace{ID: id(), Name: "Studio " + string(rune('A'+i%26)), VenueID: id(),
			VenueName: "Mill Road Community Centre", OrganisationID: id(), Kind: "studio", Floor: "sprung",
			Location: orb.Point{-0.12 + r.Float64()/10, 51.5 + r.Float64()/10}, DistanceM: r.Float64() * 5000,
			Capacity: 10 + r.IntN(90), FitToDance: r.IntN(6), InstantBook: r.IntN(2) == 0, CommunityPencePerHour: &p}
	}
	next := "eyJxIjoiL3YxL25lYXJieSJ9"
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = appendSpacesCollection(buf[:0], spaces, &next)
	}
	b.SetBytes(int64(len(buf)))
}

// TestPlainWord holds the eight-byte test to the byte table on words made
// of every byte value next to the borders that matter.
func TestPlainWord(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	edges := []byte{0, 1, 0x1f, 0x20, 0x21, '"', '#', '%', '&', '\'', ';', '<', '=', '>', '?', '[', '\\', ']', 'a', 0x7e, 0x7f, 0x80, 0xff}
	for range 200000 {
		var w [8]byte
		for i := range w {
			if r.IntN(3) == 0 {
				w[i] = byte(r.IntN(256))
			} else if r.IntN(2) == 0 {
				w[i] = edges[r.IntN(len(edges))]
			} else {
				w[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		want := true
		for _, c := range w {
			want = want && byteKind[c] == 0
		}
		if got := plainWord(string(w[:])); got != want {
			t.Fatalf("plainWord(%q) = %v, want %v", w, got, want)
		}
	}
}
