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
		features[i] = geo.Feature{Point: s.Location, Properties: spaceProps{
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
