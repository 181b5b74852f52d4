package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"commonground/store"
)

// freeQuery is the free_from/free_until part of a nearby query.
func freeQuery(from, until string) string {
	return "&free_from=" + url.QueryEscape(from) + "&free_until=" + url.QueryEscape(until)
}

func TestNearbyFreeWindow(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		b := newBookable(t, s, true) // open Mondays 09:00–17:30 and 18:00–22:00 London time
		status, _, raw := s.book(t, b.bookerToken, b.space.ID, one("2027-01-11T18:00:00Z", "2027-01-11T20:00:00Z"), nil)
		wantStatus(t, "book", status, http.StatusCreated, string(raw))
		s.catchUp(t)
		for _, c := range []struct {
			name, from, until string
			want              []string
		}{
			{"overlapping the booking", "2027-01-11T19:00:00Z", "2027-01-11T21:00:00Z", nil},
			{"overlapping by one minute", "2027-01-11T19:59:00Z", "2027-01-11T22:00:00Z", nil},
			{"after the booking", "2027-01-11T20:00:00Z", "2027-01-11T22:00:00Z", []string{b.space.ID}},
			{"a week later", "2027-01-18T18:00:00Z", "2027-01-18T20:00:00Z", []string{b.space.ID}},
			{"in an offset", "2027-01-11T10:00:00+01:00", "2027-01-11T11:00:00+01:00", []string{b.space.ID}},
			{"between opening periods", "2027-01-11T17:00:00Z", "2027-01-11T18:30:00Z", nil},
			{"on a closed Tuesday", "2027-01-12T10:00:00Z", "2027-01-12T11:00:00Z", nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				for _, limit := range []string{"", "&limit=1"} {
					ids := featureIDs(s.walkNearby(t, cLat, cLon, 5, "&kind=spaces"+freeQuery(c.from, c.until)+limit))
					if !slices.Equal(ids, c.want) {
						t.Errorf("limit %q: got %v, want %v", limit, ids, c.want)
					}
				}
			})
		}
		t.Run("other filters", func(t *testing.T) {
			free := freeQuery("2027-01-11T20:00:00Z", "2027-01-11T22:00:00Z")
			for _, c := range []struct {
				query string
				want  []string
			}{
				{"&activity=tap", []string{b.space.ID}}, // newBookable prohibits nothing, on a sprung floor
				{"&activity=aerial", nil},               // and has no rigging
				{"&min_capacity=30", []string{b.space.ID}},
				{"&min_capacity=31", nil},
				{"&min_stars=0", []string{b.space.ID}},
				{fmt.Sprintf("&min_stars=%d", b.space.FitToDance), []string{b.space.ID}},
			} {
				if ids := featureIDs(s.walkNearby(t, cLat, cLon, 5, free+c.query)); !slices.Equal(ids, c.want) {
					t.Errorf("%s: got %v, want %v", c.query, ids, c.want)
				}
			}
			if b.space.FitToDance < 5 {
				q := fmt.Sprintf("&min_stars=%d", b.space.FitToDance+1)
				if ids := featureIDs(s.walkNearby(t, cLat, cLon, 5, q)); len(ids) != 0 {
					t.Errorf("%s: got %v, want none", q, ids)
				}
			}
		})
	})
}

func TestNearbyFreeBadParameters(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		base := "/v1/nearby?lat=52.2&lon=0.12"
		ok := freeQuery("2027-01-11T18:00:00Z", "2027-01-11T20:00:00Z")
		for _, c := range []struct {
			name, query, field, message string
		}{
			{"bad time", freeQuery("2027-01-11 18:00", "2027-01-11T20:00:00Z"), "free_from", "RFC 3339"},
			{"date only", freeQuery("2027-01-11T18:00:00Z", "2027-01-12"), "free_until", "RFC 3339"},
			{"only free_from", "&free_from=2027-01-11T18:00:00Z", "free_until", "required with free_from"},
			{"only free_until", "&free_until=2027-01-11T18:00:00Z", "free_from", "required with free_until"},
			{"until before from", freeQuery("2027-01-11T20:00:00Z", "2027-01-11T18:00:00Z"), "free_until", "after free_from"},
			{"until equal to from", freeQuery("2027-01-11T20:00:00Z", "2027-01-11T20:00:00Z"), "free_until", "after free_from"},
			{"more than 14 days", freeQuery("2027-01-11T18:00:00Z", "2027-01-25T18:00:01Z"), "free_until", "at most 14 days"},
			{"unknown activity", "&activity=underwater-tango", "activity", "unknown activity"},
			{"min_capacity 0", "&min_capacity=0", "min_capacity", "between 1"},
			{"min_stars 6", "&min_stars=6", "min_stars", "between 0 and 5"},
			{"min_stars -1", "&min_stars=-1", "min_stars", "between 0 and 5"},
			{"window with kind=venues", "&kind=venues" + ok, "free_from", "kind=spaces"},
			{"free_until with kind=venues", "&kind=venues" + ok, "free_until", "kind=spaces"},
			{"min_stars with kind=organisations", "&kind=organisations&min_stars=3", "min_stars", "kind=spaces"},
			{"min_capacity with kind=venues", "&kind=venues&min_capacity=3", "min_capacity", "kind=spaces"},
			{"activity with kind=offers", "&kind=offers&activity=aerial", "activity", "kind=spaces"},
		} {
			t.Run(c.name, func(t *testing.T) {
				status, _, m := s.do(t, "GET", base+c.query, "", nil)
				wantStatus(t, c.query, status, http.StatusBadRequest, m)
				if msg, _ := fieldMessage(problem(t, m), c.field); !strings.Contains(msg, c.message) {
					t.Errorf("got %s message %q, want one containing %q (problem %v)", c.field, msg, c.message, m)
				}
			})
		}
		t.Run("exactly 14 days", func(t *testing.T) {
			status, _, m := s.do(t, "GET", base+freeQuery("2027-01-11T18:00:00Z", "2027-01-25T18:00:00Z"), "", nil)
			wantStatus(t, "14 days", status, http.StatusOK, m)
		})
	})
}

