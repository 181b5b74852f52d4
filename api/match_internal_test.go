package api

import (
	"strings"
	"testing"
)

// FuzzWantsGeoJSON reads arbitrary Accept headers: never a panic, and
// GeoJSON only when the header names it.
func FuzzWantsGeoJSON(f *testing.F) {
	for _, s := range []string{"", "application/geo+json", "application/json", "*/*", "application/geo+json;q=0",
		"application/json;q=0.5, application/geo+json", "application/geo+json;q=0.2, */*", "APPLICATION/GEO+JSON; Q=1",
		"application/geo+json;q=x", ";;;,,,", "application/geo+json;q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		if wantsGeoJSON(accept) && !strings.Contains(strings.ToLower(accept), "application/geo+json") {
			t.Fatalf("Accept %q: GeoJSON without naming it", accept)
		}
	})
}

func TestWantsGeoJSON(t *testing.T) {
	for accept, want := range map[string]bool{
		"": false, "application/json": false, "*/*": false, "application/geo+json": true,
		"application/geo+json;q=0": false, "application/json, application/geo+json;q=0.5": false,
		"application/geo+json, application/json;q=0.9": true, "application/geo+json;q=0.2, */*;q=0.1": true,
		"Application/Geo+JSON": true,
	} {
		if got := wantsGeoJSON(accept); got != want {
			t.Errorf("wantsGeoJSON(%q) = %v, want %v", accept, got, want)
		}
	}
}

// FuzzDecodeCursor reads arbitrary cursors: never a panic, and one taken
// encodes back to itself.
func FuzzDecodeCursor(f *testing.F) {
	d, s := 12.5, 0.75
	for _, c := range []string{"", "x", cursor{Query: "q", ID: "00000000-0000-4000-8000-000000000001", DistanceM: &d, Score: &s}.encode(),
		cursor{Query: "q", ID: "a"}.encode(), "eyJxIjoiIiwiaSI6IngiLCJkIjotMSwicyI6Mn0"} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := decodeCursor(s)
		if !ok {
			return
		}
		again, ok := decodeCursor(c.encode())
		if !ok || again.Query != c.Query || again.ID != c.ID {
			t.Fatalf("cursor %q decoded to %+v, which does not encode back", s, c)
		}
	})
}
