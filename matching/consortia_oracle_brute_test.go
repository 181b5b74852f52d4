package matching_test

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"

	"commonground/geo"
	"commonground/matching"
)

// The consortium oracle's brute force (the world is the partner oracle's,
// partners_oracle_world_test.go).

// pCover is what one organisation brings to a bid: the requirements it
// covers (bits in request order) and its hours toward them.
type pCover struct {
	id    string
	org   *matching.Organisation
	cover uint32
	hours int
	d     float64
}

// coverOf restates how an organisation covers requirements: requirement i
// is covered when one of its offers (listed or a room) meets it; its hours
// toward it are those of the first of its offers that meets it; a room
// is there whenever needed and counts as 40 hours, full capacity for one
// capability.
func (w *pWorld) coverOf(o *matching.Organisation, reqs []string) (uint32, int) {
	var mask uint32
	hours := 0
	offers := w.offersOf(o)
	for i, need := range reqs {
		k := slices.IndexFunc(offers, func(x offerItem) bool { return w.tax.OfferMeetsNeed(x.cat, need) })
		if k < 0 {
			continue
		}
		mask |= 1 << i
		if offers[k].room != nil {
			hours += 40
		} else {
			hours += offers[k].hours
		}
	}
	return mask, hours
}

// bruteTeam is a team found by exhaustive search.
type bruteTeam struct {
	members []*pCover // nearest first, then by ID
	cover   uint32
	score   float64
	spread  float64
	key     []string // member IDs, nearest first
}

// Team score weights, restated from the doc comments of consortium.go.
const (
	pCompact  = 0.4 // 1 - spread / (2 × radius)
	pCapacity = 0.3 // hours toward the requirements against 40 a month per capability covered
	pValues   = 0.3 // share of member pairs with a value in common (1 for one member)
)

func (w *pWorld) scoreTeam(t *bruteTeam, lead *pCover, radiusM float64) {
	all := t.members
	if lead != nil {
		all = append([]*pCover{lead}, all...)
	}
	hours, pairs, sharing := 0, 0, 0
	for i, a := range all {
		hours += a.hours
		for _, b := range all[i+1:] {
			t.spread = math.Max(t.spread, geo.DistanceM(a.org.Location, b.org.Location))
			pairs++
			if len(pSharedValues(w.tax, a.org, b.org)) > 0 {
				sharing++
			}
		}
	}
	compact := clamp01(1 - t.spread/(2*radiusM))
	capacity := clamp01(float64(hours) / float64(40*bits.OnesCount32(t.cover)))
	values := 1.0
	if pairs > 0 {
		values = float64(sharing) / float64(pairs)
	}
	t.score = pRound6(pCompact*compact + pCapacity*capacity + pValues*values)
}

// betterTeam ranks teams: more requirements covered, then fewer members,
// then a higher score, then by member IDs (nearest first).
func betterTeam(a, b *bruteTeam) int {
	return cmp.Or(cmp.Compare(bits.OnesCount32(b.cover), bits.OnesCount32(a.cover)), cmp.Compare(len(a.members), len(b.members)),
		cmp.Compare(b.score, a.score), slices.Compare(a.key, b.key))
}

type bruteConsortia struct {
	cands   []*pCover
	missing []string
	best    *bruteTeam   // over every subset, redundant members and all
	top     []*bruteTeam // the best teams in which every member adds a capability
}

