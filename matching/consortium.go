package matching

import (
	"context"
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
		c := s.render(&s.best[i])
		var above *team
		if i > 0 {
			above = &s.best[i-1]
		}
		c.Reasons = append([]Reason{{Factor: "rank", Detail: s.rankDetail(i+1, &s.best[i], above)}}, c.Reasons...)
		res.Consortia = append(res.Consortia, c)
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
