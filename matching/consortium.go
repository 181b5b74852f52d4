package matching

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"sort"

	"github.com/paulmach/orb"

	"commonground/geo"
)

// ConsortiumRequest asks for teams of organisations that together cover a
// commissioning bid's required capabilities.
type ConsortiumRequest struct {
	Requirements       []string
	Near               orb.Point
	RadiusKm           float64
	LeadOrganisationID string
	MaxMembers         int // including the lead (default 4)
	Limit              int // teams to return (default 5)
	// Pause, when set, is called between chunks of the search (every
	// thousand or so teams considered, a fraction of a millisecond of work);
	// it may block to let more urgent work run first.
	Pause func()
}

// Consortium limits and the search's bounds.
const (
	MaxRequirements       = 20
	MaxConsortiumMembers  = 6
	MaxConsortia          = 20
	DefaultConsortiumSize = 4
	// ExactCandidates is the most candidates searched exhaustively. Above
	// it the search keeps, for each requirement, the ProvidersPerNeed
	// nearest providers (ties by capacity) and searches their union
	// exhaustively: a team that needs a provider outside those is not
	// considered, so the answer is exact over at most ProvidersPerNeed ×
	// requirements candidates, not over all of them.
	ExactCandidates  = 40
	ProvidersPerNeed = 6
	// maxSearchNodes stops a search that would run away; the answer then
	// says it is not exhaustive.
	maxSearchNodes = 2_000_000
)

// ConsortiumMember is one organisation in a team.
type ConsortiumMember struct {
	OrganisationID string
	Name           string
	Type           OrgType
	DistanceKm     float64
	Lead           bool
	Covers         []string
}

// Consortium is one team.
type Consortium struct {
	Members  []ConsortiumMember
	Covers   map[string][]string // requirement → members that cover it
	Missing  []string            // requirements this team does not cover
	Complete bool
	SpreadKm float64 // the greatest distance between two members
	Score    float64
	Reasons  []Reason
}

// ConsortiumResult answers a consortium request.
type ConsortiumResult struct {
	Consortia []Consortium
	// Missing lists requirements no candidate within reach covers.
	Missing    []string
	Candidates int
	// Exhaustive is false when the heuristic bound applied (see
	// ExactCandidates) or the search stopped early.
	Exhaustive bool
}

// Validate checks a consortium request against the taxonomy.
func (r *ConsortiumRequest) Validate(tax *Taxonomy) error {
	ve := &ValidationError{}
	if len(r.Requirements) == 0 {
		ve.Add("requirements", "needs at least one capability")
	}
	if len(r.Requirements) > MaxRequirements {
		ve.Add("requirements", "must have at most %d entries", MaxRequirements)
	} else {
		checkSlugs(ve, "requirements", r.Requirements, tax.IsCategory, "category")
	}
	if !(r.RadiusKm > 0 && r.RadiusKm <= MaxMatchRadiusKm) {
		ve.Add("radius_km", "must be more than 0 and at most %d", MaxMatchRadiusKm)
	}
	if r.MaxMembers < 0 || r.MaxMembers > MaxConsortiumMembers {
		ve.Add("max_members", "must be between 1 and %d", MaxConsortiumMembers)
	}
	if r.Limit < 0 || r.Limit > MaxConsortia {
		ve.Add("limit", "must be between 1 and %d", MaxConsortia)
	}
	return ve.Err()
}

// member is a candidate during the search.
type member struct {
	slot  int32
	cover uint32 // requirement bits
	d     float64
	hours int
}

type team struct {
	members []int // indexes into the candidate list
	cover   uint32
	score   float64
	spread  float64
	factors [3]float64
}

// BuildConsortia finds teams of up to MaxMembers organisations (with the
// lead, if any) that are pairwise compatible, whose members other than the
// lead lie within the radius of Near (the lead is in every team wherever
// it is based), and together cover the requirements: complete covers first, then
// smaller teams, then by score (close together, capacity, shared values).
// Every member of a returned team adds a capability the others lack.
// It is SearchConsortia with no bound but its own (see maxSearchNodes).
func (e *Engine) BuildConsortia(req ConsortiumRequest) (*ConsortiumResult, error) {
	return e.SearchConsortia(context.Background(), req)
}

// SearchConsortia is BuildConsortia bounded by ctx: the search looks at
// ctx every few thousand teams, and once ctx is done (cancelled, or past
// its deadline: the caller's time budget) it stops and answers the best
// teams found so far, each as sound as any other, with Exhaustive false.
// While ctx is not done the answer is BuildConsortia's, exactly. The
// engine's read lock is held while the candidates are gathered, not
// during the search, so a long search delays no change to the read model.
// It returns a *ValidationError for a bad request.
func (e *Engine) SearchConsortia(ctx context.Context, req ConsortiumRequest) (*ConsortiumResult, error) {
	if err := req.Validate(e.tax); err != nil {
		return nil, err
	}
	if req.MaxMembers == 0 {
		req.MaxMembers = DefaultConsortiumSize
	}
	if req.Limit == 0 {
		req.Limit = 5
	}
	s, res, err := e.consortiumCandidates(&req)
	if err != nil {
		return nil, err
	}
	s.done = ctx.Done()
	slots := req.MaxMembers
	var start uint32
	if s.lead != nil {
		slots--
		start = s.lead.cover
	}
	// chosen never grows past slots: appends reuse one array.
	s.dfs(0, make([]int, 0, slots), start, slots)
	if s.nodes >= maxSearchNodes || s.stopped {
		res.Exhaustive = false
	}
	sort.Slice(s.best, func(i, j int) bool { return s.better(&s.best[i], &s.best[j]) })
	for i := range s.best {
		res.Consortia = append(res.Consortia, s.render(&s.best[i]))
	}
	return res, nil
}

