package matching

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"commonground/geo"
)

// Room → groups: the other half of venue matching. A room's owner asks
// which organisations need a room like theirs, and when.

// GroupRequest asks which groups need one room.
type GroupRequest struct {
	SpaceID string
	// RadiusKm is how far from the room to look (DefaultGroupRadiusKm
	// when 0).
	RadiusKm float64
	// Limit is how many matches to return (20 when 0).
	Limit int
	// Now starts the horizon over which windows are checked.
	Now time.Time
}

// Limits and defaults of a group request, and what counts as free.
const (
	DefaultGroupRadiusKm = 15
	MaxGroupLimit        = 100
	// GroupHorizon is how far ahead a group's windows are checked: the
	// next four weeks from now, each weekly window four times.
	GroupHorizon = 28 * 24 * time.Hour
	// MinFreeWindow is the shortest free part of a window worth offering
	// (or the whole window, when it is shorter).
	MinFreeWindow = time.Hour
)

// GroupExclusionOrder lists, in the order they are tested, why a need for
// a room of this kind, within twice the radius, is not matched.
var GroupExclusionOrder = []string{ExcludedTooFar, ExcludedValuesConflict, ExcludedTooSmall,
	ExcludedActivityNotAllowed, ExcludedOverBudget, ExcludedUnavailable}

// GroupMatch is one organisation's need that the room meets.
type GroupMatch struct {
	OrganisationID string
	Name           string
	Type           OrgType
	NeedID         string
	Category       string
	GroupSize      int
	Activity       string
	DistanceKm     float64
	Score          float64
	// FreeWindows are the parts of the need's windows, over the next
	// GroupHorizon, when the room is open, not closed and not booked,
	// starting within its booking horizon of now (ReasonBeyondHorizon),
	// each at least MinFreeWindow long (or the whole window), in time
	// order. Empty when the need gives no windows.
	FreeWindows []Session
	Reasons     []Reason
}

// GroupResult answers a group request: the best matches, how many there
// are in all, and how many needs were left out and why.
type GroupResult struct {
	Matches      []GroupMatch
	TotalMatches int
	Excluded     map[string]int
}

// GroupWeights weigh the factors of a group match; they sum to 1.
var groupWeights = [numGroupFactors]float64{0.35, 0.25, 0.15, 0.15, 0.10}

const numGroupFactors = 5

var groupFactorNames = [numGroupFactors]string{"availability", "distance", "room", "price", "shared_values"}

// groupCandidate is a matched need before it is rendered.
type groupCandidate struct {
	org     int32
	need    *roomNeed
	d       float64
	score   float64
	factors [numGroupFactors]float64
	free    []Session
	freeMin float64
	wantMin float64
	q       *query
}

