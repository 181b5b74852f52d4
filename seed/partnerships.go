package seed

import (
	"fmt"
	"math/rand/v2"
	"time"

	"commonground/geo"
	"commonground/matching"
)

// DemoStory is one partnership of the demo county and how far it has
// gone: proposed, then (if Accepted) accepted and made active with its
// health checks, then (if Completed) completed.
type DemoStory struct {
	Partnership matching.Partnership
	Accepted    bool
	Completed   bool
	Checks      []matching.HealthCheck
}

// demoReach is how far apart the partners of a demo partnership may be.
const demoReach = 15_000 // metres

// DemoPartnerships gives the demo county a history of partnerships, so
// that partner matching shows its trust factor from the start: up to
// limit pairs of compatible organisations within 15 km of each other, one
// of whose offers meets one of the other's needs, each organisation in at
// most one pair. Of every four, two are completed with good health (each
// side scored every criterion 4 or 5), one is active with a check that
// flags communication, and one is still a proposal. The same dataset and
// seed number give the same stories; now dates them (review in 90 days).
func DemoPartnerships(ds *Dataset, tax *matching.Taxonomy, seed int64, now time.Time, limit int) []DemoStory {
	r := newRand(seed + 7)
	used := map[int]bool{}
	var out []DemoStory
	orgs := ds.Organisations
	for i := range orgs {
		if len(out) >= limit {
			break
		}
		if used[i] || len(orgs[i].Needs) == 0 {
			continue
		}
		for j := i + 1; j < len(orgs); j++ {
			a, b := &orgs[i], &orgs[j]
			if used[j] || geo.DistanceM(a.Location, b.Location) > demoReach || !tax.Compatible(a, b) {
				continue
			}
			need, offer, ok := firstMet(a, b, tax)
			if !ok {
				continue
			}
			used[i], used[j] = true, true
			out = append(out, story(r, len(out), a, b, need, offer, now))
			break
		}
	}
	return out
}

// firstMet finds a need of a that an offer of b meets.
func firstMet(a, b *matching.Organisation, tax *matching.Taxonomy) (need, offer string, ok bool) {
	for _, n := range a.Needs {
		for _, o := range b.Offers {
			if tax.OfferMeetsNeed(o.Category, n.Category) {
				return n.Category, o.Category, true
			}
		}
	}
	return "", "", false
}

func story(r *rand.Rand, n int, a, b *matching.Organisation, need, offer string, now time.Time) DemoStory {
	day := now.UTC().Truncate(24 * time.Hour)
	p := matching.Partnership{
		ID: uuidFrom(r.Uint64(), r.Uint64()), ProposerID: a.ID, PartnerID: b.ID, Status: matching.PartnershipProposed,
		Purpose: fmt.Sprintf("%s brings %s where %s needs %s", b.Name, offer, a.Name, need),
		Roles: map[string]string{a.ID: "lead: sets the programme and reports on it",
			b.ID: "partner: provides " + offer},
		Outcomes:  []string{"a shared programme running for a term", "a joint review of what worked"},
		ReviewOn:  day.AddDate(0, 0, 90),
		CreatedAt: now, UpdatedAt: now,
	}
	s := DemoStory{Partnership: p, Accepted: n%4 != 3, Completed: n%4 < 2}
	if !s.Accepted {
		return s
	}
	check := func(org string, scores matching.HealthScores, comment string) {
		s.Checks = append(s.Checks, matching.HealthCheck{ID: uuidFrom(r.Uint64(), r.Uint64()), PartnershipID: p.ID,
			OrganisationID: org, Scores: scores, Comment: comment, CreatedAt: now})
	}
	if s.Completed {
		check(a.ID, matching.HealthScores{5, 4, 4, 5, 4, 4}, "Sessions ran as planned.")
		check(b.ID, matching.HealthScores{4, 5, 4, 4, 5, 4}, "Clear roles; would work together again.")
	} else {
		check(a.ID, matching.HealthScores{4, 4, 3, 4, 2, 3}, "Messages often go unanswered for a week.")
	}
	return s
}
