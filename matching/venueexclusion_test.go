package matching_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"commonground/matching"
)

// TestExclusionsAgree checks, for random requests over the oracle's
// worlds, that the scan and the table of exclusion reasons agree on every
// space within twice the radius: the scan (with its placement by flat
// distance and its availability by sets) excludes a space under the first
// reason whose table test the space fails (on its exact distance and its
// sessions counted one by one), or matches it with as many sessions free
// when it fails none; that every test a space fails is explained; and that
// MatchVenues counts what the table's tests count.
func TestExclusionsAgree(t *testing.T) {
	requests := 150
	if testing.Short() {
		requests = 40
	}
	for seedN := int64(1); seedN <= 2; seedN++ {
		t.Run(fmt.Sprintf("seed=%d", seedN), func(t *testing.T) {
			t.Parallel()
			w, e := buildOracle(t, seedN)
			r := rand.New(rand.NewPCG(uint64(seedN), 0xe8c1))
			venueIDs, orgIDs := sortedKeys(w.venues), sortedKeys(w.orgs)
			first, failed := map[string]int{}, map[string]int{}
			diffs := 0
			for i := 0; i < requests && diffs < 10; i++ {
				req := oracleRequest(r, w, venueIDs, orgIDs)
				verdicts, err := matching.ExclusionVerdicts(e, req)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				res := mustMatch(t, e, req)
				excluded, total := map[string]int{}, 0
				for _, v := range verdicts {
					for _, f := range v.Failed {
						failed[f]++
					}
					if v.Table == "" {
						total++
						first["matched"]++
					} else {
						excluded[v.Table]++
						first[v.Table]++
					}
					if !v.Scanned || v.Scan != v.Table || v.ScanFree != v.TableFree || len(v.Unexplained) > 0 {
						diffs++
						t.Errorf("request %d %s, space %s: scan got %q (scanned %v, %d free), table %q (%d free), failed %v, unexplained %v",
							i, describeRequest(req), v.SpaceID, v.Scan, v.Scanned, v.ScanFree, v.Table, v.TableFree, v.Failed, v.Unexplained)
					}
				}
				if res.TotalMatches != total {
					diffs++
					t.Errorf("request %d %s: MatchVenues matched %d, the table %d", i, describeRequest(req), res.TotalMatches, total)
				}
				for _, k := range matching.ExclusionOrder {
					if got, want := res.Excluded[k], excluded[k]; got != want {
						diffs++
						t.Errorf("request %d %s: MatchVenues excluded %d as %s, the table %d", i, describeRequest(req), got, k, want)
					}
				}
			}
			t.Logf("first failed: %v; failed at all: %v", first, failed)
			// Every reason must be exercised: first, and but for the first
			// reason after another.
			for _, k := range append(slices.Clone(matching.ExclusionOrder), "matched") {
				if first[k] == 0 {
					t.Errorf("no space failed %s first", k)
				}
			}
			for _, k := range matching.ExclusionOrder[1:] {
				if failed[k] <= first[k] && !testing.Short() {
					t.Errorf("%s: failed by %d spaces, first by %d; want some failing it after another reason", k, failed[k], first[k])
				}
			}
		})
	}
}

// TestExclusionOrder pins the order of the exclusion reasons, which the
// API contract lists.
func TestExclusionOrder(t *testing.T) {
	want := []string{"too_far", "values_conflict", "too_small", "activity_not_allowed", "requirement_unmet", "over_budget", "unavailable"}
	if got := matching.ExclusionOrder; !slices.Equal(got, want) {
		t.Errorf("ExclusionOrder = %v, want %v", got, want)
	}
}
