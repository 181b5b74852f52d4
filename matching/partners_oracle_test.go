package matching_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"commonground/matching"
	"commonground/seed"
)

// The partner oracle checks Engine.MatchPartners and Engine.BuildConsortia
// against brute force written from the contract (api.md "Matching":
// partners and consortium) and the doc comments of package matching, with
// the package's public helpers only: Taxonomy.Compatible and
// OfferMeetsNeed, geo.DistanceM, Space.FitToDance, DefaultPartnerWeights,
// FitForDanceStars. The world is the demo county plus a few hundred random
// organisations packed around three centres, many owning rooms. The world
// is built in partners_oracle_world_test.go and the brute force is in
// partners_oracle_brute_test.go; the consortium oracle, on the same world,
// is in consortia_oracle_test.go.

// partnerTaxonomies are the taxonomies the oracle runs on: the shared one,
// and the same terms without the extra offer → need relations (only
// broader terms then link an offer to a need).
func partnerTaxonomies() map[string]*matching.Taxonomy {
	tax := seed.Taxonomy()
	return map[string]*matching.Taxonomy{
		"shared":       tax,
		"broader-only": matching.NewTaxonomy(tax.Categories, tax.Values, tax.Practices, tax.Activities, tax.Conflicts),
	}
}

var partnerOracleRuns = []struct {
	seed     int64
	taxonomy string
}{{1, "shared"}, {2, "shared"}, {3, "shared"}, {4, "broader-only"}}

func TestMatchPartnersOracle(t *testing.T) {
	taxonomies := partnerTaxonomies()
	for _, run := range partnerOracleRuns {
		t.Run(fmt.Sprintf("seed=%d/%s", run.seed, run.taxonomy), func(t *testing.T) {
			t.Parallel()
			w, r := buildPartnerWorld(t, run.seed, taxonomies[run.taxonomy])
			e := w.load(t, r)
			queries := 120
			if testing.Short() {
				queries = 30
			}
			var stats partnerStats
			w.checkPartnerQueries(t, r, e, "loaded", queries, &stats)
			if err := e.Apply(w.change(r)); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			w.checkPartnerQueries(t, r, e, "after changes", queries, &stats)
			t.Logf("%d queries: %d matches (%d reciprocal), excluded %v", stats.queries, stats.matches, stats.reciprocal, stats.excluded)
			if stats.reciprocal == 0 || stats.matches == stats.reciprocal || stats.excluded[matching.ExcludedValuesConflict] == 0 ||
				stats.excluded[matching.ExcludedTooFar] == 0 || stats.excluded[matching.ExcludedNoComplement] == 0 ||
				stats.someTrust == 0 || stats.fullTrust == 0 || stats.someTrust+stats.fullTrust == stats.matches {
				t.Errorf("the queries do not exercise every case: %+v", stats)
			}
		})
	}
}

type partnerStats struct {
	queries, matches, reciprocal int
	// someTrust and fullTrust count matches whose trust factor is
	// between 0 and 1, and 1.
	someTrust, fullTrust int
	excluded             map[string]int
}

var partnerRadii = []float64{0, 0, 0.5, 2, 5, 10, 15, 25, 60}
var partnerLimits = []int{0, 1, 3, 20, 100}

func (w *pWorld) checkPartnerQueries(t *testing.T, r *rand.Rand, e *matching.Engine, phase string, n int, stats *partnerStats) {
	t.Helper()
	if stats.excluded == nil {
		stats.excluded = map[string]int{}
	}
	ids := sortedKeys(w.orgs)
	for q := range n {
		var me *matching.Organisation
		if wide := w.orgs[w.wide]; q == 0 && wide != nil {
			me = wide // its default radius is capped
		} else if q%2 == 0 {
			me = w.orgs[w.extras[r.IntN(len(w.extras))]]
		} else {
			me = w.orgs[ids[r.IntN(len(ids))]]
		}
		req := matching.PartnerRequest{OrganisationID: me.ID, RadiusKm: partnerRadii[r.IntN(len(partnerRadii))],
			Limit: partnerLimits[r.IntN(len(partnerLimits))]}
		if q == 0 {
			req.RadiusKm = 0
		}
		got, err := e.MatchPartners(req)
		if err != nil {
			t.Fatalf("%s: MatchPartners(%+v): %v", phase, req, err)
		}
		want := w.brutePartnersOf(me, req)
		if errs := w.comparePartners(me, req, got, want); len(errs) > 0 {
			if len(errs) > 8 {
				errs = append(errs[:8], fmt.Sprintf("… and %d more", len(errs)-8))
			}
			t.Errorf("%s: partners of %s (%s, %s) within %v km, limit %d:\n  %s", phase, me.ID, me.Name, me.Type, req.RadiusKm, req.Limit,
				strings.Join(errs, "\n  "))
		}
		stats.queries++
		stats.matches += len(want.all)
		for _, b := range want.all {
			if b.m.Reciprocal() {
				stats.reciprocal++
			}
			switch trust := b.factors[6]; {
			case trust == 1:
				stats.fullTrust++
			case trust > 0:
				stats.someTrust++
			}
		}
		for k, v := range want.excluded {
			stats.excluded[k] += v
		}
	}
}

func TestMatchPartnersErrors(t *testing.T) {
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	if err := l.Organisation(&matching.Organisation{ID: uuidN(1), Name: "A", Type: matching.OrgArts, Location: cambridge}); err != nil {
		t.Fatal(err)
	}
	l.Commit(1)
	tests := []struct {
		name  string
		req   matching.PartnerRequest
		isErr error
		field string
	}{
		{"unknown organisation", matching.PartnerRequest{OrganisationID: uuidN(2)}, matching.ErrNotFound, ""},
		{"negative radius", matching.PartnerRequest{OrganisationID: uuidN(1), RadiusKm: -1}, matching.ErrInvalid, "radius_km"},
		{"radius too large", matching.PartnerRequest{OrganisationID: uuidN(1), RadiusKm: matching.MaxMatchRadiusKm + 1}, matching.ErrInvalid, "radius_km"},
		{"NaN radius", matching.PartnerRequest{OrganisationID: uuidN(1), RadiusKm: math.NaN()}, matching.ErrInvalid, "radius_km"},
		{"limit too large", matching.PartnerRequest{OrganisationID: uuidN(1), Limit: matching.MaxPartnerLimit + 1}, matching.ErrInvalid, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.MatchPartners(tt.req)
			if !errors.Is(err, tt.isErr) {
				t.Fatalf("got error %v, want %v", err, tt.isErr)
			}
			if tt.field != "" && !slices.Contains(pValidationFields(err), tt.field) {
				t.Errorf("got fields %v, want %s", pValidationFields(err), tt.field)
			}
		})
	}
	res, err := e.MatchPartners(matching.PartnerRequest{OrganisationID: uuidN(1)})
	if err != nil || len(res.Matches) != 0 || res.TotalMatches != 0 {
		t.Errorf("alone in the county: got %+v, %v; want no matches", res, err)
	}
}
