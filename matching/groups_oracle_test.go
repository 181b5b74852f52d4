package matching_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
)

// The oracle test of MatchGroups: the venue oracle's world (a few
// thousand spaces, bookings, closures, time zones, values), with needs
// for a room given at random, and a brute force written from the
// contract (api.md, the doc comment of MatchGroups) that walks every
// organisation and every minute of every window.

// roomKinds is the offer each kind of room makes, as the contract says
// rooms offer (a room fit for dance also offers space.dance-studio).
var roomKinds = map[matching.SpaceKind]string{
	"studio": "space.rehearsal", "hall": "space.hall", "classroom": "space.classroom",
	"meeting_room": "space.meeting-room", "theatre": "space.theatre", "outdoor": "space.outdoor",
}

// spaceCategoriesOf lists the taxonomy's space.* categories.
func spaceCategoriesOf(tax *matching.Taxonomy) []string {
	var out []string
	for _, c := range tax.Categories {
		if matching.IsSpaceCategory(c.Slug) {
			out = append(out, c.Slug)
		}
	}
	return out
}

// randomRoomNeed is a valid need for a room saying some of what it may.
func randomRoomNeed(r *rand.Rand, tax *matching.Taxonomy, orgID string, n int) matching.Need {
	cats := spaceCategoriesOf(tax)
	need := matching.Need{ID: fmt.Sprintf("eeeeeeee-0000-4000-8000-%012d", n), OrganisationID: orgID, Category: cats[r.IntN(len(cats))]}
	if r.IntN(4) > 0 {
		need.GroupSize = 1 + r.IntN(60)
	}
	if r.IntN(3) > 0 {
		acts := activitySlugs(tax)
		need.Activity = acts[r.IntN(len(acts))]
	}
	if r.IntN(2) == 0 {
		need.MaxPencePerHour = 500 + 250*r.IntN(24)
	}
	days := slices.Clone(matching.Days)
	r.Shuffle(len(days), func(i, j int) { days[i], days[j] = days[j], days[i] })
	for i := range r.IntN(4) {
		// From 06:00, clear of clock changes, so time.Date and the engine
		// agree on every instant.
		start := 6*60 + 30*r.IntN(33)
		end := min(start+30*(1+r.IntN(8)), 1440)
		need.Windows = append(need.Windows, matching.Window{Day: days[i], Start: matching.ClockTime(start), End: matching.ClockTime(end)})
	}
	return need
}

// bruteNeed is one need for a room of the space's kind within twice the
// radius, as the brute force sees it.
type bruteNeed struct {
	orgID, needID string
	distM         float64
	reason        string // first failure, "" when matched
	free          []matching.Session
	cut           int // free runs past the booking horizon
	score         float64
}

// bruteFree walks every minute of every window over the horizon. A free
// run that starts past the space's booking horizon is not free (cut counts
// those).
func bruteFree(s *matching.Space, loc *time.Location, booked []matching.Session, ws []matching.Window, now time.Time) (free []matching.Session, freeMin, wantMin float64, cut int) {
	until := now.Add(matching.GroupHorizon)
	y, m, d := now.In(loc).Date()
	for i := 0; i <= 28; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		for _, w := range ws {
			if !strings.EqualFold(string(w.Day), day.Weekday().String()[:3]) {
				continue
			}
			start := time.Date(y, m, d+i, 0, int(w.Start), 0, 0, loc)
			end := time.Date(y, m, d+i, 0, int(w.End), 0, 0, loc)
			if start.Before(now) {
				start = now
			}
			if end.After(until) {
				end = until
			}
			if !end.After(start) {
				continue
			}
			wantMin += end.Sub(start).Minutes()
			shortest := min(time.Hour, time.Duration(w.End-w.Start)*time.Minute)
			var run *matching.Session
			flush := func() {
				if run != nil && run.End.Sub(run.Start) >= shortest && pastHorizonByHand(s, now, *run) {
					cut++
				} else if run != nil && run.End.Sub(run.Start) >= shortest {
					free = append(free, matching.Session{Start: run.Start.UTC(), End: run.End.UTC()})
					freeMin += run.End.Sub(run.Start).Minutes()
				}
				run = nil
			}
			for t := start; t.Before(end); t = t.Add(time.Minute) {
				minute := matching.Session{Start: t, End: t.Add(time.Minute)}
				if freeByHand(s, loc, booked, minute) {
					if run == nil {
						run = &matching.Session{Start: t}
					}
					run.End = minute.End
				} else {
					flush()
				}
			}
			flush()
		}
	}
	slices.SortFunc(free, func(a, b matching.Session) int { return a.Start.Compare(b.Start) })
	return free, freeMin, wantMin, cut
}

