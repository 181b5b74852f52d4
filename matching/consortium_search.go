package matching

import (
	"fmt"
	"math"
	"math/bits"

	"commonground/geo"
)

// search is one consortium search. It reads only its own copies of the
// records involved (orgs, leadOrg), never the engine's state.
type search struct {
	req     *ConsortiumRequest
	cands   []member
	orgs    []orgRec // the records of cands, by index
	leadOrg orgRec   // the lead's record, when lead is set
	compat  [][]bool
	lead    *member
	full    uint32
	radiusM float64
	best    []team
	worst   int // index in best of the worst team kept, once best is full
	nodes   int
	// done ends the search when it closes (nil: never); stopped records
	// that it did.
	done    <-chan struct{}
	stopped bool
}

// checkEvery is how many nodes the search visits between looks at done:
// a look costs a few nanoseconds, a node some hundreds, so a search
// notices within a fraction of a millisecond.
const checkEvery = 1024

// dfs adds candidates from index i on, each adding cover the team lacks,
// keeping the best teams seen. A team in which a member covers nothing the
// others (and the lead) do not is not offered, nor is any team grown from
// it: that member would stay redundant.
func (s *search) dfs(i int, chosen []int, cover uint32, slots int) {
	s.nodes++
	if s.nodes%checkEvery == 0 {
		if s.req.Pause != nil {
			s.req.Pause()
		}
		select {
		case <-s.done:
			s.stopped = true
		default:
		}
	}
	if s.stopped {
		return
	}
	if !s.irredundant(chosen) {
		return
	}
	if len(chosen) > 0 || s.lead != nil {
		s.offer(chosen, cover)
	}
	if slots == 0 || cover == s.full || s.nodes >= maxSearchNodes {
		return
	}
	for j := i; j < len(s.cands); j++ {
		c := &s.cands[j]
		if c.cover&^cover == 0 {
			continue // adds nothing
		}
		ok := true
		for _, k := range chosen {
			if !s.compat[j][k] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		s.dfs(j+1, append(chosen, j), cover|c.cover, slots-1)
		if s.stopped {
			return
		}
	}
}

// irredundant reports whether every chosen member covers a requirement
// that neither the lead nor another member covers.
func (s *search) irredundant(chosen []int) bool {
	for i, a := range chosen {
		var others uint32
		if s.lead != nil {
			others = s.lead.cover
		}
		for j, b := range chosen {
			if j != i {
				others |= s.cands[b].cover
			}
		}
		if s.cands[a].cover&^others == 0 {
			return false
		}
	}
	return true
}

// offer considers a team for the best list. A team that cannot rank above
// the worst one kept (it covers less, or as much with more members) is not
// scored at all.
func (s *search) offer(chosen []int, cover uint32) {
	if cover == 0 {
		return
	}
	full := len(s.best) == s.req.Limit
	if full {
		w := &s.best[s.worst]
		cw, ct := bits.OnesCount32(w.cover), bits.OnesCount32(cover)
		if ct < cw || ct == cw && s.size(&team{members: chosen}) > s.size(w) {
			return
		}
	}
	t := team{members: chosen, cover: cover}
	s.scoreTeam(&t)
	if full && !s.better(&t, &s.best[s.worst]) {
		return
	}
	t.members = append([]int(nil), chosen...)
	if full {
		s.best[s.worst] = t
	} else {
		s.best = append(s.best, t)
	}
	s.worst = 0
	for i := range s.best {
		if s.better(&s.best[s.worst], &s.best[i]) {
			s.worst = i
		}
	}
}

func (s *search) size(t *team) int {
	if s.lead != nil {
		return len(t.members) + 1
	}
	return len(t.members)
}

// better ranks teams: more requirements covered, then fewer members, then
// a higher score, then by member IDs (in the order the team lists them,
// nearest first).
func (s *search) better(a, b *team) bool {
	ca, cb := bits.OnesCount32(a.cover), bits.OnesCount32(b.cover)
	switch {
	case ca != cb:
		return ca > cb
	case s.size(a) != s.size(b):
		return s.size(a) < s.size(b)
	case a.score != b.score:
		return a.score > b.score
	}
	for i := 0; i < len(a.members) && i < len(b.members); i++ {
		if x, y := s.orgs[a.members[i]].id, s.orgs[b.members[i]].id; x != y {
			return x < y
		}
	}
	return len(a.members) < len(b.members)
}

// Weights of a team's score, for teams of equal cover and size.
const (
	teamCompactWeight  = 0.4 // spread against the radius
	teamCapacityWeight = 0.3 // hours a month offered toward the requirements
	teamValuesWeight   = 0.3 // pairs of members sharing a value
	hoursPerCapability = 40  // hours a month that count as full capacity for one capability
)

// orgsOf lists the lead, if any, and the members of t, in buf.
func (s *search) orgsOf(t *team, buf []*orgRec) []*orgRec {
	out := buf[:0]
	if s.lead != nil {
		out = append(out, &s.leadOrg)
	}
	for _, m := range t.members {
		out = append(out, &s.orgs[m])
	}
	return out
}

func (s *search) scoreTeam(t *team) {
	var buf [MaxConsortiumMembers + 1]*orgRec
	orgs := s.orgsOf(t, buf[:])
	hours := 0
	if s.lead != nil {
		hours += s.lead.hours
	}
	for _, m := range t.members {
		hours += s.cands[m].hours
	}
	pairs, sharing := 0, 0
	for i := range orgs {
		for j := i + 1; j < len(orgs); j++ {
			if d := geo.DistanceM(orgs[i].loc, orgs[j].loc); d > t.spread {
				t.spread = d
			}
			pairs++
			if orgs[i].values&orgs[j].values != 0 {
				sharing++
			}
		}
	}
	t.factors[0] = clamp01(1 - t.spread/(2*s.radiusM))
	t.factors[1] = clamp01(float64(hours) / float64(hoursPerCapability*bits.OnesCount32(t.cover)))
	if pairs > 0 {
		t.factors[2] = float64(sharing) / float64(pairs)
	} else {
		t.factors[2] = 1
	}
	t.score = roundScore(teamCompactWeight*t.factors[0] + teamCapacityWeight*t.factors[1] + teamValuesWeight*t.factors[2])
}

func (s *search) render(t *team) Consortium {
	c := Consortium{Covers: map[string][]string{}, Missing: []string{}, Complete: t.cover == s.full,
		SpreadKm: math.Round(t.spread) / 1000, Score: t.score}
	add := func(m *member, o *orgRec, isLead bool) {
		cm := ConsortiumMember{OrganisationID: o.id, Name: o.name, Type: OrgTypes[o.typ],
			DistanceKm: math.Round(m.d) / 1000, Lead: isLead, Covers: []string{}}
		for i, r := range s.req.Requirements {
			if m.cover&(1<<uint(i)) != 0 {
				cm.Covers = append(cm.Covers, r)
				c.Covers[r] = append(c.Covers[r], o.id)
			}
		}
		c.Members = append(c.Members, cm)
	}
	if s.lead != nil {
		add(s.lead, &s.leadOrg, true)
	}
	for _, m := range t.members {
		add(&s.cands[m], &s.orgs[m], false)
	}
	for i, r := range s.req.Requirements {
		if t.cover&(1<<uint(i)) == 0 {
			c.Missing = append(c.Missing, r)
		}
	}
	covered := bits.OnesCount32(t.cover)
	c.Reasons = []Reason{
		{Factor: "cover", Detail: fmt.Sprintf("covers %d of %d requirements with %d members", covered, len(s.req.Requirements), len(c.Members)),
			Weight: 0, Value: roundScore(float64(covered) / float64(len(s.req.Requirements)))},
		{Factor: "compactness", Detail: fmt.Sprintf("members at most %.1f km apart", t.spread/1000),
			Weight: teamCompactWeight, Value: roundScore(t.factors[0]), Contribution: roundScore(teamCompactWeight * t.factors[0])},
		{Factor: "capacity", Detail: "hours a month offered toward the requirements",
			Weight: teamCapacityWeight, Value: roundScore(t.factors[1]), Contribution: roundScore(teamCapacityWeight * t.factors[1])},
		{Factor: "shared_values", Detail: "share of member pairs with a value in common",
			Weight: teamValuesWeight, Value: roundScore(t.factors[2]), Contribution: roundScore(teamValuesWeight * t.factors[2])},
	}
	return c
}

// ConsortiumRankRule is how teams are ranked, as every answer's first
// reason states it: a team covering more of the bid comes first whatever
// its score, then, among teams that cover as much, a smaller team (fewer
// organisations to coordinate), and only then the higher score.
const ConsortiumRankRule = "teams that cover more of the bid rank first, then smaller teams (fewer organisations to " +
	"coordinate), then higher scores"

// rankDetail says where the team t ranks and why, against the team ranked
// just above it (nil for the first).
func (s *search) rankDetail(rank int, t, above *team) string {
	head := fmt.Sprintf("ranked %d: %s. This team covers %d of %d requirements with %s, score %.3f",
		rank, ConsortiumRankRule, bits.OnesCount32(t.cover), len(s.req.Requirements),
		count(s.size(t), "member", "members"), t.score)
	if above == nil {
		return head
	}
	var why string
	switch ca, ct := bits.OnesCount32(above.cover), bits.OnesCount32(t.cover); {
	case ca != ct:
		why = fmt.Sprintf("the team above covers more of the bid (%d requirements)", ca)
	case s.size(above) != s.size(t):
		why = fmt.Sprintf("the team above covers as much with fewer members (%d)", s.size(above))
		if above.score < t.score {
			why += fmt.Sprintf(", though it scores less (%.3f)", above.score)
		}
	case above.score != t.score:
		why = fmt.Sprintf("the team above scores more (%.3f)", above.score)
	default:
		why = "the two tie, and the team above comes first by its members' IDs"
	}
	return head + "; it ranks below the team above because " + why
}