// bruteConsortiaFor searches every subset of the candidates.
func (w *pWorld) bruteConsortiaFor(req matching.ConsortiumRequest) *bruteConsortia {
	radiusM := req.RadiusKm * 1000
	var lead *pCover
	if req.LeadOrganisationID != "" {
		o := w.orgs[req.LeadOrganisationID]
		lead = &pCover{id: o.ID, org: o, d: geo.DistanceM(req.Near, o.Location)}
		lead.cover, lead.hours = w.coverOf(o, req.Requirements)
	}
	out := &bruteConsortia{missing: []string{}}
	var all uint32
	if lead != nil {
		all = lead.cover
	}
	for _, id := range sortedKeys(w.orgs) {
		o := w.orgs[id]
		if lead != nil && (id == lead.id || !w.tax.Compatible(lead.org, o)) {
			continue
		}
		d := geo.DistanceM(req.Near, o.Location)
		if d > radiusM {
			continue
		}
		c := &pCover{id: id, org: o, d: d}
		c.cover, c.hours = w.coverOf(o, req.Requirements)
		if c.cover != 0 {
			out.cands = append(out.cands, c)
			all |= c.cover
		}
	}
	for i, r := range req.Requirements {
		if all&(1<<i) == 0 {
			out.missing = append(out.missing, r)
		}
	}
	if len(out.cands) > 16 {
		return out // too many to search
	}
	slices.SortFunc(out.cands, func(a, b *pCover) int { return cmp.Or(cmp.Compare(a.d, b.d), strings.Compare(a.id, b.id)) })
	slots := cmp.Or(req.MaxMembers, matching.DefaultConsortiumSize)
	if lead != nil {
		slots--
	}
	limit := cmp.Or(req.Limit, 5)
	var irredundant []*bruteTeam
	for set := uint32(0); set < 1<<len(out.cands); set++ {
		if bits.OnesCount32(set) > slots || set == 0 && lead == nil {
			continue
		}
		t := &bruteTeam{}
		if lead != nil {
			t.cover = lead.cover
		}
		ok := true
		for i, c := range out.cands {
			if set&(1<<i) == 0 {
				continue
			}
			for _, m := range t.members {
				if !w.tax.Compatible(m.org, c.org) {
					ok = false
				}
			}
			t.members = append(t.members, c)
			t.cover |= c.cover
		}
		if !ok || t.cover == 0 {
			continue
		}
		for _, m := range t.members {
			t.key = append(t.key, m.id)
		}
		w.scoreTeam(t, lead, radiusM)
		if out.best == nil || betterTeam(t, out.best) < 0 {
			out.best = t
		}
		if everyMemberAdds(t, lead) {
			irredundant = append(irredundant, t)
		}
	}
	slices.SortFunc(irredundant, betterTeam)
	out.top = irredundant[:min(limit, len(irredundant))]
	return out
}

// everyMemberAdds reports whether each member covers a requirement that
// neither the lead nor another member covers.
func everyMemberAdds(t *bruteTeam, lead *pCover) bool {
	for i, m := range t.members {
		var others uint32
		if lead != nil {
			others = lead.cover
		}
		for j, x := range t.members {
			if j != i {
				others |= x.cover
			}
		}
		if m.cover&^others == 0 {
			return false
		}
	}
	return true
}

func pTeamIDs(k *matching.Consortium) []string {
	var ids []string
	for _, m := range k.Members {
		ids = append(ids, m.OrganisationID)
	}
	return ids
}

func (t *bruteTeam) ids(lead *pCover) []string {
	var ids []string
	if lead != nil {
		ids = append(ids, lead.id)
	}
	for _, m := range t.members {
		ids = append(ids, m.id)
	}
	return ids
}