func bruteGroups(w *oracleWorld, spaceID string, radiusKm float64, now time.Time) []*bruteNeed {
	s := w.spaces[spaceID]
	v := w.venues[s.VenueID]
	owner := w.orgs[v.OrganisationID]
	loc := zone(v.Timezone)
	offers := []string{roomKinds[s.Kind]}
	if s.FitToDance() >= matching.FitForDanceStars {
		offers = append(offers, "space.dance-studio")
	}
	radiusM := radiusKm * 1000
	var out []*bruteNeed
	for _, o := range w.orgs {
		if o.ID == owner.ID {
			continue
		}
		d := geo.DistanceM(v.Location, o.Location)
		if d > 2*radiusM {
			continue
		}
		for _, n := range o.Needs {
			if !matching.IsSpaceCategory(n.Category) || !slices.ContainsFunc(offers, func(c string) bool { return w.tax.OfferMeetsNeed(c, n.Category) }) {
				continue
			}
			b := &bruteNeed{orgID: o.ID, needID: n.ID, distM: d}
			out = append(out, b)
			prof := profileFor(n.Activity)
			price, priced := s.PriceFor("standard")
			var freeMin, wantMin float64
			if len(n.Windows) > 0 {
				b.free, freeMin, wantMin, b.cut = bruteFree(s, loc, w.booked[spaceID], n.Windows, now)
			}
			switch {
			case d > radiusM:
				b.reason = matching.ExcludedTooFar
			case !w.tax.Compatible(owner, o):
				b.reason = matching.ExcludedValuesConflict
			case n.GroupSize > 0 && (s.Capacity < n.GroupSize || s.FloorAreaM2 < float64(n.GroupSize)*prof.MinAreaPerDancerM2):
				b.reason = matching.ExcludedTooSmall
			// The activity rules of the venue oracle (bruteMatch); a group
			// asking for an outdoor space accepts the open air.
			case n.Activity != "" && breaksActivityRule(s, n.Activity, n.GroupSize, n.Category == "space.outdoor"):
				b.reason = matching.ExcludedActivityNotAllowed
			case n.MaxPencePerHour > 0 && (!priced || price > n.MaxPencePerHour):
				b.reason = matching.ExcludedOverBudget
			case len(n.Windows) > 0 && len(b.free) == 0:
				b.reason = matching.ExcludedUnavailable
			}
			if b.reason != "" {
				continue
			}
			var f [5]float64
			if wantMin > 0 {
				f[0] = freeMin / wantMin
			}
			f[1] = clamp01(1 - d/radiusM)
			f[2] = 0.5
			if n.GroupSize > 0 {
				f[2] = clamp01(s.FloorAreaM2 / (2 * float64(n.GroupSize) * prof.MinAreaPerDancerM2))
			}
			switch {
			case !priced:
				f[3] = 0.5
			case n.MaxPencePerHour > 0:
				f[3] = clamp01(1 - float64(price)/float64(n.MaxPencePerHour))
			default:
				f[3] = clamp01(1 - float64(price)/6000)
			}
			shared := 0
			for _, x := range owner.Values {
				if slices.Contains(o.Values, x) {
					shared++
				}
			}
			if fewer := min(len(owner.Values), len(o.Values)); fewer > 0 {
				f[4] = float64(shared) / float64(fewer)
			}
			weights := [5]float64{0.35, 0.25, 0.15, 0.15, 0.10}
			for i := range f {
				b.score += weights[i] * f[i]
			}
		}
	}
	return out
}

