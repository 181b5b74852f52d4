package matching_test

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"commonground/geo"
	"commonground/matching"
)

// offerItem is one thing an organisation offers: a listed offer, or a room.
type offerItem struct {
	cat   string
	hours int
	room  *matching.Space // the room that makes the offer, if one does
}

// offersOf lists what o offers, as the doc comments say: its listed offers
// in order, then the kinds of room it owns (through its venues), each
// once, in taxonomy (slug) order, made by the room of that kind with the
// most stars (then the least ID).
func (w *pWorld) offersOf(o *matching.Organisation) []offerItem {
	var out []offerItem
	for _, x := range o.Offers {
		out = append(out, offerItem{cat: x.Category, hours: x.HoursPerMonth})
	}
	rooms := map[string]*matching.Space{}
	offer := func(c string, s *matching.Space) {
		if b := rooms[c]; b == nil || s.FitToDance() > b.FitToDance() || (s.FitToDance() == b.FitToDance() && s.ID < b.ID) {
			rooms[c] = s
		}
	}
	for _, s := range w.spaces {
		if w.venues[s.VenueID].OrganisationID != o.ID {
			continue
		}
		if c, ok := roomOffers[s.Kind]; ok {
			offer(c, s)
		}
		if s.FitToDance() >= matching.FitForDanceStars && !s.Outdoor && s.Kind != "outdoor" {
			offer("space.dance-studio", s)
		}
	}
	for _, c := range sortedKeys(rooms) {
		out = append(out, offerItem{cat: c, room: rooms[c]})
	}
	return out
}

// pairsFor pairs each need with an offer that meets it: an offer of the
// same category if there is one, else the first that meets it. It totals
// the hours needed and offered for the needs met; a room meets whatever
// hours are needed.
func (w *pWorld) pairsFor(needs []matching.Need, offers []offerItem) (pairs []matching.Pair, offered, needed int) {
	for _, n := range needs {
		best := slices.IndexFunc(offers, func(x offerItem) bool { return x.cat == n.Category })
		if best < 0 {
			best = slices.IndexFunc(offers, func(x offerItem) bool { return w.tax.OfferMeetsNeed(x.cat, n.Category) })
		}
		if best < 0 {
			continue
		}
		pair := matching.Pair{Need: n.Category, Offer: offers[best].cat}
		if r := offers[best].room; r != nil {
			pair.ViaSpaceID, pair.ViaSpaceName = r.ID, r.Name
		}
		pairs = append(pairs, pair)
		needed += n.HoursPerMonth
		if offers[best].room != nil {
			offered += n.HoursPerMonth
		} else {
			offered += offers[best].hours
		}
	}
	return pairs, offered, needed
}

// pSector restates the sectors of the cross-pSector bonus.
func pSector(t matching.OrgType) string {
	switch t {
	case matching.OrgArts:
		return "arts"
	case matching.OrgYouthService, matching.OrgSchool:
		return "children and young people"
	case matching.OrgCouncil, matching.OrgHealth:
		return "public"
	case matching.OrgBusiness:
		return "business"
	}
	return "community"
}

func pSharedValues(tax *matching.Taxonomy, a, b *matching.Organisation) []string {
	out := []string{}
	for _, v := range tax.Values {
		if slices.Contains(a.Values, v.Slug) && slices.Contains(b.Values, v.Slug) {
			out = append(out, v.Slug)
		}
	}
	return out
}

func pRound6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// pTrustDetail restates the trust reason's detail for a partner with n
// completed partnerships whose health stayed good (the engine keeps at
// most 255).
func pTrustDetail(n int) string {
	switch {
	case n == 0:
		return "no completed partnerships with good health yet"
	case n == 1:
		return "1 completed partnership with good health"
	case n >= 255:
		return "255 or more completed partnerships with good health"
	}
	return fmt.Sprintf("%d completed partnerships with good health", n)
}

// brutePartner is one expected match.
type brutePartner struct {
	m       matching.PartnerMatch
	d       float64
	factors [7]float64
}

type brutePartners struct {
	radiusKm float64
	all      []brutePartner
	excluded map[string]int
}

