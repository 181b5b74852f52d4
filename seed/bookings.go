package seed

import (
	"time"

	"commonground/matching"
)

// DemoBookings gives some of the demo county's instant-book spaces a
// weekly booking for the coming weeks, so calendars and matching show
// booked sessions from the start: for every tenth instant space, up to
// limit, an hour a week for six weeks from tomorrow, an hour after its
// first opening period of the week opens (when that period is at least
// two hours long), booked by another organisation, skipping sessions that
// a closure or another booking takes. The same dataset, seed number and
// day give the same requests.
func DemoBookings(ds *Dataset, seed int64, now time.Time, limit int) []matching.BookingRequest {
	return demoWeekly(ds, seed+11, now, limit, true, 6, "Weekly class")
}

// DemoRequests asks, as DemoBookings does but for one session, for some
// of the spaces whose owners approve each booking: requests waiting in
// their owners' dashboards.
func DemoRequests(ds *Dataset, seed int64, now time.Time, limit int) []matching.BookingRequest {
	return demoWeekly(ds, seed+12, now, limit, false, 1, "Taster session for a youth dance group")
}

func demoWeekly(ds *Dataset, seed int64, now time.Time, limit int, instant bool, count int, purpose string) []matching.BookingRequest {
	r := newRand(seed)
	zones := make(map[string]string, len(ds.Venues))
	for _, v := range ds.Venues {
		zones[v.ID] = v.Timezone
	}
	from := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	var out []matching.BookingRequest
	seen := 0
	for i := range ds.Spaces {
		sp := &ds.Spaces[i]
		if sp.InstantBook != instant || len(sp.OpeningHours) == 0 {
			continue
		}
		seen++
		if seen%10 != 1 || len(out) >= limit {
			continue
		}
		h := sp.OpeningHours[0]
		if h.Closes-h.Opens < 120 {
			continue
		}
		w := matching.Weekly{Day: h.Day, Start: h.Opens + 60, End: h.Opens + 120, From: from, Count: count, Timezone: zones[sp.VenueID]}
		sessions, err := w.Expand()
		if err != nil {
			continue
		}
		booker := ds.Organisations[r.IntN(len(ds.Organisations))].ID
		if booker == sp.OrganisationID {
			continue
		}
		out = append(out, matching.BookingRequest{SpaceID: sp.ID, OrganisationID: booker, Purpose: purpose,
			Sessions: sessions, SkipConflicts: true})
	}
	return out
}
