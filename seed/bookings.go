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
	r := newRand(seed + 11)
	zones := make(map[string]string, len(ds.Venues))
	for _, v := range ds.Venues {
		zones[v.ID] = v.Timezone
	}
	from := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	var out []matching.BookingRequest
	instant := 0
	for i := range ds.Spaces {
		sp := &ds.Spaces[i]
		if !sp.InstantBook || len(sp.OpeningHours) == 0 {
			continue
		}
		instant++
		if instant%10 != 1 || len(out) >= limit {
			continue
		}
		h := sp.OpeningHours[0]
		if h.Closes-h.Opens < 120 {
			continue
		}
		w := matching.Weekly{Day: h.Day, Start: h.Opens + 60, End: h.Opens + 120, From: from, Count: 6, Timezone: zones[sp.VenueID]}
		sessions, err := w.Expand()
		if err != nil {
			continue
		}
		booker := ds.Organisations[r.IntN(len(ds.Organisations))].ID
		if booker == sp.OrganisationID {
			continue
		}
		out = append(out, matching.BookingRequest{SpaceID: sp.ID, OrganisationID: booker, Purpose: "Weekly class",
			Sessions: sessions, SkipConflicts: true})
	}
	return out
}