func TestMatchGroupsOracle(t *testing.T) {
	queries := 40
	if testing.Short() {
		queries = 12
	}
	nows := []time.Time{
		time.Date(2026, 12, 14, 9, 17, 0, 0, time.UTC), // Christmas closures and bookings
		time.Date(2027, 3, 10, 16, 45, 0, 0, time.UTC), // the spring clock change
	}
	for seedN := int64(1); seedN <= 2; seedN++ {
		t.Run(fmt.Sprintf("seed=%d", seedN), func(t *testing.T) {
			t.Parallel()
			w, e := buildOracle(t, seedN)
			r := rand.New(rand.NewPCG(uint64(seedN), 0x960b))
			// Needs for rooms, given through a change set as the store
			// would send them.
			cs := &matching.ChangeSet{Revision: 3}
			n := 0
			for _, id := range sortedKeys(w.orgs) {
				if r.Float64() > 0.5 {
					continue
				}
				o := *w.orgs[id]
				o.Needs = slices.DeleteFunc(slices.Clone(o.Needs), func(x matching.Need) bool { return matching.IsSpaceCategory(x.Category) })
				for range 1 + r.IntN(3) {
					n++
					need := randomRoomNeed(r, w.tax, o.ID, n)
					if err := need.Validate(w.tax); err != nil {
						t.Fatalf("need %+v: %v", need, err)
					}
					o.Needs = append(o.Needs, need)
				}
				w.orgs[id] = &o
				cs.Organisations = append(cs.Organisations, o)
			}
			mustApply(t, e, cs)

			spaceIDs := sortedKeys(w.spaces)
			// Every other query asks of a room whose booking horizon ends
			// within GroupHorizon.
			var short []string
			for _, id := range spaceIDs {
				if w.spaces[id].HorizonDays() < 28 {
					short = append(short, id)
				}
			}
			var matched, checked, cut int
			reasons := map[string]int{}
			for i := range queries {
				spaceID := spaceIDs[r.IntN(len(spaceIDs))]
				if i%2 == 1 && len(short) > 0 {
					spaceID = short[r.IntN(len(short))]
				}
				radiusKm := []float64{2, 5, 10, 20}[r.IntN(4)]
				now := nows[i%len(nows)]
				got, err := e.MatchGroups(matching.GroupRequest{SpaceID: spaceID, RadiusKm: radiusKm, Limit: matching.MaxGroupLimit, Now: now})
				if err != nil {
					t.Fatal(err)
				}
				brute := bruteGroups(w, spaceID, radiusKm, now)
				var want []*bruteNeed
				excluded := map[string]int{}
				for _, b := range brute {
					cut += b.cut
					if b.reason == "" {
						want = append(want, b)
					} else {
						excluded[b.reason]++
						reasons[b.reason]++
					}
				}
				slices.SortFunc(want, func(a, b *bruteNeed) int {
					if c := cmp.Compare(math.Round(b.score*1e6), math.Round(a.score*1e6)); c != 0 {
						return c
					}
					if c := cmp.Compare(a.distM, b.distM); c != 0 {
						return c
					}
					if c := cmp.Compare(a.orgID, b.orgID); c != 0 {
						return c
					}
					return cmp.Compare(a.needID, b.needID)
				})
				what := fmt.Sprintf("space %s, %.0f km, now %s", spaceID, radiusKm, now.Format(time.RFC3339))
				for _, reason := range matching.GroupExclusionOrder {
					if got.Excluded[reason] != excluded[reason] {
						t.Errorf("%s: excluded[%s] = %d, brute force %d", what, reason, got.Excluded[reason], excluded[reason])
					}
				}
				if got.TotalMatches != len(want) {
					t.Errorf("%s: %d matches, brute force %d", what, got.TotalMatches, len(want))
				}
				want = want[:min(len(want), matching.MaxGroupLimit)]
				if len(got.Matches) != len(want) {
					t.Fatalf("%s: returned %d matches, brute force %d", what, len(got.Matches), len(want))
				}
				for j, m := range got.Matches {
					b := want[j]
					checked++
					if m.OrganisationID != b.orgID || m.NeedID != b.needID {
						t.Errorf("%s: match %d is %s/%s (score %v), brute force %s/%s (score %v)", what, j, m.OrganisationID, m.NeedID, m.Score, b.orgID, b.needID, b.score)
						continue
					}
					if math.Abs(m.Score-b.score) > 1e-6 {
						t.Errorf("%s: %s score %v, brute force %v", what, m.NeedID, m.Score, b.score)
					}
					if math.Abs(m.DistanceKm*1000-b.distM) > 1 {
						t.Errorf("%s: %s distance %v km, brute force %v m", what, m.NeedID, m.DistanceKm, b.distM)
					}
					if !slices.EqualFunc(m.FreeWindows, b.free, func(x, y matching.Session) bool { return x.Start.Equal(y.Start) && x.End.Equal(y.End) }) {
						t.Errorf("%s: %s free windows\n got %v\nwant %v", what, m.NeedID, m.FreeWindows, b.free)
					}
					if len(m.Reasons) != 5 {
						t.Errorf("%s: %s has %d reasons, want 5", what, m.NeedID, len(m.Reasons))
					}
				}
				matched += len(got.Matches)
			}
			// The worlds must exercise every path, or the test proves little.
			if matched < queries {
				t.Errorf("only %d matches in %d queries", matched, queries)
			}
			for _, reason := range matching.GroupExclusionOrder {
				if reasons[reason] == 0 {
					t.Errorf("no need excluded as %s in %d queries", reason, queries)
				}
			}
			if cut == 0 {
				t.Errorf("no free window fell past a booking horizon in %d queries", queries)
			}
			t.Logf("%d queries: %d matches checked, %d windows past a booking horizon, exclusions %v", queries, checked, cut, reasons)
		})
	}
}
