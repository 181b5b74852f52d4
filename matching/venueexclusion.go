package matching

import (
	"fmt"

	"commonground/geo"
)

// Why a space is not matched, in the order a space is tested: each space
// is counted once, under the first reason it fails.
const (
	ExcludedTooFar             = "too_far"
	ExcludedValuesConflict     = "values_conflict"
	ExcludedTooSmall           = "too_small"
	ExcludedActivityNotAllowed = "activity_not_allowed"
	ExcludedRequirementUnmet   = "requirement_unmet"
	ExcludedOverBudget         = "over_budget"
	ExcludedUnavailable        = "unavailable"
)

// The exclusion reasons as small numbers: their places in exclusions.
const (
	reasonTooFar = iota
	reasonValues
	reasonTooSmall
	reasonActivity
	reasonRequirement
	reasonBudget
	reasonUnavailable
	numReasons
	reasonNone = -1
)

// spaceCheck is one space as the exclusion tests see it.
type spaceCheck struct {
	slot  int32
	sp    *spaceRec
	distM float64 // from the request's point, exact; read by too_far only
	free  int     // how many of the sessions it can take; read by unavailable only
}

// exclusion is one reason a space is not matched.
type exclusion struct {
	name string
	// test reports whether the space fails.
	test func(q *query, c *spaceCheck) bool
	// explain tells add each way the space fails, one detail apiece; it
	// is called only for a space test fails.
	explain func(q *query, c *spaceCheck, add func(format string, args ...any))
}

// exclusions is the table of exclusion reasons, each at its place in the
// order a space is tested. MatchVenues counts a space under the first
// test it fails; an explanation lists every detail of every test it
// fails. The tests read the space's record, but too_far reads its
// distance and unavailable the sessions it can take, which the scan works
// out only for the spaces that get that far: too_far stays first and
// unavailable last. A new reason takes a number above, a name, an entry
// here and a case in the scan's first (venuescan.go), which calls the
// same tests in the same order; TestExclusionsAgree fails until it does.
var exclusions = [numReasons]exclusion{
	reasonTooFar:      {ExcludedTooFar, (*query).tooFar, (*query).explainTooFar},
	reasonValues:      {ExcludedValuesConflict, (*query).conflicts, (*query).explainConflicts},
	reasonTooSmall:    {ExcludedTooSmall, (*query).tooSmall, (*query).explainTooSmall},
	reasonActivity:    {ExcludedActivityNotAllowed, (*query).activityBlocked, (*query).explainActivity},
	reasonRequirement: {ExcludedRequirementUnmet, (*query).unmet, (*query).explainUnmet},
	reasonBudget:      {ExcludedOverBudget, (*query).overBudget, (*query).explainOverBudget},
	reasonUnavailable: {ExcludedUnavailable, (*query).unavailable, (*query).explainUnavailable},
}

// ExclusionOrder lists the exclusion reasons in the order they are tested.
var ExclusionOrder = func() []string {
	out := make([]string, len(exclusions))
	for i, x := range exclusions {
		out[i] = x.name
	}
	return out
}()

func (q *query) tooFar(c *spaceCheck) bool { return c.distM > q.radiusM }

func (q *query) explainTooFar(c *spaceCheck, add func(string, ...any)) {
	add("%.1f km away, beyond %.0f km", c.distM/1000, q.req.RadiusKm)
}

func (q *query) conflicts(c *spaceCheck) bool {
	if q.reqOrg == nil {
		return false
	}
	owner := &q.st.orgs[c.sp.org]
	return q.reqOrg.practices&owner.objects != 0 || owner.practices&q.reqOrg.objects != 0
}

func (q *query) explainConflicts(c *spaceCheck, add func(string, ...any)) {
	add("its owner, %s, and the requester are not compatible", q.st.orgs[c.sp.org].name)
}

func (q *query) tooSmall(c *spaceCheck) bool {
	return int(c.sp.capacity) < q.req.GroupSize || below(c.sp.area, q.minArea)
}

func (q *query) explainTooSmall(c *spaceCheck, add func(string, ...any)) {
	sp := c.sp
	if int(sp.capacity) < q.req.GroupSize {
		add("holds %d, the group is %d", sp.capacity, q.req.GroupSize)
	}
	if below(sp.area, q.minArea) {
		add("%.0f m² is less than the %.0f m² %d dancers need for %s", sp.area, q.minArea, q.req.GroupSize, q.req.Activity)
	}
}

// below reports whether a size the engine keeps as a float32 is less than
// a minimum. It compares at float32 precision, so a 3.3 m ceiling (held as
// 3.29999995) meets a 3.3 m requirement.
func below(have float32, want float64) bool { return have < float32(want) }

