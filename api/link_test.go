package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"commonground/store"
)

var linkNextRe = regexp.MustCompile(`^<([^>]*)>; rel="next"$`)

// TestLinkNext checks that every non-null next_cursor comes with
// Link: <…>; rel="next", the same query with that cursor, and that
// following the links walks the same list as following the cursors.
func TestLinkNext(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		_, token := s.registerAt(t, "Link Dance", cLat, cLon)
		s.registerAt(t, "Link Youth", cLat+0.01, cLon)
		for i := range 3 {
			venueID := s.venue(t, token, fmt.Sprintf("Link Hall %d", i), cLat+float64(i)*0.001, cLon)
			s.space(t, token, venueID, spaceBody(fmt.Sprintf("Link Studio %d", i)))
		}
		near := fmt.Sprintf("lat=%v&lon=%v&radius_km=5", cLat, cLon)
		for _, path := range []string{
			"/v1/venues?limit=1",
			fmt.Sprintf("/v1/venues?near=%v,%v&radius_km=5&limit=2", cLat, cLon),
			"/v1/spaces?limit=2",
			"/v1/organisations?limit=1",
			"/v1/nearby?" + near + "&kind=spaces&limit=1",
			"/v1/nearby?" + near + "&kind=venues&limit=2",
		} {
			t.Run(path, func(t *testing.T) {
				first, err := url.Parse(path)
				if err != nil {
					t.Fatal(err)
				}
				var viaLinks []string
				next, pages := path, 0
				for next != "" {
					if pages++; pages > 10 {
						t.Fatalf("more than 10 pages")
					}
					status, h, m := s.do(t, "GET", next, "", nil)
					wantStatus(t, next, status, http.StatusOK, m)
					items, _ := m["items"].([]any)
					if items == nil {
						items, _ = m["features"].([]any)
					}
					for _, it := range items {
						item := it.(map[string]any)
						if props, ok := item["properties"].(map[string]any); ok { // a GeoJSON feature
							item = props
						}
						viaLinks = append(viaLinks, fmt.Sprint(item["id"]))
					}
					cur, _ := m["next_cursor"].(string)
					link := h.Get("Link")
					if cur == "" {
						if link != "" {
							t.Errorf("GET %s: Link %q with no next_cursor", next, link)
						}
						break
					}
					sub := linkNextRe.FindStringSubmatch(link)
					if sub == nil {
						t.Fatalf("GET %s: Link %q, want <…>; rel=\"next\" beside next_cursor", next, link)
					}
					u, err := url.Parse(sub[1])
					if err != nil {
						t.Fatalf("Link target %q: %v", sub[1], err)
					}
					q, want := u.Query(), first.Query()
					if got := q.Get("cursor"); got != cur {
						t.Errorf("Link cursor: got %q, want next_cursor %q", got, cur)
					}
					want.Set("cursor", cur)
					if u.Path != first.Path || q.Encode() != want.Encode() {
						t.Errorf("Link: got %s, want %s?%s", u, first.Path, want.Encode())
					}
					next = u.String()
				}
				if pages < 2 {
					t.Errorf("one page only: the test wants several")
				}
				if hasDuplicates(viaLinks) {
					t.Errorf("walking the links repeats items: %v", viaLinks)
				}
				if first.Path != "/v1/nearby" {
					viaCursors, _ := s.walk(t, path)
					if !slices.Equal(viaLinks, viaCursors) {
						t.Errorf("walking the links: got %v, want %v as the cursors give", viaLinks, viaCursors)
					}
				}
			})
		}

		// Lists behind a token: bookings and partnerships have no second
		// page here, so no Link.
		_, h, _ := s.send(t, request{method: "GET", path: "/v1/bookings?limit=1", token: token})
		if link := h.Get("Link"); link != "" {
			t.Errorf("GET /v1/bookings with one page: Link %q, want none", link)
		}
	})
}
