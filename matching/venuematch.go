package matching

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/paulmach/orb"

	"commonground/geo"
)

// Requirements are what a group insists on; each true field is a hard
// constraint.
type Requirements struct {
	StepFree         bool
	AccessibleToilet bool
	HearingLoop      bool
	Parking          bool
	ChangingRooms    bool
	SprungFloor      bool // sprung or semi-sprung
	Mirrors          bool
	Barres           bool
	SoundSystem      bool
	ClimateControl   bool
	NoObstructions   bool
	MinCeilingM      float64
}

// VenueRequest asks for rooms for a group: where, how many, which
// activity, which sessions, at what price.
type VenueRequest struct {
	Near      orb.Point
	RadiusKm  float64
	GroupSize int
	Activity  string
	Sessions  []Session
	// Now is when the request is made: a session that starts more than a
	// space's booking horizon after it is not free there
	// (ReasonBeyondHorizon), as booking would refuse it. A zero Now sets
	// no horizon.
	Now time.Time
	// MaxPencePerHour is the budget for the Tier's price (0: no budget).
	MaxPencePerHour int
	// Tier is the price tier the group pays (default standard).
	Tier         Tier
	Requirements Requirements
	// OrganisationID is the requester; it enables values checks.
	OrganisationID string
	// RequireAllSessions keeps only spaces free for every session; without
	// it a space free for at least one session matches.
	RequireAllSessions bool
	// Limit is the most matches a page holds.
	Limit int
	// ExplainSpaceID asks why one space was or was not matched.
	ExplainSpaceID string
	// AllowOutdoor offers outdoor spaces too (activity.go).
	AllowOutdoor bool
	// SkipExcluded leaves the spaces that do not match uncounted
	// (VenueResult.Excluded is nil and TotalMatches 0). The match then
	// reads only the spaces that could still rank among the best: whole
	// grid cells that cannot are passed over (venuecells.go).
	SkipExcluded bool
	// After resumes the ranking after a place in it: VenueResult.Next of
	// the page before. Pages of one request, taken in turn, hold every
	// match once.
	After *VenueCursor
}

// VenueCursor is a place in a venue ranking: the last match of a page.
// Matches rank by score, then distance, then space ID; the next page
// holds those that rank after it.
type VenueCursor struct {
	Score     float64
	DistanceM float64
	SpaceID   string
}

// Limits of a venue request.
const (
	MaxMatchRadiusKm = 200
	MaxMatchLimit    = 100
	DefaultTier      = Tier("standard")
)

// Validate checks a request against the taxonomy. It returns a
// *ValidationError.
func (r *VenueRequest) Validate(tax *Taxonomy) error {
	ve := &ValidationError{}
	if !(r.RadiusKm > 0 && r.RadiusKm <= MaxMatchRadiusKm) {
		ve.Add("radius_km", "must be more than 0 and at most %d", MaxMatchRadiusKm)
	}
	if r.GroupSize < 1 || r.GroupSize > MaxCapacity {
		ve.Add("group_size", "must be between 1 and %d", MaxCapacity)
	}
	if r.Activity == "" {
		ve.Add("activity", "is required")
	} else if !tax.IsActivity(r.Activity) {
		ve.Add("activity", "unknown activity %s", quote(r.Activity))
	}
	if r.MaxPencePerHour < 0 || r.MaxPencePerHour > MaxPencePerHour {
		ve.Add("max_pence_per_hour", "must be between 0 and %d", MaxPencePerHour)
	}
	if r.Tier != "" && !validTier(r.Tier) {
		ve.Add("tier", "unknown tier %s (one of community, standard, commercial)", quote(string(r.Tier)))
	}
	if !inRange(r.Requirements.MinCeilingM, 0, MaxCeilingM) {
		ve.Add("requirements.min_ceiling_m", "must be between 0 and %d", MaxCeilingM)
	}
	if r.Limit < 0 || r.Limit > MaxMatchLimit {
		ve.Add("limit", "must be between 1 and %d", MaxMatchLimit)
	}
	if a := r.After; a != nil {
		if _, ok := parseUID(a.SpaceID); !ok || !(a.Score >= 0 && a.Score <= 1) || !(a.DistanceM >= 0) {
			ve.Add("cursor", "is not a place in a venue ranking")
		}
	}
	ve.Merge("", ValidateSessions(r.Sessions))
	return ve.Err()
}

// Reason explains one factor of a score: its weight, how well the match
// did on it (0..1) and what that added to the score.
type Reason struct {
	Factor       string
	Detail       string
	Weight       float64
	Value        float64
	Contribution float64
}

// SessionConflict is a requested session a space cannot take, and why.
type SessionConflict struct {
	Start, End time.Time
	Reason     string
}

// VenueMatch is one space that suits the request.
type VenueMatch struct {
	SpaceID, SpaceName, VenueID, VenueName, OrganisationID string
	Location                                               orb.Point
	DistanceKm                                             float64
	Score                                                  float64
	FitToDance                                             int
	SessionsRequested, SessionsAvailable                   int
	Conflicts                                              []SessionConflict
	// PricePencePerHour is the price at the requested tier (nil: none listed).
	PricePencePerHour *int
	Reasons           []Reason
}