func (q *query) activityBlocked(c *spaceCheck) bool {
	return q.blocks(q.st, c.slot, c.sp, q.req.GroupSize)
}

func (q *query) explainActivity(c *spaceCheck, add func(string, ...any)) {
	q.whyBlocked(q.st, c.slot, c.sp, q.req.GroupSize, add)
}

func (q *query) unmet(c *spaceCheck) bool {
	sp := c.sp
	r := &q.req.Requirements
	return sp.flags&q.needs != q.needs || (q.sprung && !sprung(sp.floor)) ||
		(r.NoObstructions && sp.flags&flagObstructions != 0) ||
		(r.MinCeilingM > 0 && below(sp.ceiling, r.MinCeilingM))
}

func sprung(f Floor8) bool { return Floors[f] == FloorSprung || Floors[f] == FloorSemiSprung }

func (q *query) explainUnmet(c *spaceCheck, add func(string, ...any)) {
	sp := c.sp
	r := &q.req.Requirements
	for _, x := range requirementFlags {
		if x.want(*r) && sp.flags&x.bit == 0 {
			add("has no %s", x.name)
		}
	}
	if q.sprung && !sprung(sp.floor) {
		add("has a %s, not a sprung or semi-sprung one", FloorLabel(Floors[sp.floor]))
	}
	if r.NoObstructions && sp.flags&flagObstructions != 0 {
		add("has an obstruction such as a pillar")
	}
	if r.MinCeilingM > 0 && below(sp.ceiling, r.MinCeilingM) {
		add("the ceiling is %s, less than %.1f m", ceilingText(sp.ceiling), r.MinCeilingM)
	}
}

// requirementFlags are the requirements a space meets by having a
// feature, as flag bits of its record.
var requirementFlags = [...]struct {
	want func(r Requirements) bool
	bit  uint16
	name string // what a space without it has no
}{
	{func(r Requirements) bool { return r.StepFree }, flagStepFree, "step-free access"},
	{func(r Requirements) bool { return r.AccessibleToilet }, flagToilet, "accessible toilet"},
	{func(r Requirements) bool { return r.HearingLoop }, flagLoop, "hearing loop"},
	{func(r Requirements) bool { return r.Parking }, flagParking, "parking"},
	{func(r Requirements) bool { return r.ChangingRooms }, flagChanging, "changing rooms"},
	{func(r Requirements) bool { return r.Mirrors }, flagMirrors, "mirrors"},
	{func(r Requirements) bool { return r.Barres }, flagBarres, "barres"},
	{func(r Requirements) bool { return r.SoundSystem }, flagSound, "sound system"},
	{func(r Requirements) bool { return r.ClimateControl }, flagClimate, "climate control"},
}

func (r Requirements) flags() uint16 {
	var f uint16
	for _, x := range requirementFlags {
		if x.want(r) {
			f |= x.bit
		}
	}
	return f
}

func (q *query) overBudget(c *spaceCheck) bool {
	if q.req.MaxPencePerHour == 0 {
		return false
	}
	p := c.sp.prices[q.tier]
	return p < 0 || int(p) > q.req.MaxPencePerHour
}

func (q *query) explainOverBudget(c *spaceCheck, add func(string, ...any)) {
	if p := c.sp.prices[q.tier]; p < 0 {
		add("no %s price is listed", Tiers[q.tier])
	} else {
		add("£%.2f an hour is over the budget of £%.2f", float64(p)/100, float64(q.req.MaxPencePerHour)/100)
	}
}

func (q *query) unavailable(c *spaceCheck) bool {
	return c.free == 0 || (q.req.RequireAllSessions && c.free < len(q.req.Sessions))
}

func (q *query) explainUnavailable(c *spaceCheck, add func(string, ...any)) {
	if int(c.sp.horizon) < q.horizonAll {
		if n := q.beyondSet(c.sp.horizon).count(); n > 0 {
			add("free for %d of %d sessions; %d start beyond its booking horizon of %d days", c.free, len(q.req.Sessions), n, c.sp.horizon)
			return
		}
	}
	add("free for %d of %d sessions", c.free, len(q.req.Sessions))
}

func ceilingText(c float32) string {
	if c <= 0 {
		return "not recorded"
	}
	return fmt.Sprintf("%.1f m", c)
}

// checkSpace is the exact check of one space: its true distance and the
// sessions it can take, each conflict recorded in conflicts when that is
// not nil.
func (q *query) checkSpace(slot int32, sp *spaceRec, conflicts *[]SessionConflict) spaceCheck {
	return spaceCheck{slot: slot, sp: sp, distM: geo.DistanceM(q.req.Near, sp.loc), free: q.freeSessions(slot, sp, conflicts)}
}
