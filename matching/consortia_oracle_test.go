package matching_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

// consortiumRequirements are the capabilities the random bids ask for.
var consortiumRequirements = []string{
	"skill.dance-teaching", "skill.youth-work", "skill.safeguarding", "space.hall", "skill.evaluation", "space.rehearsal",
	"space.dance-studio", "programme.youth-activities", "resource.funding", "skill.fundraising", "space.meeting-room",
	"resource.transport", "skill.music", "space.theatre",
}

func TestBuildConsortiaOracle(t *testing.T) {
	taxonomies := partnerTaxonomies()
	for _, run := range partnerOracleRuns {
		t.Run(fmt.Sprintf("seed=%d/%s", run.seed, run.taxonomy), func(t *testing.T) {
			t.Parallel()
			w, r := buildPartnerWorld(t, run.seed, taxonomies[run.taxonomy])
			e := w.load(t, r)
			cases := 400
			if testing.Short() {
				cases = 80
			}
			checked, skipped, withLead, bigTeams, conflicts := 0, 0, 0, 0, 0
			hist := make([]int, 13)
			for c := 0; checked < cases; c++ {
				if c > 20*cases {
					t.Fatalf("only %d of %d requests had at most 12 candidates", checked, cases)
				}
				req := w.randomConsortiumRequest(r)
				want := w.bruteConsortiaFor(req)
				for len(want.cands) > 12 && req.RadiusKm > 0.3 {
					req.RadiusKm *= 0.6
					want = w.bruteConsortiaFor(req)
				}
				if len(want.cands) > 12 {
					skipped++
					continue
				}
				got, err := e.BuildConsortia(req)
				if err != nil {
					t.Fatalf("BuildConsortia(%+v): %v", req, err)
				}
				if errs := w.compareConsortia(req, got, want); len(errs) > 0 {
					if len(errs) > 8 {
						errs = append(errs[:8], fmt.Sprintf("… and %d more", len(errs)-8))
					}
					t.Errorf("%s:\n  %s", describeConsortium(req, want), strings.Join(errs, "\n  "))
				}
				checked++
				hist[len(want.cands)]++
				if req.LeadOrganisationID != "" {
					withLead++
					lead := w.orgs[req.LeadOrganisationID]
					for _, o := range w.orgs {
						if o.ID != lead.ID && !w.tax.Compatible(lead, o) && geo.DistanceM(req.Near, o.Location) <= req.RadiusKm*1000 {
							conflicts++
							break
						}
					}
				}
				if want.best != nil && len(want.best.members) >= 3 {
					bigTeams++
				}
			}
			t.Logf("%d requests (%d skipped with more than 12 candidates), %d with a lead (%d with a conflicting organisation in reach), "+
				"%d with a best team of 3 or more; candidates histogram %v", checked, skipped, withLead, conflicts, bigTeams, hist)
			if withLead == 0 || conflicts == 0 || bigTeams == 0 || hist[10]+hist[11]+hist[12] == 0 {
				t.Errorf("the requests do not exercise every case")
			}

			// Larger candidate sets, searched over the nearest providers:
			// every team must still be sound.
			for range 30 {
				req := w.randomConsortiumRequest(r)
				req.RadiusKm = 5 + 20*r.Float64()
				got, err := e.BuildConsortia(req)
				if err != nil {
					t.Fatalf("BuildConsortia(%+v): %v", req, err)
				}
				want := w.bruteConsortiaFor(req)
				errs := w.checkTeams(req, got)
				if !slices.Equal(got.Missing, want.missing) {
					errs = append(errs, fmt.Sprintf("missing %v, want %v", got.Missing, want.missing))
				}
				if got.Candidates != len(want.cands) {
					errs = append(errs, fmt.Sprintf("%d candidates, want %d", got.Candidates, len(want.cands)))
				}
				if len(errs) > 0 {
					t.Errorf("%s (%d candidates):\n  %s", describeConsortium(req, want), got.Candidates, strings.Join(errs, "\n  "))
				}
			}
		})
	}
}