// Failure is one constraint a space fails.
type Failure struct {
	Reason string // one of ExclusionOrder
	Detail string
}

// Explanation says why one space was or was not matched.
type Explanation struct {
	SpaceID   string
	Matched   bool
	Failures  []Failure
	Conflicts []SessionConflict
	Match     *VenueMatch // the match, when it is one
}

// VenueResult answers a venue request: the best matches (after the
// request's cursor), how many spaces within twice the radius were
// excluded and why (unless the request skips that count), where the next
// page starts, and the explanation of one space if asked for.
type VenueResult struct {
	Matches      []VenueMatch
	TotalMatches int
	Excluded     map[string]int
	// Next is the cursor of the page after this one; nil at the end.
	Next        *VenueCursor
	Explanation *Explanation
}

// VenueWeights weigh the soft factors of a venue match. They are
// normalised to sum to 1, so a score is always in 0..1.
type VenueWeights struct {
	FitToDance   float64 // the star rating, 0–5
	Distance     float64 // nearer is better, to 0 at the radius
	Room         float64 // floor area per dancer, up to twice the activity's minimum
	Price        float64 // cheaper is better: against the budget, or £60/h without one
	Extras       float64 // mirrors, barres, sound, changing rooms, climate control
	Availability float64 // share of sessions free (matters without require_all_sessions)
}

// DefaultVenueWeights: suitability first, then distance, then the
// practical factors.
var DefaultVenueWeights = VenueWeights{FitToDance: 0.30, Distance: 0.25, Room: 0.15, Price: 0.15, Extras: 0.10, Availability: 0.05}

// priceScale is the hourly price at which the price factor reaches 0 when
// the request gives no budget (£60).
const priceScale = 6000

// candidate is a matched space before it is rendered.
type candidate struct {
	slot  int32
	distM float64
	score float64
	free  int
}

// query holds what one match computes once and reuses for every space.
type query struct {
	e       *Engine
	st      *state
	req     *VenueRequest
	radiusM float64
	reqOrg  *orgRec
	minArea float64
	activityRules
	needs   uint16
	sprung  bool
	tier    int
	zones   map[*time.Location][]localSession
	hoursOK map[hoursKey][]bool
	// open (by zone number and timetable) and closedSets are the same
	// answers as sets (sessionset.go), for the availability check of
	// every candidate.
	open       [][]sessionSet
	closedSets []sessionSet
	// closed caches, per interned closure list, which sessions it blocks.
	closed [][]bool
	// horizonAll is the shortest booking horizon, in days, within which
	// every session starts (0 without a Now): a space with a horizon as
	// long loses no session to it, and only the others read beyond, the
	// sessions past each shorter horizon (beyondSet).
	horizonAll int
	beyond     map[uint16]*sessionSet
	ruler      geo.Ruler // to twice the radius: exact distances
	// wide reaches the corners of the search box (about 2.83 radii), so
	// its flat-earth margin holds for every candidate.
	wide    geo.Ruler
	weights VenueWeights
	// after is the request's cursor, afterID its space: only the matches
	// that rank after it are kept.
	after   *candidate
	afterID uid
	// What bound needs, worked out once: the fit and extras terms by
	// stars and by number of extras, and the scales of the room and price
	// factors.
	fitTerm, extrasTerm [6]float64
	roomScale           float64
	priceScale          float64
}

type hoursKey struct {
	zone  *time.Location
	hours int32
}

