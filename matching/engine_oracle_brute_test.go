package matching_test

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"commonground/geo"
	"commonground/matching"
)

// The brute force.

// profileFor is the activity's profile: DefaultActivityProfiles, or for
// an activity without one the engine's fallback (3 m² per dancer, no
// ceiling, not on carpet: activity.go).
func profileFor(activity string) matching.ActivityProfile {
	if p, ok := matching.DefaultActivityProfiles[activity]; ok {
		return p
	}
	return matching.ActivityProfile{MinAreaPerDancerM2: 3, UnsuitableFloors: []matching.Floor{matching.FloorCarpet}}
}

// bruteSpace is one space within twice the radius, as the brute force
// sees it.
type bruteSpace struct {
	id        string
	distM     float64
	failures  []string // every reason it fails, in ExclusionOrder
	free      int
	conflicts []matching.SessionConflict
	score     float64 // unrounded
	rounded   float64
}

type bruteResult struct {
	matches  []*bruteSpace // sorted
	byID     map[string]*bruteSpace
	excluded map[string]int
	// helperDiffs are sessions where Space.Unavailability and the check
	// by hand disagree.
	helperDiffs []string
}

func bruteMatch(w *oracleWorld, req *matching.VenueRequest) *bruteResult {
	res := &bruteResult{byID: map[string]*bruteSpace{}, excluded: map[string]int{}}
	radiusM := req.RadiusKm * 1000
	prof := profileFor(req.Activity)
	tier := req.Tier
	if tier == "" {
		tier = "standard"
	}
	var requester *matching.Organisation
	if req.OrganisationID != "" {
		requester = w.orgs[req.OrganisationID]
	}
	wt := matching.DefaultVenueWeights
	sum := wt.FitToDance + wt.Distance + wt.Room + wt.Price + wt.Extras + wt.Availability
	for id, s := range w.spaces {
		v := w.venues[s.VenueID]
		owner := w.orgs[v.OrganisationID]
		d := geo.DistanceM(req.Near, v.Location)
		if d > 2*radiusM {
			continue
		}
		b := &bruteSpace{id: id, distM: d}
		fail := func(reason string, failed bool) {
			if failed && !slices.Contains(b.failures, reason) {
				b.failures = append(b.failures, reason)
			}
		}
		fail(matching.ExcludedTooFar, d > radiusM)
		fail(matching.ExcludedValuesConflict, requester != nil && !w.tax.Compatible(requester, owner))
		fail(matching.ExcludedTooSmall, s.Capacity < req.GroupSize || s.FloorAreaM2 < float64(req.GroupSize)*prof.MinAreaPerDancerM2)
		fail(matching.ExcludedActivityNotAllowed, breaksActivityRule(s, req.Activity, req.GroupSize, req.AllowOutdoor))
		rq := req.Requirements
		a := v.Accessibility
		fail(matching.ExcludedRequirementUnmet, (rq.StepFree && !a.StepFree) || (rq.AccessibleToilet && !a.AccessibleToilet) ||
			(rq.HearingLoop && !a.HearingLoop) || (rq.Parking && !a.Parking) || (rq.ChangingRooms && !s.ChangingRooms) ||
			(rq.SprungFloor && s.Floor != matching.FloorSprung && s.Floor != matching.FloorSemiSprung) ||
			(rq.Mirrors && !s.Mirrors) || (rq.Barres && !s.Barres) || (rq.SoundSystem && !s.SoundSystem) ||
			(rq.ClimateControl && !s.ClimateControl) || (rq.NoObstructions && s.Obstructions) ||
			(rq.MinCeilingM > 0 && s.CeilingHeightM < rq.MinCeilingM))
		price, priced := s.PriceFor(tier)
		fail(matching.ExcludedOverBudget, req.MaxPencePerHour > 0 && (!priced || price > req.MaxPencePerHour))
		loc := zone(v.Timezone)
		for _, sess := range req.Sessions {
			why := s.Unavailability(sess, loc, w.booked[id])
			if own := freeByHand(s, loc, w.booked[id], sess); own != (why == "") {
				res.helperDiffs = append(res.helperDiffs, fmt.Sprintf("space %s, session %s: Unavailability says %q, by hand free=%v",
					id, sess.Start.In(loc).Format(time.RFC3339), why, own))
			}
			// The booking horizon comes first: booking refuses such a
			// session whatever else holds.
			if pastHorizonByHand(s, req.Now, sess) {
				why = matching.ReasonBeyondHorizon
			}
			if why != "" {
				b.conflicts = append(b.conflicts, matching.SessionConflict{Start: sess.Start, End: sess.End, Reason: why})
			} else {
				b.free++
			}
		}
		fail(matching.ExcludedUnavailable, b.free == 0 || (req.RequireAllSessions && b.free < len(req.Sessions)))
		res.byID[id] = b
		if len(b.failures) > 0 {
			res.excluded[b.failures[0]]++
			continue
		}
		// The score: the weighted soft factors (VenueWeights), weights
		// normalised to sum to 1.
		fit := float64(s.FitToDance()) / 5
		dist := clamp01(1 - d/radiusM)
		room := clamp01((s.FloorAreaM2 / float64(req.GroupSize)) / (2 * prof.MinAreaPerDancerM2))
		var pf float64
		switch {
		case !priced:
			pf = 0.5
		case req.MaxPencePerHour > 0:
			pf = clamp01(1 - float64(price)/float64(req.MaxPencePerHour))
		default:
			pf = clamp01(1 - float64(price)/6000)
		}
		extras := 0
		for _, x := range []bool{s.Mirrors, s.Barres, s.SoundSystem, s.ChangingRooms, s.ClimateControl} {
			if x {
				extras++
			}
		}
		avail := float64(b.free) / float64(len(req.Sessions))
		b.score = (wt.FitToDance*fit + wt.Distance*dist + wt.Room*room + wt.Price*pf + wt.Extras*float64(extras)/5 + wt.Availability*avail) / sum
		b.rounded = math.Round(b.score*1e6) / 1e6
		res.matches = append(res.matches, b)
	}
	slices.SortFunc(res.matches, func(a, b *bruteSpace) int {
		if c := cmp.Compare(b.rounded, a.rounded); c != 0 {
			return c
		}
		if c := cmp.Compare(a.distM, b.distM); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return res
}

// breaksActivityRule reports whether a space fails a rule of the activity
// for a group (activity.go), written out from the rules' documentation:
// the venue forbids it; the floor is unsuitable; the ceiling is too low or
// unknown indoors; the space is outdoors (marked so or of kind outdoor) and the
// request does not allow it, or its surface is unsuitable or unrecorded
// for an activity with surface rules; a tap style without a wood, sprung
// or semi-sprung floor or tap boards; aerial without rigging points that
// hold every dancer at once at the profile's load each.
func breaksActivityRule(s *matching.Space, activity string, group int, allowOutdoor bool) bool {
	prof := profileFor(activity)
	outdoor := s.Outdoor || s.Kind == "outdoor"
	if s.Prohibits(activity) || slices.Contains(prof.UnsuitableFloors, s.Floor) ||
		(!outdoor && prof.MinCeilingM > 0 && float32(s.CeilingHeightM) < float32(prof.MinCeilingM)) {
		return true
	}
	if outdoor {
		if !allowOutdoor {
			return true
		}
		if len(prof.UnsuitableSurfaces) > 0 && (s.Surface == "" || slices.Contains(prof.UnsuitableSurfaces, s.Surface)) {
			return true
		}
	}
	if prof.TapFloor && !s.TapBoards && s.Floor != matching.FloorWood && s.Floor != matching.FloorSprung && s.Floor != matching.FloorSemiSprung {
		return true
	}
	if prof.RiggingKgPerDancer > 0 {
		holds := 0
		for _, p := range s.RiggingPoints {
			for load := p.RatedLoadKg; load >= prof.RiggingKgPerDancer; load -= prof.RiggingKgPerDancer {
				holds++
			}
		}
		if holds < group {
			return true
		}
	}
	return false
}

// spaceOfView is what the activity rules read of a space as the engine
// holds it.
func spaceOfView(v matching.SpaceView) *matching.Space {
	return &matching.Space{Kind: v.Kind, Floor: v.Floor, CeilingHeightM: float64(v.CeilingHeightM),
		ProhibitedActivities: v.ProhibitedActivities, Outdoor: v.Outdoor, Surface: v.Surface, TapBoards: v.TapBoards,
		RiggingPoints: v.RiggingPoints}
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

// Independent checks of the hard constraints on one returned match.

// openLocal reports whether a session lies within one opening period,
// read as wall-clock time in loc, ending by the next local midnight.
func openLocal(hours []matching.OpeningHours, loc *time.Location, s matching.Session) bool {
	ls, le := s.Start.In(loc), s.End.In(loc)
	y, m, d := ls.Date()
	midnight := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	from := ls.Hour()*60 + ls.Minute()
	var to int
	switch {
	case le.Equal(midnight):
		to = 1440
	case le.After(midnight):
		return false
	default:
		to = le.Hour()*60 + le.Minute()
		if le.Second() > 0 || le.Nanosecond() > 0 {
			to++
		}
	}
	day := strings.ToLower(ls.Weekday().String()[:3])
	for _, h := range hours {
		if string(h.Day) == day && int(h.Opens) <= from && to <= int(h.Closes) {
			return true
		}
	}
	return false
}

func overlapsPeriod(s matching.Session, start, end time.Time) bool {
	return s.Start.Before(end) && start.Before(s.End)
}

// freeByHand reports whether a space can take a session: open, not
// closed, not booked, and no booking within the space's turnaround of it,
// by linear scans.
func freeByHand(s *matching.Space, loc *time.Location, booked []matching.Session, sess matching.Session) bool {
	if !openLocal(s.OpeningHours, loc, sess) {
		return false
	}
	for _, c := range s.Closures {
		if overlapsPeriod(sess, c.Start, c.End) {
			return false
		}
	}
	gap := time.Duration(s.TurnaroundMinutes) * time.Minute
	for _, b := range booked {
		if overlapsPeriod(sess, b.Start.Add(-gap), b.End.Add(gap)) {
			return false
		}
	}
	return true
}

// pastHorizonByHand reports whether a session starts more than the
// space's booking horizon (whole days, 365 when unset) after now; a zero
// now sets no horizon.
func pastHorizonByHand(s *matching.Space, now time.Time, sess matching.Session) bool {
	if now.IsZero() {
		return false
	}
	days := s.BookingHorizonDays
	if days <= 0 {
		days = 365
	}
	return sess.Start.Sub(now) > time.Duration(days)*24*time.Hour
}

func checkHardConstraints(w *oracleWorld, req *matching.VenueRequest, m *matching.VenueMatch) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	s := w.spaces[m.SpaceID]
	if s == nil {
		return []string{"no such space in the world (deleted?)"}
	}
	v := w.venues[s.VenueID]
	owner := w.orgs[v.OrganisationID]
	prof := profileFor(req.Activity)
	if m.VenueID != v.ID || m.OrganisationID != owner.ID || m.Location != v.Location {
		fail("venue %s, owner %s, at %v; want %s, %s, %v", m.VenueID, m.OrganisationID, m.Location, v.ID, owner.ID, v.Location)
	}
	if d := geo.DistanceM(req.Near, v.Location); d > req.RadiusKm*1000 || m.DistanceKm > req.RadiusKm+0.0005 {
		fail("%.0f m away (%.3f km), beyond %.3f km", d, m.DistanceKm, req.RadiusKm)
	}
	if s.Capacity < req.GroupSize {
		fail("holds %d, group of %d", s.Capacity, req.GroupSize)
	}
	if s.FloorAreaM2 < float64(req.GroupSize)*prof.MinAreaPerDancerM2 {
		fail("%.1f m² for %d at %.1f m² each", s.FloorAreaM2, req.GroupSize, prof.MinAreaPerDancerM2)
	}
	if slices.Contains(s.ProhibitedActivities, req.Activity) {
		fail("prohibits %s", req.Activity)
	}
	if slices.Contains(prof.UnsuitableFloors, s.Floor) {
		fail("%s floor unsuitable for %s", s.Floor, req.Activity)
	}
	if !s.IsOutdoor() && prof.MinCeilingM > 0 && s.CeilingHeightM < prof.MinCeilingM {
		fail("ceiling %.1f m below %.1f m for %s", s.CeilingHeightM, prof.MinCeilingM, req.Activity)
	}
	if breaksActivityRule(s, req.Activity, req.GroupSize, req.AllowOutdoor) {
		fail("breaks a rule of %s (outdoor %v, surface %q, floor %s, tap boards %v, rigging %v)", req.Activity,
			s.IsOutdoor(), s.Surface, s.Floor, s.TapBoards, s.RiggingPoints)
	}
	rq, a := req.Requirements, v.Accessibility
	for _, x := range []struct {
		name      string
		want, has bool
	}{{"step_free", rq.StepFree, a.StepFree}, {"accessible_toilet", rq.AccessibleToilet, a.AccessibleToilet},
		{"hearing_loop", rq.HearingLoop, a.HearingLoop}, {"parking", rq.Parking, a.Parking},
		{"changing_rooms", rq.ChangingRooms, s.ChangingRooms}, {"mirrors", rq.Mirrors, s.Mirrors}, {"barres", rq.Barres, s.Barres},
		{"sound_system", rq.SoundSystem, s.SoundSystem}, {"climate_control", rq.ClimateControl, s.ClimateControl},
		{"sprung_floor", rq.SprungFloor, s.Floor == "sprung" || s.Floor == "semi_sprung"}, {"no_obstructions", rq.NoObstructions, !s.Obstructions},
		{"min_ceiling", rq.MinCeilingM > 0, s.CeilingHeightM >= rq.MinCeilingM}} {
		if x.want && !x.has {
			fail("requirement %s unmet", x.name)
		}
	}
	if req.MaxPencePerHour > 0 {
		tier := cmp.Or(req.Tier, "standard")
		found := false
		for _, p := range s.Prices {
			if p.Tier == tier {
				found = true
				if p.PencePerHour > req.MaxPencePerHour {
					fail("%d pence an hour over a budget of %d", p.PencePerHour, req.MaxPencePerHour)
				}
			}
		}
		if !found {
			fail("no %s price under a budget", tier)
		}
	}
	if req.OrganisationID != "" {
		r := w.orgs[req.OrganisationID]
		for _, pair := range [][2]*matching.Organisation{{r, owner}, {owner, r}} {
			x, y := pair[0], pair[1]
			for _, p := range y.Practices {
				if slices.Contains(x.Exclusions, p) {
					fail("%s excludes %s, a practice of %s", x.Name, p, y.Name)
				}
				for _, val := range x.Values {
					if slices.Contains(w.tax.Conflicts, matching.Conflict{Value: val, Practice: p}) {
						fail("%s values %s; %s does %s", x.Name, val, y.Name, p)
					}
				}
			}
		}
	}
	loc, err := time.LoadLocation(v.Timezone)
	if err != nil {
		fail("zone %s: %v", v.Timezone, err)
		return bad
	}
	free := 0
	for _, sess := range req.Sessions {
		if freeByHand(s, loc, w.booked[s.ID], sess) && !pastHorizonByHand(s, req.Now, sess) {
			free++
		} else if req.RequireAllSessions {
			fail("not free for the session at %s", sess.Start.In(loc).Format(time.RFC3339))
		}
	}
	if free != m.SessionsAvailable || free == 0 || m.SessionsRequested != len(req.Sessions) || len(m.Conflicts) != len(req.Sessions)-free {
		fail("free for %d sessions; the match says %d of %d with %d conflicts", free, m.SessionsAvailable, m.SessionsRequested, len(m.Conflicts))
	}
	return bad
}

func sameConflicts(a, b []matching.SessionConflict) bool {
	return slices.EqualFunc(a, b, func(x, y matching.SessionConflict) bool {
		return x.Start.Equal(y.Start) && x.End.Equal(y.End) && x.Reason == y.Reason
	})
}

// compareWithBrute reports every way the engine's answer differs from the
// brute force's.
func compareWithBrute(w *oracleWorld, req *matching.VenueRequest, got *matching.VenueResult, want *bruteResult) []string {
	diffs := slices.Clone(want.helperDiffs)
	diff := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if got.TotalMatches != len(want.matches) {
		diff("TotalMatches = %d, want %d", got.TotalMatches, len(want.matches))
	}
	for _, reason := range matching.ExclusionOrder {
		if got.Excluded[reason] != want.excluded[reason] {
			diff("excluded[%s] = %d, want %d", reason, got.Excluded[reason], want.excluded[reason])
		}
	}
	for k := range got.Excluded {
		if !slices.Contains(matching.ExclusionOrder, k) {
			diff("excluded has an unknown reason %q", k)
		}
	}
	limit := cmp.Or(req.Limit, 20)
	if n := min(limit, len(want.matches)); len(got.Matches) != n {
		diff("%d matches, want %d", len(got.Matches), n)
	}
	for i := range got.Matches {
		m := &got.Matches[i]
		if i >= len(want.matches) {
			break
		}
		b := want.matches[i]
		if m.SpaceID != b.id {
			// Only a tie the rounding of scores may break either way.
			alt := want.byID[m.SpaceID]
			if alt == nil || len(alt.failures) > 0 || math.Abs(alt.score-b.score) > 2e-6 {
				diff("match %d is %s (score %.6f), want %s (score %.6f)", i, m.SpaceID, m.Score, b.id, b.score)
				continue
			}
			b = alt
		}
		if math.Abs(m.Score-b.score) > 1e-6 {
			diff("match %d %s: score %.7f, want %.7f", i, b.id, m.Score, b.score)
		}
		if want := math.Round(b.distM) / 1000; m.DistanceKm != want {
			diff("match %d %s: %.3f km, want %.3f", i, b.id, m.DistanceKm, want)
		}
		if m.SessionsAvailable != b.free || !sameConflicts(m.Conflicts, b.conflicts) {
			diff("match %d %s: free for %d with conflicts %v, want %d with %v", i, b.id, m.SessionsAvailable, m.Conflicts, b.free, b.conflicts)
		}
		s := w.spaces[b.id]
		if m.FitToDance != s.FitToDance() || m.SpaceName != s.Name || m.VenueName != w.venues[s.VenueID].Name {
			diff("match %d %s: %d stars, %q in %q; want %d, %q in %q", i, b.id, m.FitToDance, m.SpaceName, m.VenueName,
				s.FitToDance(), s.Name, w.venues[s.VenueID].Name)
		}
		p, ok := s.PriceFor(cmp.Or(req.Tier, "standard"))
		if (m.PricePencePerHour != nil) != ok || (ok && *m.PricePencePerHour != p) {
			diff("match %d %s: price %v, want %d (listed %v)", i, b.id, m.PricePencePerHour, p, ok)
		}
		total := 0.0
		for _, r := range m.Reasons {
			total += r.Contribution
		}
		if len(m.Reasons) != 6 || math.Abs(total-m.Score) > 5e-6 {
			diff("match %d %s: %d reasons adding to %.6f, want 6 adding to the score %.6f", i, b.id, len(m.Reasons), total, m.Score)
		}
		if i > 0 {
			p := &got.Matches[i-1]
			if p.Score < m.Score || (p.Score == m.Score && p.DistanceKm > m.DistanceKm) {
				diff("match %d (%.6f, %.3f km) ranked after %d (%.6f, %.3f km)", i, m.Score, m.DistanceKm, i-1, p.Score, p.DistanceKm)
			}
		}
		for _, msg := range checkHardConstraints(w, req, m) {
			diff("match %d %s: %s", i, m.SpaceID, msg)
		}
	}
	return diffs
}
