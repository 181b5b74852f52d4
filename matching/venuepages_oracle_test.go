package matching_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"commonground/matching"
)

// TestMatchVenuesPagesOracle walks every page of random venue requests on
// the oracle worlds (built and changed as for TestMatchVenuesOracle), each
// page with a random limit and asked both with and without the exclusion
// count, and checks against the brute force that the pages together hold
// every match once, in ranking order, and that the answer without the
// count (which passes over grid cells and spaces that cannot rank) is the
// answer with it.
func TestMatchVenuesPagesOracle(t *testing.T) {
	requests := 120
	if testing.Short() {
		requests = 30
	}
	for seedN := int64(1); seedN <= 4; seedN++ {
		t.Run(fmt.Sprintf("seed=%d", seedN), func(t *testing.T) {
			t.Parallel()
			w, e := buildOracle(t, seedN)
			r := rand.New(rand.NewPCG(uint64(seedN), 0x9a6e5))
			venueIDs, orgIDs := sortedKeys(w.venues), sortedKeys(w.orgs)
			failures, pages, walked := 0, 0, 0
			for i := 0; i < requests && failures < 5; i++ {
				req := oracleRequest(r, w, venueIDs, orgIDs)
				want := bruteMatch(w, req)
				got, diffs := walkPages(t, e, req, r, &pages)
				walked += len(want.matches)
				if len(got) != len(want.matches) {
					diffs = append(diffs, fmt.Sprintf("pages hold %d matches, want %d", len(got), len(want.matches)))
				}
				seen := map[string]bool{}
				for j, id := range got {
					if seen[id] {
						diffs = append(diffs, fmt.Sprintf("match %s on two pages", id))
					}
					seen[id] = true
					b := want.byID[id]
					if b == nil || len(b.failures) > 0 {
						diffs = append(diffs, fmt.Sprintf("%s paged but not a match", id))
						continue
					}
					// The same place in the ranking, or a tie that rounding
					// may break either way.
					if j < len(want.matches) && want.matches[j].id != id && math.Abs(want.matches[j].score-b.score) > 2e-6 {
						diffs = append(diffs, fmt.Sprintf("match %d is %s (%.6f), want %s (%.6f)", j, id, b.score,
							want.matches[j].id, want.matches[j].score))
					}
				}
				if len(diffs) > 0 {
					failures++
					t.Errorf("request %d %s:\n\t%s", i, describeRequest(req), strings.Join(diffs, "\n\t"))
				}
			}
			t.Logf("%d requests, %d pages, %d matches walked", requests, pages, walked)
		})
	}
}

// walkPages follows req's pages to the end, each with a random limit,
// asking each page with and without the count of exclusions; it returns
// the matches of every page in order and the differences it saw.
func walkPages(t *testing.T, e *matching.Engine, req *matching.VenueRequest, r *rand.Rand, pages *int) (ids, diffs []string) {
	t.Helper()
	var total int
	for page := 0; ; page++ {
		if page > 5000 {
			return ids, append(diffs, "more than 5000 pages")
		}
		*pages++
		counted := *req
		counted.Limit = []int{1, 2, 3, 7, 20}[r.IntN(5)]
		fast := counted
		fast.SkipExcluded = true
		a, err := e.MatchVenues(&counted)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		b, err := e.MatchVenues(&fast)
		if err != nil {
			t.Fatalf("page %d without the count: %v", page, err)
		}
		if page == 0 {
			total = a.TotalMatches
		} else if a.TotalMatches != total {
			diffs = append(diffs, fmt.Sprintf("page %d: total %d, %d on the first page", page, a.TotalMatches, total))
		}
		if b.Excluded != nil || b.TotalMatches != 0 {
			diffs = append(diffs, fmt.Sprintf("page %d without the count: excluded %v, total %d", page, b.Excluded, b.TotalMatches))
		}
		if pa, pb := pageIDs(a), pageIDs(b); pa != pb {
			diffs = append(diffs, fmt.Sprintf("page %d: counted %s, without the count %s", page, pa, pb))
		}
		if (a.Next == nil) != (b.Next == nil) || (a.Next != nil && *a.Next != *b.Next) {
			diffs = append(diffs, fmt.Sprintf("page %d: next %v, without the count %v", page, a.Next, b.Next))
		}
		if a.Next != nil && len(a.Matches) != counted.Limit {
			diffs = append(diffs, fmt.Sprintf("page %d: %d matches of %d with a next page", page, len(a.Matches), counted.Limit))
		}
		for _, m := range a.Matches {
			ids = append(ids, m.SpaceID)
		}
		if a.Next == nil {
			break
		}
		req.After = a.Next
	}
	req.After = nil
	return ids, diffs
}

func pageIDs(res *matching.VenueResult) string {
	var ids []string
	for _, m := range res.Matches {
		ids = append(ids, m.SpaceID)
	}
	return strings.Join(ids, ",")
}
