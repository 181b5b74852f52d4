package matching

import (
	"fmt"

	"commonground/geo"
)

// explain tests one space against every constraint, not just the first
// it fails.
func (q *query) explain(spaceID string) *Explanation {
	ex := &Explanation{SpaceID: spaceID, Failures: []Failure{}, Conflicts: []SessionConflict{}}
	u, ok := parseUID(spaceID)
	slot, found := q.st.spaceByID.Get(u)
	if !ok || !found {
		ex.Failures = append(ex.Failures, Failure{Reason: "not_found", Detail: "no such space"})
		return ex
	}
	sp := &q.st.spaces[slot]
	d := geo.DistanceM(q.req.Near, sp.loc)
	add := func(reason, format string, args ...any) {
		ex.Failures = append(ex.Failures, Failure{Reason: reason, Detail: fmt.Sprintf(format, args...)})
	}
	if d > q.radiusM {
		add(ExcludedTooFar, "%.1f km away, beyond %.0f km", d/1000, q.req.RadiusKm)
	}
	if q.conflicts(sp) {
		add(ExcludedValuesConflict, "its owner, %s, and the requester are not compatible", q.st.orgs[sp.org].name)
	}
	if int(sp.capacity) < q.req.GroupSize {
		add(ExcludedTooSmall, "holds %d, the group is %d", sp.capacity, q.req.GroupSize)
	}
	if below(sp.area, q.minArea) {
		add(ExcludedTooSmall, "%.0f m² is less than the %.0f m² %d dancers need for %s", sp.area, q.minArea, q.req.GroupSize, q.req.Activity)
	}
	if sp.prohibited&q.actBit != 0 {
		add(ExcludedActivityNotAllowed, "the venue does not allow %s", q.req.Activity)
	}
	if q.badFloor&(1<<sp.floor) != 0 {
		add(ExcludedActivityNotAllowed, "a %s floor is unsuitable for %s", Floors[sp.floor], q.req.Activity)
	}
	if q.minCeil > 0 && below(sp.ceiling, q.minCeil) {
		add(ExcludedActivityNotAllowed, "%s needs a ceiling of %.1f m; this one is %s", q.req.Activity, q.minCeil, ceilingText(sp.ceiling))
	}
	r := q.req.Requirements
	for _, x := range []struct {
		want bool
		bit  uint16
		name string
	}{{r.StepFree, flagStepFree, "step-free access"}, {r.AccessibleToilet, flagToilet, "an accessible toilet"},
		{r.HearingLoop, flagLoop, "a hearing loop"}, {r.Parking, flagParking, "parking"},
		{r.ChangingRooms, flagChanging, "changing rooms"}, {r.Mirrors, flagMirrors, "mirrors"}, {r.Barres, flagBarres, "barres"},
		{r.SoundSystem, flagSound, "a sound system"}, {r.ClimateControl, flagClimate, "climate control"}} {
		if x.want && sp.flags&x.bit == 0 {
			add(ExcludedRequirementUnmet, "has no %s", x.name)
		}
	}
	if r.SprungFloor && Floors[sp.floor] != FloorSprung && Floors[sp.floor] != FloorSemiSprung {
		add(ExcludedRequirementUnmet, "the floor is %s, not sprung", Floors[sp.floor])
	}
	if r.NoObstructions && sp.flags&flagObstructions != 0 {
		add(ExcludedRequirementUnmet, "has an obstruction such as a pillar")
	}
	if r.MinCeilingM > 0 && below(sp.ceiling, r.MinCeilingM) {
		add(ExcludedRequirementUnmet, "the ceiling is %s, less than %.1f m", ceilingText(sp.ceiling), r.MinCeilingM)
	}
	if q.overBudget(sp) {
		if p := sp.prices[q.tier]; p < 0 {
			add(ExcludedOverBudget, "no %s price is listed", Tiers[q.tier])
		} else {
			add(ExcludedOverBudget, "£%.2f an hour is over the budget of £%.2f", float64(p)/100, float64(q.req.MaxPencePerHour)/100)
		}
	}
	free := q.freeSessions(slot, sp, &ex.Conflicts)
	if free == 0 || (q.req.RequireAllSessions && free < len(q.req.Sessions)) {
		add(ExcludedUnavailable, "free for %d of %d sessions", free, len(q.req.Sessions))
	}
	ex.Matched = len(ex.Failures) == 0
	if ex.Matched {
		m := q.render(candidate{slot: slot, distM: d, free: free, score: q.score(sp, d, free)})
		ex.Match = &m
	}
	return ex
}

func ceilingText(c float32) string {
	if c <= 0 {
		return "not recorded"
	}
	return fmt.Sprintf("%.1f m", c)
}