// brutePartnersOf scans every organisation for me.
func (w *pWorld) brutePartnersOf(me *matching.Organisation, req matching.PartnerRequest) *brutePartners {
	radiusKm := req.RadiusKm
	if radiusKm == 0 {
		radiusKm = math.Min(me.ServiceRadiusKm, matching.MaxMatchRadiusKm)
		if radiusKm <= 0 {
			radiusKm = matching.DefaultPartnerRadiusKm
		}
	}
	radiusM := radiusKm * 1000
	pw := matching.DefaultPartnerWeights
	wts := [7]float64{pw.TheyMeet, pw.YouMeet, pw.Values, pw.Capacity, pw.Distance, pw.CrossSector, pw.Trust}
	sum := 0.0
	for _, x := range wts {
		sum += x
	}
	for i := range wts {
		wts[i] /= sum
	}
	out := &brutePartners{radiusKm: radiusKm, excluded: map[string]int{}}
	myOffers := w.offersOf(me)
	for _, id := range sortedKeys(w.orgs) {
		o := w.orgs[id]
		if id == me.ID {
			continue
		}
		d := geo.DistanceM(me.Location, o.Location)
		switch {
		case d > 2*radiusM:
			continue
		case d > radiusM:
			out.excluded[matching.ExcludedTooFar]++
			continue
		case !w.tax.Compatible(me, o):
			out.excluded[matching.ExcludedValuesConflict]++
			continue
		}
		they, offered, needed := w.pairsFor(me.Needs, w.offersOf(o))
		you, _, _ := w.pairsFor(o.Needs, myOffers)
		if len(they) == 0 && len(you) == 0 {
			out.excluded[matching.ExcludedNoComplement]++
			continue
		}
		var f [7]float64
		if len(me.Needs) > 0 {
			f[0] = float64(len(they)) / float64(len(me.Needs))
		}
		if len(o.Needs) > 0 {
			f[1] = float64(len(you)) / float64(len(o.Needs))
		}
		shared := pSharedValues(w.tax, me, o)
		if fewer := min(len(me.Values), len(o.Values)); fewer > 0 {
			f[2] = float64(len(shared)) / float64(fewer)
		}
		switch {
		case len(they) == 0:
		case needed == 0:
			f[3] = 1
		default:
			f[3] = clamp01(float64(offered) / float64(needed))
		}
		reach := 0.5
		if d <= me.ServiceRadiusKm*1000 {
			reach += 0.25
		}
		if d <= o.ServiceRadiusKm*1000 {
			reach += 0.25
		}
		// Distance: halving every quarter of the radius, times the reach.
		f[4] = math.Pow(0.5, d/(radiusM/4)) * reach
		if pSector(me.Type) != pSector(o.Type) {
			f[5] = 1
		}
		// Trust: the partner's completed partnerships with good health,
		// in full from TrustedPartnershipsForFullTrust.
		f[6] = math.Min(float64(o.TrustedPartnerships)/matching.TrustedPartnershipsForFullTrust, 1)
		score := 0.0
		for i := range f {
			score += wts[i] * f[i]
		}
		out.all = append(out.all, brutePartner{d: d, factors: f, m: matching.PartnerMatch{OrganisationID: o.ID, Name: o.Name,
			Type: o.Type, DistanceKm: math.Round(d) / 1000, Score: pRound6(score), TheyMeet: they, YouMeet: you, SharedValues: shared}})
	}
	slices.SortFunc(out.all, func(a, b brutePartner) int {
		if ra, rb := len(a.m.TheyMeet) > 0 && len(a.m.YouMeet) > 0, len(b.m.TheyMeet) > 0 && len(b.m.YouMeet) > 0; ra != rb {
			if ra {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.m.Score, a.m.Score), cmp.Compare(a.d, b.d), strings.Compare(a.m.OrganisationID, b.m.OrganisationID))
	})
	return out
}

func pDescribePairs(ps []matching.Pair) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s<-%s ", p.Need, p.Offer)
	}
	return strings.TrimSpace(b.String())
}

