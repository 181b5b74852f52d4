package matching_test

import (
	"math/rand/v2"
	"slices"
	"time"

	"commonground/matching"
)

// changes makes a change set at revision 2 and applies it to the world:
// the rest of the bookings, replaced and cleared bookings, updated and
// moved spaces, moved venues, updated organisations, and deletes — among
// them a venue whose room moved out just before, and an organisation
// whose venue passed to another.
func (w *oracleWorld) changes(r *rand.Rand, spaceIDs []string, later map[string][]matching.Session) *matching.ChangeSet {
	cs := &matching.ChangeSet{Revision: 2, Bookings: later}
	orgIDs, venueIDs := sortedKeys(w.orgs), sortedKeys(w.venues)
	spacesOf := map[string][]string{}
	for _, id := range spaceIDs {
		spacesOf[w.spaces[id].VenueID] = append(spacesOf[w.spaces[id].VenueID], id)
	}
	venuesOf := map[string][]string{}
	for _, id := range venueIDs {
		venuesOf[w.venues[id].OrganisationID] = append(venuesOf[w.venues[id].OrganisationID], id)
	}

	// What goes.
	goneOrg, goneVenue, goneSpace := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, id := range orgIDs {
		if r.Float64() < 0.01 && !slices.Contains(w.requesters, id) {
			goneOrg[id] = true
			for _, v := range venuesOf[id] {
				goneVenue[v] = true
			}
		}
	}
	for _, id := range venueIDs {
		if r.Float64() < 0.01 {
			goneVenue[id] = true
		}
	}
	for _, v := range venueIDs {
		if goneVenue[v] {
			for _, s := range spacesOf[v] {
				goneSpace[s] = true
			}
		}
	}
	for _, id := range spaceIDs {
		if r.Float64() < 0.01 {
			goneSpace[id] = true
		}
	}
	var keptVenues []string
	for _, id := range venueIDs {
		if !goneVenue[id] {
			keptVenues = append(keptVenues, id)
		}
	}
	upSpace := map[string]bool{}
	upVenue := map[string]bool{}
	moveSpace := func(id string) {
		s := w.spaces[id]
		v := w.venues[keptVenues[r.IntN(len(keptVenues))]]
		s.VenueID, s.OrganisationID, s.Location = v.ID, v.OrganisationID, v.Location
		goneSpace[id] = false
		upSpace[id] = true
	}
	// Rooms rescued from deleted venues, and venues from deleted owners.
	rescued := 0
	for _, v := range venueIDs {
		if goneVenue[v] && len(spacesOf[v]) > 0 && rescued < 3 {
			moveSpace(spacesOf[v][0])
			rescued++
		}
	}
	var keptOrgs []string
	for _, id := range orgIDs {
		if !goneOrg[id] {
			keptOrgs = append(keptOrgs, id)
		}
	}
	passed := 0
	for _, o := range orgIDs {
		if goneOrg[o] && len(venuesOf[o]) > 0 && passed < 2 {
			v := w.venues[venuesOf[o][0]]
			v.OrganisationID = keptOrgs[r.IntN(len(keptOrgs))]
			goneVenue[v.ID] = false
			upVenue[v.ID] = true
			for _, s := range spacesOf[v.ID] {
				goneSpace[s] = false
				w.spaces[s].OrganisationID = v.OrganisationID
				upSpace[s] = true
			}
			passed++
		}
	}
	for _, id := range spaceIDs {
		switch x := r.Float64(); {
		case goneSpace[id]:
		case x < 0.05:
			perturbSpace(r, w.tax, w.spaces[id])
			upSpace[id] = true
		case x < 0.06 && len(keptVenues) > 0:
			moveSpace(id)
		}
	}
	for _, id := range venueIDs {
		if goneVenue[id] || r.Float64() >= 0.03 {
			continue
		}
		v := w.venues[id]
		switch r.IntN(3) {
		case 0:
			v.Location = offsetKm(v.Location, r.Float64()*10-5, r.Float64()*10-5)
		case 1:
			v.Accessibility = matching.Accessibility{StepFree: r.IntN(2) == 0, AccessibleToilet: r.IntN(2) == 0,
				HearingLoop: r.IntN(2) == 0, Parking: r.IntN(2) == 0}
		default:
			v.OrganisationID = keptOrgs[r.IntN(len(keptOrgs))]
		}
		upVenue[id] = true
		for _, s := range spacesOf[id] {
			if sp := w.spaces[s]; !goneSpace[s] && sp.VenueID == id {
				sp.Location, sp.OrganisationID = v.Location, v.OrganisationID
				if r.IntN(2) == 0 { // sent with its venue, or not at all
					upSpace[s] = true
				}
			}
		}
	}
	for id := range upVenue {
		w.touched = append(w.touched, id)
	}
	for id := range upSpace {
		w.touched = append(w.touched, w.spaces[id].VenueID)
	}
	slices.Sort(w.touched)
	for _, id := range keptOrgs {
		if r.Float64() < 0.03 {
			perturbOrg(r, w.orgs[id])
			cs.Organisations = append(cs.Organisations, *w.orgs[id])
		}
	}
	for _, id := range venueIDs {
		if upVenue[id] {
			cs.Venues = append(cs.Venues, *w.venues[id])
		}
	}
	for _, id := range spaceIDs {
		if upSpace[id] {
			cs.Spaces = append(cs.Spaces, *w.spaces[id])
		}
	}
	for _, id := range sortedKeys(w.booked) {
		if _, ok := later[id]; ok || goneSpace[id] {
			continue
		}
		switch x := r.Float64(); {
		case x < 0.05:
			w.booked[id] = randomBookings(r)
			later[id] = w.booked[id]
		case x < 0.08:
			delete(w.booked, id)
			later[id] = nil
		}
	}

	// Deletes, and the world after them.
	for _, id := range orgIDs {
		if goneOrg[id] {
			cs.DeletedOrganisations = append(cs.DeletedOrganisations, id)
			delete(w.orgs, id)
		}
	}
	for _, id := range venueIDs {
		if goneVenue[id] {
			if !goneOrg[w.venues[id].OrganisationID] || r.IntN(2) == 0 {
				cs.DeletedVenues = append(cs.DeletedVenues, id)
			}
			delete(w.venues, id)
		}
	}
	for _, id := range spaceIDs {
		if goneSpace[id] {
			if w.venues[w.spaces[id].VenueID] != nil || r.IntN(2) == 0 {
				cs.DeletedSpaces = append(cs.DeletedSpaces, id)
			}
			delete(w.spaces, id)
			delete(w.booked, id)
		}
	}
	return cs
}