// MatchVenues finds the spaces that suit a request, best first, counting
// every space within twice the radius that does not match under the first
// reason it fails. It returns a *ValidationError for a bad request or an
// unknown requester.
func (e *Engine) MatchVenues(req *VenueRequest) (*VenueResult, error) {
	if err := req.Validate(e.tax); err != nil {
		return nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	q, err := e.newQuery(req)
	if err != nil {
		return nil, err
	}
	res := &VenueResult{}
	limit := req.Limit
	if limit == 0 {
		limit = 20
	}
	// One more than a page is kept, to tell whether another page follows.
	keep := limit + 1
	var found []candidate
	if req.SkipExcluded {
		found = q.scanBest(q.cellRuns(nil), keep)
	} else {
		res.Excluded = map[string]int{}
		var excluded [numReasons]int
		runs := q.cellRuns(&excluded)
		total := 0
		for _, r := range runs {
			total += len(r.slots)
		}
		for _, sc := range e.scanRuns(q, runs, e.matchWorkers(total), keep) {
			found = append(found, sc.found...)
			res.TotalMatches += sc.total
			for i, n := range sc.excluded {
				excluded[i] += n
			}
		}
		for i, n := range excluded {
			if n > 0 {
				res.Excluded[exclusions[i].name] = n
			}
		}
	}
	sort.Slice(found, func(i, j int) bool { return q.better(found[i], found[j]) })
	if len(found) > limit {
		found = found[:limit]
		last := found[limit-1]
		res.Next = &VenueCursor{Score: last.score, DistanceM: last.distM, SpaceID: q.st.spaces[last.slot].id.String()}
	}
	res.Matches = make([]VenueMatch, len(found))
	for i, c := range found {
		res.Matches[i] = q.render(c)
	}
	if req.ExplainSpaceID != "" {
		res.Explanation = q.explain(req.ExplainSpaceID)
	}
	return res, nil
}

// cellRuns lists the grid cells a match visits, nearest first, each with
// what bounds its spaces. Whole cells are placed first: one beyond twice
// the radius is skipped, one wholly between the radius and twice it counts
// all its spaces as too far in excluded (with excluded nil, one wholly
// beyond the radius is skipped), one wholly within the radius needs no
// distance per space, and only the others are placed space by space.
func (q *query) cellRuns(excluded *[numReasons]int) []cellRun {
	outer := 2 * q.radiusM
	if excluded == nil {
		outer = q.radiusM
	}
	box := geo.BoundAround(q.req.Near, outer)
	byCell := q.wide.Margin() > 0 && box.Max[0]-box.Min[0] < 180
	var runs []cellRun
	q.st.grid.EachCell(box, func(cell orb.Bound, slots []int32) bool {
		run := cellRun{slots: slots}
		if byCell {
			near, far, m := q.wide.FlatRange(cell)
			switch {
			case near > outer*(1+m):
				return true
			case excluded != nil && near > q.radiusM*(1+m) && far < outer*(1-m):
				excluded[reasonTooFar] += len(slots)
				return true
			case far < q.radiusM*(1-m):
				run.inside = true
			}
			run.nearM = near / (1 + m)
		}
		if excluded == nil {
			run.key = q.st.grid.Key(cell.Center())
		}
		runs = append(runs, run)
		return true
	})
	// Nearest cells first: their matches score high, so the score bound
	// turns away more of those that follow. The order of cells equally
	// near does not change the answer, only how soon the bound bites.
	slices.SortFunc(runs, func(a, b cellRun) int { return cmp.Compare(a.nearM, b.nearM) })
	return runs
}

func (e *Engine) newQuery(req *VenueRequest) (*query, error) {
	q := &query{e: e, st: e.st, req: req, radiusM: req.RadiusKm * 1000, ruler: geo.NewRuler(req.Near, 2*req.RadiusKm*1000),
		wide:  geo.NewRuler(req.Near, 3*req.RadiusKm*1000),
		zones: map[*time.Location][]localSession{}, hoursOK: map[hoursKey][]bool{}}
	if req.OrganisationID != "" {
		slot, ok := q.st.orgByID[req.OrganisationID]
		if !ok {
			return nil, Invalid("organisation_id", "no organisation %s", quote(req.OrganisationID))
		}
		q.reqOrg = &q.st.orgs[slot]
	}
	if a := req.After; a != nil {
		id, _ := parseUID(a.SpaceID) // Validate has checked it
		q.after = &candidate{score: a.Score, distM: a.DistanceM}
		q.afterID = id
	}
	prof, ok := e.opts.Activities[req.Activity]
	if !ok {
		prof = defaultProfile
	}
	q.minArea = float64(req.GroupSize) * prof.MinAreaPerDancerM2
	q.activityRules = e.activityRules(req.Activity, req.AllowOutdoor)
	q.needs = req.Requirements.flags()
	q.sprung = req.Requirements.SprungFloor
	tier := req.Tier
	if tier == "" {
		tier = DefaultTier
	}
	q.tier = tierIndex(tier)
	w := e.opts.VenueWeights
	sum := w.FitToDance + w.Distance + w.Room + w.Price + w.Extras + w.Availability
	if sum <= 0 {
		w, sum = DefaultVenueWeights, 1
	}
	q.weights = VenueWeights{w.FitToDance / sum, w.Distance / sum, w.Room / sum, w.Price / sum, w.Extras / sum, w.Availability / sum}
	for i := range q.fitTerm {
		q.fitTerm[i] = q.weights.FitToDance * float64(i) / MaxFitToDance
		q.extrasTerm[i] = q.weights.Extras * float64(i) / 5
	}
	q.horizonAll = horizonAll(req.Sessions, req.Now)
	q.roomScale = 1 / (2 * q.minArea)
	q.priceScale = 1.0 / priceScale
	if req.MaxPencePerHour > 0 {
		q.priceScale = 1 / float64(req.MaxPencePerHour)
	}
	return q, nil
}

// horizonAll is the fewest days of booking horizon from now within which
// every session starts (beyondHorizon), 0 for a zero now.
func horizonAll(sessions []Session, now time.Time) int {
	if now.IsZero() {
		return 0
	}
	var latest time.Time
	for i, s := range sessions {
		if i == 0 || s.Start.After(latest) {
			latest = s.Start
		}
	}
	if len(sessions) == 0 || !latest.After(now) {
		return 0
	}
	d := latest.Sub(now)
	days := int(d / (24 * time.Hour))
	if horizonDuration(days) < d {
		days++
	}
	return days
}