// randomConsortiumRequest asks for 2 to 5 capabilities near a random
// extra organisation, with or without a lead (near or far, often one with
// practices others object to).
func (w *pWorld) randomConsortiumRequest(r *rand.Rand) matching.ConsortiumRequest {
	at := w.orgs[w.extras[r.IntN(len(w.extras))]]
	req := matching.ConsortiumRequest{
		Requirements: pickSome(r, consortiumRequirements, 5),
		Near:         offsetKm(at.Location, r.Float64()-0.5, r.Float64()-0.5),
		RadiusKm:     1 + 5*r.Float64(),
		MaxMembers:   []int{0, 2, 3, 4}[r.IntN(4)],
		Limit:        []int{0, 1, 3, 8}[r.IntN(4)],
	}
	for len(req.Requirements) < 2 {
		req.Requirements = pickSome(r, consortiumRequirements, 5)
	}
	switch r.IntN(4) {
	case 0: // a lead close by with practices others object to, if any
		for range 20 {
			o := w.orgs[w.extras[r.IntN(len(w.extras))]]
			if len(o.Practices) > 0 && geo.DistanceM(o.Location, at.Location) < 10_000 {
				req.LeadOrganisationID = o.ID
				break
			}
		}
	case 1: // any organisation
		ids := sortedKeys(w.orgs)
		req.LeadOrganisationID = ids[r.IntN(len(ids))]
	}
	return req
}

func describeConsortium(req matching.ConsortiumRequest, want *bruteConsortia) string {
	var cands []string
	for _, c := range want.cands {
		cands = append(cands, fmt.Sprintf("%s %s cover=%b hours=%d d=%.0f", c.id, c.org.Name, c.cover, c.hours, c.d))
	}
	return fmt.Sprintf("consortium %v near %v within %.2f km, lead %q, max %d, limit %d; candidates:\n    %s",
		req.Requirements, req.Near, req.RadiusKm, req.LeadOrganisationID, req.MaxMembers, req.Limit, strings.Join(cands, "\n    "))
}

func TestBuildConsortiaErrors(t *testing.T) {
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	e.Load().Commit(1)
	ok := matching.ConsortiumRequest{Requirements: []string{"space.hall"}, Near: cambridge, RadiusKm: 5}
	tests := []struct {
		name  string
		edit  func(r *matching.ConsortiumRequest)
		field string
	}{
		{"no requirements", func(r *matching.ConsortiumRequest) { r.Requirements = nil }, "requirements"},
		{"unknown requirement", func(r *matching.ConsortiumRequest) { r.Requirements = []string{"space.hall", "skill.juggling"} }, "requirements[1]"},
		{"requirement twice", func(r *matching.ConsortiumRequest) { r.Requirements = []string{"space.hall", "space.hall"} }, "requirements[1]"},
		{"too many requirements", func(r *matching.ConsortiumRequest) {
			r.Requirements = make([]string, matching.MaxRequirements+1)
		}, "requirements"},
		{"no radius", func(r *matching.ConsortiumRequest) { r.RadiusKm = 0 }, "radius_km"},
		{"radius too large", func(r *matching.ConsortiumRequest) { r.RadiusKm = matching.MaxMatchRadiusKm + 1 }, "radius_km"},
		{"too many members", func(r *matching.ConsortiumRequest) { r.MaxMembers = matching.MaxConsortiumMembers + 1 }, "max_members"},
		{"negative limit", func(r *matching.ConsortiumRequest) { r.Limit = -1 }, "limit"},
		{"unknown lead", func(r *matching.ConsortiumRequest) { r.LeadOrganisationID = uuidN(9) }, "lead_organisation_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ok
			tt.edit(&req)
			_, err := e.BuildConsortia(req)
			if !errors.Is(err, matching.ErrInvalid) {
				t.Fatalf("got error %v, want ErrInvalid", err)
			}
			if !slices.Contains(pValidationFields(err), tt.field) {
				t.Errorf("got fields %v, want %s", pValidationFields(err), tt.field)
			}
		})
	}
	res, err := e.BuildConsortia(ok)
	if err != nil || len(res.Consortia) != 0 || !slices.Equal(res.Missing, []string{"space.hall"}) {
		t.Errorf("empty county: got %+v, %v; want no team and space.hall missing", res, err)
	}
}

// pValidationFields lists the fields a *matching.ValidationError names.
func pValidationFields(err error) []string {
	var ve *matching.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, fe := range ve.Errors {
		out = append(out, fe.Field)
	}
	return out
}