// oracleRequest draws a random request near a random venue of the world.
func oracleRequest(r *rand.Rand, w *oracleWorld, venueIDs []string, orgIDs []string) *matching.VenueRequest {
	v := w.venues[venueIDs[r.IntN(len(venueIDs))]]
	if r.IntN(4) == 0 {
		if t := w.venues[w.touched[r.IntN(len(w.touched))]]; t != nil {
			v = t
		}
	}
	acts := activitySlugs(w.tax)
	req := &matching.VenueRequest{
		Near:      offsetKm(v.Location, r.Float64()*6-3, r.Float64()*6-3),
		RadiusKm:  2 + r.Float64()*28,
		GroupSize: 1 + r.IntN(60),
		Activity:  acts[r.IntN(len(acts))],
		Tier:      []matching.Tier{"", "community", "standard", "commercial"}[r.IntN(4)],
		Limit:     []int{0, 1, 5, 20, 100, 1 + r.IntN(100)}[r.IntN(6)],
	}
	if r.IntN(3) == 0 {
		req.GroupSize = 1 + r.IntN(15)
	}
	if r.IntN(2) == 0 {
		req.MaxPencePerHour = 500 + 100*r.IntN(56)
	}
	rq := &req.Requirements
	for _, f := range []*bool{&rq.StepFree, &rq.AccessibleToilet, &rq.HearingLoop, &rq.Parking, &rq.ChangingRooms,
		&rq.SprungFloor, &rq.Mirrors, &rq.Barres, &rq.SoundSystem, &rq.ClimateControl, &rq.NoObstructions} {
		*f = r.Float64() < 0.07
	}
	if r.Float64() < 0.1 {
		rq.MinCeilingM = 2.5 + float64(r.IntN(26))/10
	}
	switch r.IntN(4) {
	case 0:
		req.OrganisationID = w.requesters[r.IntN(len(w.requesters))]
	case 1:
		req.OrganisationID = orgIDs[r.IntN(len(orgIDs))]
	}
	req.RequireAllSessions = r.IntN(2) == 0
	req.Sessions = oracleSessions(r)
	// The activities with rules of their own, more often than the
	// taxonomy's share, and outdoor spaces allowed half the time.
	if r.IntN(4) == 0 {
		req.Activity = []string{"tap", "flamenco", "irish", "aerial", "ballet", "folk", "hip-hop"}[r.IntN(7)]
		if req.Activity == "aerial" && r.IntN(2) == 0 {
			req.GroupSize = 1 + r.IntN(6)
		}
	}
	req.AllowOutdoor = r.IntN(2) == 0
	req.Now = oracleNow(r, req.Sessions)
	return req
}

