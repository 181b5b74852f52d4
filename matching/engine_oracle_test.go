package matching_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/matching"
)

// The oracle test checks Engine.MatchVenues against a brute force written
// from the contract (api.md "Matching" and the doc comments of package
// matching): it scans every space of a world of a few thousand, held as
// plain domain values, for many random requests. The world and its
// changes are built in engine_oracle_world_test.go and
// engine_oracle_requests_test.go, the brute force is in
// engine_oracle_brute_test.go.
func TestMatchVenuesOracle(t *testing.T) {
	requests := 300
	if testing.Short() {
		requests = 60
	}
	for seedN := int64(1); seedN <= 4; seedN++ {
		t.Run(fmt.Sprintf("seed=%d", seedN), func(t *testing.T) {
			t.Parallel()
			w, e := buildOracle(t, seedN)
			r := rand.New(rand.NewPCG(uint64(seedN), 0x5e55))
			venueIDs, orgIDs := sortedKeys(w.venues), sortedKeys(w.orgs)
			var matched, excluded, explained, ties int
			reasons := map[string]int{}
			failures := 0
			for i := 0; i < requests && failures < 5; i++ {
				req := oracleRequest(r, w, venueIDs, orgIDs)
				want := bruteMatch(w, req)
				// Ask for the explanation of one space within twice the radius.
				if ids := sortedKeys(want.byID); len(ids) > 0 {
					req.ExplainSpaceID = ids[r.IntN(len(ids))]
				}
				got, err := e.MatchVenues(req)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				diffs := compareWithBrute(w, req, got, want)
				if req.ExplainSpaceID != "" {
					explained++
					diffs = append(diffs, compareExplanation(req, got.Explanation, want.byID[req.ExplainSpaceID])...)
				}
				for j, m := range got.Matches {
					if j < len(want.matches) && m.SpaceID != want.matches[j].id {
						ties++
					}
				}
				if len(diffs) > 0 {
					failures++
					t.Errorf("request %d %s:\n\t%s", i, describeRequest(req), strings.Join(diffs, "\n\t"))
				}
				matched += got.TotalMatches
				for k, n := range got.Excluded {
					excluded += n
					reasons[k] += n
				}
				for _, m := range got.Matches {
					for _, c := range m.Conflicts {
						reasons["conflict:"+c.Reason]++
					}
				}
			}
			t.Logf("%d spaces; %d requests: %d matches, %d excluded, %d explained, %d ties broken by rounding; %v",
				len(w.spaces), requests, matched, excluded, explained, ties, reasons)
			// The random requests must exercise every rule.
			for _, k := range append(slices.Clone(matching.ExclusionOrder), "conflict:booked", "conflict:closure", "conflict:outside_hours",
				"conflict:beyond_horizon") {
				if reasons[k] == 0 && !testing.Short() {
					t.Errorf("no request gave %s", k)
				}
			}
		})
	}
}

// compareExplanation checks an explanation against the brute force: the
// same failures, first the reason the space was counted under.
func compareExplanation(req *matching.VenueRequest, ex *matching.Explanation, b *bruteSpace) []string {
	if ex == nil {
		return []string{"no explanation"}
	}
	var reasons []string
	for _, f := range ex.Failures {
		if len(reasons) == 0 || reasons[len(reasons)-1] != f.Reason {
			reasons = append(reasons, f.Reason)
		}
	}
	var diffs []string
	if !slices.Equal(reasons, b.failures) {
		diffs = append(diffs, fmt.Sprintf("explanation of %s: failures %v, want %v", b.id, reasons, b.failures))
	}
	if ex.Matched != (len(b.failures) == 0) || ex.Matched != (ex.Match != nil) {
		diffs = append(diffs, fmt.Sprintf("explanation of %s: matched %v (match %v), want %v", b.id, ex.Matched, ex.Match != nil, len(b.failures) == 0))
	}
	if !sameConflicts(ex.Conflicts, b.conflicts) {
		diffs = append(diffs, fmt.Sprintf("explanation of %s: conflicts %v, want %v", b.id, ex.Conflicts, b.conflicts))
	}
	if ex.Match != nil && math.Abs(ex.Match.Score-b.score) > 1e-6 {
		diffs = append(diffs, fmt.Sprintf("explanation of %s: score %.6f, want %.6f", b.id, ex.Match.Score, b.score))
	}
	return diffs
}

func describeRequest(req *matching.VenueRequest) string {
	return fmt.Sprintf("near %v r=%.1f km group %d %s tier %q budget %d req %+v org %q all=%v limit %d, %d sessions from %s, now %s",
		req.Near, req.RadiusKm, req.GroupSize, req.Activity, req.Tier, req.MaxPencePerHour, req.Requirements,
		req.OrganisationID, req.RequireAllSessions, req.Limit, len(req.Sessions), req.Sessions[0].Start.Format(time.RFC3339),
		req.Now.Format(time.RFC3339))
}