// consortiumCandidates gathers, under the engine's read lock, the
// candidates of a validated request, with copies of their records so the
// search needs the read model no more.
func (e *Engine) consortiumCandidates(req *ConsortiumRequest) (*search, *ConsortiumResult, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.st
	reqCats := make([]uint16, len(req.Requirements))
	for i, r := range req.Requirements {
		reqCats[i] = uint16(e.tax.categoryIndex(r))
	}
	rooms := newRoomOffers(e.tax)
	var offers offerSet // reused for each organisation
	coverOf := func(o *orgRec) (uint32, int) {
		offers = st.offersOf(o, rooms, offers)
		var mask uint32
		hours := 0
		for i, need := range reqCats {
			for j, c := range offers.cats {
				if e.tax.offerMeets(c, need) {
					mask |= 1 << uint(i)
					switch h := offers.hours[j]; {
					case h > 0:
						hours += h
					case h == roomHours:
						// A room is there whenever it is needed: it
						// counts as full capacity for what it covers.
						hours += hoursPerCapability
					}
					break
				}
			}
		}
		return mask, hours
	}

	var lead *member
	var leadRec *orgRec
	if req.LeadOrganisationID != "" {
		slot, ok := st.orgByID[req.LeadOrganisationID]
		if !ok {
			return nil, nil, Invalid("lead_organisation_id", "no organisation %s", quote(req.LeadOrganisationID))
		}
		leadRec = &st.orgs[slot]
		mask, hours := coverOf(leadRec)
		lead = &member{slot: slot, cover: mask, d: geo.DistanceM(req.Near, leadRec.loc), hours: hours}
	}
	radiusM := req.RadiusKm * 1000
	ruler := geo.NewRuler(req.Near, radiusM)
	var cands []member
	st.orgGrid.Each(geo.BoundAround(req.Near, radiusM), func(slot int32) bool {
		if lead != nil && slot == lead.slot {
			return true
		}
		o := &st.orgs[slot]
		d, ok := ruler.Within(o.loc)
		if !ok {
			return true
		}
		if leadRec != nil && (leadRec.practices&o.objects != 0 || o.practices&leadRec.objects != 0) {
			return true
		}
		mask, hours := coverOf(o)
		if mask == 0 {
			return true
		}
		cands = append(cands, member{slot: slot, cover: mask, d: d, hours: hours})
		return true
	})
	res := &ConsortiumResult{Candidates: len(cands), Exhaustive: true, Missing: []string{}}
	var all uint32
	if lead != nil {
		all = lead.cover
	}
	for _, c := range cands {
		all |= c.cover
	}
	full := uint32(1)<<uint(len(reqCats)) - 1
	for i, r := range req.Requirements {
		if all&(1<<uint(i)) == 0 {
			res.Missing = append(res.Missing, r)
		}
	}
	// A stable order: nearest first, then by ID.
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].d != cands[j].d {
			return cands[i].d < cands[j].d
		}
		return st.orgs[cands[i].slot].id < st.orgs[cands[j].slot].id
	})
	if len(cands) > ExactCandidates {
		cands = bestProviders(cands, len(reqCats), st)
		res.Exhaustive = false
	}
	s := &search{req: req, cands: cands, lead: lead, full: full, radiusM: radiusM}
	s.orgs = make([]orgRec, len(cands))
	for i := range cands {
		s.orgs[i] = st.orgs[cands[i].slot]
	}
	if leadRec != nil {
		s.leadOrg = *leadRec
	}
	s.compat = make([][]bool, len(cands))
	for i := range cands {
		s.compat[i] = make([]bool, len(cands))
		a := &s.orgs[i]
		for j := range cands {
			b := &s.orgs[j]
			s.compat[i][j] = a.practices&b.objects == 0 && b.practices&a.objects == 0
		}
	}
	return s, res, nil
}

// bestProviders keeps, for each requirement, the nearest ProvidersPerNeed
// candidates that cover it (ties by capacity), in their original order.
func bestProviders(cands []member, n int, st *state) []member {
	keep := make([]bool, len(cands))
	for r := 0; r < n; r++ {
		var idx []int
		for i, c := range cands {
			if c.cover&(1<<uint(r)) != 0 {
				idx = append(idx, i)
			}
		}
		sort.SliceStable(idx, func(a, b int) bool {
			ca, cb := cands[idx[a]], cands[idx[b]]
			if ca.d != cb.d {
				return ca.d < cb.d
			}
			return ca.hours > cb.hours
		})
		for k := 0; k < len(idx) && k < ProvidersPerNeed; k++ {
			keep[idx[k]] = true
		}
	}
	var out []member
	for i, c := range cands {
		if keep[i] {
			out = append(out, c)
		}
	}
	return out
}

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