// oracleNow is a random time from about 400 days before the first session
// to 10 days after it, so that some sessions lie past some spaces'
// booking horizons; a quarter of the time zero (no horizon).
func oracleNow(r *rand.Rand, sessions []matching.Session) time.Time {
	if r.IntN(4) == 0 {
		return time.Time{}
	}
	first := sessions[0].Start
	for _, s := range sessions {
		if s.Start.Before(first) {
			first = s.Start
		}
	}
	days := r.IntN(r.IntN(400)+1) - 10
	return first.Add(-time.Duration(days)*24*time.Hour - time.Duration(r.IntN(24*60))*time.Minute)
}

func oracleSessions(r *rand.Rand) []matching.Session {
	switch r.IntN(4) {
	case 0: // a list
		var out []matching.Session
		n := 1 + r.IntN(12)
		if r.IntN(8) == 0 { // more sessions than one word of a set holds
			n = 80 + r.IntN(matching.MaxSessions-79)
		}
		for range n {
			s := randomPeriod(r, 6, 23, 8)
			if r.IntN(20) == 0 { // past midnight
				s.End = s.Start.Add(time.Duration(2+r.IntN(3)) * time.Hour)
			}
			if !slices.ContainsFunc(out, s.Overlaps) {
				out = append(out, s)
			}
		}
		return out
	case 1: // across a clock change
		from := []time.Time{time.Date(2027, 3, 9, 0, 0, 0, 0, time.UTC), time.Date(2027, 10, 19, 0, 0, 0, 0, time.UTC)}[r.IntN(2)]
		start := matching.ClockTime(16*60 + 30*r.IntN(8))
		return mustExpand(matching.Weekly{Day: matching.Days[r.IntN(7)], Start: start, End: start + matching.ClockTime(60*(1+r.IntN(2))),
			From: from, Count: 6, Timezone: "Europe/London"})
	default: // a weekly series
		start := matching.ClockTime(6*60 + 30*r.IntN(34))
		end := min(start+matching.ClockTime(30*(1+r.IntN(6))), 1440)
		tz := "Europe/London"
		if r.IntN(8) == 0 {
			tz = oracleZones[r.IntN(len(oracleZones))]
		}
		d := randomDay(r)
		count := 1 + r.IntN(20)
		if r.IntN(10) == 0 { // more sessions than one word of a set holds
			count = 60 + r.IntN(matching.MaxWeeklyCount-59)
		}
		return mustExpand(matching.Weekly{Day: matching.Days[r.IntN(7)], Start: start, End: end,
			From: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), Count: count, Timezone: tz})
	}
}

func mustExpand(w matching.Weekly) []matching.Session {
	s, err := w.Expand()
	if err != nil {
		panic(err)
	}
	return s
}