// checkTeams checks what holds for every team returned, searched
// exhaustively or not: members pairwise compatible and compatible with the
// lead, within the radius, at most max_members, each adding a capability;
// covers, missing and complete consistent with what the members offer.
func (w *pWorld) checkTeams(req matching.ConsortiumRequest, got *matching.ConsortiumResult) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	maxMembers := cmp.Or(req.MaxMembers, matching.DefaultConsortiumSize)
	if len(got.Consortia) > cmp.Or(req.Limit, 5) {
		bad("%d teams, more than the limit", len(got.Consortia))
	}
	for ti, k := range got.Consortia {
		if len(k.Members) == 0 || len(k.Members) > maxMembers {
			bad("team %d has %d members, want 1 to %d", ti+1, len(k.Members), maxMembers)
			continue
		}
		var covers []uint32
		var union uint32
		for mi, m := range k.Members {
			o := w.orgs[m.OrganisationID]
			if o == nil {
				bad("team %d: member %s is no organisation of the world", ti+1, m.OrganisationID)
				return errs
			}
			isLead := req.LeadOrganisationID != "" && mi == 0
			if m.Lead != isLead || isLead && m.OrganisationID != req.LeadOrganisationID {
				bad("team %d: member %d %s lead=%v", ti+1, mi, m.OrganisationID, m.Lead)
			}
			if !isLead {
				if d := geo.DistanceM(req.Near, o.Location); d > req.RadiusKm*1000 {
					bad("team %d: member %s lies %.0f m from near, beyond %v km", ti+1, o.ID, d, req.RadiusKm)
				}
			}
			for _, x := range k.Members[:mi] {
				if !w.tax.Compatible(w.orgs[x.OrganisationID], o) {
					bad("team %d: %s and %s are not compatible", ti+1, x.OrganisationID, o.ID)
				}
			}
			c, _ := w.coverOf(o, req.Requirements)
			covers = append(covers, c)
			union |= c
			var want []string
			for i, r := range req.Requirements {
				if c&(1<<i) != 0 {
					want = append(want, r)
				}
			}
			if !slices.Equal(m.Covers, want) && len(m.Covers)+len(want) > 0 {
				bad("team %d: member %s covers %v, want %v", ti+1, o.ID, m.Covers, want)
			}
		}
		for mi := range k.Members {
			if req.LeadOrganisationID != "" && mi == 0 {
				continue
			}
			var others uint32
			for mj, c := range covers {
				if mj != mi {
					others |= c
				}
			}
			if covers[mi]&^others == 0 {
				bad("team %d: member %s adds no capability the others lack", ti+1, k.Members[mi].OrganisationID)
			}
		}
		var missing []string
		for i, r := range req.Requirements {
			var by []string
			for mi, c := range covers {
				if c&(1<<i) != 0 {
					by = append(by, k.Members[mi].OrganisationID)
				}
			}
			if !slices.Equal(k.Covers[r], by) {
				bad("team %d: covers[%s] = %v, want %v", ti+1, r, k.Covers[r], by)
			}
			if len(by) == 0 {
				missing = append(missing, r)
			}
		}
		if !slices.Equal(k.Missing, missing) && len(k.Missing)+len(missing) > 0 {
			bad("team %d: missing %v, want %v", ti+1, k.Missing, missing)
		}
		if k.Complete != (len(missing) == 0) {
			bad("team %d: complete %v with missing %v", ti+1, k.Complete, missing)
		}
		if ti > 0 {
			a, b := &got.Consortia[ti-1], &k
			ca, cb := len(req.Requirements)-len(a.Missing), len(req.Requirements)-len(b.Missing)
			if ca < cb || ca == cb && len(a.Members) > len(b.Members) || ca == cb && len(a.Members) == len(b.Members) && a.Score < b.Score {
				bad("team %d (%d covered, %d members, score %v) ranks above team %d (%d, %d, %v)", ti, ca, len(a.Members), a.Score,
					ti+1, cb, len(b.Members), b.Score)
			}
		}
	}
	return errs
}

func (w *pWorld) compareConsortia(req matching.ConsortiumRequest, got *matching.ConsortiumResult, want *bruteConsortia) []string {
	errs := w.checkTeams(req, got)
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if !slices.Equal(got.Missing, want.missing) {
		bad("missing %v, want %v", got.Missing, want.missing)
	}
	if got.Candidates != len(want.cands) {
		bad("%d candidates, want %d", got.Candidates, len(want.cands))
	}
	if !got.Exhaustive {
		bad("not exhaustive with %d candidates", got.Candidates)
	}
	var lead *pCover
	if req.LeadOrganisationID != "" {
		o := w.orgs[req.LeadOrganisationID]
		lead = &pCover{id: o.ID, org: o}
	}
	if want.best == nil {
		if len(got.Consortia) != 0 {
			bad("got %d teams, want none", len(got.Consortia))
		}
		return errs
	}
	if len(got.Consortia) == 0 {
		bad("no team, want %v", want.best.ids(lead))
		return errs
	}
	best := &got.Consortia[0]
	if !slices.Equal(pTeamIDs(best), want.best.ids(lead)) || best.Score != want.best.score ||
		best.SpreadKm != math.Round(want.best.spread)/1000 {
		bad("best team %v (score %v, spread %v km), want %v (score %v, spread %.3f km, %d covered)", pTeamIDs(best), best.Score, best.SpreadKm,
			want.best.ids(lead), want.best.score, want.best.spread/1000, bits.OnesCount32(want.best.cover))
	}
	if len(got.Consortia) != len(want.top) {
		bad("%d teams, want %d", len(got.Consortia), len(want.top))
	}
	for i := range min(len(got.Consortia), len(want.top)) {
		if g, x := pTeamIDs(&got.Consortia[i]), want.top[i].ids(lead); !slices.Equal(g, x) || got.Consortia[i].Score != want.top[i].score {
			bad("team %d: %v (score %v), want %v (score %v)", i+1, g, got.Consortia[i].Score, x, want.top[i].score)
		}
	}
	return errs
}