// comparePartners lists how the engine's answer differs from brute force,
// and checks every match is compatible and within the radius.
func (w *pWorld) comparePartners(me *matching.Organisation, req matching.PartnerRequest, got *matching.PartnerResult, want *brutePartners) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for _, m := range got.Matches {
		o := w.orgs[m.OrganisationID]
		if o == nil {
			bad("match %s is no organisation of the world", m.OrganisationID)
			continue
		}
		if !w.tax.Compatible(me, o) {
			bad("match %s (%s) is not compatible with the requester", o.ID, o.Name)
		}
		if d := geo.DistanceM(me.Location, o.Location); d > want.radiusKm*1000 {
			bad("match %s lies %.0f m away, beyond the %.1f km radius", o.ID, d, want.radiusKm)
		}
		if len(m.TheyMeet) == 0 && len(m.YouMeet) == 0 {
			bad("match %s meets no need either way", o.ID)
		}
		if m.Score < 0 || m.Score > 1 {
			bad("match %s: score %v outside 0..1", o.ID, m.Score)
		}
	}
	for _, k := range matching.PartnerExclusionOrder {
		if got.Excluded[k] != want.excluded[k] {
			bad("excluded[%s] = %d, want %d", k, got.Excluded[k], want.excluded[k])
		}
	}
	if got.TotalMatches != len(want.all) {
		bad("total matches %d, want %d", got.TotalMatches, len(want.all))
	}
	limit := cmp.Or(req.Limit, 20)
	n := min(limit, len(want.all))
	if len(got.Matches) != n {
		bad("%d matches, want %d", len(got.Matches), n)
	}
	for i := range min(n, len(got.Matches)) {
		g, b := &got.Matches[i], &want.all[i]
		x := b.m
		if g.OrganisationID != x.OrganisationID {
			bad("rank %d: %s (%s, score %v, %.3f km, reciprocal %v), want %s (%s, score %v, %.3f km, reciprocal %v)", i+1,
				g.OrganisationID, g.Name, g.Score, g.DistanceKm, g.Reciprocal(), x.OrganisationID, x.Name, x.Score, x.DistanceKm, x.Reciprocal())
			continue
		}
		if g.Name != x.Name || g.Type != x.Type || g.DistanceKm != x.DistanceKm {
			bad("rank %d %s: name %q type %s %.3f km, want %q %s %.3f km", i+1, g.OrganisationID, g.Name, g.Type, g.DistanceKm, x.Name, x.Type, x.DistanceKm)
		}
		if g.Score != x.Score {
			bad("rank %d %s: score %v, want %v (factors %v)", i+1, g.OrganisationID, g.Score, x.Score, b.factors)
		}
		if !slices.Equal(g.TheyMeet, x.TheyMeet) {
			bad("rank %d %s: they_meet [%s], want [%s]", i+1, g.OrganisationID, pDescribePairs(g.TheyMeet), pDescribePairs(x.TheyMeet))
		}
		if !slices.Equal(g.YouMeet, x.YouMeet) {
			bad("rank %d %s: you_meet [%s], want [%s]", i+1, g.OrganisationID, pDescribePairs(g.YouMeet), pDescribePairs(x.YouMeet))
		}
		if !slices.Equal(g.SharedValues, x.SharedValues) {
			bad("rank %d %s: shared values %v, want %v", i+1, g.OrganisationID, g.SharedValues, x.SharedValues)
		}
		if g.Tier() != x.Tier() {
			bad("rank %d %s: tier %s, want %s", i+1, g.OrganisationID, g.Tier(), x.Tier())
		}
		// The tier first (weight 0), then one reason per factor.
		if len(g.Reasons) != len(b.factors)+1 {
			bad("rank %d %s: %d reasons, want the tier and one per factor", i+1, g.OrganisationID, len(g.Reasons))
			continue
		}
		if r := g.Reasons[0]; r.Factor != "tier" || r.Contribution != 0 ||
			strings.HasPrefix(r.Detail, "two-way") != g.Reciprocal() || !strings.Contains(r.Detail, "every") {
			bad("rank %d %s: first reason %s %q, want the tier (%s) and what it does to the rank", i+1, g.OrganisationID,
				r.Factor, r.Detail, g.Tier())
		}
		if r := g.Reasons[7]; r.Factor != "trust" || r.Detail != pTrustDetail(w.orgs[g.OrganisationID].TrustedPartnerships) {
			bad("rank %d %s: reason 8 is %s %q, want trust %q", i+1, g.OrganisationID, r.Factor, r.Detail,
				pTrustDetail(w.orgs[g.OrganisationID].TrustedPartnerships))
		}
		total := 0.0
		for k, r := range g.Reasons[1:] {
			total += r.Contribution
			if math.Abs(r.Value-b.factors[k]) > 1e-6 {
				bad("rank %d %s: reason %s value %v, want %v", i+1, g.OrganisationID, r.Factor, r.Value, b.factors[k])
			}
		}
		if math.Abs(total-g.Score) > 1e-5 {
			bad("rank %d %s: contributions add up to %v, score %v", i+1, g.OrganisationID, total, g.Score)
		}
	}
	return errs
}
