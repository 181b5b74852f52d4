package matching_test

import (
	"fmt"
	"strings"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

// examplePartnersEngine is a tiny county: a youth service with a hall that
// needs dance teaching, a dance company that teaches and needs a studio, a
// safeguarding trainer, and a lab that tests on animals.
func examplePartnersEngine() (*matching.Engine, error) {
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	youth := matching.Organisation{ID: "5b1e0c2a-0000-4000-8000-000000000001", Name: "Arbury Youth Service",
		Type: matching.OrgYouthService, Location: geo.MustPoint(52.2250, 0.1190), ServiceRadiusKm: 10,
		Values: []string{"youth-voice", "animal-welfare"},
		Offers: []matching.Offer{{Category: "skill.youth-work", HoursPerMonth: 12}},
		Needs:  []matching.Need{{Category: "skill.dance-teaching", HoursPerMonth: 8}}}
	dance := matching.Organisation{ID: "5b1e0c2a-0000-4000-8000-000000000002", Name: "Fen Edge Dance",
		Type: matching.OrgArts, Location: geo.MustPoint(52.2053, 0.1218), ServiceRadiusKm: 15,
		Values: []string{"fair-pay-for-artists"},
		Offers: []matching.Offer{{Category: "skill.dance-teaching", HoursPerMonth: 10}},
		Needs:  []matching.Need{{Category: "space.dance-studio", HoursPerMonth: 6}}}
	trainer := matching.Organisation{ID: "5b1e0c2a-0000-4000-8000-000000000003", Name: "Safe Hands Training",
		Type: matching.OrgBusiness, Location: geo.MustPoint(52.1950, 0.1400), ServiceRadiusKm: 20,
		Offers: []matching.Offer{{Category: "skill.safeguarding", HoursPerMonth: 40}}}
	lab := matching.Organisation{ID: "5b1e0c2a-0000-4000-8000-000000000004", Name: "Granta Labs Dance Club",
		Type: matching.OrgBusiness, Location: geo.MustPoint(52.2150, 0.1300), Practices: []string{"animal-testing"},
		Offers: []matching.Offer{{Category: "skill.dance-teaching", HoursPerMonth: 40}, {Category: "skill.safeguarding", HoursPerMonth: 40}}}
	centre := matching.Venue{ID: "5b1e0c2a-0000-4000-8000-000000000005", OrganisationID: youth.ID, Name: "Arbury Community Centre",
		Location: youth.Location, Timezone: "Europe/London"}
	// A sprung-floor hall: three Fit to Dance stars, so it offers a dance
	// studio as well as a hall.
	hall := matching.Space{ID: "5b1e0c2a-0000-4000-8000-000000000006", VenueID: centre.ID, Name: "Main Hall", Kind: "hall",
		Capacity: 80, FloorAreaM2: 150, Floor: matching.FloorSprung}
	for _, err := range []error{l.Organisation(&youth), l.Organisation(&dance), l.Organisation(&trainer), l.Organisation(&lab),
		l.Venue(&centre), l.Space(&hall)} {
		if err != nil {
			return nil, err
		}
	}
	l.Commit(1)
	return e, nil
}

func examplePairs(ps []matching.Pair) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Need+" ← "+p.Offer)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func ExampleEngine_MatchPartners() {
	e, err := examplePartnersEngine()
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := e.MatchPartners(matching.PartnerRequest{OrganisationID: "5b1e0c2a-0000-4000-8000-000000000001", RadiusKm: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range res.Matches {
		fmt.Printf("%s (%s), %.1f km, score %.3f, %s\n", m.Name, m.Type, m.DistanceKm, m.Score, m.Tier())
		fmt.Printf("  they meet %s, you meet %s\n", examplePairs(m.TheyMeet), examplePairs(m.YouMeet))
	}
	fmt.Println("excluded:", res.Excluded)
	// Output:
	// Fen Edge Dance (arts), 2.2 km, score 0.686, reciprocal
	//   they meet [skill.dance-teaching ← skill.dance-teaching], you meet [space.dance-studio ← space.dance-studio]
	// excluded: map[no_complement:1 values_conflict:1]
}

func ExampleEngine_BuildConsortia() {
	e, err := examplePartnersEngine()
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := e.BuildConsortia(matching.ConsortiumRequest{
		Requirements:       []string{"skill.dance-teaching", "skill.youth-work", "skill.safeguarding", "space.hall"},
		Near:               geo.MustPoint(52.2053, 0.1218),
		RadiusKm:           10,
		LeadOrganisationID: "5b1e0c2a-0000-4000-8000-000000000001", // the youth service leads the bid
		MaxMembers:         3,
		Limit:              2,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d candidates, missing everywhere: %v\n", res.Candidates, res.Missing)
	for i, k := range res.Consortia {
		fmt.Printf("%d. complete %v, missing %v, score %.3f\n", i+1, k.Complete, k.Missing, k.Score)
		for _, m := range k.Members {
			fmt.Printf("   %s (lead %v): %v\n", m.Name, m.Lead, m.Covers)
		}
	}
	// Output:
	// 2 candidates, missing everywhere: []
	// 1. complete true, missing [], score 0.519
	//    Arbury Youth Service (lead true): [skill.youth-work space.hall]
	//    Fen Edge Dance (lead false): [skill.dance-teaching]
	//    Safe Hands Training (lead false): [skill.safeguarding]
	// 2. complete false, missing [skill.dance-teaching], score 0.557
	//    Arbury Youth Service (lead true): [skill.youth-work space.hall]
	//    Safe Hands Training (lead false): [skill.safeguarding]
}
