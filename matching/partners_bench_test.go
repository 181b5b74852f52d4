package matching_test

import (
	"testing"

	"github.com/paulmach/orb"

	"commonground/matching"
	"commonground/seed"
)

// partnerBench is an engine for the partner and consortium benchmarks,
// with the organisation that has the most organisations within
// partnerBenchRadiusKm among a fixed sample: the benchmarks ask where the data is.
type partnerBench struct {
	e      *matching.Engine
	orgs   int
	orgID  string    // the requester of BenchmarkPartners
	near   orb.Point // its base, the centre of BenchmarkConsortium
	nearby int       // organisations within partnerBenchRadiusKm of it
}

const partnerBenchRadiusKm = 15

var partnerBenches = map[string]*partnerBench{}

// partnerBenchScales are the data sets of the partner benchmarks: the demo county
// (seed.Demo(1), about 440 organisations) and seed.Generate at 600,000
// spaces, which makes about 100,000 organisations (one per six spaces) with
// their venues and rooms across Great Britain.
var partnerBenchScales = []struct {
	name   string
	spaces int // 0: the demo county
}{
	{"demo", 0},
	{"orgs=100k", 600_000},
}

func loadPartnerBench(b *testing.B, name string, spaces int) *partnerBench {
	if pb := partnerBenches[name]; pb != nil {
		return pb
	}
	b.Helper()
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	pb := &partnerBench{e: e}
	var sample []string
	step := 97
	if spaces == 0 {
		step = 13
	}
	locs := map[string]orb.Point{}
	load := func(ds *seed.Dataset) error {
		for i := range ds.Organisations {
			if err := l.Organisation(&ds.Organisations[i]); err != nil {
				return err
			}
			// A fixed sample spread over the data.
			if pb.orgs%step == 0 && len(sample) < 32 {
				sample = append(sample, ds.Organisations[i].ID)
				locs[ds.Organisations[i].ID] = ds.Organisations[i].Location
			}
			pb.orgs++
		}
		for i := range ds.Venues {
			if err := l.Venue(&ds.Venues[i]); err != nil {
				return err
			}
		}
		for i := range ds.Spaces {
			if err := l.Space(&ds.Spaces[i]); err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	if spaces == 0 {
		err = load(seed.Demo(1))
	} else {
		err = seed.Generate(seed.ScaleOptions{Seed: 1, Spaces: spaces}, load)
	}
	if err != nil {
		b.Fatal(err)
	}
	l.Commit(1)

	for _, id := range sample {
		res, err := e.MatchPartners(matching.PartnerRequest{OrganisationID: id, RadiusKm: partnerBenchRadiusKm, Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		n := res.TotalMatches + res.Excluded[matching.ExcludedValuesConflict] + res.Excluded[matching.ExcludedNoComplement]
		if n > pb.nearby || pb.orgID == "" {
			pb.orgID, pb.nearby = id, n
		}
	}
	pb.near = locs[pb.orgID]
	partnerBenches[name] = pb
	return pb
}

// BenchmarkPartners finds the partners of the organisation with the most
// neighbours in a fixed sample, within 15 km, on the demo county and at
// 100,000 organisations.
func BenchmarkPartners(b *testing.B) {
	for _, sc := range partnerBenchScales {
		b.Run(sc.name, func(b *testing.B) {
			pb := loadPartnerBench(b, sc.name, sc.spaces)
			req := matching.PartnerRequest{OrganisationID: pb.orgID, RadiusKm: partnerBenchRadiusKm, Limit: 20}
			b.ReportAllocs()
			b.ResetTimer()
			var res *matching.PartnerResult
			cpu0 := processCPU()
			for b.Loop() {
				var err error
				if res, err = pb.e.MatchPartners(req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(pb.orgs), "orgs")
			b.ReportMetric(float64(pb.nearby), "orgs_in_15km")
			b.ReportMetric(float64(res.TotalMatches), "matches")
		})
	}
}

// BenchmarkConsortium builds teams of up to four for a five-capability bid
// within 15 km of the same place, on the demo county and at 100,000
// organisations.
func BenchmarkConsortium(b *testing.B) {
	for _, sc := range partnerBenchScales {
		b.Run(sc.name, func(b *testing.B) {
			pb := loadPartnerBench(b, sc.name, sc.spaces)
			req := matching.ConsortiumRequest{
				Requirements: []string{"skill.dance-teaching", "skill.youth-work", "skill.safeguarding", "space.hall", "skill.evaluation"},
				Near:         pb.near, RadiusKm: partnerBenchRadiusKm, MaxMembers: 4, Limit: 5,
			}
			b.ReportAllocs()
			b.ResetTimer()
			var res *matching.ConsortiumResult
			for b.Loop() {
				var err error
				if res, err = pb.e.BuildConsortia(req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Candidates), "candidates")
			if len(res.Consortia) > 0 {
				b.ReportMetric(float64(len(res.Consortia[0].Members)), "best_team_size")
			}
			if testing.Verbose() {
				b.Logf("%s: %d candidates, exhaustive %v, %d teams", sc.name, res.Candidates, res.Exhaustive, len(res.Consortia))
			}
		})
	}
}