// TestNearbyFreePaging walks a filtered set a few spaces a page: every
// free space comes once, the booked ones never, and a cursor from one
// window is refused by another.
func TestNearbyFreePaging(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		_, owner := s.registerAt(t, "Mill Road Trust", cLat, cLon)
		_, booker := s.registerAt(t, "Fen Dance", cLat, cLon)
		var free, all []string
		for v := range 3 {
			venue := s.venue(t, owner, fmt.Sprintf("Venue %d", v), cLat+0.004*float64(v), cLon+0.003*float64(v))
			for i := range 3 {
				sp := s.space(t, owner, venue, with(spaceBody(fmt.Sprintf("Room %d.%d", v, i)), "prohibited_activities", []string{}))
				all = append(all, sp.ID)
				if (v+i)%3 == 1 {
					status, _, raw := s.book(t, booker, sp.ID, one("2027-01-11T19:00:00Z", "2027-01-11T21:00:00Z"), nil)
					wantStatus(t, "book "+sp.Name, status, http.StatusCreated, string(raw))
				} else {
					free = append(free, sp.ID)
				}
			}
		}
		s.catchUp(t)
		window := freeQuery("2027-01-11T18:00:00Z", "2027-01-11T20:00:00Z")
		for _, limit := range []string{"", "&limit=1", "&limit=2", "&limit=4"} {
			ids := featureIDs(s.walkNearby(t, cLat, cLon, 5, window+limit))
			if !sameSet(ids, free) || hasDuplicates(ids) {
				t.Errorf("limit %q: got %d %v, want %d %v", limit, len(ids), ids, len(free), free)
			}
			later := featureIDs(s.walkNearby(t, cLat, cLon, 5, freeQuery("2027-01-11T21:00:00Z", "2027-01-11T22:00:00Z")+limit))
			if !sameSet(later, all) || hasDuplicates(later) {
				t.Errorf("after the bookings, limit %q: got %d %v, want %d %v", limit, len(later), later, len(all), all)
			}
		}

		first := fmt.Sprintf("lat=%v&lon=%v&radius_km=5&limit=2", cLat, cLon)
		status, _, fc := s.nearby(t, first+window, nil)
		wantStatus(t, "first page", status, http.StatusOK, fc)
		if fc.NextCursor == nil {
			t.Fatalf("first page: no next_cursor")
		}
		for _, other := range []string{
			freeQuery("2027-01-11T18:00:00Z", "2027-01-11T20:30:00Z"),
			window + "&min_stars=1",
			"",
		} {
			status, _, m := s.do(t, "GET", "/v1/nearby?"+first+other+"&cursor="+*fc.NextCursor, "", nil)
			wantStatus(t, "cursor with "+other, status, http.StatusBadRequest, m)
			if msg, _ := fieldMessage(problem(t, m), "cursor"); !strings.Contains(msg, "different query") {
				t.Errorf("cursor with %q: got message %q", other, msg)
			}
		}
		status, h, _ := s.nearby(t, first+window+"&cursor="+*fc.NextCursor, nil)
		wantStatus(t, "second page", status, http.StatusOK, nil)
		status, _, _ = s.nearby(t, first+window+"&cursor="+*fc.NextCursor, map[string]string{"If-None-Match": h.Get("ETag")})
		if status != http.StatusNotModified {
			t.Errorf("second page with its ETag: got %d, want 304", status)
		}
	})
}