// MatchGroups finds the organisations whose needs for a room this space
// meets, best first (by score, then distance, organisation and need ID).
// A need is met when the room is of a kind it asks for (Taxonomy
// OfferMeetsNeed from the room's kind, and space.dance-studio for a room
// of FitForDanceStars or more), its organisation (not the room's owner) is
// within the radius of the room and compatible in values with the owner,
// the room holds its group (capacity and floor area for its activity),
// allows its activity (the venue-matching rules), costs no more than its
// budget at the standard price, and is free for some part of its windows
// over the next GroupHorizon from req.Now. Needs that say nothing of size,
// activity, budget or times are not held to them. Needs of a kind the room
// meets, within twice the radius, that do not match are counted under the
// first reason of GroupExclusionOrder they fail. It returns an error
// wrapping ErrNotFound for an unknown space and a *ValidationError for a
// bad radius or limit.
func (e *Engine) MatchGroups(req GroupRequest) (*GroupResult, error) {
	ve := &ValidationError{}
	if !(req.RadiusKm >= 0 && req.RadiusKm <= MaxMatchRadiusKm) {
		ve.Add("radius_km", "must be more than 0 and at most %d", MaxMatchRadiusKm)
	}
	if req.Limit < 0 || req.Limit > MaxGroupLimit {
		ve.Add("limit", "must be between 1 and %d", MaxGroupLimit)
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	radiusKm, limit := req.RadiusKm, req.Limit
	if radiusKm == 0 {
		radiusKm = DefaultGroupRadiusKm
	}
	if limit == 0 {
		limit = 20
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.st
	u, ok := parseUID(req.SpaceID)
	var slot int32
	if ok {
		slot, ok = st.spaceByID.Get(u)
	}
	if !ok {
		return nil, fmt.Errorf("space %s: %w", quote(req.SpaceID), ErrNotFound)
	}
	sp := &st.spaces[slot]
	rooms := newRoomOffers(e.tax)
	kindCat, studioCat := rooms.byKind[sp.kind], -1
	if sp.fit >= FitForDanceStars {
		studioCat = rooms.studio
	}
	meets := func(need uint16) bool {
		return (kindCat >= 0 && e.tax.offerMeets(uint16(kindCat), need)) ||
			(studioCat >= 0 && e.tax.offerMeets(uint16(studioCat), need))
	}
	radiusM := radiusKm * 1000
	ruler := geo.NewRuler(sp.loc, 2*radiusM)
	owner := &st.orgs[sp.org]
	res := &GroupResult{Excluded: map[string]int{}}
	var found []groupCandidate
	st.orgGrid.Each(geo.BoundAround(sp.loc, 2*radiusM), func(other int32) bool {
		o := &st.orgs[other]
		if other == sp.org || len(o.rooms) == 0 {
			return true
		}
		d, ok := ruler.Within(o.loc)
		if !ok {
			return true
		}
		for i := range o.rooms {
			n := &o.rooms[i]
			if !meets(n.cat) {
				continue
			}
			c, reason := e.checkGroup(st, slot, sp, other, n, d, radiusM, req.Now)
			if reason != "" {
				res.Excluded[reason]++
				continue
			}
			c.factors = groupFactors(e, st, owner, o, sp, c, radiusM)
			for j, f := range c.factors {
				c.score += groupWeights[j] * f
			}
			c.score = roundScore(c.score)
			found = append(found, c)
		}
		return true
	})
	sort.Slice(found, func(i, j int) bool {
		a, b := &found[i], &found[j]
		switch {
		case a.score != b.score:
			return a.score > b.score
		case a.d != b.d:
			return a.d < b.d
		case st.orgs[a.org].id != st.orgs[b.org].id:
			return st.orgs[a.org].id < st.orgs[b.org].id
		}
		return a.need.id < b.need.id
	})
	res.TotalMatches = len(found)
	found = found[:min(len(found), limit)]
	res.Matches = make([]GroupMatch, len(found))
	for i := range found {
		res.Matches[i] = e.renderGroup(st, owner, sp, &found[i], radiusKm)
	}
	return res, nil
}

// checkGroup tests one need against the room, in the order of
// GroupExclusionOrder, and returns the first reason it fails ("" when it
// matches). Size, activity, budget and values are the venue-matching
// tests (venueexclusion.go), run on a request made from the need, so a
// room is suitable for a group exactly when the group would find it.
func (e *Engine) checkGroup(st *state, slot int32, sp *spaceRec, org int32, n *roomNeed, d, radiusM float64, now time.Time) (groupCandidate, string) {
	c := groupCandidate{org: org, need: n, d: d}
	if d > radiusM {
		return c, ExcludedTooFar
	}
	// A group that asks for an outdoor space accepts the open air.
	req := &VenueRequest{Near: sp.loc, RadiusKm: radiusM / 1000, GroupSize: int(n.groupSize), Activity: n.activity,
		MaxPencePerHour: int(n.maxPence), Tier: DefaultTier, OrganisationID: st.orgs[org].id,
		AllowOutdoor: e.tax.Categories[n.cat].Slug == "space.outdoor"}
	q, err := e.newQuery(req)
	if err != nil {
		return c, ExcludedValuesConflict // unreachable: the organisation is in the model
	}
	c.q = q
	check := &spaceCheck{slot: slot, sp: sp, distM: d}
	switch {
	case q.conflicts(check):
		return c, ExcludedValuesConflict
	case n.groupSize > 0 && q.tooSmall(check):
		return c, ExcludedTooSmall
	case n.activity != "" && q.activityBlocked(check):
		return c, ExcludedActivityNotAllowed
	case n.maxPence > 0 && q.overBudget(check):
		return c, ExcludedOverBudget
	}
	if len(n.windows) > 0 {
		c.free, c.freeMin, c.wantMin = st.freeWindows(slot, sp, n.windows, now)
		if len(c.free) == 0 {
			return c, ExcludedUnavailable
		}
	}
	return c, ""
}

// freeWindows returns the parts of the windows, over GroupHorizon from
// now, when the room is open (its opening hours, read in its venue's
// zone), not closed and not booked (nor within its turnaround of a
// booking), starting within its booking horizon of now, each at least
// MinFreeWindow long (or
// the whole window), in time order; with the minutes free in them and the
// minutes the windows ask for over the horizon. A window's times are read
// in the venue's zone, as a weekly series is (Weekly.Expand).
func (st *state) freeWindows(slot int32, sp *spaceRec, ws []Window, now time.Time) (free []Session, freeMin, wantMin float64) {
	loc := st.zones[sp.zone]
	hours := st.hours[sp.hours]
	var closures []Closure
	if sp.closures >= 0 {
		closures = st.closureLists[sp.closures]
	}
	var booked []Session
	if sp.flags&flagExtra != 0 {
		if x := st.extras[slot]; x != nil {
			booked = x.booked
		}
	}
	until := now.Add(GroupHorizon)
	// A part that starts past the room's booking horizon could not be
	// booked: it is not free.
	limited := !now.IsZero() && horizonDuration(int(sp.horizon)) < GroupHorizon
	clip := func(s Session) Session {
		if s.Start.Before(now) {
			s.Start = now
		}
		if s.End.After(until) {
			s.End = until
		}
		return s
	}
	y, m, d := now.In(loc).Date()
	days := int(GroupHorizon/(24*time.Hour)) + 1
	for i := range days {
		date := time.Date(y, m, d+i, 12, 0, 0, 0, time.UTC)
		day := WeekdayOf(date.Weekday())
		for _, w := range ws {
			if w.Day != day {
				continue
			}
			whole := clip(localPeriod(date, w.Start, w.End, loc))
			if !whole.End.After(whole.Start) {
				continue
			}
			wantMin += whole.End.Sub(whole.Start).Minutes()
			shortest := min(MinFreeWindow, time.Duration(w.End-w.Start)*time.Minute)
			var parts []Session
			for _, h := range hours {
				from, to := max(w.Start, h.Opens), min(w.End, h.Closes)
				if h.Day != day || from >= to {
					continue
				}
				p := clip(localPeriod(date, from, to, loc))
				if !p.End.After(p.Start) {
					continue
				}
				parts = append(parts, p)
			}
			slices.SortFunc(parts, func(a, b Session) int { return a.Start.Compare(b.Start) })
			parts = mergeAdjacent(parts)
			for _, c := range closures {
				parts = subtract(parts, Session{c.Start, c.End})
			}
			for _, b := range booked {
				// A booking keeps the room's turnaround clear around it.
				b = Padded(b, sp.gap())
				if b.Start.Before(whole.End) && whole.Start.Before(b.End) {
					parts = subtract(parts, b)
				}
			}
			for _, p := range parts {
				if p.End.Sub(p.Start) >= shortest && !(limited && beyondHorizon(p.Start, now, int(sp.horizon))) {
					free = append(free, Session{Start: p.Start.UTC(), End: p.End.UTC()})
					freeMin += p.End.Sub(p.Start).Minutes()
				}
			}
		}
	}
	slices.SortFunc(free, func(a, b Session) int { return a.Start.Compare(b.Start) })
	return free, freeMin, wantMin
}

// localPeriod is from–to local time on date in loc, kept at its length
// when both ends fall in one clock-change gap (as Weekly.Expand does).
func localPeriod(date time.Time, from, to ClockTime, loc *time.Location) Session {
	s, e := localClock(date, from, loc), localClock(date, to, loc)
	if !e.After(s) {
		e = s.Add(time.Duration(to-from) * time.Minute)
	}
	return Session{Start: s, End: e}
}

// mergeAdjacent joins periods (sorted by start) that touch or overlap.
func mergeAdjacent(ps []Session) []Session {
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 && !p.Start.After(out[n-1].End) {
			if p.End.After(out[n-1].End) {
				out[n-1].End = p.End
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// subtract removes cut from every period of ps.
func subtract(ps []Session, cut Session) []Session {
	var out []Session
	for _, p := range ps {
		if !p.Overlaps(cut) {
			out = append(out, p)
			continue
		}
		if p.Start.Before(cut.Start) {
			out = append(out, Session{p.Start, cut.Start})
		}
		if cut.End.Before(p.End) {
			out = append(out, Session{cut.End, p.End})
		}
	}
	return out
}

// groupFactors are the factors of a group score, each 0..1, in the order
// of groupFactorNames: the share of the windows' time free (0 for a need
// with no windows), nearness, floor area per person up to twice the
// activity's minimum (0.5 when the size is not given), the standard price
// against the budget (or £60 an hour without one; 0.5 when no standard
// price is listed) and the share of values held in common (as partner
// matching counts them).
func groupFactors(e *Engine, st *state, owner, o *orgRec, sp *spaceRec, c groupCandidate, radiusM float64) [numGroupFactors]float64 {
	var f [numGroupFactors]float64
	if c.wantMin > 0 {
		f[0] = clamp01(c.freeMin / c.wantMin)
	}
	f[1] = clamp01(1 - c.d/radiusM)
	f[2] = 0.5
	if c.need.groupSize > 0 {
		f[2] = clamp01(float64(sp.area) / (2 * c.q.minArea))
	}
	tier := tierIndex(DefaultTier)
	switch p := sp.prices[tier]; {
	case p < 0:
		f[3] = 0.5
	case c.need.maxPence > 0:
		f[3] = clamp01(1 - float64(p)/float64(c.need.maxPence))
	default:
		f[3] = clamp01(1 - float64(p)/priceScale)
	}
	if fewer := min(popcount(owner.values), popcount(o.values)); fewer > 0 {
		f[4] = float64(popcount(owner.values&o.values)) / float64(fewer)
	}
	return f
}

func (e *Engine) renderGroup(st *state, owner *orgRec, sp *spaceRec, c *groupCandidate, radiusKm float64) GroupMatch {
	o := &st.orgs[c.org]
	n := c.need
	m := GroupMatch{OrganisationID: o.id, Name: o.name, Type: OrgTypes[o.typ], NeedID: n.id,
		Category: e.tax.Categories[n.cat].Slug, GroupSize: int(n.groupSize), Activity: n.activity,
		DistanceKm: math.Round(c.d) / 1000, Score: c.score, FreeWindows: c.free}
	if m.FreeWindows == nil {
		m.FreeWindows = []Session{}
	}
	var shared []string
	for i, v := range e.tax.Values {
		if i < 64 && owner.values&o.values&(1<<uint(i)) != 0 {
			shared = append(shared, v.Slug)
		}
	}
	details := [numGroupFactors]string{
		availabilityDetail(n.windows, c),
		fmt.Sprintf("%.1f km from the room, within %.0f km", c.d/1000, radiusKm),
		roomDetail(sp, n, c),
		priceDetail(sp, n),
		ownerValuesDetail(shared),
	}
	for i, w := range groupWeights {
		m.Reasons = append(m.Reasons, Reason{Factor: groupFactorNames[i], Detail: details[i], Weight: w,
			Value: roundScore(c.factors[i]), Contribution: roundScore(w * c.factors[i])})
	}
	return m
}

func availabilityDetail(ws []Window, c *groupCandidate) string {
	if len(ws) == 0 {
		return "they gave no times: ask them when they meet"
	}
	times := make([]string, len(ws))
	for i, w := range ws {
		times[i] = fmt.Sprintf("%s %s–%s", w.Day, w.Start, w.End)
	}
	weeks := int(GroupHorizon / (7 * 24 * time.Hour))
	if c.freeMin >= c.wantMin {
		return fmt.Sprintf("open and free for all %s they want (%s) over the next %d weeks",
			hoursText(c.wantMin), strings.Join(times, ", "), weeks)
	}
	return fmt.Sprintf("open and free for %s of the %s they want (%s) over the next %d weeks",
		hoursText(c.freeMin), hoursText(c.wantMin), strings.Join(times, ", "), weeks)
}

func hoursText(minutes float64) string {
	h := minutes / 60
	if h == math.Trunc(h) {
		if h == 1 {
			return "1 hour"
		}
		return fmt.Sprintf("%.0f hours", h)
	}
	return fmt.Sprintf("%.1f hours", h)
}

func roomDetail(sp *spaceRec, n *roomNeed, c *groupCandidate) string {
	if n.groupSize == 0 {
		if n.activity != "" {
			return fmt.Sprintf("they did not say how many; the room holds %d and allows %s", sp.capacity, n.activity)
		}
		return fmt.Sprintf("they did not say how many; the room holds %d", sp.capacity)
	}
	what := "people"
	if n.activity != "" {
		what = "people for " + n.activity
	}
	need := c.q.minArea / float64(n.groupSize)
	return fmt.Sprintf("holds %d; %.0f m² gives %.1f m² each to %d %s (at least %.1f m² each)",
		sp.capacity, sp.area, float64(sp.area)/float64(n.groupSize), n.groupSize, what, need)
}

func priceDetail(sp *spaceRec, n *roomNeed) string {
	p := sp.prices[tierIndex(DefaultTier)]
	switch {
	case p < 0:
		return "no standard price is listed: ask the owner"
	case n.maxPence > 0:
		return fmt.Sprintf("£%.2f an hour at the standard price, within their budget of £%.2f", float64(p)/100, float64(n.maxPence)/100)
	}
	return fmt.Sprintf("£%.2f an hour at the standard price; they gave no budget", float64(p)/100)
}

// ownerValuesDetail explains the values a group shares with the room's owner.
func ownerValuesDetail(shared []string) string {
	switch len(shared) {
	case 0:
		return "no values in common with the owner (and none in conflict)"
	case 1:
		return "shares a value with the owner: " + shared[0]
	}
	return fmt.Sprintf("shares %d values with the owner: %s", len(shared), strings.Join(shared, ", "))
}
